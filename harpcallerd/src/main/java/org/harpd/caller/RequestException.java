package org.harpd.caller;

/** A client request refused: {@code type} and the message are what the client receives. */
final class RequestException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String type;

    RequestException(String message) {
        this("invalid_request", message);
    }

    RequestException(String type, String message) {
        super(message);
        this.type = type;
    }

    String type() {
        return type;
    }
}
