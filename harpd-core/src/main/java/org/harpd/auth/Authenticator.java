package org.harpd.auth;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** What an authentication module gives the listener: harpd.auth's {@code authenticate(user, password)}. */
public interface Authenticator {
    /**
     * @return true if the pair is valid
     * @throws Exception when the module itself fails: reported to the client as an auth failure and logged; the
     *                   message only of an {@link AuthenticationFailure}, of any other exception its class and
     *                   the place it was thrown, as its message may quote the password
     */
    boolean authenticate(String user, String password) throws Exception;

    /**
     * The groups an authenticated user is in, for harpd.conf's {@code authorization.groups}: harpd.auth's optional
     * {@code groups(user)}. Asked only when that section names groups.
     *
     * @return the group names; none by default
     */
    default Collection<String> groups(String user) throws Exception {
        return List.of();
    }

    /**
     * The module's own verdict on one call of an authenticated user: harpd.auth's optional
     * {@code authorize(user, procedure)}. It comes before harpd.conf's {@code authorization:} section.
     *
     * @return true or false to decide, empty (the default) to leave it to the {@code authorization:} section
     */
    default Optional<Boolean> authorize(String user, String procedure) throws Exception {
        return Optional.empty();
    }
}
