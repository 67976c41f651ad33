package org.harpd.server;

import java.util.List;
import org.harpd.protocol.CallRequest;

/**
 * A request whose user the authentication module accepted, as {@link AuthenticationHandler} passes it on.
 *
 * @param request the parsed request
 * @param allowed whether the user may call the procedure (harpd.conf's {@code authorization:} section, or the
 *                module's own verdict)
 * @param builtIn the answer of a built-in procedure ({@link Discovery}), already limited to what the user may
 *                call; {@code null} for any other procedure
 */
record AuthenticatedRequest(CallRequest request, boolean allowed, List<byte[]> builtIn) {
}
