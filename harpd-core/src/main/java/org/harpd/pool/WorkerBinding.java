package org.harpd.pool;

import java.util.Objects;
import org.harpd.config.WorkersConfig.Isolation;
import org.harpd.procedure.Identity;

/**
 * What a worker is bound to by its first call, for the rest of its life: the identity it switched to (it cannot
 * switch back) and the isolation its calls have (a worker that kept module state must not serve a call promised
 * a fresh interpreter). Calls go only to workers bound as they would bind them, or to unbound spares.
 */
record WorkerBinding(Identity identity, Isolation isolation) {
    WorkerBinding {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(isolation, "isolation");
    }
}
