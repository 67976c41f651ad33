package org.harpd.caller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/** The dispatcher's JSON: one shared mapper (thread-safe once configured) and the messages every part sends. */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** {@code {"error": {"type": T, "message": M}}}: a client's refusal and a job's failure alike. */
    static ObjectNode error(String type, String message) {
        ObjectNode root = MAPPER.createObjectNode();
        root.putObject("error").put("type", type).put("message", message);
        return root;
    }

    /** JSON this dispatcher stored itself: not parsing is a broken store, not bad input. */
    static JsonNode parseStored(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException("stored JSON does not parse: " + e.getMessage(), e);
        }
    }
}
