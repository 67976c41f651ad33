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

    @Override
    public String toString() {
        return address + ":" + port;
    }
}
