package org.harpd.procedure;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.harpd.posix.GroupEntry;
import org.harpd.posix.Posix;
import org.harpd.posix.UserEntry;

/**
 * What the listener can tell about the identities procedures will run as before any call: names that the passwd
 * or group database does not know (the call would fail with {@code system_error}), and procedures that keep
 * root's privileges without naming them. The switch itself keeps harpd(8)'s rule — a procedure with no uid runs
 * as root, a numeric uid alone changes only the uid and so keeps gid 0 — so these are only reported.
 * <p>
 * Naming {@code uid=0} or {@code uid="root"} (or {@code -u} so) says root on purpose and is not reported; a
 * group list is taken as meant, whatever it holds.
 */
public final class IdentityAudit {
    public enum Severity { WARNING, ERROR }

    /**
     * @param procedure the procedure concerned, or null for a finding about {@code -u}/{@code -g} themselves
     * @param problem   one line, naming the user or group and where it was named
     */
    public record Finding(Severity severity, String procedure, String problem) {
    }

    /** The passwd and group databases. */
    public interface Directory {
        Optional<UserEntry> user(String name);

        Optional<GroupEntry> group(String name);

        /** The system's, through libc (NSS included). */
        static Directory system() {
            return new Directory() {
                @Override
                public Optional<UserEntry> user(String name) {
                    return Posix.user(name);
                }

                @Override
                public Optional<GroupEntry> group(String name) {
                    return Posix.group(name);
                }
            };
        }
    }

    private final Directory directory;
    private final Map<String, Lookup<UserEntry>> users = new HashMap<>();
    private final Map<String, Lookup<GroupEntry>> groups = new HashMap<>();

    private IdentityAudit(Directory directory) {
        this.directory = directory;
    }

    /**
     * Errors first (unknown names, in procedure order, then those of -u and -g), then warnings.
     *
     * @param defaultUser  {@code -u}, or null
     * @param defaultGroup {@code -g}, or null
     */
    public static List<Finding> audit(Collection<ProcedureInfo> procedures, IdRef defaultUser, IdRef defaultGroup,
                                      Directory directory) {
        return new IdentityAudit(directory).run(procedures, defaultUser, defaultGroup);
    }

    private List<Finding> run(Collection<ProcedureInfo> procedures, IdRef defaultUser, IdRef defaultGroup) {
        List<Finding> errors = new ArrayList<>();
        List<Finding> warnings = new ArrayList<>();
        List<String> byDefaultUser = new ArrayList<>();
        List<String> byDefaultGroup = new ArrayList<>();
        for (ProcedureInfo procedure : procedures) {
            String name = procedure.name();
            if (procedure.user() != null) {
                unknownUser(procedure.user(), "uid=").ifPresent(p -> errors.add(new Finding(Severity.ERROR, name, p)));
            } else if (defaultUser != null) {
                byDefaultUser.add(name);
            }
            if (!procedure.groups().isEmpty()) {
                for (IdRef group : procedure.groups()) {
                    unknownGroup(group, "gid=").ifPresent(p -> errors.add(new Finding(Severity.ERROR, name, p)));
                }
            } else if (defaultGroup != null) {
                byDefaultGroup.add(name);
            }
            privileges(procedure, defaultUser, defaultGroup)
                    .ifPresent(p -> warnings.add(new Finding(Severity.WARNING, name, p)));
        }
        if (defaultUser != null) {
            unknownUser(defaultUser, "-u").ifPresent(p -> errors.add(
                    new Finding(Severity.ERROR, null, p + usedBy(byDefaultUser, "as"))));
        }
        if (defaultGroup != null) {
            unknownGroup(defaultGroup, "-g").ifPresent(p -> errors.add(
                    new Finding(Severity.ERROR, null, p + usedBy(byDefaultGroup, "with"))));
        }
        errors.addAll(warnings);
        return errors;
    }

    /** Why the procedure keeps root's uid or gid without saying so, if it does. */
    private Optional<String> privileges(ProcedureInfo procedure, IdRef defaultUser, IdRef defaultGroup) {
        Identity identity = Identity.of(procedure, defaultUser, defaultGroup);
        IdRef user = identity.user();
        if (user == null) {
            return Optional.of("runs as root (uid 0" + (identity.groups().isEmpty() ? ", gid 0" : "")
                    + "): it names no uid and harpd was started without -u");
        }
        if (isRoot(user) || !identity.groups().isEmpty()) {
            return Optional.empty();
        }
        boolean own = procedure.user() != null;
        String from = own ? "uid=" : "-u";
        if (!user.isName()) {
            return Optional.of("runs with gid 0 (root's group): a numeric uid (" + (own ? "uid=" : "-u ") + user.id()
                    + ") without a gid changes only the uid; name a gid" + (own ? "" : " or start harpd with -g"));
        }
        Lookup<UserEntry> entry = user(user.name());
        if (entry.found() != null && entry.found().gid() == 0) {
            return Optional.of("runs with gid 0 (root's group): it is the primary group of user '" + user.name()
                    + "' (" + from + "); name a gid");
        }
        return Optional.empty();
    }

    private static boolean isRoot(IdRef user) {
        return user.isName() ? "root".equals(user.name()) : user.id() == 0;
    }

    private Optional<String> unknownUser(IdRef user, String where) {
        if (!user.isName()) {
            return Optional.empty();
        }
        return user(user.name()).problem("user", user.name(), where);
    }

    private Optional<String> unknownGroup(IdRef group, String where) {
        if (!group.isName()) {
            return Optional.empty();
        }
        return groups.computeIfAbsent(group.name(), n -> Lookup.of(() -> directory.group(n)))
                .problem("group", group.name(), where);
    }

    private Lookup<UserEntry> user(String name) {
        return users.computeIfAbsent(name, n -> Lookup.of(() -> directory.user(n)));
    }

    private static String usedBy(List<String> procedures, String preposition) {
        if (procedures.isEmpty()) {
            return "";
        }
        boolean one = procedures.size() == 1;
        return ", which procedure" + (one ? " " : "s ") + String.join(", ", procedures) + (one ? " runs " : " run ")
                + preposition;
    }

    /** One database lookup: the entry, or null with why not (unknown, or the lookup failed). */
    private record Lookup<T>(T found, String failure) {
        static <T> Lookup<T> of(java.util.function.Supplier<Optional<T>> find) {
            try {
                return new Lookup<>(find.get().orElse(null), null);
            } catch (RuntimeException e) {
                return new Lookup<>(null, e.getMessage() == null ? e.toString() : e.getMessage());
            }
        }

        Optional<String> problem(String what, String name, String where) {
            if (found != null) {
                return Optional.empty();
            }
            if (failure != null) {
                return Optional.of("cannot look up " + what + " '" + name + "' (" + where + "): " + failure);
            }
            return Optional.of("unknown " + what + " '" + name + "' (" + where + ")");
        }
    }
}
