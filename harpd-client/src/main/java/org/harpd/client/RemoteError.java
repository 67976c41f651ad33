package org.harpd.client;

import com.fasterxml.jackson.databind.JsonNode;

/** The server refused or failed the call: {@code {"error": {"type", "message", "data"?}, "harp": 1}}. */
public class RemoteError extends HarpClientException {
    private final String type;
    private final String remoteMessage;
    private final JsonNode data;

    public RemoteError(String type, String message, JsonNode data) {
        super(type + ": " + message);
        this.type = type;
        this.remoteMessage = message;
        this.data = data;
    }

    /** e.g. {@code auth_error}, {@code no_such_procedure}, {@code timeout} */
    public String type() {
        return type;
    }

    /** The server's message, without the type prefix of {@link #getMessage()}. */
    public String remoteMessage() {
        return remoteMessage;
    }

    /** Optional troubleshooting data, or null. */
    public JsonNode data() {
        return data;
    }
}
