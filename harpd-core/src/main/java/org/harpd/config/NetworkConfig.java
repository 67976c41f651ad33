package org.harpd.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The {@code network:} section of harpd.conf.
 *
 * @param address         address to bind to; {@code null} means all interfaces
 * @param port            TCP port, 1..65535 (default {@value #DEFAULT_PORT})
 * @param certfile        PEM certificate chain, leaf first; absolute (relative names in the file are
 *                        resolved against the configuration file's directory)
 * @param keyfile         PEM private key; absolute, resolved the same way
 * @param maxRequestBytes key {@code max_request_size}: the longest request line accepted, in bytes
 * @param readTimeout     key {@code read_timeout} (seconds): how long a client may take to send its request
 * @param maxConnections  key {@code max_connections}: simultaneous client connections, 0 = unlimited
 * @param tlsCiphers      key {@code tls_ciphers}: the cipher suites offered (IANA names), or empty for the
 *                        forward-secret AEAD default of the TLS set-up
 */
public record NetworkConfig(String address, int port, Path certfile, Path keyfile,
                            int maxRequestBytes, Duration readTimeout, int maxConnections, List<String> tlsCiphers) {
    public static final int DEFAULT_PORT = 4306;
    public static final int DEFAULT_MAX_REQUEST_BYTES = 1024 * 1024;
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_MAX_CONNECTIONS = 1024;

    public NetworkConfig {
        Objects.requireNonNull(certfile, "certfile");
        Objects.requireNonNull(keyfile, "keyfile");
        Objects.requireNonNull(readTimeout, "readTimeout");
        tlsCiphers = List.copyOf(tlsCiphers);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        requireLimits(maxRequestBytes, readTimeout, maxConnections);
    }

    /**
     * The one check of the listener's limits, for this section and for the server's settings built from it (or,
     * in tests, from the defaults here).
     */
    public static void requireLimits(int maxRequestBytes, Duration readTimeout, int maxConnections) {
        if (maxRequestBytes < 1) {
            throw new IllegalArgumentException("max request size must be positive, got " + maxRequestBytes);
        }
        Objects.requireNonNull(readTimeout, "readTimeout");
        if (readTimeout.isNegative() || readTimeout.isZero()) {
            throw new IllegalArgumentException("read timeout must be positive, got " + readTimeout);
        }
        if (maxConnections < 0) {
            throw new IllegalArgumentException("max connections must be 0 (no limit) or positive, got "
                    + maxConnections);
        }
    }

    /** Defaults for everything but the two files (used by tests and tools). */
    public static NetworkConfig withDefaults(Path certfile, Path keyfile) {
        return new NetworkConfig(null, DEFAULT_PORT, certfile, keyfile,
                DEFAULT_MAX_REQUEST_BYTES, DEFAULT_READ_TIMEOUT, DEFAULT_MAX_CONNECTIONS, List.of());
    }
}
