package org.harpd.worker;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.harpd.posix.IdentitySwitch;
import org.harpd.posix.IdentitySwitchException;
import org.harpd.posix.Posix;
import org.harpd.posix.ResolvedIdentity;
import org.harpd.procedure.IdRef;
import org.harpd.procedure.Identity;

/**
 * A call's identity, as its procedure names it, in the numbers {@link IdentitySwitch} takes, as the original
 * harpd's {@code setguid} reads it:
 * <ul>
 *   <li>a user given by name with no groups also takes that user's primary group, and the
 *       supplementary groups become just that group;</li>
 *   <li>groups given: the first is the primary gid, all of them are the supplementary groups;</li>
 *   <li>anything not given stays as it is (a numeric uid alone changes only the uid).</li>
 * </ul>
 */
final class IdentityResolver {
    private static final long MAX_ID = 0xFFFF_FFFEL; // (uid_t) -1 means "no change" to the kernel

    private IdentityResolver() {
    }

    /** Resolve and switch to it; no-op for {@link Identity#UNCHANGED}. */
    static ResolvedIdentity switchTo(Identity identity) throws IdentitySwitchException {
        ResolvedIdentity target = resolve(identity);
        IdentitySwitch.apply(target);
        return target;
    }

    /**
     * Run what {@link #switchTo} runs, changing nothing: a lookup in the passwd and group databases (glibc
     * loads its name-service modules on the first), then {@link IdentitySwitch#warmUp}. A worker does it while
     * booting, so its first call does not.
     */
    static void warmUp() {
        try {
            resolve(new Identity(IdRef.ofName("root"), List.of(IdRef.ofName("root"))));
        } catch (IdentitySwitchException e) {
            // no user or group named root here: the lookups ran all the same
        }
        IdentitySwitch.warmUp();
    }

    /** Names to numbers, through the passwd and group databases. */
    static ResolvedIdentity resolve(Identity identity) throws IdentitySwitchException {
        Integer uid = null;
        Integer gid = null;
        List<Integer> groups = null;
        IdRef user = identity.user();
        if (user != null) {
            if (user.isName()) {
                var entry = lookup(() -> Posix.user(user.name()).orElse(null), "user", user.name());
                uid = entry.uid();
                if (identity.groups().isEmpty()) {
                    gid = entry.gid();
                    groups = List.of(entry.gid());
                }
            } else {
                uid = numeric(user.id(), "uid");
            }
        }
        if (!identity.groups().isEmpty()) {
            Set<Integer> ids = new LinkedHashSet<>();
            for (IdRef group : identity.groups()) {
                if (group.isName()) {
                    ids.add(lookup(() -> Posix.group(group.name()).orElse(null), "group", group.name()).gid());
                } else {
                    ids.add(numeric(group.id(), "gid"));
                }
            }
            groups = new ArrayList<>(ids);
            gid = groups.get(0);
        }
        return new ResolvedIdentity(uid, gid, groups);
    }

    private static int numeric(long id, String what) throws IdentitySwitchException {
        if (id < 0 || id > MAX_ID) {
            throw new IdentitySwitchException(what + " out of range: " + id);
        }
        return (int) id;
    }

    private interface Lookup<T> {
        T find();
    }

    private static <T> T lookup(Lookup<T> lookup, String what, String name) throws IdentitySwitchException {
        T found;
        try {
            found = lookup.find();
        } catch (RuntimeException e) {
            throw new IdentitySwitchException("cannot look up " + what + " '" + name + "': " + e.getMessage(), e);
        }
        if (found == null) {
            throw new IdentitySwitchException("unknown " + what + " '" + name + "'");
        }
        return found;
    }
}
