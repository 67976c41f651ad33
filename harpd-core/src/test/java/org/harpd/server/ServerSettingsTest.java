package org.harpd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.harpd.config.NetworkConfig;
import org.junit.jupiter.api.Test;

/** The listener's settings come from harpd.conf's {@code network:} section and share its defaults and checks. */
class ServerSettingsTest {
    private static final Path CERT = Path.of("/etc/harpd/cert.pem");
    private static final Path KEY = Path.of("/etc/harpd/key.pem");

    @Test
    void everyNetworkLimitIsTakenFromTheConfiguration() {
        NetworkConfig network = new NetworkConfig("127.0.0.1", 4307, CERT, KEY, 2048, Duration.ofSeconds(3), 7,
                List.of());
        ServerSettings settings = ServerSettings.from(network);
        assertEquals("127.0.0.1", settings.address());
        assertEquals(4307, settings.port());
        assertEquals(2048, settings.maxRequestBytes());
        assertEquals(Duration.ofSeconds(3), settings.readTimeout());
        assertEquals(7, settings.maxConnections());
        assertEquals(ServerSettings.DEFAULT_AUTH_THREADS, settings.authThreads());
        assertEquals(ServerSettings.DEFAULT_AUTH_QUEUE_DEADLINE, settings.authQueueDeadline());
    }

    @Test
    void defaultsAreTheConfigurationFilesDefaults() {
        ServerSettings fromFileDefaults = ServerSettings.from(NetworkConfig.withDefaults(CERT, KEY));
        ServerSettings defaults = ServerSettings.defaults(null, NetworkConfig.DEFAULT_PORT);
        assertEquals(fromFileDefaults, defaults);
        assertEquals(1024 * 1024, defaults.maxRequestBytes());
        assertEquals(1024, defaults.maxConnections());
    }

    @Test
    void limitsAreCheckedAsTheConfigurationChecksThem() {
        ServerSettings defaults = ServerSettings.defaults("127.0.0.1", 0);
        assertEquals("max request size must be positive, got 0",
                assertThrows(IllegalArgumentException.class, () -> defaults.toBuilder().maxRequestBytes(0).build())
                        .getMessage());
        assertEquals("read timeout must be positive, got PT0S",
                assertThrows(IllegalArgumentException.class, () -> defaults.toBuilder().readTimeout(Duration.ZERO).build())
                        .getMessage());
        assertEquals("max connections must be 0 (no limit) or positive, got -1",
                assertThrows(IllegalArgumentException.class, () -> defaults.toBuilder().maxConnections(-1).build())
                        .getMessage());
        assertEquals(0, defaults.toBuilder().maxConnections(0).build().maxConnections(), "0: no limit");
    }
}
