package org.harpd.pool;

import static org.harpd.pool.TestWorkers.await;
import static org.harpd.pool.TestWorkers.gone;
import static org.harpd.pool.TestWorkers.identity;
import static org.harpd.pool.TestWorkers.job;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.harpd.config.WorkersConfig.Isolation;
import org.harpd.posix.Posix;
import org.harpd.procedure.IdRef;
import org.harpd.procedure.Identity;
import org.harpd.protocol.ErrorType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Workers serving several calls: what they keep, what they reload, whom they serve and when they go. */
class IsolationTest {
    private static final Identity NOBODY = identity(IdRef.ofName("nobody"));

    @TempDir
    Path dir;

    private WorkerPool pool;

    private WorkerPool pool(Isolation isolation, int spare, int max, int maxCalls) throws Exception {
        pool = new WorkerPool(TestWorkers.settings(TestWorkers.procedures(dir, "# fake\n"), isolation, spare, max,
                maxCalls));
        return pool;
    }

    @AfterEach
    void closePool() {
        if (pool != null) {
            pool.close();
        }
    }

    private JsonNode result(CallJob job) throws InterruptedException {
        RecordingSink sink = new RecordingSink();
        pool.submit(job, sink);
        sink.await();
        sink.completed(); // a failure is reported as such
        return sink.completedJson().path("result");
    }

    /**
     * In a pool of at most {@code max} shared workers, the answer of a call as nobody, once its worker is idle
     * again (skipped where nobody cannot read this checkout).
     */
    private JsonNode idleNobodyWorker(int max) throws Exception {
        assumeTrue(Posix.geteuid() == 0, "switching users needs root");
        pool(Isolation.SHARED, 0, max, 100);
        RecordingSink sink = new RecordingSink();
        pool.submit(job("whoami", null, NOBODY), sink);
        sink.await().completed(); // a failure is reported as such
        JsonNode answer = TestWorkers.readableBySwitchedWorker(sink.completedJson());
        assertEquals("", answer.path("error").path("message").asText(), "the call as nobody answered an error");
        awaitIdle();
        return answer.path("result");
    }

    private JsonNode counter() throws InterruptedException {
        return result(job("counter"));
    }

    /** The worker comes back ready after a call; wait for it so the next call can find it idle. */
    private void awaitIdle() throws InterruptedException {
        await("an idle worker", () -> pool.stats().busy() == 0 && pool.stats().ready() >= 1);
    }

    /** {@code calls} calls of counter, each once the worker of the one before is idle again. */
    private List<JsonNode> countersInTurn(int calls) throws InterruptedException {
        List<JsonNode> answers = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            if (i > 0) {
                awaitIdle();
            }
            answers.add(counter());
        }
        return answers;
    }

    private static List<Integer> counts(List<JsonNode> answers) {
        return answers.stream().map(answer -> answer.path("counter").asInt()).toList();
    }

    /** Three calls of counter in turn, all served by one worker, count {@code counts} and load {@code loads}. */
    private void oneWorkerCounts(Isolation isolation, List<Integer> counts, int loads, String why) throws Exception {
        pool(isolation, 0, 2, 100);
        List<JsonNode> answers = countersInTurn(3);

        assertEquals(counts, counts(answers));
        assertEquals(answers.get(0).path("pid"), answers.get(2).path("pid"));
        assertEquals(loads, answers.get(2).path("loads").asInt(), why);
    }

    @Test
    void sharedKeepsModuleStateBetweenCallsInOneWorker() throws Exception {
        oneWorkerCounts(Isolation.SHARED, List.of(1, 2, 3), 1, "module loaded once per worker");
    }

    @Test
    void interpreterLoadsAFreshModuleForEveryCallInOneWorker() throws Exception {
        oneWorkerCounts(Isolation.INTERPRETER, List.of(1, 1, 1), 3, "one load per call");
    }

    @Test
    void aProcedureWithItsOwnIsolationHasWorkersOfItsOwn() throws Exception {
        PoolSettings daemon = TestWorkers.settings(TestWorkers.procedures(dir, "# fake\n"), Isolation.PROCESS, 1, 4,
                100);
        pool = new WorkerPool(TestWorkers.with(daemon,
                b -> b.procedureIsolation(Map.of("counter", Isolation.SHARED))));
        List<JsonNode> firstTwo = countersInTurn(2);
        awaitIdle();
        // same identity, and the shared worker is idle: still, a process-level call gets a fresh worker each time
        long whoFirst = result(job("whoami")).path("pid").asLong();
        long whoSecond = result(job("whoami")).path("pid").asLong();
        awaitIdle();
        JsonNode third = counter();

        JsonNode first = firstTwo.get(0);
        assertEquals(List.of(1, 2, 3), counts(List.of(first, firstTwo.get(1), third)),
                "the shared procedure keeps its module state");
        assertEquals(first.path("pid"), third.path("pid"));
        assertNotEquals(first.path("pid").asLong(), whoFirst);
        assertNotEquals(first.path("pid").asLong(), whoSecond);
        assertNotEquals(whoFirst, whoSecond);
    }

    @Test
    void sharedCallsBackToBackWaitForTheirWorkerInsteadOfTakingSpares() throws Exception {
        pool(Isolation.SHARED, 2, 4, 100);
        assertTrue(pool.awaitReady(TestWorkers.LONG_ENOUGH));
        List<Long> pids = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            // the next call goes in as soon as the answer is out, while the worker has not yet said it is ready
            JsonNode answer = counter();
            assertEquals(i, answer.path("counter").asInt());
            pids.add(answer.path("pid").asLong());
        }
        assertEquals(1, pids.stream().distinct().count(), "one worker served all: " + pids);
    }

    @Test
    void aCallWaitingForAWorkerThatExitsInsteadGoesToASpare() throws Exception {
        pool(Isolation.SHARED, 2, 4, 100);
        await("both spares ready", () -> pool.stats().ready() == 2);
        List<Long> spares = pool.workerPids();
        long leaver = result(job("leave_thread")).asLong(); // answers, then exits: it left a thread running
        // Either spare may take the next call: the original other one, or the one booted to replace the spare the
        // first call took, if it is ready by then. What must not happen is a worker started for this call.
        List<Long> present = new ArrayList<>(pool.workerPids());
        present.addAll(spares);
        long next = counter().path("pid").asLong();

        assertNotEquals(leaver, next);
        assertTrue(present.contains(next), "served by a spare present when the call came " + present
                + ", not a new worker: " + next);
    }

    @Test
    void interpreterCallsBackToBackWaitForTheirResettingWorker() throws Exception {
        // a call waits for its worker while the wait is expected shorter than a boot (about half a second here)
        pool(Isolation.INTERPRETER, 2, 4, 100);
        await("both spares ready", () -> pool.stats().ready() == 2);
        long first = counter().path("pid").asLong();
        awaitIdle(); // its first reset is timed: later calls know when to expect it back
        List<Long> pids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            JsonNode answer = counter(); // goes in while the worker is still resetting after the previous one
            assertEquals(1, answer.path("counter").asInt(), "a fresh interpreter every call");
            pids.add(answer.path("pid").asLong());
        }
        assertEquals(List.of(first, first, first, first, first), pids);
    }

    @Test
    void aCallWaitingForAResetThatRunsLateGoesToASpare() throws Exception {
        pool(Isolation.INTERPRETER, 2, 4, 100);
        await("both spares ready", () -> pool.stats().ready() == 2);
        List<Long> spares = pool.workerPids();
        long slow = counter().path("pid").asLong();
        awaitIdle(); // a quick first reset: the next call will expect this worker back soon
        // A reset that outlasts the test: the call must go to a spare once the worker is late by a boot's time,
        // however long a boot takes on this machine now (a reset of a few seconds is shorter than a boot under load,
        // and waiting it out is then the right choice).
        assertEquals(slow, result(job("reload_slowly", 3600)).asLong());
        // Either spare may take it: the original other one, or the one booted to replace the worker the first call
        // took. What must not happen is waiting out the reset, or a worker started for this call.
        List<Long> present = new java.util.ArrayList<>(pool.workerPids());
        present.addAll(spares);
        long next = counter().path("pid").asLong();

        assertNotEquals(slow, next, "did not wait out the reset");
        assertTrue(present.contains(next), "served by a spare present when the call came " + present
                + ", not a worker started for it: " + next);
    }

    @Test
    void processServesOneCallPerWorker() throws Exception {
        pool(Isolation.PROCESS, 0, 2, 100);
        JsonNode first = counter();
        JsonNode second = counter();
        assertNotEquals(first.path("pid"), second.path("pid"));
        assertEquals(1, second.path("counter").asInt());
    }

    @Test
    void maxCallsRetiresTheWorker() throws Exception {
        pool(Isolation.SHARED, 0, 2, 2);
        JsonNode first = counter();
        awaitIdle();
        JsonNode second = counter();
        await("first worker gone", () -> gone(first.path("pid").asLong()));
        JsonNode third = counter();

        assertEquals(first.path("pid"), second.path("pid"));
        assertNotEquals(first.path("pid"), third.path("pid"));
        assertEquals(1, third.path("counter").asInt());
    }

    @Test
    void aCallThatLeavesAThreadRunningGetsItsAnswerAndTheWorkerIsReplaced() throws Exception {
        pool(Isolation.SHARED, 0, 2, 100);
        long leaver = result(job("leave_thread")).asLong();
        await("worker that left a thread gone", () -> gone(leaver));
        JsonNode next = counter();
        assertNotEquals(leaver, next.path("pid").asLong());
        assertEquals(1, next.path("counter").asInt());
    }

    /** The worker of a first call, and the ended sink of {@code job}, sent to it once it is idle again. */
    private record AfterACounter(long worker, RecordingSink call) {
    }

    /** In a pool of shared workers: a counter call, then {@code job} on the same worker. */
    private AfterACounter afterACounter(CallJob job) throws Exception {
        // a short timeout grace: the fake worker ignores the timeout it is told of, so it goes when the grace is over
        pool = new WorkerPool(TestWorkers.settings(TestWorkers.procedures(dir, "# fake\n"),
                b -> b.isolation(Isolation.SHARED).spare(0).max(2).queue(4).maxCalls(100)
                        .timeoutGrace(Duration.ofMillis(200))));
        long worker = counter().path("pid").asLong();
        awaitIdle();
        RecordingSink sink = new RecordingSink();
        pool.submit(job, sink);
        return new AfterACounter(worker, sink.await());
    }

    @Test
    void timeoutInSharedKillsTheWorkerAndTheNextCallGetsAFreshOne() throws Exception {
        AfterACounter hung = afterACounter(job("sleep", Duration.ofMillis(500), Identity.UNCHANGED, 60));
        long before = hung.worker();
        assertEquals(ErrorType.TIMEOUT, hung.call().failed().type());
        await("timed-out worker gone", () -> gone(before));

        JsonNode after = counter();
        assertNotEquals(before, after.path("pid").asLong());
        assertEquals(1, after.path("counter").asInt());
    }

    @Test
    void crashInSharedIsSystemErrorAndTheWorkerIsReplaced() throws Exception {
        AfterACounter first = afterACounter(job("crash"));
        long before = first.worker();
        RecordingSink crash = first.call();
        assertEquals(ErrorType.SYSTEM_ERROR, crash.failed().type());
        assertEquals(before, crash.failed().data().path("pid").asLong());

        JsonNode after = counter();
        assertNotEquals(before, after.path("pid").asLong());
    }

    @Test
    void eachIdentityHasItsOwnWorkersAndASwitchedWorkerNeverServesAnother() throws Exception {
        JsonNode nobody = idleNobodyWorker(4);
        JsonNode root = result(job("whoami", null, Identity.UNCHANGED));
        awaitIdle();
        JsonNode nobodyAgain = result(job("whoami", null, NOBODY));
        awaitIdle();
        JsonNode rootAgain = result(job("whoami", null, Identity.UNCHANGED));

        assertEquals(65534, nobody.path("uid").asInt());
        assertEquals(0, root.path("uid").asInt());
        assertEquals(0, rootAgain.path("uid").asInt());
        assertNotEquals(nobody.path("pid"), root.path("pid"));
        assertEquals(nobody.path("pid"), nobodyAgain.path("pid"), "a nobody call goes to the nobody worker");
        assertEquals(root.path("pid"), rootAgain.path("pid"), "a root call goes to the root worker");
    }

    @Test
    void atMaxTheIdleSwitchedWorkerIsRetiredForACallOfAnotherIdentity() throws Exception {
        JsonNode nobody = idleNobodyWorker(1);

        JsonNode root = result(job("whoami", null, Identity.UNCHANGED));

        assertEquals(0, root.path("uid").asInt());
        assertNotEquals(nobody.path("pid"), root.path("pid"));
        await("the nobody worker gone", () -> gone(nobody.path("pid").asLong()));
    }

    @Test
    void aWorkerThatCannotReadItsClassPathAfterSwitchingSaysWhichEntryAtOnce() throws Exception {
        assumeTrue(Posix.geteuid() == 0, "switching users needs root");
        Path closed = Files.createDirectories(dir.resolve("closed"));
        // first on the class path: the one to name, even in a checkout that nobody cannot read either
        Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("rwx------"));
        PoolSettings daemon = TestWorkers.settings(TestWorkers.procedures(dir, "# fake\n"), Isolation.SHARED, 0, 1,
                100);
        WorkerCommand command = daemon.command();
        pool = new WorkerPool(new PoolSettings(new WorkerCommand(command.java(), command.jvmOptions(),
                closed + File.pathSeparator + command.classpath(), command.mainClass(), command.args(),
                command.checkedOptions()), daemon.workers()));

        RecordingSink sink = new RecordingSink();
        pool.submit(job("whoami", null, NOBODY), sink);
        sink.await().completed();
        JsonNode error = sink.completedJson().path("error");

        assertEquals("system_error", error.path("type").asText(), sink.completed());
        assertTrue(error.path("message").asText().contains("cannot read " + closed + " (permission denied)"),
                sink.completed());
    }
}
