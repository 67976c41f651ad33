package org.harpd.server;

import java.time.Duration;
import java.util.Objects;
import org.harpd.auth.AuthThrottle;
import org.harpd.config.NetworkConfig;

/**
 * How the listener behaves on the network: harpd.conf's {@code network:} limits ({@link NetworkConfig} defines
 * their defaults and checks them) and the authentication settings, which have no key.
 *
 * @param address            address to bind to, or null for all interfaces
 * @param port               TCP port; 0 picks a free one (tests)
 * @param maxRequestBytes    longest accepted request line, newline excluded
 * @param readTimeout        time a client has, from connecting, to complete the TLS handshake and send its request
 * @param maxConnections     connections served at once; beyond it clients are told {@code overloaded}; 0 = no limit
 * @param authThreads        threads running the authentication module at once. The shipped modules keep no
 *                           mutable state and hash with the reentrant {@code crypt_r}, so one per core lets a
 *                           flood of slow hashes use the machine without one client's hashes queueing everyone
 * @param authQueueDeadline  how long a request may wait for an authentication thread before it is told
 *                           {@code overloaded} instead
 * @param authThrottle       back-off of repeated authentication failures per client address
 */
public record ServerSettings(String address, int port, int maxRequestBytes, Duration readTimeout,
                             int maxConnections, int authThreads, Duration authQueueDeadline,
                             AuthThrottle.Policy authThrottle) {
    /** One per core, at most 8: beyond the cores, more threads only share them. */
    public static final int DEFAULT_AUTH_THREADS = Math.max(1, Math.min(8, Runtime.getRuntime().availableProcessors()));
    /** Well inside the read timeout, which a client waiting for its answer may also have. */
    public static final Duration DEFAULT_AUTH_QUEUE_DEADLINE = Duration.ofSeconds(5);

    public ServerSettings {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        NetworkConfig.requireLimits(maxRequestBytes, readTimeout, maxConnections);
        if (authThreads < 1) {
            throw new IllegalArgumentException("authThreads must be positive");
        }
        Objects.requireNonNull(authQueueDeadline, "authQueueDeadline");
        if (authQueueDeadline.isNegative() || authQueueDeadline.isZero()) {
            throw new IllegalArgumentException("authQueueDeadline must be positive");
        }
        Objects.requireNonNull(authThrottle, "authThrottle");
    }

    /** The listener harpd.conf's {@code network:} section describes, with the default authentication settings. */
    public static ServerSettings from(NetworkConfig network) {
        return new ServerSettings(network.address(), network.port(), network.maxRequestBytes(),
                network.readTimeout(), network.maxConnections(), DEFAULT_AUTH_THREADS, DEFAULT_AUTH_QUEUE_DEADLINE,
                AuthThrottle.Policy.DEFAULT);
    }

    /** Everything at harpd.conf's defaults but where to listen (port 0: any free one). */
    public static ServerSettings defaults(String address, int port) {
        return new ServerSettings(address, port, NetworkConfig.DEFAULT_MAX_REQUEST_BYTES,
                NetworkConfig.DEFAULT_READ_TIMEOUT, NetworkConfig.DEFAULT_MAX_CONNECTIONS, DEFAULT_AUTH_THREADS,
                DEFAULT_AUTH_QUEUE_DEADLINE, AuthThrottle.Policy.DEFAULT);
    }

    /** A builder holding these settings, to change some of them. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** The settings by name, checked once by the record when {@link #build()} makes it. */
    public static final class Builder {
        private final String address;
        private final int port;
        private int maxRequestBytes;
        private Duration readTimeout;
        private int maxConnections;
        private int authThreads;
        private Duration authQueueDeadline;
        private AuthThrottle.Policy authThrottle;

        private Builder(ServerSettings from) {
            address = from.address;
            port = from.port;
            maxRequestBytes = from.maxRequestBytes;
            readTimeout = from.readTimeout;
            maxConnections = from.maxConnections;
            authThreads = from.authThreads;
            authQueueDeadline = from.authQueueDeadline;
            authThrottle = from.authThrottle;
        }

        public Builder maxRequestBytes(int value) {
            maxRequestBytes = value;
            return this;
        }

        public Builder readTimeout(Duration value) {
            readTimeout = value;
            return this;
        }

        public Builder maxConnections(int value) {
            maxConnections = value;
            return this;
        }

        public Builder authThreads(int value) {
            authThreads = value;
            return this;
        }

        public Builder authQueueDeadline(Duration value) {
            authQueueDeadline = value;
            return this;
        }

        public Builder authThrottle(AuthThrottle.Policy value) {
            authThrottle = value;
            return this;
        }

        /** @throws IllegalArgumentException naming the first value out of range */
        public ServerSettings build() {
            return new ServerSettings(address, port, maxRequestBytes, readTimeout, maxConnections, authThreads,
                    authQueueDeadline, authThrottle);
        }
    }
}
