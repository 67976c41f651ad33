package org.harpd.worker;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.function.Consumer;
import org.harpd.protocol.HarpError;
import org.harpd.workerprotocol.WorkerProtocol;

/**
 * Writes a procedure's messages to the listener as wire lines, encoded by {@link WorkerProtocol} and framed with
 * the call's id. After the final message (result, exception or error) further messages are dropped: the listener
 * has already passed the end of the call to the client.
 *
 * <p>An emitter lives in the call loop's locals and the runtime's call frames only, never in a field the
 * procedure's code could reach, since it holds the call id: see "Call ids" in {@link WorkerProtocol}.
 */
final class WireEmitter implements MessageEmitter {
    private final Consumer<byte[]> pipe;
    private final String callId;
    private boolean finished;

    /**
     * @param pipe   where each line goes: {@link ProtocolPipes#write}, or a list for the boot's warm-up
     * @param callId the id to frame lines with, or null for unframed lines (the warm-up)
     */
    WireEmitter(Consumer<byte[]> pipe, String callId) {
        this.pipe = pipe;
        this.callId = callId;
    }

    private void send(byte[] line) {
        pipe.accept(callId == null ? line : WorkerProtocol.tagged(callId, line));
    }

    @Override
    public synchronized void stream(JsonNode value) {
        if (!finished) {
            send(WorkerProtocol.stream(value));
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
            send(line);
        }
    }
}
