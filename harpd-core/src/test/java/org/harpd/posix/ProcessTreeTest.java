package org.harpd.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProcessTreeTest {
    @Test
    void parsesStatWithAwkwardCommandNames() {
        assertEquals(new ProcessTree.Entry(42, 7, 'S'),
                ProcessTree.parse("42 (a) b (c) d) S 7 42 42 0 -1 4194560 100 0 0 0\n"));
        assertEquals(new ProcessTree.Entry(9, 1, 'Z'), ProcessTree.parse("9 (sh) Z 1 9 9 0"));
        assertNull(ProcessTree.parse("garbage"));
    }

    @Test
    void descendantsFollowParentsAcrossGenerations() {
        Map<Long, ProcessTree.Entry> all = Map.of(
                1L, new ProcessTree.Entry(1, 0, 'S'),
                10L, new ProcessTree.Entry(10, 1, 'S'),
                11L, new ProcessTree.Entry(11, 10, 'S'),
                12L, new ProcessTree.Entry(12, 11, 'Z'),
                20L, new ProcessTree.Entry(20, 1, 'S'));
        assertEquals(List.of(11L, 12L),
                ProcessTree.descendants(10, all).stream().map(ProcessTree.Entry::pid).toList());
    }

    /** A child that left the process group and session, and its own child, die with the tree. */
    @Test
    void killTreeReachesDescendantsInOtherSessions() throws Exception {
        Process shell = new ProcessBuilder("bash", "-c", "setsid bash -c 'sleep 300 & wait' & wait").start();
        try {
            Instant end = Instant.now().plusSeconds(30);
            while (ProcessTree.descendants(shell.pid()).size() < 2 && Instant.now().isBefore(end)) {
                Thread.sleep(20);
            }
            List<ProcessTree.Entry> below = ProcessTree.descendants(shell.pid());
            assertEquals(2, below.size(), below.toString()); // the setsid shell (setsid execs it) and its sleep
            ProcessTree.killTree(shell.pid());
            shell.waitFor();
            for (ProcessTree.Entry e : below) {
                awaitEnded(e.pid());
            }
        } finally {
            shell.destroyForcibly();
        }
    }

    /** What a cancelled call started dies, in another session too; the worker (the root) runs on. */
    @Test
    void killDescendantsLeavesTheRootRunning() throws Exception {
        // the root ends up as `sleep 301` (exec keeps the pid and the children), parent of the setsid shell and a sleep
        Process root = new ProcessBuilder("bash", "-c", "setsid bash -c 'sleep 300 & wait' & sleep 300 & exec sleep 301")
                .start();
        try {
            Instant end = Instant.now().plusSeconds(30);
            while (ProcessTree.descendants(root.pid()).size() < 3 && Instant.now().isBefore(end)) {
                Thread.sleep(20);
            }
            List<ProcessTree.Entry> below = ProcessTree.descendants(root.pid());
            assertEquals(3, below.size(), below.toString());
            assertTrue(ProcessTree.killDescendants(root.pid()));
            for (ProcessTree.Entry e : below) {
                awaitEnded(e.pid());
            }
            assertTrue(root.isAlive(), "the root was killed too");
        } finally {
            root.destroyForcibly();
        }
    }

    private static void awaitEnded(long pid) throws InterruptedException {
        Instant end = Instant.now().plus(Duration.ofSeconds(10));
        while (Instant.now().isBefore(end)) {
            ProcessTree.Entry e = ProcessTree.snapshot().get(pid);
            if (e == null || e.zombie()) {
                return;
            }
            Thread.sleep(20);
        }
        assertTrue(false, "process " + pid + " still alive");
    }
}
