package org.harpd.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The listener's own wire messages, each as one serialised line (keys sorted, newline included). */
public final class Messages {
    private Messages() {
    }

    /** {@code {"harp": 1, "stream_result": streaming}} — sent once the call has been accepted. */
    public static byte[] ack(boolean streaming) {
        ObjectNode message = Json.MAPPER.createObjectNode();
        message.put("harp", 1);
        message.put("stream_result", streaming);
        return Json.line(message);
    }

    /** {@code {"error": {...}, "harp": 1}} */
    public static byte[] error(HarpError error) {
        return Json.line(error.toMessage());
    }

    public static byte[] error(ErrorType type, String message) {
        return error(new HarpError(type, message));
    }

    /** {@code {"stream": value}} */
    public static byte[] stream(JsonNode value) {
        ObjectNode message = Json.MAPPER.createObjectNode();
        message.set("stream", value);
        return Json.line(message);
    }

    /** {@code {"result": value}} */
    public static byte[] result(JsonNode value) {
        ObjectNode message = Json.MAPPER.createObjectNode();
        message.set("result", value);
        return Json.line(message);
    }

    /** {@code {"exception": {"data"?, "message", "type"}}} — an exception raised by the procedure */
    public static byte[] exception(String type, String text, JsonNode data) {
        ObjectNode exception = Json.MAPPER.createObjectNode();
        if (data != null) {
            exception.set("data", data);
        }
        exception.put("message", text);
        exception.put("type", type);
        ObjectNode message = Json.MAPPER.createObjectNode();
        message.set("exception", exception);
        return Json.line(message);
    }
}
