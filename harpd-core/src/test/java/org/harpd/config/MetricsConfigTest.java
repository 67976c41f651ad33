package org.harpd.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MetricsConfigTest {
    private static final String BASE = """
            network:
              certfile: cert.pem
              keyfile: key.pem
            authentication:
              module: harpd.auth.passfile
              file: users.txt
            """;

    @TempDir
    Path dir;

    @BeforeEach
    void createCertificateFiles() throws IOException {
        Files.writeString(dir.resolve("cert.pem"), "not checked here");
        Files.writeString(dir.resolve("key.pem"), "not checked here");
    }

    private MetricsConfig metrics(String yaml) throws Exception {
        Path file = dir.resolve("harpd.conf");
        Files.writeString(file, BASE + yaml);
        return HarpdConfig.load(file).metrics();
    }

    private String failure(String yaml) throws IOException {
        Path file = dir.resolve("harpd.conf");
        Files.writeString(file, BASE + yaml);
        ConfigException e = assertThrows(ConfigException.class, () -> HarpdConfig.load(file));
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        return e.getMessage().substring(file.toString().length() + 2);
    }

    @Test
    void withoutTheSectionNothingIsServed() throws Exception {
        MetricsConfig metrics = metrics("");
        assertEquals(MetricsConfig.ABSENT, metrics);
        assertFalse(metrics.configured());
    }

    @Test
    void anEmptySectionListensOnLoopback() throws Exception {
        MetricsConfig metrics = metrics("metrics:\n");
        assertEquals(new MetricsConfig(true, "127.0.0.1", 9464), metrics);
        assertEquals("127.0.0.1:9464", metrics.listen());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "0.0.0.0:9100|0.0.0.0|9100",
            "localhost:1|localhost|1",
            "'[::1]:65535'|::1|65535",
            "metrics.example.org:9464|metrics.example.org|9464"})
    void listenIsHostAndPort(String listen, String host, int port) throws Exception {
        MetricsConfig metrics = metrics("metrics: {listen: \"" + listen.replace("'", "") + "\"}\n");
        assertEquals(new MetricsConfig(true, host, port), metrics);
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.0.0.1:", ":9464", "127.0.0.1:0", "127.0.0.1:65536",
            "127.0.0.1:http", "::1:9464", "[]:9464", "[127.0.0.1]:9464", "a b:9464", "127.0.0.1:+80"})
    void aMalformedListenIsAnErrorNamingTheKey(String listen) throws Exception {
        String message = failure("metrics:\n  listen: \"" + listen + "\"\n");
        assertTrue(message.startsWith("metrics.listen: "), message);
        assertTrue(message.endsWith("got '" + listen + "'"), message);
    }

    @Test
    void listenMustBeAString() throws Exception {
        assertEquals("metrics.listen: expected a string, got 9464", failure("metrics:\n  listen: 9464\n"));
    }

    @Test
    void unknownKeysAreNamed() throws Exception {
        String message = failure("metrics:\n  port: 9464\n");
        assertTrue(message.startsWith("metrics.port: unknown key (expected one of: listen)"), message);
    }

    @Test
    void theSectionMustBeAMapping() throws Exception {
        assertEquals("metrics: expected a mapping, got '127.0.0.1:9464'", failure("metrics: 127.0.0.1:9464\n"));
    }
}
