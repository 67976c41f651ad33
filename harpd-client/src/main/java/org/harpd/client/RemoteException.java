package org.harpd.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The procedure raised an exception: {@code {"exception": {"type", "message", "data"?}}}. The type is the
 * exception's class name, e.g. {@code TypeError}; the data e.g. {@code {"class": "TypeError", "module":
 * "exceptions"}}, or null.
 */
public class RemoteException extends RemoteFailure {
    public RemoteException(String type, String message, JsonNode data) {
        super(type, message, data);
    }
}
