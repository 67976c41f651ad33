package org.harpd.client;

import com.fasterxml.jackson.databind.JsonNode;

/** The procedure raised an exception: {@code {"exception": {"type", "message", "data"?}}}. */
public class RemoteException extends HarpClientException {
    private final String type;
    private final String remoteMessage;
    private final JsonNode data;

    public RemoteException(String type, String message, JsonNode data) {
        super(type + ": " + message);
        this.type = type;
        this.remoteMessage = message;
        this.data = data;
    }

    /** The exception's class name, e.g. {@code TypeError}. */
    public String type() {
        return type;
    }

    public String remoteMessage() {
        return remoteMessage;
    }

    /** e.g. {@code {"class": "TypeError", "module": "exceptions"}}, or null. */
    public JsonNode data() {
        return data;
    }
}
