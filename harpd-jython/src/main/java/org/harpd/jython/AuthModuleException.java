package org.harpd.jython;

import org.harpd.auth.AuthenticationFailure;

/**
 * An authentication module cannot be loaded or set up, or failed while authenticating. One line, naming it; when
 * authenticating, the line never holds the Python exception's message, which may quote the password.
 */
public final class AuthModuleException extends AuthenticationFailure {
    public AuthModuleException(String message) {
        super(message);
    }
}
