package org.harpd.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The server refused or failed the call: {@code {"error": {"type", "message", "data"?}, "harp": 1}}. The type is
 * e.g. {@code auth_error}, {@code no_such_procedure}, {@code timeout}; the data, optional, is for troubleshooting.
 */
public class RemoteError extends RemoteFailure {
    public RemoteError(String type, String message, JsonNode data) {
        super(type, message, data);
    }
}
