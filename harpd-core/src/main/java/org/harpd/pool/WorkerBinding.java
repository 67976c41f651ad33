package org.harpd.pool;

import java.util.Objects;
import org.harpd.config.WorkersConfig.Isolation;
import org.harpd.procedure.Identity;

/**
 * What a worker is bound to by its first call, for the rest of its life: the identity it switched to (it cannot
 * switch back), the isolation its calls have (a worker that kept module state must not serve a call promised
 * a fresh interpreter) and the tenant, the authenticated harpd user whose calls it serves (code of one call that
 * escaped the reset would otherwise see another user's later calls). Calls go only to workers bound as they would
 * bind them, or to unbound spares.
 *
 * @param tenant the harpd user, or null where workers are shared between users ({@code share_between_users})
 */
record WorkerBinding(Identity identity, Isolation isolation, String tenant) {
    WorkerBinding {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(isolation, "isolation");
    }

    WorkerBinding(Identity identity, Isolation isolation) {
        this(identity, isolation, null);
    }
}
