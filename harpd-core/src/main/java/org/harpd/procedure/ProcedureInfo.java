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
 */
public record ProcedureInfo(String name, boolean streaming, Signature signature, Duration timeout,
                            IdRef user, List<IdRef> groups) {
    public ProcedureInfo {
        groups = groups == null ? List.of() : List.copyOf(groups);
    }
}
