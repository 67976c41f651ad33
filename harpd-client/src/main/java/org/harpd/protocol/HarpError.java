package org.harpd.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A protocol-level error: becomes {@code {"error": {"type", "message", "data"?}, "harp": 1}} on the wire.
 * Distinct from an exception raised by a procedure, which is reported as {@code {"exception": ...}}.
 */
public final class HarpError extends RuntimeException {
    private final ErrorType type;
    private final JsonNode data;

    public HarpError(ErrorType type, String message) {
        this(type, message, null);
    }

    public HarpError(ErrorType type, String message, JsonNode data) {
        super(message, null, false, false);
        this.type = type;
        this.data = data;
    }

    public ErrorType type() {
        return type;
    }

    /** Optional troubleshooting data; null when absent. */
    public JsonNode data() {
        return data;
    }

    /** The whole wire message, {@code {"error": {...}, "harp": 1}}. */
    public ObjectNode toMessage() {
        ObjectNode error = Json.MAPPER.createObjectNode();
        if (data != null) {
            error.set("data", data);
        }
        error.put("message", getMessage());
        error.put("type", type.wireName());
        ObjectNode message = Json.MAPPER.createObjectNode();
        message.set("error", error);
        message.put("harp", 1);
        return message;
    }
}
