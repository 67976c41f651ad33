package org.harpd.server;

import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/** The peer of a connection, as the log lines name it ({@code client_address}, {@code client_port}). */
record ClientAddress(String address, int port) {
    static ClientAddress of(Channel channel) {
        SocketAddress remote = channel.remoteAddress();
        if (remote instanceof InetSocketAddress inet) {
            String host = inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
            return new ClientAddress(host, inet.getPort());
        }
        return new ClientAddress(String.valueOf(remote), 0);
    }

    /**
     * A log record's context: the given key/value pairs and this peer's {@code client_address} and
     * {@code client_port}, which every line about a connection carries.
     */
    Object[] logContext(Object... context) {
        Object[] all = java.util.Arrays.copyOf(context, context.length + 4);
        all[context.length] = "client_address";
        all[context.length + 1] = address;
        all[context.length + 2] = "client_port";
        all[context.length + 3] = port;
        return all;
    }

    @Override
    public String toString() {
        return address + ":" + port;
    }
}
