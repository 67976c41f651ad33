package org.harpd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a procedure running as {@code nobody} can reach outside its call, against the real daemon: the worker's
 * JVM through the attach API, the daemon's stderr, and processes that would outlive a timeout or the daemon, or
 * stay with the worker after their call.
 */
class WorkerConfinementIT {
    static final String PROCEDURES = """
            from harpd.proc import procedure
            import os, subprocess, sys, time

            @procedure(uid="nobody", timeout=120)
            def nap(seconds):
                time.sleep(seconds)
                return "rested"

            @procedure(uid="nobody")
            def scribble(marker):
                tried = []
                try:
                    os.ftruncate(2, 0)
                    tried.append("ftruncate: done")
                except Exception as e:
                    tried.append("ftruncate: %s" % e)
                tried.append("perl: %d" % subprocess.call(["perl", "-e", "truncate(STDERR, 0) or die $!"]))
                sys.stderr.write("%s from the procedure\\n" % marker)
                sys.stderr.flush()
                return tried

            def spawn(marker):
                # a child in a session of its own, a plain background child, and an orphan (its parent exits)
                subprocess.Popen(["setsid", "bash", "-c", "exec -a %s-setsid sleep 300" % marker])
                subprocess.Popen(["bash", "-c", "exec -a %s-plain sleep 300" % marker])
                subprocess.call(["bash", "-c", "(exec -a %s-orphan sleep 300) & exit 0" % marker])

            @procedure(uid="nobody", timeout=3)
            def outstay(marker):
                spawn(marker)
                time.sleep(60)
                return "not reached"

            @procedure(uid="nobody", timeout=120)
            def linger(marker, seconds):
                spawn(marker)
                time.sleep(seconds)
                return "spawned"
            """;

    @BeforeEach
    void needRoot() {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "running procedures as nobody needs root; run the suite as root to cover it");
    }

    @Test
    void noProcessOfTheCallsUserAttachesToTheWorker() throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Assumptions.assumeTrue(Files.isExecutable(jcmd), "jcmd not in " + jcmd.getParent() + " (a JRE, not a JDK)");
        try (Daemon daemon = Daemon.builder().procedures(PROCEDURES).start()) {
            CompletableFuture<List<String>> call = CompletableFuture.supplyAsync(() -> exchange(daemon, "nap", "[20]"));
            long worker = awaitWorkerOf(daemon, 65534);
            Process attach = new ProcessBuilder("runuser", "-u", "nobody", "--", jcmd.toString(),
                    Long.toString(worker), "VM.version").redirectErrorStream(true).start();
            assertTrue(attach.waitFor(60, TimeUnit.SECONDS), "jcmd still running after 60 s");
            String out = new String(attach.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertNotEquals(0, attach.exitValue(), "jcmd attached as nobody:\n" + out);
            assertFalse(out.contains("JDK"), out);
            call.cancel(true);
        }
    }

    @Test
    void procedureOutputIsLoggedAndTheDaemonsStderrFileIsOutOfReach() throws Exception {
        Daemon.Builder builder = Daemon.builder().procedures(PROCEDURES).awaitPort();
        int port = Daemon.freePort();
        Path dir = builder.prepare(port);
        Path stderr = dir.resolve("harpd.err");
        Files.createFile(stderr, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Process process = new ProcessBuilder(builder.command(dir)).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile())).start();
        try {
            await(() -> read(stderr).contains("listening on SSL socket"), Duration.ofSeconds(180),
                    () -> "daemon did not start; stderr:\n" + read(stderr));
            String marker = "marker-" + UUID.randomUUID();
            List<String> lines = Wire.exchange(port, Wire.request("scribble", "[\"" + marker + "\"]"));
            JsonNode answer = Wire.parse(lines.get(lines.size() - 1));
            assertTrue(answer.has("result"), lines.toString());
            await(() -> read(stderr).contains(marker), Duration.ofSeconds(30),
                    () -> "the procedure's stderr line is not in the daemon's log (tried " + answer + "):\n"
                            + read(stderr));
            String log = read(stderr);
            assertTrue(log.contains("listening on SSL socket"),
                    "the daemon's stderr file was truncated (tried " + answer + "):\n" + log);
            String record = log.lines().filter(l -> l.contains(marker)).findFirst().orElseThrow();
            JsonNode parsed = Wire.parse(record.substring(record.indexOf('{')));
            assertEquals("worker output", parsed.path("message").asText(), record);
            assertEquals(marker + " from the procedure", parsed.path("line").asText(), record);
            assertTrue(parsed.path("pid").asLong() > 0, record);
        } finally {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    @Test
    void processesACallStartedEndWithItsTimeout() throws Exception {
        String marker = "harpd-confine-" + UUID.randomUUID();
        try (Daemon daemon = Daemon.builder().procedures(PROCEDURES).start()) {
            List<String> lines = exchange(daemon, "outstay", "[\"" + marker + "\"]");
            JsonNode answer = Wire.parse(lines.get(lines.size() - 1));
            assertEquals("timeout", answer.path("error").path("type").asText(), lines.toString());
            awaitGone(marker);
        }
    }

    @Test
    void processesACallLeavesRunningOutliveItAndLeaveTheDaemonWithTheirWorker() throws Exception {
        String marker = "harpd-confine-" + UUID.randomUUID();
        try (Daemon daemon = Daemon.builder().procedures(PROCEDURES).start()) {
            List<String> lines = exchange(daemon, "linger", "[\"" + marker + "\", 0]");
            assertEquals("{\"result\": \"spawned\"}", lines.get(lines.size() - 1), lines.toString());
            // as under the original, which forked per call: what a call starts in the background runs on
            await(() -> daemon.process().descendants().noneMatch(p -> withMarker(marker).stream()
                            .anyMatch(m -> m.startsWith(p.pid() + ":"))), Duration.ofSeconds(30),
                    () -> "the call's processes are still the daemon's: " + withMarker(marker));
            assertEquals(3, withMarker(marker).size(), () -> "the call's processes ended: " + withMarker(marker));
            assertEquals(0, daemon.process().descendants().filter(p -> uidOf(p.pid()).orElse(-1) == 65534).count(),
                    "the worker that ran the call left");
            lines = exchange(daemon, "nap", "[0]");
            assertEquals("{\"result\": \"rested\"}", lines.get(lines.size() - 1), lines.toString());
        } finally {
            for (String left : withMarker(marker)) {
                ProcessHandle.of(Long.parseLong(left.substring(0, left.indexOf(':')))).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    @Test
    void processesACallStartedEndWithAKilledDaemon() throws Exception {
        String marker = "harpd-confine-" + UUID.randomUUID();
        Daemon daemon = Daemon.builder().procedures(PROCEDURES).start();
        try {
            CompletableFuture.runAsync(() -> exchange(daemon, "linger", "[\"" + marker + "\", 100]"));
            await(() -> withMarker(marker).size() == 3, Duration.ofSeconds(60),
                    () -> "the procedure's three children did not start: " + withMarker(marker));
            List<ProcessHandle> workers = daemon.workers();
            daemon.process().destroyForcibly().waitFor();
            awaitGone(marker);
            await(() -> workers.stream().noneMatch(w -> alive(w.pid())), Duration.ofSeconds(30),
                    () -> "workers outlived the daemon: " + workers);
        } finally {
            daemon.process().destroyForcibly();
        }
    }

    private static List<String> exchange(Daemon daemon, String procedure, String arguments) {
        try {
            return Wire.exchange(daemon.port(), Wire.request(procedure, arguments));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The daemon's descendant that runs as {@code uid}: the worker serving the call. */
    private static long awaitWorkerOf(Daemon daemon, int uid) throws InterruptedException {
        Instant end = Instant.now().plusSeconds(60);
        while (Instant.now().isBefore(end)) {
            for (ProcessHandle worker : daemon.workers()) {
                if (uidOf(worker.pid()).orElse(-1) == uid) {
                    return worker.pid();
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no worker running as uid " + uid + "; log:\n" + String.join("\n", daemon.log()));
    }

    private static Optional<Integer> uidOf(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("Uid:")) {
                    return Optional.of(Integer.parseInt(line.split("\\s+")[1]));
                }
            }
        } catch (IOException | RuntimeException gone) {
            // ended meanwhile
        }
        return Optional.empty();
    }

    /** Processes alive (not zombies) whose command line holds {@code marker}. */
    private static List<String> withMarker(String marker) {
        List<String> found = new ArrayList<>();
        try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : proc) {
                try {
                    String cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8)
                            .replace('\0', ' ');
                    if (cmdline.contains(marker) && alive(Long.parseLong(p.getFileName().toString()))) {
                        found.add(p.getFileName() + ": " + cmdline.trim());
                    }
                } catch (IOException gone) {
                    // ended meanwhile
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return found;
    }

    private static boolean alive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException | RuntimeException gone) {
            return false;
        }
    }

    /** Processes are killed at once; a few seconds allow for a loaded machine. */
    private static void awaitGone(String marker) throws InterruptedException {
        try {
            await(() -> withMarker(marker).isEmpty(), Duration.ofSeconds(15),
                    () -> "still alive: " + withMarker(marker));
        } finally {
            for (String left : withMarker(marker)) {
                ProcessHandle.of(Long.parseLong(left.substring(0, left.indexOf(':')))).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    private interface Message {
        String get();
    }

    private static void await(BooleanSupplier condition, Duration timeout, Message message)
            throws InterruptedException {
        Instant end = Instant.now().plus(timeout);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(end)) {
                throw new AssertionError(message.get());
            }
            Thread.sleep(50);
        }
    }

    private static String read(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
