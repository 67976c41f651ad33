package org.harpd.posix;

/** The worker could not become the identity a call asks for; the call must not run. */
public final class IdentitySwitchException extends Exception {
    public IdentitySwitchException(String message) {
        super(message);
    }

    public IdentitySwitchException(String message, Throwable cause) {
        super(message, cause);
    }
}
