package org.harpd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A procedure's timeout raises {@code Timeout} in it, as the original's SIGXCPU handler did, so its
 * {@code finally} and {@code except} clauses run; its own signal handlers run in it; one that ignores the
 * timeout is killed after {@code workers.timeout_grace}. Procedures run as nobody.
 */
class TimeoutsIT {
    static final String PROCEDURES = """
            from harpd.proc import procedure, streaming_procedure
            import os, signal, time

            state = {"calls": 0}

            @procedure(uid="nobody", timeout=2)
            def sleep_finally(marker):
                try:
                    time.sleep(60)
                finally:
                    with open(marker, "w") as f:
                        f.write("finally ran")

            @procedure(uid="nobody", timeout=2)
            def catch_and_clean():
                try:
                    time.sleep(60)
                except Exception as e:
                    return "cleaned"

            @procedure(uid="nobody", timeout=2)
            def own_handler():
                seen = []
                signal.signal(signal.SIGXCPU, lambda signum, frame: seen.append(signum))
                time.sleep(60)
                return "own handler ran for %s" % seen

            @procedure(uid="nobody", timeout=20)
            def alarm_raises():
                def handler(signum, frame):
                    raise KeyError("alarm")
                signal.signal(signal.SIGALRM, handler)
                signal.alarm(1)
                while True:
                    pass

            @procedure(uid="nobody", timeout=2)
            def ignores_timeout():
                while True:
                    try:
                        while True:
                            pass
                    except BaseException:
                        pass

            @streaming_procedure(uid="nobody", timeout=2)
            def pid_then_sleep():
                state["calls"] += 1
                yield os.getpid()
                time.sleep(60)

            @procedure(uid="nobody")
            def after():
                state["calls"] += 1
                before = time.time()
                time.sleep(0.2)
                handler = signal.getsignal(signal.SIGXCPU)
                return [os.getpid(), state["calls"], time.time() - before >= 0.19,
                        "%s.%s" % (handler.__module__, handler.__name__)]
            """;

    static Daemon daemon;
    static Path shared;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "procedures run as nobody: the daemon must start as root");
        shared = Files.createTempDirectory("harpd-timeouts");
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        daemon = Daemon.builder().procedures(PROCEDURES)
                .config("workers:\n  isolation: interpreter\n  timeout_grace: 2\n").start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
    }

    private static List<String> call(String procedure, String arguments) throws Exception {
        return Wire.exchange(daemon.port(), Wire.request(procedure, arguments));
    }

    @Test
    void timeoutRunsFinallyClausesAndAnswersTheTimeoutError() throws Exception {
        Path marker = shared.resolve("finally");
        List<String> lines = call("sleep_finally", "[" + Wire.JSON.writeValueAsString(marker.toString()) + "]");
        assertEquals(2, lines.size(), lines.toString());
        ProtocolIT.assertError(lines.get(1), "timeout", "maximum execution time exceeded");
        assertEquals("finally ran", Files.readString(marker));
        daemon.awaitLog(l -> l.contains("execution timeout exceeded"), Duration.ofSeconds(5));
    }

    @Test
    void aProcedureCatchingTheTimeoutAnswersItsOwnResult() throws Exception {
        assertEquals("{\"result\": \"cleaned\"}", call("catch_and_clean", "[]").get(1));
    }

    @Test
    void aProcedureHandlerForSigxcpuRunsInsteadOfTimeout() throws Exception {
        assertEquals("{\"result\": \"own handler ran for [24]\"}", call("own_handler", "[]").get(1));
    }

    @Test
    void anAlarmHandlerRaisesInTheProcedure() throws Exception {
        JsonNode answer = Wire.parse(call("alarm_raises", "[]").get(1));
        assertEquals("KeyError", answer.at("/exception/type").asText(), answer.toString());
    }

    @Test
    void aProcedureIgnoringTheTimeoutIsKilledAfterTheGrace() throws Exception {
        Instant start = Instant.now();
        List<String> lines = call("ignores_timeout", "[]");
        ProtocolIT.assertError(lines.get(1), "timeout", "maximum execution time exceeded");
        assertTrue(Duration.between(start, Instant.now()).compareTo(Duration.ofSeconds(60)) < 0);
        daemon.awaitLog(l -> l.contains("procedure still running after timeout_grace"), Duration.ofSeconds(10));
    }

    @Test
    void theWorkerServesTheNextCallFromAFreshStateAfterATimeout() throws Exception {
        List<String> lines = call("pid_then_sleep", "[]");
        assertEquals(3, lines.size(), lines.toString());
        long worker = Wire.parse(lines.get(1)).get("stream").asLong();
        ProtocolIT.assertError(lines.get(2), "timeout", "maximum execution time exceeded");
        // not killed: it answered, was reset, and serves nobody's next calls
        for (int i = 0; i < 20 && daemon.workers().stream().noneMatch(w -> w.pid() == worker); i++) {
            Thread.sleep(100);
        }
        assertTrue(daemon.workers().stream().anyMatch(w -> w.pid() == worker),
                "worker " + worker + " still serves after its call timed out");
        JsonNode next = Wire.parse(call("after", "[]").get(1)).get("result");
        assertEquals(1, next.get(1).asInt(), "module state reset: " + next);
        assertTrue(next.get(2).asBoolean(), "time.sleep sleeps: no signal left pending: " + next);
        assertEquals("harpd._timeout.handle_timeout", next.get(3).asText(), next.toString());
    }
}
