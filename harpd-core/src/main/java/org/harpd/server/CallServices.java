package org.harpd.server;

import java.util.Objects;
import java.util.concurrent.Executor;
import org.harpd.auth.Authenticator;
import org.harpd.procedure.IdRef;
import org.harpd.procedure.ProcedureCatalog;
import org.harpd.worker.CallExecutor;

/**
 * What {@link CallRequestHandler} needs beyond the connection, shared by all connections.
 *
 * @param authExecutor where authentication runs: it may block, so never on the event loop
 * @param defaultUser  -u, or null
 * @param defaultGroup -g, or null
 */
record CallServices(Authenticator authenticator, Executor authExecutor, ProcedureCatalog catalog,
                    CallExecutor executor, IdRef defaultUser, IdRef defaultGroup) {
    CallServices {
        Objects.requireNonNull(authenticator, "authenticator");
        Objects.requireNonNull(authExecutor, "authExecutor");
        Objects.requireNonNull(catalog, "catalog");
        Objects.requireNonNull(executor, "executor");
    }
}
