package org.harpd.auth;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The authentication modules harpd ships, served in Java rather than by their Python code, so that a listener
 * configured with one of them loads no Python at all. They behave as the Python modules do, error messages
 * included; any other module is Python code, run by Jython.
 */
public final class NativeAuthModules {
    /** The modules served here, by the name harpd.conf's {@code authentication.module} gives them. */
    public static final Set<String> MODULES = Set.of(PassFileAuthenticator.MODULE, InConfigAuthenticator.MODULE);

    private NativeAuthModules() {
    }

    /** Whether {@code module} is served here. */
    public static boolean serves(String module) {
        return MODULES.contains(module);
    }

    /**
     * The module's {@code create(config)}.
     *
     * @param options the whole {@code authentication} section of harpd.conf
     * @return empty when {@code module} is not one of {@link #MODULES}
     * @throws AuthenticationFailure one line naming the module, as the Python module's failure would read
     */
    public static Optional<Authenticator> create(String module, Map<String, Object> options)
            throws AuthenticationFailure {
        if (!serves(module)) {
            return Optional.empty();
        }
        // the Python module is handed the whole section, and Jython cannot make (or, in some places, does not
        // check it can make) a Python string of text that is not UTF-16: such a section is refused as a whole
        Optional<String> unpaired = unpairedSurrogateIn(options);
        if (unpaired.isPresent()) {
            throw createFailed(module, "ValueError: " + unpaired.get());
        }
        return switch (module) {
            case PassFileAuthenticator.MODULE -> Optional.of(PassFileAuthenticator.create(options));
            case InConfigAuthenticator.MODULE -> Optional.of(InConfigAuthenticator.create(options));
            default -> Optional.empty();
        };
    }

    /**
     * Where {@code text} holds a surrogate without its pair, as Jython words it when it refuses to make a Python
     * string of it; empty when it holds none. Such text cannot come from a user as Python sees it, so the Python
     * modules fail on it: the Java ones fail the same way rather than hash what the Python code never could.
     */
    static Optional<String> unpairedSurrogate(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return Optional.of(String.format("unpaired surrogate 0x%x at code unit %d", (int) c, i));
            }
        }
        return Optional.empty();
    }

    private static Optional<String> unpairedSurrogateIn(Object value) {
        if (value instanceof String text) {
            return unpairedSurrogate(text);
        }
        if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                Optional<String> found = unpairedSurrogateIn(entry.getKey())
                        .or(() -> unpairedSurrogateIn(entry.getValue()));
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        if (value instanceof java.util.List<?> list) {
            for (Object item : list) {
                Optional<String> found = unpairedSurrogateIn(item);
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        return Optional.empty();
    }

    /** Jython cannot hand a user name or password with an unpaired surrogate to Python: the module fails. */
    static void requirePythonText(String module, String user, String password) throws AuthenticationFailure {
        if (unpairedSurrogate(user).isPresent() || unpairedSurrogate(password).isPresent()) {
            throw failed(module, "ValueError");
        }
    }

    static AuthenticationFailure createFailed(String module, String summary) {
        return new AuthenticationFailure("authentication module " + module + ": create() failed: " + summary);
    }

    static AuthenticationFailure failed(String module, String problem) {
        return new AuthenticationFailure("authentication module " + module + " failed: " + problem);
    }
}
