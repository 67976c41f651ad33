package org.harpd.procedure;

import java.util.List;

/**
 * Whom a call runs as, before resolution: the procedure's uid/gid, or the daemon's -u/-g defaults
 * field by field. {@code user == null && groups.isEmpty()} means "do not switch".
 */
public record Identity(IdRef user, List<IdRef> groups) {
    public static final Identity UNCHANGED = new Identity(null, List.of());

    public Identity {
        groups = groups == null ? List.of() : List.copyOf(groups);
    }

    public static Identity of(ProcedureInfo procedure, IdRef defaultUser, IdRef defaultGroup) {
        IdRef user = procedure.user() != null ? procedure.user() : defaultUser;
        List<IdRef> groups = !procedure.groups().isEmpty() ? procedure.groups()
                : defaultGroup != null ? List.of(defaultGroup) : List.of();
        return new Identity(user, groups);
    }
}
