package org.harpd.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * The check after each call that decides whether threads other than the worker's own run in it. Only Java
 * threads are made here: the kernel's count also moves with the test JVM's compiler threads, which a worker
 * JVM starts at boot ({@code -XX:-UseDynamicNumberOfCompilerThreads}); the count is exercised against the
 * assembled daemon.
 */
class ThreadCensusTest {
    @Test
    void aThreadStartedAfterTheCensusIsAStrangerInAnyGroupDaemonOrNot() throws Exception {
        ThreadCensus census = ThreadCensus.take();
        CountDownLatch release = new CountDownLatch(1);
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Thread inRoot = waiting(release, true, root, "escapee");
        Thread nested = waiting(release, false, new ThreadGroup(new ThreadGroup("outer"), "inner"), "nested");
        List<String> found = strangers(census);
        assertTrue(found.stream().anyMatch(f -> f.contains("\"escapee\"")), found::toString);
        assertTrue(found.stream().anyMatch(f -> f.contains("\"nested\"")), found::toString);

        release.countDown();
        inRoot.join(10_000);
        nested.join(10_000);
        assertEquals(List.of(), strangers(census), "finished threads do not count");
    }

    @Test
    void aThreadNamedLikeTheJdksReaperRunningOtherCodeIsAStranger() throws Exception {
        ThreadCensus census = ThreadCensus.take();
        CountDownLatch release = new CountDownLatch(1);
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Thread fake = waiting(release, true, root, "process reaper");
        List<String> found = strangers(census);
        release.countDown();
        fake.join(10_000);
        assertTrue(found.stream().anyMatch(f -> f.contains("\"process reaper\"")), found::toString);
    }

    @Test
    void theJdksOwnIdleReaperIsNotAStranger() throws Exception {
        ThreadCensus census = ThreadCensus.take();
        // starts the JDK's reaper thread, which stays idle for a while after the process ends
        new ProcessBuilder("true").start().waitFor();
        List<String> found = strangers(census);
        assertFalse(found.stream().anyMatch(f -> f.contains("process reaper")), found::toString);
    }

    @Test
    void pythonFramesAreToldFromJavaOnes() {
        StackTraceElement java = new StackTraceElement("java.lang.Object", "wait", null, -1);
        StackTraceElement module = new StackTraceElement("procedures$py", "f$1", "procedures.py", 3);
        StackTraceElement runtime = new StackTraceElement("org.python.core.PyObject", "__call__", null, -1);
        assertFalse(ThreadCensus.runsPython(new StackTraceElement[] {java}));
        assertTrue(ThreadCensus.runsPython(new StackTraceElement[] {java, module}));
        assertTrue(ThreadCensus.runsPython(new StackTraceElement[] {runtime, java}));
    }

    /** Java threads only: see the class comment. */
    private static List<String> strangers(ThreadCensus census) {
        return census.strangers(Thread.currentThread()).stream()
                .filter(finding -> !finding.contains("the JVM does not know of")).toList();
    }

    private static Thread waiting(CountDownLatch release, boolean daemon, ThreadGroup group, String name) {
        Thread thread = new Thread(group, () -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, name);
        thread.setDaemon(daemon);
        thread.start();
        return thread;
    }
}
