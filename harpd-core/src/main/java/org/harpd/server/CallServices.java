package org.harpd.server;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import org.harpd.auth.AccessPolicy;
import org.harpd.auth.AuthThrottle;
import org.harpd.auth.Authenticator;
import org.harpd.metrics.Metrics;
import org.harpd.pool.CallExecutor;
import org.harpd.procedure.IdRef;
import org.harpd.procedure.ProcedureCatalog;

/**
 * What {@link AuthenticationHandler} and {@link CallRequestHandler} need beyond the connection, shared by all connections.
 *
 * @param authExecutor      where authentication runs: it may block, so never on the event loop
 * @param authQueueDeadline longest wait for {@code authExecutor} before the request is told {@code overloaded}
 * @param authThrottle      failures per client address, and the addresses backed off
 * @param defaultUser       -u, or null
 * @param defaultGroup      -g, or null
 * @param access            who may call what, asked after authentication
 * @param metrics           told of connections, authentication failures, refusals and calls
 */
record CallServices(Authenticator authenticator, Executor authExecutor, Duration authQueueDeadline,
                    AuthThrottle authThrottle, ProcedureCatalog catalog, CallExecutor executor, IdRef defaultUser,
                    IdRef defaultGroup, AccessPolicy access, Metrics metrics) {
    CallServices {
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(access, "access");
        Objects.requireNonNull(authenticator, "authenticator");
        Objects.requireNonNull(authExecutor, "authExecutor");
        Objects.requireNonNull(authQueueDeadline, "authQueueDeadline");
        Objects.requireNonNull(authThrottle, "authThrottle");
        Objects.requireNonNull(catalog, "catalog");
        Objects.requireNonNull(executor, "executor");
    }

    /** With the default queue deadline and back-off. */
    CallServices(Authenticator authenticator, Executor authExecutor, ProcedureCatalog catalog,
                 CallExecutor executor, IdRef defaultUser, IdRef defaultGroup) {
        this(authenticator, authExecutor, ServerSettings.DEFAULT_AUTH_QUEUE_DEADLINE,
                new AuthThrottle(AuthThrottle.Policy.DEFAULT), catalog, executor, defaultUser, defaultGroup,
                AccessPolicy.ALLOW_ALL, Metrics.NONE);
    }

    CallServices withAccess(AccessPolicy value) {
        return new CallServices(authenticator, authExecutor, authQueueDeadline, authThrottle, catalog, executor,
                defaultUser, defaultGroup, value, metrics);
    }

    CallServices withMetrics(Metrics value) {
        return new CallServices(authenticator, authExecutor, authQueueDeadline, authThrottle, catalog, executor,
                defaultUser, defaultGroup, access, value);
    }
}
