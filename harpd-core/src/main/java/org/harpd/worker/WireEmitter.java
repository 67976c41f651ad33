package org.harpd.worker;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.function.Consumer;
import org.harpd.protocol.HarpError;
import org.harpd.workerprotocol.WorkerProtocol;

/**
 * Writes a procedure's messages to the listener as wire lines, encoded by {@link WorkerProtocol}. After the final
 * message (result, exception or error) further messages are dropped: the listener has already passed the end of
 * the call to the client.
 */
final class WireEmitter implements MessageEmitter {
    private final Consumer<byte[]> pipe;
    private boolean finished;

    /** @param pipe where each line goes: {@link ProtocolPipes#write}, or nowhere for the boot's warm-up */
    WireEmitter(Consumer<byte[]> pipe) {
        this.pipe = pipe;
    }

    @Override
    public synchronized void stream(JsonNode value) {
        if (!finished) {
            pipe.accept(WorkerProtocol.stream(value));
        }
    }

    @Override
    public synchronized void result(JsonNode value) {
        finish(WorkerProtocol.result(value));
    }

    @Override
    public synchronized void exception(String type, String message, JsonNode data) {
        finish(WorkerProtocol.exception(type, message, data));
    }

    @Override
    public synchronized void error(HarpError error) {
        finish(WorkerProtocol.error(error));
    }

    synchronized boolean finished() {
        return finished;
    }

    private void finish(byte[] line) {
        if (!finished) {
            finished = true;
            pipe.accept(line);
        }
    }
}
