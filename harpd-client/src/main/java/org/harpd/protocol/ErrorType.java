package org.harpd.protocol;

/** Every {@code "error": {"type": ...}} value harpd sends. The wire names are those of the original harpd. */
public enum ErrorType {
    PARSE_ERROR("parse_error"),
    INVALID_PROTOCOL("invalid_protocol"),
    INVALID_REQUEST("invalid_request"),
    AUTH_ERROR("auth_error"),
    NO_SUCH_PROCEDURE("no_such_procedure"),
    /**
     * The authenticated user may not call the procedure. Not the original's: only sent when harpd.conf has an
     * {@code authorization:} section or the authentication module decides per procedure.
     */
    FORBIDDEN("forbidden"),
    PROCEDURE_LOADING_ERROR("procedure_loading_error"),
    INVALID_ARGUMENT_LIST("invalid_argument_list"),
    /** A value the procedure produced cannot be carried by JSON. */
    INVALID_MESSAGE("invalid_message"),
    TIMEOUT("timeout"),
    SHUTDOWN("shutdown"),
    /** uid/gid switch failed, or the worker could not be started or died. */
    SYSTEM_ERROR("system_error"),
    /** Connection, queue or in-flight limits reached: try again later. */
    OVERLOADED("overloaded");

    private final String wireName;

    ErrorType(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static ErrorType fromWireName(String name) {
        for (ErrorType t : values()) {
            if (t.wireName.equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown error type: " + name);
    }
}
