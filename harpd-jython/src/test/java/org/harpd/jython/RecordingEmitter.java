package org.harpd.jython;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.harpd.protocol.HarpError;
import org.harpd.protocol.Json;
import org.harpd.worker.MessageEmitter;

/** Keeps every message as its wire JSON line (without newline). */
final class RecordingEmitter implements MessageEmitter {
    final List<String> lines = new ArrayList<>();

    private void add(String key, JsonNode value) {
        ObjectNode message = Json.MAPPER.createObjectNode();
        message.set(key, value);
        lines.add(Json.toString(message));
    }

    @Override
    public void stream(JsonNode value) {
        add("stream", value);
    }

    @Override
    public void result(JsonNode value) {
        add("result", value);
    }

    @Override
    public void exception(String type, String message, JsonNode data) {
        ObjectNode exception = Json.MAPPER.createObjectNode();
        exception.put("type", type);
        exception.put("message", message);
        if (data != null) {
            exception.set("data", data);
        }
        add("exception", exception);
    }

    @Override
    public void error(HarpError error) {
        lines.add(Json.toString(error.toMessage()));
    }
}
