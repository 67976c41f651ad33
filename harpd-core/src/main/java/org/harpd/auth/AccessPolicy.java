package org.harpd.auth;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.harpd.config.AuthorizationConfig;
import org.harpd.logging.EventLog;
import org.harpd.protocol.ErrorType;
import org.harpd.protocol.HarpError;
import org.harpd.protocol.Json;

/**
 * Who may call what: the authentication module's optional per-procedure verdict, else harpd.conf's
 * {@code authorization:} section, else (neither configured) everyone authenticated. Asked on an authentication
 * thread, after a successful authentication and before the procedure is even looked up, so that a refused user
 * learns nothing of which procedures exist and a refused call never takes a worker.
 */
public final class AccessPolicy {
    /** The original's behaviour: no section, a module without {@code authorize}. */
    public static final AccessPolicy ALLOW_ALL = new AccessPolicy(AuthorizationConfig.ABSENT, null);

    static final String REFUSED = "not authorized to call this procedure";
    private static final EventLog LOG = EventLog.get("harpd");

    private final AuthorizationConfig config;
    private final Authenticator module;

    /** @param module the authentication module, asked for its verdict and for groups; null asks nothing */
    public AccessPolicy(AuthorizationConfig config, Authenticator module) {
        this.config = Objects.requireNonNull(config, "config");
        this.module = module;
    }

    /**
     * Whether an authenticated user may call {@code procedure}. May block (it may run the module's Python code):
     * never on an event loop. A failing module refuses the call, with a log line.
     */
    public boolean allows(String user, String procedure) {
        if (module == null) {
            return config.allows(user, List.of(), procedure);
        }
        try {
            Optional<Boolean> verdict = module.authorize(user, procedure);
            if (verdict.isPresent()) {
                return verdict.get();
            }
            if (!config.configured()) {
                return true;
            }
            Collection<String> groups = config.usesGroups() ? module.groups(user) : List.of();
            return config.allows(user, groups, procedure);
        } catch (Exception e) {
            LOG.error("authorization failed in the authentication module: call refused", "user", user,
                    "procedure", procedure, "error", describe(e));
            return false;
        }
    }

    /** The reply to a refused call, and its one log line. */
    public HarpError refuse(String user, String procedure, String clientAddress, int clientPort) {
        LOG.warn("call refused: not authorized", "user", user, "procedure", procedure,
                "client_address", clientAddress, "client_port", clientPort);
        ObjectNode data = Json.MAPPER.createObjectNode().put("procedure", procedure);
        return new HarpError(ErrorType.FORBIDDEN, REFUSED, data);
    }

    /** As for authentication: the class and the place, never a message, which a module writes as it likes. */
    private static String describe(Exception e) {
        if (e instanceof AuthenticationFailure) {
            return e.getMessage();
        }
        StackTraceElement[] trace = e.getStackTrace();
        return trace.length == 0 ? e.getClass().getName() : e.getClass().getName() + " at " + trace[0];
    }
}
