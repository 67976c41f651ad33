package org.harpd.auth;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The shipped module {@code harpd.auth.inconfig} (python-lib/daemon/harpd/auth/inconfig.py) in Java: users listed
 * in harpd.conf as {@code user: "plain:PASSWORD"} or {@code user: "crypt:HASH"}. An unknown, locked or unusable
 * entry costs a check against a dummy entry like the usual one (a plain password when most are plain, else a hash
 * of the most common method and cost), so that timing does not tell the cases apart.
 */
public final class InConfigAuthenticator implements Authenticator {
    static final String MODULE = "harpd.auth.inconfig";

    /** One user's entry: the scheme ({@code plain} or {@code crypt}) and its secret, as UTF-8 bytes. */
    private record Entry(boolean plain, String secret) {
    }

    private final Map<String, Entry> users;
    private final Entry dummy;

    private InConfigAuthenticator(Map<String, Entry> users) {
        this.users = users;
        this.dummy = dummyEntry(users.values());
    }

    /**
     * The module's {@code create(config)}: every entry is checked here, so a mistake fails at start-up.
     *
     * @param options the whole {@code authentication} section; {@code users} maps user names to passwords
     */
    static InConfigAuthenticator create(Map<String, Object> options) throws AuthenticationFailure {
        if (!(options.get("users") instanceof Map<?, ?> users)) {
            throw NativeAuthModules.createFailed(MODULE, "ValueError: harpd.auth.inconfig: \"users\" (a mapping of "
                    + "user name to password) is not set in the authentication config");
        }
        Map<String, Entry> parsed = new LinkedHashMap<>();
        for (Map.Entry<?, ?> item : users.entrySet()) {
            Object key = item.getKey();
            String user;
            if (key instanceof String s) {
                user = s;
            } else if (key instanceof Integer || key instanceof Long || key instanceof BigInteger
                    || key instanceof Short || key instanceof Byte) {
                user = key.toString();
            } else {
                throw NativeAuthModules.createFailed(MODULE, "ValueError: harpd.auth.inconfig: user name "
                        + PythonText.repr(key) + " is not a string");
            }
            parsed.put(user, parse(user, item.getValue()));
        }
        return new InConfigAuthenticator(Map.copyOf(parsed));
    }

    private static Entry parse(String user, Object spec) throws AuthenticationFailure {
        if (!(spec instanceof String text) || text.indexOf(':') < 0) {
            throw NativeAuthModules.createFailed(MODULE, "ValueError: harpd.auth.inconfig: password of user "
                    + PythonText.reprUnicode(user) + " must be \"plain:...\" or \"crypt:...\"");
        }
        Optional<String> unpaired = NativeAuthModules.unpairedSurrogate(text);
        if (unpaired.isPresent()) {
            throw NativeAuthModules.createFailed(MODULE, "ValueError: " + unpaired.get());
        }
        int colon = text.indexOf(':');
        String scheme = text.substring(0, colon);
        String secret = text.substring(colon + 1);
        if (!scheme.equals("plain") && !scheme.equals("crypt")) {
            // the Python module writes the scheme with str(), which fails on a character outside ASCII
            int wide = PythonText.firstNonAscii(scheme);
            if (wide >= 0) {
                throw NativeAuthModules.createFailed(MODULE, PythonText.asciiEncodeError(scheme, wide));
            }
            throw NativeAuthModules.createFailed(MODULE, "ValueError: harpd.auth.inconfig: unknown password scheme "
                    + PythonText.reprBytes(scheme) + " for user " + PythonText.reprUnicode(user)
                    + " (expected plain or crypt)");
        }
        return new Entry(scheme.equals("plain"), CryptHashes.utf8(secret));
    }

    private static Entry dummyEntry(Iterable<Entry> entries) {
        List<String> hashes = new ArrayList<>();
        int plain = 0;
        int longest = 0;
        for (Entry entry : entries) {
            if (entry.plain()) {
                plain++;
                longest = Math.max(longest, entry.secret().length());
            } else {
                hashes.add(entry.secret());
            }
        }
        if (plain > hashes.size()) {
            return new Entry(true, CryptHashes.randomText(longest));
        }
        return new Entry(false, CryptHashes.dummyLike(hashes, PassFileAuthenticator.DUMMY_HASH));
    }

    @Override
    public boolean authenticate(String user, String password) throws AuthenticationFailure {
        if (user == null || password == null) {
            return false;
        }
        NativeAuthModules.requirePythonText(MODULE, user, password);
        Entry entry = users.get(user);
        try {
            if (entry == null || !entry.plain() && !CryptHashes.usable(entry.secret())) {
                // unknown, locked ("crypt:!...") or unusable: cost what checking the usual entry costs
                check(dummy, password);
                return false;
            }
            return check(entry, password);
        } catch (AuthenticationFailure e) {
            throw NativeAuthModules.failed(MODULE, e.getMessage());
        }
    }

    private static boolean check(Entry entry, String password) throws AuthenticationFailure {
        if (entry.plain()) {
            return CryptHashes.equal(CryptHashes.utf8(password), entry.secret());
        }
        return CryptHashes.matches(password, entry.secret());
    }
}
