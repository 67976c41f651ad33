package org.harpd.procedure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a procedure declares that the listener acts on without running it: whether it streams (the
 * acknowledgement says so before a worker is involved), its time limit (the listener enforces it) and the
 * uid/gid it names (the listener picks a worker switched to them). A worker loads the procedures file itself,
 * so it compares what it loaded with what the listener read at start-up before it runs a call.
 *
 * @param streaming true for {@code StreamingProcedure}
 * @param timeout   the time limit, or null for none
 * @param user      {@code uid=}, or null
 * @param groups    {@code gid=}, or empty
 */
public record ProcedureOptions(boolean streaming, Duration timeout, IdRef user, List<IdRef> groups) {
    public ProcedureOptions {
        groups = groups == null ? List.of() : List.copyOf(groups);
    }

    public static ProcedureOptions of(ProcedureInfo procedure) {
        return new ProcedureOptions(procedure.streaming(), procedure.timeout(), procedure.user(), procedure.groups());
    }

    /**
     * How {@code now} differs from these options, one item per option, e.g.
     * {@code uid: 'nobody' at start-up, 'daemon' now}; empty when they are the same.
     */
    public List<String> differences(ProcedureOptions now) {
        List<String> changed = new ArrayList<>();
        if (streaming != now.streaming) {
            changed.add("kind: " + kind(streaming) + " at start-up, " + kind(now.streaming) + " now");
        }
        if (!Objects.equals(timeout, now.timeout)) {
            changed.add("timeout: " + seconds(timeout) + " at start-up, " + seconds(now.timeout) + " now");
        }
        if (!Objects.equals(user, now.user)) {
            changed.add("uid: " + describe(user) + " at start-up, " + describe(now.user) + " now");
        }
        if (!groups.equals(now.groups)) {
            changed.add("gid: " + describe(groups) + " at start-up, " + describe(now.groups) + " now");
        }
        return changed;
    }

    private static String kind(boolean streaming) {
        return streaming ? "streaming" : "not streaming";
    }

    private static String seconds(Duration timeout) {
        return timeout == null ? "none" : timeout.toNanos() / 1e9 + " s";
    }

    private static String describe(IdRef ref) {
        if (ref == null) {
            return "none";
        }
        return ref.isName() ? "'" + ref.name() + "'" : Long.toString(ref.id());
    }

    private static String describe(List<IdRef> refs) {
        if (refs.isEmpty()) {
            return "none";
        }
        List<String> parts = new ArrayList<>();
        refs.forEach(r -> parts.add(describe(r)));
        return refs.size() == 1 ? parts.get(0) : "[" + String.join(", ", parts) + "]";
    }
}
