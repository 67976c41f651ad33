package org.harpd.client;

import com.fasterxml.jackson.databind.JsonNode;

/** How the client reads the server's messages. */
final class Replies {
    private Replies() {
    }

    static boolean isAck(JsonNode message) {
        return message.isObject() && message.has("stream_result") && !message.has("error");
    }

    static boolean isStream(JsonNode message) {
        return message.isObject() && message.has("stream");
    }

    /** The value carried by a final message, or the exception it stands for. */
    static JsonNode valueOf(JsonNode message) {
        if (message.has("result")) {
            return message.get("result");
        }
        if (message.has("exception")) {
            JsonNode e = message.get("exception");
            throw new RemoteException(e.path("type").asText(), e.path("message").asText(), e.get("data"));
        }
        throw errorOf(message);
    }

    /** For a message that is not what the exchange expects at this point. */
    static HarpClientException errorOf(JsonNode message) {
        if (message.has("error")) {
            JsonNode e = message.get("error");
            return new RemoteError(e.path("type").asText(), e.path("message").asText(), e.get("data"));
        }
        return new CommunicationError("unexpected message from server: " + message);
    }
}
