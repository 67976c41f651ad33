package org.harpd.procedure;

import java.time.Duration;
import java.util.List;

/**
 * What the listener knows of one exposed procedure (a {@code harpd.proc.Procedure} global of the procedures file).
 *
 * @param name      the global variable name it is exposed under
 * @param streaming true for {@code StreamingProcedure}
 * @param signature the wrapped function's parameters
 * @param timeout   the procedure's time limit, or null for none
 * @param user      {@code uid=} of the procedure, or null (then -u applies)
 * @param groups    {@code gid=} of the procedure (one or more, first is primary), or empty (then -g applies)
 * @param doc       the docstring, cleaned as {@code inspect.cleandoc} does, or null: for discovery only
 */
public record ProcedureInfo(String name, boolean streaming, Signature signature, Duration timeout,
                            IdRef user, List<IdRef> groups, String doc) {
    public ProcedureInfo {
        groups = groups == null ? List.of() : List.copyOf(groups);
    }

    /** Without a docstring. */
    public ProcedureInfo(String name, boolean streaming, Signature signature, Duration timeout, IdRef user,
                         List<IdRef> groups) {
        this(name, streaming, signature, timeout, user, groups, null);
    }
}
