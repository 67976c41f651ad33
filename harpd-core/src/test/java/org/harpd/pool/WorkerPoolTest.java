package org.harpd.pool;

import static org.harpd.pool.TestWorkers.await;
import static org.harpd.pool.TestWorkers.gone;
import static org.harpd.pool.TestWorkers.job;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.harpd.config.WorkersConfig.Isolation;
import org.harpd.procedure.Identity;
import org.harpd.protocol.ErrorType;
import org.harpd.protocol.HarpError;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerPoolTest {
    @TempDir
    Path dir;

    private WorkerPool pool;

    private WorkerPool pool(int spare, int max, int queue) throws Exception {
        pool = new WorkerPool(TestWorkers.settings(TestWorkers.procedures(dir, "# fake\n"), spare, max, queue));
        return pool;
    }

    @AfterEach
    void closePool() {
        if (pool != null) {
            pool.close();
        }
    }

    private RecordingSink run(CallJob job) throws InterruptedException {
        RecordingSink sink = new RecordingSink();
        pool.submit(job, sink);
        return sink.await();
    }

    @Test
    void passesResultStreamAndExceptionLinesThroughVerbatim() throws Exception {
        pool(1, 2, 0);

        RecordingSink echo = run(job("echo", 1, "a"));
        assertEquals("{\"result\": [1, \"a\"]}\n", echo.completed());

        RecordingSink stream = run(job("stream", 3));
        assertEquals(List.of("{\"stream\": 0}\n", "{\"stream\": 1}\n", "{\"stream\": 2}\n"), stream.streamed());
        assertEquals("{\"result\": \"done\"}\n", stream.completed());

        RecordingSink raise = run(job("raise"));
        assertEquals("{\"exception\": {\"data\": {\"class\": \"ValueError\", \"module\": \"exceptions\"}, "
                + "\"message\": \"bad value\", \"type\": \"ValueError\"}}\n", raise.completed());
        assertTrue(echo.contractKept() && stream.contractKept() && raise.contractKept());
    }

    @Test
    void procedureEndingWithoutResultIsSystemError() throws Exception {
        pool(1, 1, 0);
        JsonNode answer = run(job("nothing")).completedJson();
        assertEquals("system_error", answer.path("error").path("type").asText());
    }

    @Test
    void timeoutFailsTheCallKillsTheWorkerGroupAndFreesTheSlot() throws Exception {
        // the fake worker ignores the timeout it is told of, so it goes when the grace is over: a short one
        pool = new WorkerPool(TestWorkers.settings(TestWorkers.procedures(dir, "# fake\n"),
                b -> b.isolation(Isolation.PROCESS).spare(1).max(1).queue(0).timeoutGrace(Duration.ofMillis(200))));
        RecordingSink sink = new RecordingSink();
        pool.submit(job("spawn_child", Duration.ofMillis(1500), Identity.UNCHANGED), sink);
        await("the child's pid", () -> !sink.streamed().isEmpty());
        long child = Long.parseLong(sink.streamed().get(0).replaceAll("[^0-9]", ""));
        long worker = pool.workerPids().get(0);

        sink.await();
        assertEquals(ErrorType.TIMEOUT, sink.failed().type());
        assertEquals("maximum execution time exceeded", sink.failed().getMessage());
        await("worker gone", () -> gone(worker));
        await("worker's child gone", () -> gone(child));

        assertEquals("{\"result\": [\"again\"]}\n", run(job("echo", "again")).completed());
        assertTrue(sink.contractKept());
    }

    @Test
    void cancelKillsTheCallsProcessesAtOnceThenTheWorkerStillInTheCallAfterTheGrace() throws Exception {
        // a grace long enough that the worker found alive below is not merely one whose grace a slow machine stretched
        pool = new WorkerPool(TestWorkers.settings(TestWorkers.procedures(dir, "# fake\n"),
                b -> b.isolation(Isolation.PROCESS).spare(1).max(1).queue(0).timeoutGrace(Duration.ofSeconds(60))));
        RecordingSink sink = new RecordingSink();
        CallHandle handle = pool.submit(job("spawn_child"), sink);
        await("the child's pid", () -> !sink.streamed().isEmpty());
        long child = Long.parseLong(sink.streamed().get(0).replaceAll("[^0-9]", ""));
        long worker = pool.workerPids().get(0);

        assertTrue(handle.cancel());
        assertFalse(handle.cancel(), "a second cancel stops nothing");
        await("the call's child gone", () -> gone(child));
        // The fake worker ignores the timeout it is told of, so it is still in the call, until the grace is over.
        assertFalse(gone(worker), "the worker is killed only when the grace is over");
        assertEquals(1, pool.stats().busy());
        assertFalse(sink.ended());
        assertEquals(1, sink.streamed().size(), "nothing delivered after the cancel");
    }

    @Test
    void cancelledCallStillRunningAfterTheGraceHasItsWorkerKilled() throws Exception {
        pool = new WorkerPool(TestWorkers.settings(TestWorkers.procedures(dir, "# fake\n"),
                b -> b.isolation(Isolation.PROCESS).spare(1).max(1).queue(0).timeoutGrace(Duration.ofMillis(200))));
        RecordingSink sink = new RecordingSink();
        CallHandle handle = pool.submit(job("sleep", 60), sink);
        await("call running", () -> pool.stats().busy() == 1);
        long worker = pool.workerPids().get(0);

        handle.cancel();
        await("worker gone", () -> gone(worker));
        await("replacement ready", () -> pool.stats().ready() == 1);
        assertFalse(sink.ended());
        assertTrue(sink.streamed().isEmpty());
    }

    @Test
    void crashIsSystemErrorWithExitStatusAndThePoolKeepsWorking() throws Exception {
        pool(1, 1, 0);
        RecordingSink crash = run(job("crash"));
        assertEquals(ErrorType.SYSTEM_ERROR, crash.failed().type());
        assertEquals("worker process died", crash.failed().getMessage());
        assertEquals(3, crash.failed().data().path("exit_status").asInt());

        assertEquals("{\"result\": []}\n", run(job("echo")).completed());
    }

    @Test
    void printingToStdoutDoesNotReachTheProtocol() throws Exception {
        pool(1, 1, 0);
        RecordingSink sink = run(job("print"));
        assertEquals("{\"result\": \"printed\"}\n", sink.completed());
        assertTrue(sink.streamed().isEmpty());
    }

    @Test
    void takenSpareWorkersAreReplaced() throws Exception {
        pool(2, 4, 0);
        await("2 spare workers", () -> pool.stats().ready() == 2);
        List<Long> before = pool.workerPids();

        run(job("echo"));
        run(job("echo"));

        await("2 fresh spare workers",
                () -> pool.stats().ready() == 2 && pool.workerPids().stream().noneMatch(before::contains));
        assertTrue(pool.stats().alive() <= 4);
    }

    @Test
    void callsBeyondMaxAndQueueAreOverloaded() throws Exception {
        pool(1, 1, 1);
        await("a spare worker", () -> pool.stats().ready() == 1);
        RecordingSink running = new RecordingSink();
        RecordingSink waiting = new RecordingSink();
        RecordingSink refused = new RecordingSink();
        pool.submit(job("sleep", 60), running);
        pool.submit(job("echo", "queued"), waiting);
        assertEquals(1, pool.stats().queued());

        pool.submit(job("echo", "refused"), refused);

        assertEquals(ErrorType.OVERLOADED, refused.await().failed().type());
        assertEquals("too many pending calls", refused.failed().getMessage());
        assertFalse(waiting.ended());
    }

    @Test
    void callQueuedPastTheStartTimeoutWhileWorkersAreBusyIsOverloaded() throws Exception {
        PoolSettings busy = TestWorkers.settings(TestWorkers.procedures(dir, "# fake\n"), 1, 1, 1);
        // long enough for a worker to start, even on a busy machine
        pool = new WorkerPool(TestWorkers.with(busy, b -> b.startTimeout(Duration.ofSeconds(5))));
        await("a spare worker", () -> pool.stats().ready() == 1);
        RecordingSink running = new RecordingSink();
        RecordingSink waiting = new RecordingSink();
        pool.submit(job("sleep", 60), running);
        pool.submit(job("echo", "queued"), waiting);

        HarpError error = waiting.await().failed();
        assertEquals(ErrorType.OVERLOADED, error.type());
        assertEquals("no worker became available within 5000 ms: all workers busy", error.getMessage());
        assertFalse(running.ended());
    }

    @Test
    void queuedCallRunsWhenAWorkerFrees() throws Exception {
        pool(1, 1, 1);
        await("a spare worker", () -> pool.stats().ready() == 1);
        RecordingSink first = new RecordingSink();
        RecordingSink second = new RecordingSink();
        pool.submit(job("sleep", 0.2), first);
        pool.submit(job("echo", "second"), second);

        assertEquals("{\"result\": \"slept\"}\n", first.await().completed());
        assertEquals("{\"result\": [\"second\"]}\n", second.await().completed());
    }

    @Test
    void closeShutsDownRunningAndQueuedCallsAndLeavesNoWorkerOrThread() throws Exception {
        pool(1, 1, 1);
        await("a spare worker", () -> pool.stats().ready() == 1);
        RecordingSink running = new RecordingSink();
        RecordingSink queued = new RecordingSink();
        pool.submit(job("sleep", 60), running);
        pool.submit(job("echo"), queued);
        await("call running", () -> pool.stats().busy() == 1);
        List<Long> pids = pool.workerPids();

        pool.close();

        assertEquals(ErrorType.SHUTDOWN, running.await().failed().type());
        assertEquals("service is shutting down", running.failed().getMessage());
        assertEquals(ErrorType.SHUTDOWN, queued.await().failed().type());
        assertTrue(pids.stream().allMatch(TestWorkers::gone), "workers left: " + pids);
        assertEquals(0, pool.stats().alive());
        assertTrue(Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.isAlive() && t.getName().startsWith("harpd-worker")), "pool threads left");

        RecordingSink late = new RecordingSink();
        pool.submit(job("echo"), late);
        assertEquals(ErrorType.SHUTDOWN, late.await().failed().type());
    }

    @Test
    void anIdleSwitchedWorkerIsRetiredAfterTheIdleTimeoutAndThePoolShrinksToItsSpares() throws Exception {
        pool = new WorkerPool(TestWorkers.settings(TestWorkers.procedures(dir, "# fake\n"),
                b -> b.isolation(Isolation.SHARED).spare(1).max(4).queue(4).maxCalls(100)
                        .idleTimeout(Duration.ofSeconds(1))));
        await("a spare worker", () -> pool.stats().ready() == 1);
        long used = run(job("counter")).completedJson().path("result").path("pid").asLong();
        long answered = System.nanoTime();
        // The new spare may take longer to boot than the idle timeout on a loaded machine, so the order of
        // "spare ready" and "used worker retired" is not fixed; what is: not retired before its idle timeout.
        await("the used worker retired", () -> gone(used));
        assertTrue(System.nanoTime() - answered >= Duration.ofSeconds(1).toNanos(), "retired before its idle timeout");
        await("back to one spare", () -> pool.stats().alive() == 1 && pool.stats().ready() == 1);
        long spare = pool.workerPids().get(0);
        assertTrue(spare != used, "the spare stays: " + spare);
        Thread.sleep(1500);
        assertEquals(List.of(spare), pool.workerPids(), "never below spare");
    }

    /** The message of the first boot failure of a pool whose fake procedures file is {@code procedures}. */
    private String bootFailure(String procedures) throws Exception {
        pool = new WorkerPool(TestWorkers.settings(TestWorkers.procedures(dir, procedures), 1, 1, 2));
        return assertThrows(WorkerStartException.class, () -> pool.awaitReady(TestWorkers.LONG_ENOUGH)).getMessage();
    }

    @Test
    void workerThatCannotLoadReportsItsMessage() throws Exception {
        assertEquals("procedures.py line 3: SyntaxError", bootFailure("fail: procedures.py line 3: SyntaxError\n"));

        RecordingSink sink = run(job("echo"));
        assertEquals(ErrorType.SYSTEM_ERROR, sink.failed().type());
        assertTrue(sink.failed().getMessage().contains("procedures.py line 3: SyntaxError"), sink.failed().getMessage());
    }

    @Test
    void theCallPathIsWarmedBeforeTheWorkerReportsReady() throws Exception {
        pool = new WorkerPool(TestWorkers.settings(TestWorkers.procedures(dir, "# fake\n"), 1, 1, 2));
        assertTrue(pool.awaitReady(TestWorkers.LONG_ENOUGH));

        RecordingSink sink = run(job("counter"));
        // positional and keyword arguments, once each, before this first call
        assertEquals(2, sink.completedJson().path("result").path("warmUps").asInt());
    }

    @Test
    void workerWhoseWarmUpFailsDoesNotBecomeReady() throws Exception {
        String failure = bootFailure("# fake\nwarm-up: fail\n");
        assertTrue(failure.startsWith("the warm-up call ended with {\"exception\""), failure);
        assertTrue(failure.contains("warm-up refused"), failure);
    }
}
