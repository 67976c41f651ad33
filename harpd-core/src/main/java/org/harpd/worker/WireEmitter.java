package org.harpd.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.function.Consumer;
import org.harpd.protocol.HarpError;
import org.harpd.protocol.Json;
import org.harpd.workerprotocol.WorkerProtocol;

/**
 * Writes a procedure's messages to the listener as wire lines. After the final message (result, exception or
 * error) further messages are dropped: the listener has already passed the end of the call to the client.
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
            pipe.accept(Json.line(single(WorkerProtocol.STREAM, value)));
        }
    }

    @Override
    public synchronized void result(JsonNode value) {
        finish(Json.line(single(WorkerProtocol.RESULT, value)));
    }

    @Override
    public synchronized void exception(String type, String message, JsonNode data) {
        ObjectNode exception = Json.MAPPER.createObjectNode();
        if (data != null) {
            exception.set("data", data);
        }
        exception.put("message", message);
        exception.put("type", type);
        finish(Json.line(single(WorkerProtocol.EXCEPTION, exception)));
    }

    @Override
    public synchronized void error(HarpError error) {
        finish(Json.line(error.toMessage()));
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

    private static ObjectNode single(String key, JsonNode value) {
        ObjectNode message = Json.MAPPER.createObjectNode();
        message.set(key, value == null ? Json.MAPPER.nullNode() : value);
        return message;
    }
}
