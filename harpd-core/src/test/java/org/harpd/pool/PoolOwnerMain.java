package org.harpd.pool;

import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Collectors;

/**
 * A listener stand-in for {@link ParentDeathTest}: owns a pool with an idle and a busy worker, prints
 * {@code PIDS <pid>...} and waits to be killed.
 */
public final class PoolOwnerMain {
    public static void main(String[] args) throws Exception {
        WorkerPool pool = new WorkerPool(TestWorkers.settings(Path.of(args[0]), 2, 3, 0));
        TestWorkers.await("2 spare workers", () -> pool.stats().ready() == 2);
        pool.submit(TestWorkers.job("sleep", 300), new RecordingSink());
        TestWorkers.await("one busy and one spare", () -> pool.stats().busy() == 1 && pool.stats().ready() >= 1);
        System.out.println("PIDS " + pool.workerPids().stream().map(String::valueOf).collect(Collectors.joining(" ")));
        System.out.flush();
        Thread.sleep(Duration.ofMinutes(5).toMillis());
    }
}
