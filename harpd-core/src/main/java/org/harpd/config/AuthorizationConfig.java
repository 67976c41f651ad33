package org.harpd.config;

import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The optional {@code authorization:} section of harpd.conf: which authenticated users, and which groups of users
 * (as the authentication module names them), may call which procedures. Without the section every authenticated
 * user may call every procedure, as with the original harpd.
 *
 * <p>An entry is a procedure name or a glob pattern: {@code *} stands for any run of characters, {@code ?} for one;
 * every other character stands for itself. A user not listed, and in no listed group, may call nothing.
 *
 * @param configured whether harpd.conf has the section at all
 * @param users      user name → the entries that user may call
 * @param groups     group name → the entries the group's members may call
 */
public record AuthorizationConfig(boolean configured, Map<String, List<String>> users,
                                  Map<String, List<String>> groups) {
    /** No {@code authorization:} section: everyone authenticated may call everything. */
    public static final AuthorizationConfig ABSENT = new AuthorizationConfig(false, Map.of(), Map.of());

    public AuthorizationConfig {
        users = copy(Objects.requireNonNull(users, "users"));
        groups = copy(Objects.requireNonNull(groups, "groups"));
        if (!configured && (!users.isEmpty() || !groups.isEmpty())) {
            throw new IllegalArgumentException("rules without a section");
        }
    }

    private static Map<String, List<String>> copy(Map<String, List<String>> rules) {
        Map<String, List<String>> copy = new HashMap<>();
        rules.forEach((name, entries) -> copy.put(name, List.copyOf(entries)));
        return Map.copyOf(copy);
    }

    /** Whether the section names any group, so that the user's groups must be asked of the module. */
    public boolean usesGroups() {
        return !groups.isEmpty();
    }

    /**
     * @param user       the authenticated user
     * @param userGroups the groups the authentication module says the user is in
     * @return whether the section lets that user call {@code procedure}; true when there is no section
     */
    public boolean allows(String user, Collection<String> userGroups, String procedure) {
        if (!configured) {
            return true;
        }
        if (matchesAny(users.get(user), procedure)) {
            return true;
        }
        for (String group : userGroups) {
            if (matchesAny(groups.get(group), procedure)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matchesAny(List<String> entries, String procedure) {
        if (entries != null) {
            for (String entry : entries) {
                if (matches(entry, procedure)) {
                    return true;
                }
            }
        }
        return false;
    }

    public static boolean isPattern(String entry) {
        return entry.indexOf('*') >= 0 || entry.indexOf('?') >= 0;
    }

    /** Whether the procedure name or glob pattern {@code entry} stands for {@code procedure}. */
    public static boolean matches(String entry, String procedure) {
        if (!isPattern(entry)) {
            return entry.equals(procedure);
        }
        StringBuilder regex = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (char c : entry.toCharArray()) {
            if (c == '*' || c == '?') {
                if (!literal.isEmpty()) {
                    regex.append(Pattern.quote(literal.toString()));
                    literal.setLength(0);
                }
                regex.append(c == '*' ? ".*" : ".");
            } else {
                literal.append(c);
            }
        }
        if (!literal.isEmpty()) {
            regex.append(Pattern.quote(literal.toString()));
        }
        return Pattern.matches(regex.toString(), procedure);
    }

    /**
     * Every entry must stand for a procedure the procedures file exposes: a misspelt name would otherwise refuse
     * a call nobody meant to refuse, or give nothing to the user it was meant for, without a word.
     *
     * @param configFile     harpd.conf, for the message
     * @param exposed        the names of the procedures file's procedures
     * @param proceduresFile the procedures file, for the message
     */
    public void requireProceduresIn(Path configFile, Set<String> exposed, Path proceduresFile)
            throws ConfigException {
        check(configFile, "users", users, exposed, proceduresFile);
        check(configFile, "groups", groups, exposed, proceduresFile);
    }

    private static void check(Path configFile, String kind, Map<String, List<String>> rules, Set<String> exposed,
                              Path proceduresFile) throws ConfigException {
        for (Map.Entry<String, List<String>> rule : new TreeMap<>(rules).entrySet()) {
            List<String> entries = rule.getValue();
            for (int i = 0; i < entries.size(); i++) {
                String entry = entries.get(i);
                if (exposed.stream().noneMatch(name -> matches(entry, name))) {
                    String what = isPattern(entry) ? "pattern matches no procedure in " : "no procedure of that name in ";
                    throw new ConfigException(configFile + ": authorization." + kind + "." + rule.getKey() + "[" + i
                            + "]: " + entry + ": " + what + proceduresFile);
                }
            }
        }
    }
}
