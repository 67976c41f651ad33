package org.harpd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.harpd.client.HarpClient;
import org.harpd.logging.UnixSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Operating harpd: {@code -l} logging to files and syslog (with records from procedures and authentication
 * modules), log reopening after logrotate, {@code -d} and {@code -p}.
 *
 * <p>One daemon (started once) logs to a FileHandler and a WatchedFileHandler and holds a pid file; the
 * syslog and detaching tests start their own.
 */
class OperationsIT {
    /** Procedures that log; {@code as_nobody} runs as nobody (needs root). */
    static final String PROCEDURES = """
            import logging, os
            from harpd.proc import procedure

            @procedure
            def log_warning():
                logging.getLogger("procs").warning("x %s", 1)
                logging.getLogger("procs").debug("below the root level")
                return os.getpid()

            @procedure
            def log_mark(mark):
                logging.getLogger("procs").warning("mark %s", mark)

            @procedure(uid="nobody")
            def as_nobody():
                logging.getLogger("procs").warning("x %s", 1)
                return [os.getpid(), os.getuid()]
            """;

    /** An authentication module that logs in the listener (never the password). */
    static final String AUTH_MODULE = """
            import logging

            class DB(object):
                def authenticate(self, user, password):
                    logging.getLogger("auth.site").info("checking %s", user)
                    return user == "test" and password == "secret"

            def create(config):
                return DB()
            """;

    static final String LINE_FORMAT = "%(asctime)s|%(process)d|%(name)s|%(levelname)s|%(message)s";
    /** {@code datefmt: "%d/%m/%Y %H:%M"} then the format's separator. */
    static final Pattern DATE = Pattern.compile("^\\d{2}/\\d{2}/\\d{4} \\d{2}:\\d{2}\\|");

    static Path dir;
    static Path mainLog;
    static Path watchedLog;
    static Path pidFile;
    static Daemon daemon;
    static String listeningLine;

    static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    static Path tempDir(String prefix) throws IOException {
        Path dir = Files.createTempDirectory(prefix);
        // workers running as nobody must be able to read what they load after the switch
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        return dir;
    }

    @BeforeAll
    static void startFileLoggingDaemon() throws Exception {
        dir = tempDir("harpd-ops");
        mainLog = dir.resolve("main.log");
        watchedLog = dir.resolve("watched.log");
        pidFile = dir.resolve("harpd.pid");
        Files.writeString(dir.resolve("siteauth.py"), AUTH_MODULE);
        Files.writeString(dir.resolve("logging.yaml"), """
                version: 1
                formatters:
                  lines:
                    format: "%s"
                    datefmt: "%%d/%%m/%%Y %%H:%%M"
                handlers:
                  file:
                    class: logging.FileHandler
                    filename: %s
                    formatter: lines
                  watched:
                    class: logging.handlers.WatchedFileHandler
                    filename: %s
                    formatter: lines
                root:
                  level: INFO
                  handlers: [file, watched]
                """.formatted(LINE_FORMAT, mainLog, watchedLog));
        daemon = Daemon.builder().dir(dir).procedures(PROCEDURES)
                .authentication("python:\n  path: .\nauthentication:\n  module: siteauth\n")
                .args("-l", dir.resolve("logging.yaml").toString(), "-p", pidFile.toString())
                .awaitPort().start();
        listeningLine = awaitLine(mainLog, line -> line.contains("listening on SSL socket"));
    }

    @AfterAll
    static void stopFileLoggingDaemon() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
    }

    @Test
    void fileHandlerWritesTheDaemonsRecordsInTheConfiguredFormat() {
        assertTrue(DATE.matcher(listeningLine).find(), listeningLine);
        assertTrue(listeningLine.endsWith("|" + daemon.pid() + "|harpd|INFO|{\"message\": \"listening on SSL socket\", "
                + "\"address\": \"127.0.0.1\", \"port\": " + daemon.port() + "}"), listeningLine);
        assertTrue(daemon.log().isEmpty(), "with -l nothing goes to stderr: " + daemon.log());
    }

    /** This daemon's harpd.conf has no metrics: section: its one listening socket is the TLS port. */
    @Test
    void withoutAMetricsSectionTheListenerListensOnItsPortOnly() throws Exception {
        Set<String> sockets = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(daemon.pid()), "fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        sockets.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException e) {
                    // closed since listed
                }
            }
        }
        List<Integer> listening = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            List<String> lines = Files.readAllLines(Path.of(table));
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                // local_address is HEXIP:HEXPORT; st 0A is LISTEN; field 9 the socket's inode
                if (f[3].equals("0A") && sockets.contains(f[9])) {
                    listening.add(Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16));
                }
            }
        }
        assertEquals(List.of(daemon.port()), listening);
    }

    @Test
    void procedureLoggingReachesTheFileUnderItsLoggerNameWithTheWorkersPid() throws Exception {
        long worker = call("log_warning").asLong();
        assertTrue(worker != daemon.pid(), "the call ran in a worker process");
        awaitLine(mainLog, line -> line.endsWith("|" + worker + "|procs|WARNING|x 1"));
        assertTrue(lines(mainLog).stream().noneMatch(line -> line.contains("below the root level")),
                "the configured root level applies to records from workers");
    }

    @Test
    void procedureRunningAsNobodyStillLogs() throws Exception {
        Assumptions.assumeTrue(root(), "running a procedure as nobody needs root; run the suite as root");
        JsonNode result = call("as_nobody");
        assertEquals(65534, result.get(1).asInt(), "the procedure ran as nobody");
        long worker = result.get(0).asLong();
        awaitLine(mainLog, line -> line.endsWith("|" + worker + "|procs|WARNING|x 1"));
    }

    @Test
    void authenticationModuleLoggingReachesTheFile() throws Exception {
        call("log_warning");
        String line = awaitLine(mainLog, l -> l.endsWith("|auth.site|INFO|checking test"));
        assertTrue(line.contains("|" + daemon.pid() + "|"), "authentication runs in the listener: " + line);
        assertTrue(lines(mainLog).stream().noneMatch(l -> l.contains(Daemon.PASSWORD)), "no password in the log");
    }

    @Test
    void watchedFileHandlerStartsANewFileAfterTheOldOneWasMoved() throws Exception {
        Path moved = dir.resolve("watched.log.moved");
        Files.move(watchedLog, moved);
        assertNextRecordGoesOnlyTo(watchedLog, moved, "records after the move go to the new file only");
    }

    @Test
    void sigusr1ReopensFileHandlerFiles() throws Exception {
        Path moved = dir.resolve("main.log.moved");
        Files.move(mainLog, moved);
        signal("USR1", daemon.pid());
        awaitLine(() -> Files.exists(mainLog), "SIGUSR1 creates " + mainLog);
        assertNextRecordGoesOnlyTo(mainLog, moved, "records after the reopen go to the new file only");
        assertTrue(daemon.process().isAlive(), "SIGUSR1 does not stop the daemon");
    }

    @Test
    void secondDaemonWithTheSamePidFileIsRefused() throws Exception {
        assertEquals(daemon.pid() + "\n", Files.readString(pidFile));
        Path conf = dir.resolve("harpd.conf");
        // Owner-only, so that the start-up exposure warning does not share stderr with the refusal asserted here.
        Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-------"));
        Launcher.Outcome second = Launcher.run("-c", conf.toString(), "-r", dir.resolve("harpd.py").toString(),
                "-p", pidFile.toString());
        assertEquals(1, second.exitCode(), second.toString());
        // Start-up reports the procedures that keep root's privileges before it checks the pid file; the
        // refusal is the only other line.
        List<String> others = second.stderrLines().stream()
                .filter(l -> !l.contains("\"procedure runs with root's privileges\"")).toList();
        assertEquals(List.of(pidFile + ": harpd already running with pid " + daemon.pid()), others);
        assertEquals(daemon.pid() + "\n", Files.readString(pidFile), "the running daemon's pid file stays");
    }

    @Test
    void syslogHandlerSendsDatagramsToTheConfiguredUnixSocket() throws Exception {
        Path syslogDir = tempDir("harpd-syslog");
        Path socket = syslogDir.resolve("log.sock");
        try (UnixSocket receiver = UnixSocket.open(UnixSocket.SOCK_DGRAM)) {
            receiver.bind(socket.toString());
            receiver.setReceiveTimeout(60_000);
            Files.writeString(syslogDir.resolve("logging.yaml"), """
                    version: 1
                    formatters:
                      syslog:
                        format: "harpd[%%(process)d]: %%(message)s"
                    handlers:
                      syslog:
                        class: logging.handlers.SysLogHandler
                        address: %s
                        facility: local3
                        formatter: syslog
                    root:
                      level: INFO
                      handlers: [syslog]
                    """.formatted(socket));
            try (Daemon syslogged = Daemon.builder().dir(syslogDir).procedures(PROCEDURES)
                    .args("-l", syslogDir.resolve("logging.yaml").toString()).awaitPort().start()) {
                // local3 (19) * 8 + INFO (6) = 158; Python's SysLogHandler ends each message with a NUL
                receiveUntil(receiver, ("<158>harpd[" + syslogged.pid() + "]: {\"message\": \"listening on SSL socket\", "
                        + "\"address\": \"127.0.0.1\", \"port\": " + syslogged.port() + "}\0")::equals);
                long worker = syslogged.client().build().call("log_warning").asLong();
                // WARNING (4): 156
                receiveUntil(receiver, ("<156>harpd[" + worker + "]: x 1\0")::equals);
            }
        }
    }

    @Test
    void detachedDaemonIsListeningWhenTheLauncherReturnsAndLeavesOnSigterm() throws Exception {
        Path detachedDir = tempDir("harpd-detach");
        Path pid = detachedDir.resolve("harpd.pid");
        Files.writeString(pid, deadPid() + "\n"); // stale: must be replaced
        Files.writeString(detachedDir.resolve("logging.yaml"), """
                version: 1
                handlers:
                  file: {class: logging.FileHandler, filename: %s}
                root: {level: INFO, handlers: [file]}
                """.formatted(detachedDir.resolve("harpd.log")));
        Daemon.Builder builder = Daemon.builder().dir(detachedDir).procedures(PROCEDURES)
                .args("-l", detachedDir.resolve("logging.yaml").toString(), "-d", "-p", pid.toString());
        int port = Daemon.freePort();
        List<String> command = builder.command(builder.prepare(port));
        Launcher.Outcome launched = Launcher.run(command.subList(1, command.size()));
        Optional<ProcessHandle> detached = Optional.empty();
        try {
            assertEquals(0, launched.exitCode(), launched.toString());
            long daemonPid = Long.parseLong(Files.readString(pid).trim());
            detached = ProcessHandle.of(daemonPid);
            HarpClient client = HarpClient.builder().host("127.0.0.1").port(port).user(Daemon.USER)
                    .password(Daemon.PASSWORD).trustAll().build();
            assertTrue(client.call("log_warning").asLong() > 0, "a call succeeds right after -d returned");
            assertTrue(detached.isPresent() && detached.get().isAlive(), "the pid file names the daemon");
            assertEquals(daemonPid, sessionId(daemonPid), "the daemon leads its own session");

            signal("TERM", daemonPid);
            detached.get().onExit().get(60, TimeUnit.SECONDS);
            assertFalse(Files.exists(pid), "the pid file is removed on exit");
            assertTrue(lines(detachedDir.resolve("harpd.log")).stream()
                    .anyMatch(line -> line.contains("removing stale pid file")), "the stale pid file was reported");
        } finally {
            detached.filter(ProcessHandle::isAlive).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void detachedDaemonWithBadConfigurationExitsOneWithTheErrorOnTheTerminal() throws Exception {
        Path badDir = tempDir("harpd-detach-bad");
        Files.writeString(badDir.resolve("harpd.conf"), "authentication:\n  module: harpd.auth.inconfig\n");
        Files.writeString(badDir.resolve("harpd.py"), PROCEDURES);
        Launcher.Outcome outcome = Launcher.run("-c", badDir.resolve("harpd.conf").toString(),
                "-r", badDir.resolve("harpd.py").toString(), "-d", "-p", badDir.resolve("harpd.pid").toString());
        assertEquals(1, outcome.exitCode(), outcome.toString());
        assertEquals(1, outcome.stderrLines().size(), outcome.toString());
        assertTrue(outcome.stderr().contains("network"), "the line names the problem: " + outcome.stderr());
        assertFalse(Files.exists(badDir.resolve("harpd.pid")), "no pid file for a daemon that did not start");
    }

    @Test
    void logrotateSnippetRotatesAndTheDaemonMovesToTheNewFile() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/sbin/logrotate")),
                "logrotate is not installed; etc/harpd.logrotate is then only checked by reading it");
        Assumptions.assumeTrue(root(), "the snippet creates the new file as root:adm, which needs root");
        Path rotation = tempDir("harpd-logrotate");
        String snippet = Files.readString(Daemon.distribution().resolve("etc/harpd.logrotate"))
                .replace("/var/log/harpd/*.log", mainLog.toString())
                .replace("/run/harpd.pid", pidFile.toString());
        Path config = Files.writeString(rotation.resolve("harpd.logrotate"), snippet);
        Process logrotate = new ProcessBuilder("/usr/sbin/logrotate", "-f", "-s",
                rotation.resolve("state").toString(), config.toString()).redirectErrorStream(true).start();
        String output = new String(logrotate.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, logrotate.waitFor(), output);

        Path rotated = Path.of(mainLog + ".1"); // delaycompress: the newest rotation stays plain text
        assertTrue(Files.exists(rotated), "rotated: " + output);
        assertNextRecordGoesOnlyTo(mainLog, rotated, "after postrotate's SIGUSR1 the daemon writes to the new file only");
    }

    /** A worker's log record made now reaches {@code current} and not {@code old}, the file moved away. */
    private void assertNextRecordGoesOnlyTo(Path current, Path old, String why) throws Exception {
        String mark = java.util.UUID.randomUUID().toString();
        daemon.client().build().call("log_mark", mark);
        awaitLine(current, line -> line.endsWith("|procs|WARNING|mark " + mark));
        assertTrue(lines(old).stream().noneMatch(line -> line.contains(mark)), why);
    }

    @Test
    void systemdUnitVerifies() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/systemd-analyze")),
                "systemd-analyze is not installed");
        Path unitDir = tempDir("harpd-systemd");
        // The unit names the installed launcher; point it at this distribution's.
        String unit = Files.readString(Daemon.distribution().resolve("etc/harpd.service"))
                .replace("/usr/sbin/harpd", Daemon.launcher().toString());
        Path file = Files.writeString(unitDir.resolve("harpd.service"), unit);
        Process verify = new ProcessBuilder("/usr/bin/systemd-analyze", "verify", file.toString())
                .redirectErrorStream(true).start();
        String output = new String(verify.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, verify.waitFor(), output);
        assertEquals("", output.strip(), "systemd-analyze has no complaint");
    }

    private static JsonNode call(String procedure) throws Exception {
        return daemon.client().build().call(procedure);
    }

    private static List<String> lines(Path file) throws IOException {
        return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
    }

    /** The first line of {@code file} that matches, waiting for it (a bound on a hang, not a timing test). */
    private static String awaitLine(Path file, Predicate<String> match) throws Exception {
        List<String> seen = new ArrayList<>();
        awaitLine(() -> {
            seen.clear();
            seen.addAll(lines(file));
            return seen.stream().anyMatch(match);
        }, "a matching line in " + file + "; it has:\n" + String.join("\n", seen));
        return seen.stream().filter(match).findFirst().orElseThrow();
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void awaitLine(Condition condition, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    private static void receiveUntil(UnixSocket receiver, Predicate<String> match) throws IOException {
        List<String> received = new ArrayList<>();
        byte[] buffer = new byte[65536];
        while (true) {
            int length = receiver.receive(buffer);
            if (length < 0) {
                throw new AssertionError("no matching datagram; received:\n" + String.join("\n", received));
            }
            String datagram = new String(buffer, 0, length, StandardCharsets.UTF_8);
            if (match.test(datagram)) {
                return;
            }
            received.add(datagram);
        }
    }

    private static void signal(String name, long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start();
        assertEquals(0, kill.waitFor(), "kill -" + name + " " + pid);
    }

    /** Field 6 of /proc/PID/stat, after the parenthesised command name. */
    private static long sessionId(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[3]);
    }

    /** The pid of a process that has exited (reaped), as a stale pid file would hold. */
    private static long deadPid() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        return gone.pid();
    }
}
