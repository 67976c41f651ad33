package org.harpd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Calls run in worker processes: timeouts, crashes, shutdown, and no worker outlives the daemon. Cancellation (the client
 * closing the connection) is {@link CancelIT}'s.
 */
class WorkersIT {
    static final String PROCEDURES = """
            from harpd.proc import procedure, streaming_procedure, Result
            import os, time, signal

            @procedure
            def pid():
                return os.getpid()

            @streaming_procedure(timeout=1)
            def pid_then_hang():
                yield os.getpid()
                time.sleep(60)
                yield Result("too late")

            @procedure(timeout=1)
            def hang():
                time.sleep(60)

            @streaming_procedure
            def pid_then_wait():
                yield os.getpid()
                time.sleep(60)
                yield Result("too late")

            @procedure
            def die():
                os.kill(os.getpid(), signal.SIGKILL)
            """;

    static Daemon daemon;

    @BeforeAll
    static void start() throws Exception {
        daemon = Daemon.builder().procedures(PROCEDURES).start();
    }

    @AfterAll
    static void stop() throws Exception {
        daemon.close();
    }

    private static void awaitGone(long pid, Duration within) throws InterruptedException {
        Instant end = Instant.now().plus(within);
        while (Instant.now().isBefore(end)) {
            if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) == false) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("process " + pid + " still alive after " + within);
    }

    @Test
    void eachCallRunsInAWorkerProcessNotTheListener() throws Exception {
        List<String> lines = Wire.exchange(daemon.port(), Wire.request("pid", "[]"));
        long first = Wire.parse(lines.get(1)).get("result").asLong();
        long second = Wire.parse(Wire.exchange(daemon.port(), Wire.request("pid", "[]")).get(1)).get("result").asLong();
        assertTrue(first != daemon.pid() && second != daemon.pid());
        assertTrue(daemon.workers().stream().anyMatch(w -> w.pid() == first || w.pid() == second),
                "the default level keeps its workers for more calls: " + first + ", " + second);
    }

    @Test
    void timeoutIsReportedAfterTheStreamedItems() throws Exception {
        // TimeoutsIT: the worker raises Timeout in the procedure, and is killed only when it ignores it
        List<String> lines = Wire.exchange(daemon.port(), Wire.request("pid_then_hang", "[]"));
        assertEquals(3, lines.size(), lines.toString());
        ProtocolIT.assertError(lines.get(2), "timeout", "maximum execution time exceeded");
        daemon.awaitLog(l -> l.contains("execution timeout exceeded"), Duration.ofSeconds(5));
    }

    @Test
    void timeoutOfAPlainProcedureComesAfterTheAck() throws Exception {
        Instant start = Instant.now();
        List<String> lines = Wire.exchange(daemon.port(), Wire.request("hang", "[]"));
        assertEquals("{\"harp\": 1, \"stream_result\": false}", lines.get(0));
        ProtocolIT.assertError(lines.get(1), "timeout", "maximum execution time exceeded");
        assertTrue(Duration.between(start, Instant.now()).compareTo(Duration.ofSeconds(30)) < 0);
    }

    @Test
    void aWorkerThatDiesGivesAnErrorAndTheDaemonKeepsServing() throws Exception {
        List<String> lines = Wire.exchange(daemon.port(), Wire.request("die", "[]"));
        assertEquals(2, lines.size(), lines.toString());
        ProtocolIT.assertError(lines.get(1), "system_error", null);
        assertTrue(Wire.parse(Wire.exchange(daemon.port(), Wire.request("pid", "[]")).get(1)).has("result"));
    }

    @Test
    void aWorkerIsStartedAheadOfCalls() throws Exception {
        Instant end = Instant.now().plusSeconds(30);
        while (daemon.workers().isEmpty() && Instant.now().isBefore(end)) {
            Thread.sleep(50);
        }
        assertFalse(daemon.workers().isEmpty(), "no spare worker process");
    }

    @Test
    void shutdownTellsInFlightCallsAndRemovesThePidfile() throws Exception {
        Path pidfile = Files.createTempDirectory("harpd-pid").resolve("harpd.pid");
        Daemon own = Daemon.builder().procedures(PROCEDURES).args("-p", pidfile.toString()).start();
        assertEquals(Long.toString(own.pid()), Files.readString(pidfile).strip());
        try (SSLSocket socket = Wire.connect(own.port())) {
            socket.getOutputStream().write(Wire.request("pid_then_wait", "[]").getBytes(StandardCharsets.UTF_8));
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            in.readLine();
            long worker = Wire.parse(in.readLine()).get("stream").asLong();
            List<ProcessHandle> workers = own.workers();
            own.process().destroy(); // SIGTERM
            ProtocolIT.assertError(in.readLine(), "shutdown", "service is shutting down");
            assertEquals(0, own.stop());
            awaitGone(worker, Duration.ofSeconds(5));
            for (ProcessHandle w : workers) {
                awaitGone(w.pid(), Duration.ofSeconds(5));
            }
        }
        assertFalse(Files.exists(pidfile), "pidfile removed on exit");
    }

    @Test
    void noWorkerOutlivesADaemonKilledWithSigkill() throws Exception {
        Daemon own = Daemon.builder().procedures(PROCEDURES).start();
        try (SSLSocket socket = Wire.connect(own.port())) {
            socket.getOutputStream().write(Wire.request("pid_then_wait", "[]").getBytes(StandardCharsets.UTF_8));
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            in.readLine();
            JsonNode busy = Wire.parse(in.readLine());
            List<ProcessHandle> workers = own.workers();
            assertTrue(workers.stream().anyMatch(w -> w.pid() == busy.get("stream").asLong()));
            own.process().destroyForcibly().waitFor(); // SIGKILL: no chance to clean up
            // A worker still booting, or starved of CPU, may take a while to act on its parent-death signal; the
            // bound only has to tell "dies" from "lives on".
            for (ProcessHandle w : workers) {
                awaitGone(w.pid(), Duration.ofSeconds(30));
            }
        }
    }
}
