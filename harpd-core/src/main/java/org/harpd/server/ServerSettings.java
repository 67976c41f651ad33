package org.harpd.server;

import java.time.Duration;
import java.util.Objects;

/**
 * How the listener behaves on the network.
 *
 * @param address            address to bind to, or null for all interfaces
 * @param port               TCP port; 0 picks a free one (tests)
 * @param maxRequestBytes    longest accepted request line, newline excluded
 * @param readTimeout        time a client has, from connecting, to complete the TLS handshake and send its request
 * @param maxConnections     connections served at once; beyond it clients are told {@code overloaded}; 0 = no limit
 * @param authThreads        threads running the authentication module. Authentication modules were written for a
 *                           forking daemon and may not be thread-safe (glibc {@code crypt()} is not), so 1 is the
 *                           safe choice
 */
public record ServerSettings(String address, int port, int maxRequestBytes, Duration readTimeout,
                             int maxConnections, int authThreads) {
    public static final int DEFAULT_PORT = 4306;
    public static final int DEFAULT_MAX_REQUEST_BYTES = 4 * 1024 * 1024;
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(10);

    public ServerSettings {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (maxRequestBytes < 1) {
            throw new IllegalArgumentException("maxRequestBytes must be positive");
        }
        Objects.requireNonNull(readTimeout, "readTimeout");
        if (readTimeout.isNegative() || readTimeout.isZero()) {
            throw new IllegalArgumentException("readTimeout must be positive");
        }
        if (maxConnections < 0) {
            throw new IllegalArgumentException("maxConnections must be 0 (no limit) or positive");
        }
        if (authThreads < 1) {
            throw new IllegalArgumentException("authThreads must be positive");
        }
    }

    /** The original's behaviour where it had one (10 s read timeout), bounded where it was not. */
    public static ServerSettings defaults(String address, int port) {
        return new ServerSettings(address, port, DEFAULT_MAX_REQUEST_BYTES, DEFAULT_READ_TIMEOUT, 0, 1);
    }

    public ServerSettings withMaxRequestBytes(int value) {
        return new ServerSettings(address, port, value, readTimeout, maxConnections, authThreads);
    }

    public ServerSettings withReadTimeout(Duration value) {
        return new ServerSettings(address, port, maxRequestBytes, value, maxConnections, authThreads);
    }

    public ServerSettings withMaxConnections(int value) {
        return new ServerSettings(address, port, maxRequestBytes, readTimeout, value, authThreads);
    }

    public ServerSettings withAuthThreads(int value) {
        return new ServerSettings(address, port, maxRequestBytes, readTimeout, maxConnections, value);
    }
}
