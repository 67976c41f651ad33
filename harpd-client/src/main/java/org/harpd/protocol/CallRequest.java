package org.harpd.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * A structurally valid call request, not yet authenticated.
 *
 * @param procedure name of the procedure to call
 * @param arguments JSON array (positional) or object (keyword arguments)
 * @param user      user name from {@code auth}
 * @param password  password from {@code auth}; kept out of {@link #toString()} so it cannot reach a log by accident
 */
public record CallRequest(String procedure, JsonNode arguments, String user, String password) {
    public CallRequest {
        Objects.requireNonNull(procedure, "procedure");
        Objects.requireNonNull(arguments, "arguments");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        if (!arguments.isArray() && !arguments.isObject()) {
            throw new IllegalArgumentException("arguments must be a JSON array or object");
        }
    }

    public boolean keywordArguments() {
        return arguments.isObject();
    }

    @Override
    public String toString() {
        return "CallRequest[procedure=" + procedure + ", arguments=" + Json.toString(arguments)
                + ", user=" + user + ", password=<hidden>]";
    }
}
