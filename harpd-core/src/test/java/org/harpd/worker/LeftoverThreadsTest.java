package org.harpd.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** The check after each call that decides whether a call left threads behind and the worker must go. */
class LeftoverThreadsTest {
    @Test
    void countsNonDaemonThreadsAnywhereButNotDaemonsOrTheCaller() throws Exception {
        int baseline = WorkerProcessMain.userThreadsRunning();
        CountDownLatch release = new CountDownLatch(1);
        Thread daemon = waiting(release, true, null);
        assertEquals(baseline, WorkerProcessMain.userThreadsRunning(), "a daemon thread does not count");

        ThreadGroup nested = new ThreadGroup(new ThreadGroup("outer"), "inner");
        Thread plain = waiting(release, false, null);
        Thread inGroup = waiting(release, false, nested);
        assertEquals(baseline + 2, WorkerProcessMain.userThreadsRunning(), "non-daemon threads, in any group");

        release.countDown();
        for (Thread t : new Thread[] {daemon, plain, inGroup}) {
            t.join(10_000);
        }
        assertEquals(baseline, WorkerProcessMain.userThreadsRunning(), "finished threads do not count");
    }

    private static Thread waiting(CountDownLatch release, boolean daemon, ThreadGroup group) {
        Thread thread = new Thread(group, () -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "leftover-test");
        thread.setDaemon(daemon);
        thread.start();
        return thread;
    }
}
