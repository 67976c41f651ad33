package org.harpd.pool;

import static org.harpd.pool.TestWorkers.job;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.harpd.config.WorkersConfig.Isolation;
import org.harpd.protocol.ErrorType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A worker's line longer than the pool's limit fails its call and ends the worker instead of being buffered. */
class WorkerOutputLimitTest {
    private static final int LIMIT = 64 * 1024;

    @TempDir
    Path dir;

    private WorkerPool pool;

    @AfterEach
    void cleanUp() throws Exception {
        if (pool != null) {
            pool.close();
        }
    }

    @Test
    void resultLongerThanTheLimitIsSystemErrorAndTheWorkerIsKilled() throws Exception {
        pool = new WorkerPool(TestWorkers.settings(TestWorkers.procedures(dir, "# fake\n"),
                b -> b.isolation(Isolation.PROCESS).spare(1).max(1).queue(2).maxResultSize(LIMIT)));
        TestWorkers.await("a spare worker", () -> !pool.workerPids().isEmpty());
        long worker = pool.workerPids().get(0);

        // {"result": ["xxx..."]} and a newline: 17 bytes around the string
        RecordingSink fits = new RecordingSink();
        pool.submit(job("echo", "x".repeat(LIMIT - 17)), fits);
        assertNull(fits.await().failed(), "a line of exactly the limit passes");
        assertEquals(LIMIT, fits.completed().length());

        TestWorkers.await("the worker back or replaced", () -> pool.stats().ready() == 1);
        worker = pool.workerPids().get(0);
        RecordingSink tooLong = new RecordingSink();
        pool.submit(job("echo", "x".repeat(LIMIT - 16)), tooLong);
        assertEquals(ErrorType.SYSTEM_ERROR, tooLong.await().failed().type());
        assertTrue(tooLong.failed().getMessage().contains("longer than " + LIMIT + " bytes"),
                tooLong.failed().getMessage());
        assertEquals(LIMIT, tooLong.failed().data().path("max_result_size").asInt());
        assertTrue(tooLong.contractKept());
        long killed = worker;
        TestWorkers.await("the worker gone", () -> TestWorkers.gone(killed));

        RecordingSink after = new RecordingSink();
        pool.submit(job("echo", "still", "serving"), after);
        assertEquals("{\"result\": [\"still\", \"serving\"]}\n", after.await().completed());
    }
}
