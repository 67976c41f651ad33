package org.harpd.auth;

/**
 * An authenticator failed (rather than refused the pair). Its message is logged as it is, so it must never carry
 * anything the client sent: no password, in any form.
 */
public class AuthenticationFailure extends Exception {
    public AuthenticationFailure(String message) {
        super(message);
    }
}
