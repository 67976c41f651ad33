package org.harpd.jython;

/** An authentication module cannot be loaded or set up, or failed while authenticating. One line, naming it. */
public final class AuthModuleException extends Exception {
    public AuthModuleException(String message) {
        super(message);
    }
}
