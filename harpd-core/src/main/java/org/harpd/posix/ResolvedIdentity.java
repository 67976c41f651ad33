package org.harpd.posix;

import java.util.List;

/**
 * An {@link org.harpd.procedure.Identity} resolved to numbers. A null field means "leave as it is".
 *
 * @param uid    user id to switch to, or null
 * @param gid    primary group id to switch to, or null
 * @param groups supplementary group ids to set, or null
 */
public record ResolvedIdentity(Integer uid, Integer gid, List<Integer> groups) {
    public static final ResolvedIdentity UNCHANGED = new ResolvedIdentity(null, null, null);

    public ResolvedIdentity {
        groups = groups == null ? null : List.copyOf(groups);
        if ((gid == null) != (groups == null)) {
            throw new IllegalArgumentException("gid and groups are set together");
        }
    }

    public boolean isUnchanged() {
        return uid == null && gid == null;
    }
}
