package org.harpd.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What the server answered instead of a result: a {@link RemoteError} (the server refused or failed the call) or a
 * {@link RemoteException} (the procedure raised). Both carry a type, the server's message and optional data, so a
 * caller that treats them alike catches this.
 */
public abstract class RemoteFailure extends HarpClientException {
    private final String type;
    private final String remoteMessage;
    private final JsonNode data;

    protected RemoteFailure(String type, String message, JsonNode data) {
        super(type + ": " + message);
        this.type = type;
        this.remoteMessage = message;
        this.data = data;
    }

    /** The error's type (see {@link RemoteError#type()}) or the exception's class name. */
    public String type() {
        return type;
    }

    /** The server's message, without the type prefix of {@link #getMessage()}. */
    public String remoteMessage() {
        return remoteMessage;
    }

    /** Optional data sent with it, or null. */
    public JsonNode data() {
        return data;
    }
}
