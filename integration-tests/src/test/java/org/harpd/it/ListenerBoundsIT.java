package org.harpd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.harpd.client.HarpClient;
import org.harpd.client.RemoteError;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a worker sends the root listener is bounded and cannot pass for someone else's: an overlong line written
 * straight to the reply pipe, or a result over {@code workers.max_result_size}, costs the listener (whose heap is
 * capped here at 128 MB) no more than the limit, fails the call with {@code system_error} and ends the worker;
 * a log record a procedure forges stays one line with the worker's real pid and the listener's time.
 * Procedures run as {@code nobody}, as an untrusted procedure would.
 */
class ListenerBoundsIT {
    static final int LIMIT = 4 * 1024 * 1024;
    static final String PROCEDURES = """
            from harpd.proc import procedure
            import logging, os

            def reply_pipes():
                # The worker's reply pipe is one of its descriptors: a pipe other than stdout/stderr, open for
                # writing (the command pipe is the read end).
                std = set()
                for fd in (1, 2):
                    try:
                        std.add(os.readlink("/proc/self/fd/%d" % fd))
                    except OSError:
                        pass
                found = []
                for name in os.listdir("/proc/self/fd"):
                    fd = int(name)
                    try:
                        link = os.readlink("/proc/self/fd/" + name)
                        with open("/proc/self/fdinfo/" + name) as info:
                            flags = [l for l in info.read().splitlines() if l.startswith("flags:")][0]
                    except (OSError, IOError):
                        continue
                    if fd > 2 and link.startswith("pipe:") and link not in std and int(flags.split()[1], 8) & 3 == 1:
                        found.append(fd)
                return sorted(found)

            @procedure(uid="nobody")
            def pipes():
                return reply_pipes()

            @procedure(uid="nobody", timeout=60)
            def flood(megabytes):
                # a bytearray: Jython's os.write cannot pass a str's buffer to write(2)
                chunk = bytearray("x" * (1024 * 1024))
                for fd in reply_pipes():
                    for i in xrange(megabytes):
                        os.write(fd, chunk)
                return "flooded"

            @procedure(uid="nobody", timeout=60)
            def big(size):
                return u"x" * size

            @procedure(uid="nobody")
            def forge():
                record = logging.LogRecord("procs.forge", logging.WARNING, "forge.py", 1,
                        "hello\\nauthentication error for user root", None, None)
                record.process = 1
                record.created = 0.0
                logging.getLogger("procs.forge").handle(record)
                return os.getpid()

            @procedure(uid="nobody")
            def answer():
                return 42
            """;
    static final String LOGGING = """
            version: 1
            formatters:
              f: {format: '%(process)d|%(created)f|%(name)s|%(message)s'}
            handlers:
              err: {class: logging.StreamHandler, stream: ext://sys.stderr, formatter: f}
            root: {level: INFO, handlers: [err]}
            """;
    static final Pattern KILLED_PID = Pattern.compile("\"pid\": (\\d+)");

    static Daemon daemon;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(PrivilegesIT.root(), "procedures run as nobody: the suite must run as root");
        Path dir = Files.createTempDirectory("harpd-bounds");
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(dir.resolve("logging.yaml"), LOGGING);
        daemon = Daemon.builder().dir(dir).procedures(PROCEDURES)
                .env("HARPD_JAVA_OPTS", "-Xmx128m")
                .config("workers:\n  spare: 1\n  max: 4\n  max_result_size: " + LIMIT + "\n")
                .args("-l", dir.resolve("logging.yaml").toString())
                .start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
    }

    private static HarpClient client() {
        return daemon.client().build();
    }

    @Test
    void unterminatedFloodOnTheReplyPipeEndsTheCallAndTheWorkerNotTheListener() throws Exception {
        HarpClient client = client();
        JsonNode pipes = client.call("pipes");
        assertEquals(1, pipes.size(), "the procedure finds exactly the worker's reply pipe: " + pipes);

        // 256 MB without a newline: twice the listener's whole heap
        RemoteError error = assertThrows(RemoteError.class, () -> client.call("flood", 256));
        assertEquals("system_error", error.type());
        assertTrue(error.remoteMessage().contains("longer than " + LIMIT + " bytes"), error.remoteMessage());
        assertWorkerKilledAndLogged("flood");

        assertEquals(42, client.call("answer").asInt(), "the daemon keeps serving");
        assertTrue(daemon.process().isAlive());
        assertFalse(daemon.log().stream().anyMatch(line -> line.contains("OutOfMemoryError")),
                String.join("\n", daemon.log()));
    }

    @Test
    void resultOverTheLimitIsSystemError() throws Exception {
        HarpClient client = client();
        assertEquals(LIMIT - 1024, client.call("big", LIMIT - 1024).asText().length(), "under the limit passes");
        RemoteError error = assertThrows(RemoteError.class, () -> client.call("big", LIMIT));
        assertEquals("system_error", error.type());
        assertEquals(LIMIT, error.data().path("max_result_size").asInt());
        assertWorkerKilledAndLogged("big");
        assertEquals(42, client.call("answer").asInt(), "the daemon keeps serving");
    }

    @Test
    void forgedLogRecordIsOneLineWithTheWorkersPidAndTheListenersTime() throws Exception {
        long worker = client().call("forge").asLong();
        String line = daemon.awaitLog(l -> l.contains("authentication error for user root"), Duration.ofSeconds(30));
        String[] fields = line.split("\\|", 4);
        assertEquals(Long.toString(worker), fields[0], "the worker's real pid, not the record's: " + line);
        double created = Double.parseDouble(fields[1]);
        double now = System.currentTimeMillis() / 1e3;
        assertTrue(Math.abs(now - created) < 600, "the listener's time, not the record's 0: " + line);
        assertEquals("procs.forge", fields[2]);
        assertEquals("hello\\nauthentication error for user root", fields[3]);
        List<String> log = daemon.log();
        assertEquals(1, log.stream().filter(l -> l.contains("authentication error for user root")).count());
        assertFalse(log.stream().anyMatch(l -> l.startsWith("authentication error")), String.join("\n", log));
    }

    /** The log names pid, procedure and limit, and that pid is gone. */
    private static void assertWorkerKilledAndLogged(String procedure) throws InterruptedException {
        String line = daemon.awaitLog(l -> l.contains("longer than workers.max_result_size")
                && l.contains("\"procedure\": \"" + procedure + "\""), Duration.ofSeconds(30));
        assertTrue(line.contains("\"max_result_size\": " + LIMIT), line);
        Matcher pid = KILLED_PID.matcher(line);
        assertTrue(pid.find(), line);
        long killed = Long.parseLong(pid.group(1));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (ProcessHandle.of(killed).map(ProcessHandle::isAlive).orElse(false)
                && !isZombie(killed) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(ProcessHandle.of(killed).map(p -> !p.isAlive()).orElse(true) || isZombie(killed),
                "worker " + killed + " is gone");
    }

    private static boolean isZombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (java.io.IOException e) {
            return true;
        }
    }
}
