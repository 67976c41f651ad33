package org.harpd.workerprotocol;

import java.util.Objects;

/**
 * Who made a call, as its procedure may learn it ({@code harpd.proc.caller()}): the listener's word, sent with the
 * call command; the worker only passes it on.
 *
 * @param user    the authenticated harpd user
 * @param address the client's IP address
 * @param port    the client's TCP port
 * @param id      the call's id for the procedure: drawn by the listener for this call alone and never the id that
 *                frames the call's lines on the pipes, which a procedure must not learn (see "Call ids" in
 *                {@link WorkerProtocol})
 */
public record Caller(String user, String address, int port, String id) {
    public Caller {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(id, "id");
    }

    /**
     * @param client the client as the listener's log lines name it, {@code address:port}
     * @param id     the caller's id of the call
     */
    public static Caller of(String user, String client, String id) {
        int colon = client.lastIndexOf(':');
        if (colon < 0) {
            return new Caller(user, client, 0, id);
        }
        int port;
        try {
            port = Integer.parseInt(client.substring(colon + 1));
        } catch (NumberFormatException e) {
            return new Caller(user, client, 0, id);
        }
        return new Caller(user, client.substring(0, colon), port, id);
    }
}
