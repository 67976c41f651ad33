package org.harpd.client;

/** Base of everything {@link HarpClient} throws, like {@code harp.HarpException} of the Python client. */
public class HarpClientException extends RuntimeException {
    public HarpClientException(String message) {
        super(message);
    }

    public HarpClientException(String message, Throwable cause) {
        super(message, cause);
    }
}
