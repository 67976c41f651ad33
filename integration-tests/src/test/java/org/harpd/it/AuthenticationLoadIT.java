package org.harpd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/**
 * The daemon under a flood of wrong passwords: the flooding address is backed off, another is served; and what a
 * failing authentication module leaves in the log.
 */
class AuthenticationLoadIT {
    /** crypt(3) of "ann-pw" in CPython 3 on libxcrypt: yescrypt, the default hash of current distributions. */
    static final String YESCRYPT_ANN = "$y$j9T$Qm8Fh0s3XvKk2LpZ7nB4c.$PXWHN4ArfVyfHgZpCM892X0YNLPld30XZkEqb8MtjU5";

    /** One call of echo(1) from the local address {@code from}; the daemon's last line. */
    private static JsonNode call(Daemon daemon, String from, String user, String password) throws Exception {
        try (SSLSocket socket = (SSLSocket) Wire.trustAll().getSocketFactory().createSocket(
                InetAddress.getByName("127.0.0.1"), daemon.port(), InetAddress.getByName(from), 0)) {
            socket.setSoTimeout(120_000);
            OutputStream out = socket.getOutputStream();
            out.write(("{\"harp\": 1, \"procedure\": \"echo\", \"arguments\": [1], \"auth\": {\"user\": \"" + user
                    + "\", \"password\": \"" + password + "\"}}\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            List<String> lines = Wire.readAll(socket);
            return Wire.parse(lines.get(lines.size() - 1));
        }
    }

    private static String outcome(JsonNode last) {
        return last.has("result") ? "ok" : last.at("/error/type").asText() + ": " + last.at("/error/message").asText();
    }

    @Test
    void aFloodOfWrongPasswordsIsBackedOffAndAnotherAddressIsServed() throws Exception {
        Path dir = Files.createTempDirectory("harpd-authload");
        Files.writeString(dir.resolve("users"), "ann:" + YESCRYPT_ANN + "\n");
        try (Daemon daemon = Daemon.builder().dir(dir)
                .authentication("authentication:\n  module: harpd.auth.passfile\n  file: users\n").start()) {
            ExecutorService flood = Executors.newFixedThreadPool(40);
            List<Future<JsonNode>> answers = new ArrayList<>();
            try {
                for (int i = 0; i < 120; i++) {
                    String guess = "guess" + i;
                    answers.add(flood.submit(() -> call(daemon, "127.0.0.1", "ann", guess)));
                }
                int wrong = 0;
                int backedOff = 0;
                int overloaded = 0;
                for (Future<JsonNode> answer : answers) {
                    String got = outcome(answer.get(300, TimeUnit.SECONDS));
                    if (got.equals("auth_error: unknown user or wrong password")) {
                        wrong++;
                    } else if (got.startsWith("auth_error: too many failed authentications from this address: "
                            + "try again in ")) {
                        backedOff++;
                    } else if (got.startsWith("overloaded: too many requests waiting for authentication")) {
                        overloaded++;  // waited past the queue deadline: answered all the same
                    } else {
                        throw new AssertionError("unexpected answer to the flood: " + got);
                    }
                }
                System.out.println("flood of 120 from 127.0.0.1: " + wrong + " checked, " + backedOff
                        + " backed off, " + overloaded + " past the queue deadline");
                assertTrue(wrong >= 10, "the first failures are checked: " + wrong);
                assertTrue(backedOff > 0, "then the address is backed off: " + wrong + " checked, " + overloaded
                        + " past the queue deadline, none refused");
            } finally {
                flood.shutdownNow();
            }
            assertTrue(outcome(call(daemon, "127.0.0.1", "ann", "ann-pw")).startsWith(
                    "auth_error: too many failed authentications"), "the back-off holds for the right password too");
            assertEquals("ok", outcome(call(daemon, "127.0.0.2", "ann", "ann-pw")),
                    "a client at another address is not affected");
            daemon.awaitLog(line -> line.contains("authentication back-off"), Duration.ofSeconds(30));
            List<String> backOffLines = daemon.log().stream()
                    .filter(line -> line.contains("authentication back-off")).toList();
            assertEquals(1, backOffLines.size(), "logged once per burst: " + backOffLines);
            assertTrue(backOffLines.get(0).contains("\"client_address\": \"127.0.0.1\""), backOffLines.get(0));
        }
    }

    @Test
    void aFailingModuleIsLoggedByTypeAndPlaceWithoutThePassword() throws Exception {
        Path dir = Files.createTempDirectory("harpd-authload");
        Files.writeString(dir.resolve("leaky.py"), """
                class Leaky(object):
                    def authenticate(self, user, password):
                        raise ValueError("bad %r" % password.upper())

                def create(config):
                    return Leaky()
                """);
        String password = "Tr0ub4dor-x";
        try (Daemon daemon = Daemon.builder().dir(dir).authentication("python:\n  path: .\n"
                + "authentication:\n  module: leaky\n").start()) {
            assertEquals("auth_error: unknown user or wrong password", outcome(call(daemon, "127.0.0.1", "u", password)));
            String line = daemon.awaitLog(l -> l.contains("authentication module failed"), Duration.ofSeconds(30));
            assertTrue(line.contains("authentication module leaky failed: ValueError at "), line);
            assertTrue(line.contains("leaky.py:3"), line);
            String log = String.join("\n", daemon.log()).toLowerCase(Locale.ROOT);
            for (String form : List.of(password, password.substring(0, 5), "bad u'")) {
                assertFalse(log.contains(form.toLowerCase(Locale.ROOT)), "the log holds " + form + ":\n" + log);
            }
        }
    }
}
