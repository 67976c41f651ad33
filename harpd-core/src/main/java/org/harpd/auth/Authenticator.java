package org.harpd.auth;

/** What an authentication module gives the listener: harpd.auth's {@code authenticate(user, password)}. */
public interface Authenticator {
    /**
     * @return true if the pair is valid
     * @throws Exception when the module itself fails: reported to the client as an auth failure and logged; the
     *                   message only of an {@link AuthenticationFailure}, of any other exception its class and
     *                   the place it was thrown, as its message may quote the password
     */
    boolean authenticate(String user, String password) throws Exception;
}
