package org.harpd.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.harpd.protocol.ErrorType;
import org.harpd.workerprotocol.WorkerProtocol;
import org.junit.jupiter.api.Test;

/**
 * The listener's side of the worker pipe against a worker it cannot trust: a shell script that speaks the protocol
 * and then breaks it the way code running inside a call could (lines without the call's id, for another call,
 * a ready before the answer, a second answer, a message between calls). Whatever it sends, no line reaches a
 * client unless it is the call's own, and a worker that breaks the protocol is killed with its call failed.
 */
class WorkerPipeProtocolTest {
    /**
     * Says ready, reads one call, takes its id as an honest worker would, then sends {@code $1} (with {@code ID}
     * replaced by the call's id), then waits for the listener to end it. Its pid is the shell's.
     */
    private static final String FAKE_WORKER = """
            printf '{"ready": {"pid": %d}}\\n' $$
            IFS= read -r line
            id=$(printf '%s' "$line" | sed 's/.*"id": "\\([0-9a-f]*\\)".*/\\1/')
            printf '%b' "$1" | sed "s/ID/$id/g"
            exec sleep 600
            """;

    @Test
    void theCallsOwnLinesReachTheClientAndItsReadyMakesTheWorkerReadyAgain() throws Exception {
        Run run = run("ID {\"stream\": 1}\\nID {\"result\": 2}\\nID {\"ready\": {\"pid\": 1}}\\n",
                WorkerProtocol.After.RELOAD);
        run.sink.await();
        assertEquals(List.of("{\"stream\": 1}\n"), run.sink.streamed());
        assertEquals("{\"result\": 2}\n", run.sink.completed());
        run.events.awaitReadyCount(2);
        assertEquals(Worker.State.READY, run.worker.state());
        run.worker.kill();
    }

    @Test
    void aLineWithoutTheCallsIdKillsTheWorkerAndFailsTheCall() throws Exception {
        assertBroken("{\"result\": \"forged\"}\\n{\"ready\": {\"pid\": 1}}\\n", List.of());
    }

    @Test
    void aLineForAnotherCallKillsTheWorkerAndFailsTheCall() throws Exception {
        assertBroken("0123456789abcdef {\"result\": \"forged\"}\\n", List.of());
    }

    @Test
    void readyBeforeTheAnswerKillsTheWorkerAndFailsTheCall() throws Exception {
        assertBroken("ID {\"stream\": 1}\\nID {\"ready\": {\"pid\": 1}}\\nID {\"result\": 2}\\n",
                List.of("{\"stream\": 1}\n"));
    }

    @Test
    void aSecondAnswerKillsTheWorkerAndNeverReachesAClient() throws Exception {
        Run run = run("ID {\"result\": 1}\\nID {\"result\": 2}\\nID {\"ready\": {\"pid\": 1}}\\n",
                WorkerProtocol.After.RELOAD);
        assertEquals("{\"result\": 1}\n", run.sink.await().completed());
        run.events.awaitExit();
        assertTrue(run.sink.contractKept());
        assertEquals(1, run.events.readyCount(), "never ready again");
    }

    @Test
    void aMessageBetweenCallsKillsTheWorker() throws Exception {
        Run run = run("ID {\"result\": 1}\\nID {\"ready\": {\"pid\": 1}}\\nID {\"stream\": 3}\\n",
                WorkerProtocol.After.RELOAD);
        assertEquals("{\"result\": 1}\n", run.sink.await().completed());
        run.events.awaitExit();
        assertEquals(List.of(), run.sink.streamed());
    }

    @Test
    void readyAfterACallItWasToldToExitAfterKillsTheWorker() throws Exception {
        Run run = run("ID {\"result\": 1}\\nID {\"ready\": {\"pid\": 1}}\\n", WorkerProtocol.After.EXIT);
        assertEquals("{\"result\": 1}\n", run.sink.await().completed());
        run.events.awaitExit();
        assertEquals(1, run.events.readyCount());
    }

    private static void assertBroken(String script, List<String> streamedFirst) throws Exception {
        Run run = run(script, WorkerProtocol.After.RELOAD);
        run.sink.await();
        assertEquals(ErrorType.SYSTEM_ERROR, run.sink.failed().type());
        assertEquals("worker broke the protocol", run.sink.failed().getMessage());
        assertEquals(streamedFirst, run.sink.streamed());
        run.events.awaitExit();
        assertEquals(1, run.events.readyCount(), "never ready again");
        assertTrue(run.sink.contractKept());
    }

    private record Run(Worker worker, RecordingSink sink, Events events) {
    }

    private static Run run(String lines, WorkerProtocol.After after) throws Exception {
        Events events = new Events();
        // sh -c SCRIPT NAME LINES -cp ... : the worker command's tail becomes the script's further arguments
        WorkerCommand command = new WorkerCommand("/bin/sh", List.of("-c", FAKE_WORKER, "fake-worker", lines),
                "unused", "unused", List.of());
        Worker worker = Worker.spawn(command, events);
        worker.startReading();
        events.awaitReadyCount(1);
        RecordingSink sink = new RecordingSink();
        PooledCall call = new PooledCall(TestWorkers.job("f"), sink, (c, w) -> { });
        call.attach(worker);
        worker.begin(call, after);
        return new Run(worker, sink, events);
    }

    private static final class Events implements Worker.Events {
        private final List<Worker> ready = new CopyOnWriteArrayList<>();
        private final CountDownLatch exited = new CountDownLatch(1);

        @Override
        public void ready(Worker worker) {
            ready.add(worker);
        }

        @Override
        public void bootFailed(Worker worker, String message) {
        }

        @Override
        public void callFinished(Worker worker) {
        }

        @Override
        public void exited(Worker worker, int status, Worker.State lastState) {
            exited.countDown();
        }

        int readyCount() {
            return ready.size();
        }

        void awaitReadyCount(int count) throws InterruptedException {
            TestWorkers.await("ready " + count + " time(s)", () -> ready.size() >= count);
        }

        void awaitExit() throws InterruptedException {
            if (!exited.await(Duration.ofSeconds(30).toSeconds(), TimeUnit.SECONDS)) {
                throw new AssertionError("the worker was not killed");
            }
        }
    }
}
