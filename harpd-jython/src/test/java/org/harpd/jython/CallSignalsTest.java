package org.harpd.jython;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.harpd.config.PythonPath;
import org.harpd.protocol.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A procedure's timeout (the original's SIGXCPU) and its own signal handlers reach it in its own thread, in
 * Python code and in {@code time.sleep}, so its {@code finally} and {@code except} clauses run.
 */
class CallSignalsTest {
    private static final String TIMEOUT_ERROR =
            "{\"error\": {\"message\": \"maximum execution time exceeded\", \"type\": \"timeout\"}, \"harp\": 1}";

    @TempDir
    static Path dir;

    private static JythonWorkerRuntime worker;

    @BeforeAll
    static void load() throws Exception {
        Path file = dir.resolve("harpd.py");
        Files.writeString(file, """
                from harpd.proc import procedure, streaming_procedure
                import os, signal, time

                def started(path):
                    open(path, "w").close()

                @procedure
                def sleep_finally(path, marker):
                    try:
                        started(path)
                        time.sleep(60)
                    finally:
                        with open(marker, "w") as f:
                            f.write("finally ran")
                    return "slept"

                @procedure
                def busy_catch(path):
                    try:
                        started(path)
                        while True:
                            pass
                    except Exception as e:
                        return "cleaned %s.%s: %s" % (type(e).__module__, type(e).__name__, e)

                @procedure
                def own_handler(path):
                    def handler(signum, frame):
                        raise ValueError("own handler for %d" % signum)
                    signal.signal(signal.SIGXCPU, handler)
                    started(path)
                    time.sleep(60)

                @procedure
                def xcpu_handler():
                    h = signal.getsignal(signal.SIGXCPU)
                    return "%s.%s" % (h.__module__, h.__name__)

                @procedure
                def alarm_raises():
                    def handler(signum, frame):
                        raise KeyError("alarm %d" % signum)
                    signal.signal(signal.SIGALRM, handler)
                    signal.alarm(1)
                    while True:
                        pass

                @procedure
                def alarm_in_sleep():
                    def handler(signum, frame):
                        raise KeyError("alarm in sleep")
                    signal.signal(signal.SIGALRM, handler)
                    signal.alarm(1)
                    time.sleep(60)

                @procedure
                def pause_for_itimer():
                    seen = []
                    signal.signal(signal.SIGALRM, lambda signum, frame: seen.append(signum))
                    signal.setitimer(signal.ITIMER_REAL, 0.2)
                    remaining = signal.getitimer(signal.ITIMER_REAL)[0]
                    signal.pause()
                    return [seen, 0 < remaining <= 0.2, signal.getitimer(signal.ITIMER_REAL)]

                @procedure
                def nap():
                    time.sleep(0.05)
                    return "rested"

                @streaming_procedure
                def stream_then_sleep(path):
                    yield 1
                    started(path)
                    time.sleep(60)
                    yield 2
                """);
        worker = new JythonWorkerRuntime(file, PythonPath.NONE);
        worker.load();
        worker.checkpoint();
    }

    @AfterEach
    void reset() {
        worker.reset();
        assertFalse(CallSignals.armed(), "no tracer left on the worker's thread");
    }

    /** Runs the call in another thread; once {@code started} exists, the timeout is delivered. */
    private static List<String> callTimingOut(String procedure, String arguments, Path started) throws Exception {
        CompletableFuture<List<String>> lines = CompletableFuture.supplyAsync(() -> {
            RecordingEmitter out = new RecordingEmitter();
            try {
                worker.call(procedure, Json.MAPPER.readTree(arguments), out);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return out.lines;
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(started)) {
            assertTrue(System.nanoTime() < deadline, "the procedure did not start");
            Thread.sleep(20);
        }
        Thread.sleep(100); // into the sleep or loop after the marker
        worker.timeout();
        return lines.get(30, TimeUnit.SECONDS);
    }

    private static List<String> call(String procedure, String arguments) throws Exception {
        RecordingEmitter out = new RecordingEmitter();
        worker.call(procedure, Json.MAPPER.readTree(arguments), out);
        return out.lines;
    }

    private static String args(Path... paths) {
        StringBuilder list = new StringBuilder("[");
        for (Path p : paths) {
            list.append(list.length() > 1 ? ", " : "").append(Json.MAPPER.valueToTree(p.toString()).toString());
        }
        return list.append("]").toString();
    }

    @Test
    void timeoutInSleepRunsFinallyAndAnswersTimeout() throws Exception {
        Path started = dir.resolve("started-1");
        Path marker = dir.resolve("marker-1");
        assertEquals(List.of(TIMEOUT_ERROR), callTimingOut("sleep_finally", args(started, marker), started));
        assertEquals("finally ran", Files.readString(marker));
    }

    @Test
    void timeoutInBusyLoopIsAnExceptionTheProcedureCanCatch() throws Exception {
        Path started = dir.resolve("started-2");
        assertEquals(List.of("{\"result\": \"cleaned harpd.daemon.Timeout: \"}"),
                callTimingOut("busy_catch", args(started), started));
    }

    @Test
    void procedureHandlerForSigxcpuRunsInstead() throws Exception {
        Path started = dir.resolve("started-3");
        List<String> lines = callTimingOut("own_handler", args(started), started);
        assertEquals(1, lines.size(), lines.toString());
        assertTrue(lines.get(0).contains("\"message\": \"own handler for 24\""), lines.get(0));
        assertTrue(lines.get(0).contains("\"type\": \"ValueError\""), lines.get(0));
        // the next call has harpd's handler again
        worker.reset();
        assertEquals(List.of("{\"result\": \"harpd._timeout.handle_timeout\"}"), call("xcpu_handler", "[]"));
    }

    @Test
    void streamingProcedureGetsTimeoutAfterItsItems() throws Exception {
        Path started = dir.resolve("started-4");
        assertEquals(List.of("{\"stream\": 1}", TIMEOUT_ERROR),
                callTimingOut("stream_then_sleep", args(started), started));
    }

    @Test
    void alarmHandlerRaisesInTheProcedure() throws Exception {
        List<String> lines = call("alarm_raises", "[]");
        assertEquals(1, lines.size(), lines.toString());
        assertTrue(lines.get(0).contains("\"type\": \"KeyError\""), lines.get(0));
        assertTrue(lines.get(0).contains("alarm 14"), lines.get(0));
    }

    @Test
    void alarmEndsSleepAndItsHandlerRaises() throws Exception {
        List<String> lines = call("alarm_in_sleep", "[]");
        assertTrue(lines.get(0).contains("alarm in sleep"), lines.toString());
    }

    @Test
    void pauseWaitsForTheIntervalTimer() throws Exception {
        assertEquals(List.of("{\"result\": [[14], true, [0.0, 0.0]]}"), call("pause_for_itimer", "[]"));
    }

    @Test
    void timeoutBetweenCallsIsDroppedAndSleepWorksAfterwards() throws Exception {
        worker.timeout();
        assertEquals(List.of("{\"result\": \"rested\"}"), call("nap", "[]"));
    }
}
