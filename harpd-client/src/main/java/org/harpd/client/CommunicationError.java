package org.harpd.client;

/** The exchange broke down: connection, TLS, time-out, or the server closed before the final message. */
public class CommunicationError extends HarpClientException {
    public CommunicationError(String message) {
        super(message);
    }

    public CommunicationError(String message, Throwable cause) {
        super(message, cause);
    }
}
