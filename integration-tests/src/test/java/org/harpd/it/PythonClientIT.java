package org.harpd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Python client library (python-lib/client/harp) under each CPython it supports: its unit tests against a
 * fake harpd, and python-lib/tests/test_against_daemon.py against the real daemon started here, with only the
 * client's import root on the path, as client programs have it.
 * An interpreter that is not installed is skipped, not failed.
 */
class PythonClientIT {
    private static final String PROCEDURES = """
            from harpd.proc import procedure, streaming_procedure, Result

            @procedure
            def echo(*args):
                return list(args)

            @streaming_procedure
            def stream(n):
                for i in range(n):
                    yield i
                yield Result("done")

            @procedure
            def fail():
                raise ValueError("boom")
            """;

    /** Proof that the real-daemon tests ran: unittest -v prints one line per test with its outcome. */
    private static final Pattern DAEMON_TEST_PASSED =
            Pattern.compile("(?m)^test_echo_returns_positional_arguments .*\\.\\.\\. ok$");

    private static Daemon daemon;

    @BeforeAll
    static void startDaemon() throws Exception {
        daemon = Daemon.builder().procedures(PROCEDURES).start();
    }

    @AfterAll
    static void stopDaemon() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
    }

    /** Each interpreter by name, with the commands to try for it (the first that runs wins). */
    static Stream<Arguments> interpreters() {
        return Stream.of(Arguments.of("CPython 3", Pythons.python3Candidates()),
                Arguments.of("CPython 2.7", Pythons.python2Candidates()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("interpreters")
    void clientTestsPassUnder(String name, List<String> candidates) throws Exception {
        Optional<String> python = Pythons.find(candidates);
        assumeTrue(python.isPresent(), name + " is not installed (tried " + candidates + ")");

        Path lib = Pythons.lib();
        ProcessBuilder pb = new ProcessBuilder(python.get(), "-m", "unittest", "discover",
                "-s", lib.resolve("tests").toString(), "-v")
                .directory(lib.toFile())
                .redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.remove("HARP_USER");
        env.remove("HARP_PASSWORD");
        env.put("PYTHONPATH", lib.resolve("client").toString());
        env.put("PYTHONDONTWRITEBYTECODE", "1"); // keep the source tree clean
        env.put("HARP_TEST_HOST", "127.0.0.1");
        env.put("HARP_TEST_PORT", Integer.toString(daemon.port()));
        env.put("HARP_TEST_USER", Daemon.USER);
        env.put("HARP_TEST_PASSWORD", Daemon.PASSWORD);
        // No HARP_TEST_CA_FILE: certificate verification is covered by test_client.py with openssl-made
        // certificates; the daemon's own test certificate is not necessarily usable as a trust anchor.

        Process process = pb.start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(5, TimeUnit.MINUTES), "python tests did not finish");
        assertEquals(0, process.exitValue(), name + " (" + python.get() + ") unittest output:\n" + output);
        assertTrue(DAEMON_TEST_PASSED.matcher(output).find(),
                "the real-daemon tests did not run under " + name + ":\n" + output);
    }

    /**
     * The distribution's client import root (what {@code bin/harp} and client programs put on
     * {@code PYTHONPATH}) holds only {@code harp}: harpd's crypt and signal replacements, made for Jython, never
     * shadow a client's CPython modules.
     */
    @Test
    void theDistributionsClientImportRootHoldsOnlyHarp() throws Exception {
        Path dist = Path.of(System.getProperty("harpd.dist", "../harpd-jython/target/harpd")).toAbsolutePath()
                .normalize();
        try (Stream<Path> entries = Files.list(dist.resolve("lib").resolve("python"))) {
            assertEquals(List.of("harp"), entries.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertTrue(Files.isRegularFile(dist.resolve("lib/python-daemon/crypt.py")), "harpd's crypt is the daemon's");
    }
}
