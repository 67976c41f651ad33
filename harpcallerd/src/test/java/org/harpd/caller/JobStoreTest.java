package org.harpd.caller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store's named operations on a real SQLite file (one store for the class; each test uses its own jobs). */
class JobStoreTest {
    private static final String OWNER = "here";

    @TempDir
    static Path dir;
    private static JobStore store;
    private static long seq;

    @BeforeAll
    static void open() throws Exception {
        Path toml = dir.resolve("harpcaller.toml");
        Files.writeString(toml, "stream_directory = \"" + dir + "\"\n[database]\ninstance = \"" + OWNER
                + "\"\nsynchronous = \"normal\"\n");
        Files.setPosixFilePermissions(toml, PosixFilePermissions.fromString("rw-r-----"));
        store = JobStore.open(CallerConfig.load(toml), dir.resolve("native"));
    }

    @AfterAll
    static void close() {
        store.close();
    }

    private static Job job(String id, String queueKey, int concurrency, String client) {
        seq++;
        return new Job(id, seq, "h", "p", JsonNodeFactory.instance.arrayNode().add(seq), 10, 20, queueKey,
                concurrency, System.currentTimeMillis(), client);
    }

    private static Job stored(String id, String queueKey, int concurrency, String client) {
        Job job = job(id, queueKey, concurrency, client);
        store.insertJob(job, OWNER, job.arguments.toString(), "{\"i\":1}", "127.0.0.1:1").join();
        return job;
    }

    @Test
    void aJobFromSubmissionToItsEnd() {
        stored("life", null, 1, null);
        JobStore.JobRecord r = store.job("life", null).join();
        assertEquals("h", r.host());
        assertEquals("{\"i\":1}", r.info());
        assertNull(r.startMs());
        assertTrue(store.start("life").join());
        assertFalse(store.start("life").join(), "started once");
        assertNotNull(store.job("life", null).join().startMs());
        store.addPacket("life", 0, "\"a\"").join();
        store.addPacket("life", 1, "\"b\"").join();
        assertTrue(store.end("life", "{\"result\":3}").join());
        assertFalse(store.end("life", "{\"result\":4}").join(), "the first end counts");
        JobStore.Progress p = store.progress("life", null, 0, -1, 1000).join();
        assertTrue(p.ended());
        assertEquals("{\"result\":3}", p.outcome());
        assertEquals(List.of(new JobStore.Packet(0, "\"a\""), new JobStore.Packet(1, "\"b\"")), p.packets());
        JobStore.Progress recent = store.progress("life", null, -1, 1, 1000).join();
        assertEquals(1, recent.from());
        assertEquals(List.of(new JobStore.Packet(1, "\"b\"")), recent.packets());
        assertEquals(List.of(), store.progress("life", null, 0, -1, 0).join().packets(), "row only");
    }

    @Test
    void everyWriteIsReportedByNameBeforeItsFutureCompletes() throws Exception {
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        CallerMetrics recording = new CallerMetrics() {
            @Override
            public void storeWrite(String operation, long nanos, boolean ok) {
                seen.add(operation + (ok ? "" : " failed") + (nanos >= 0 ? "" : " negative"));
            }
        };
        Path own = Files.createDirectories(dir.resolve("metrics"));
        Path toml = own.resolve("harpcaller.toml");
        Files.writeString(toml, "stream_directory = \"" + own + "\"\n[database]\ninstance = \"" + OWNER + "\"\n");
        Files.setPosixFilePermissions(toml, PosixFilePermissions.fromString("rw-r-----"));
        try (JobStore metered = JobStore.open(CallerConfig.load(toml), own.resolve("native"), recording)) {
            Job job = job("metered", null, 1, null);
            assertEquals(List.of("insert_job"), metered.insertJob(job, OWNER, "[]", "null", "127.0.0.1:1")
                    .thenApply(x -> List.copyOf(seen)).join());
            assertThrows(java.util.concurrent.CompletionException.class,
                    () -> metered.insertJob(job, OWNER, "[]", "null", "127.0.0.1:1").join(), "the same id twice");
            metered.start("metered").join();
            metered.addPacket("metered", 0, "1").join();
            metered.end("metered", "{\"result\":1}").join();
        }
        assertEquals(List.of("insert_job", "insert_job failed", "start", "add_packet", "end"), seen);
    }

    @Test
    void anotherClientsJobIsAbsent() {
        stored("mine", null, 1, "alice");
        assertNotNull(store.job("mine", "alice").join());
        assertNull(store.job("mine", "bob").join());
        assertNull(store.progress("mine", "bob", 0, -1, 10).join());
        assertNull(store.job("nosuch", null).join());
    }

    @Test
    void aQueueLimitHoldsInTheStore() throws Exception {
        stored("q1", "\"q\"", 1, null);
        stored("q2", "\"q\"", 1, null);
        assertTrue(store.startInQueue("\"q\"", "q1", 1).join());
        assertFalse(store.startInQueue("\"q\"", "q2", 1).join(), "the queue's one slot is taken");
        assertEquals(List.of(new JobStore.QueuedJob("q1", true), new JobStore.QueuedJob("q2", false)),
                store.queueJobs("\"q\""));
        assertTrue(store.queueCounts().contains(new JobStore.QueueCount("\"q\"", 1, 1)));
        assertEquals(List.of("q2", "q1"), store.unfinishedInQueue("\"q\"").join(), "latest first");
        store.unstart("q1").join();
        assertEquals(List.of("q1", "q2"), store.queuedJobs(OWNER).stream().map(j -> j.id)
                .filter(id -> id.startsWith("q")).toList());
        store.end("q1", "{\"cancelled\":true}").join();
        assertTrue(store.startInQueue("\"q\"", "q2", 1).join(), "the slot is free once the job ended");
        assertEquals(Set.of("q1"), store.ended(List.of("q1", "q2")).join());
        store.end("q2", "{\"cancelled\":true}").join();
    }

    @Test
    void restartEndsRunningJobsAndPruneRemovesOldOnes() throws Exception {
        stored("run1", null, 1, null);
        store.start("run1").join();
        assertTrue(store.endRunning(OWNER, "{\"error\":{}}").join() >= 1);
        assertTrue(store.progress("run1", null, 0, -1, 0).join().ended());
        assertFalse(store.endElsewhere("run1", "other", null, "{\"cancelled\":true}").join(), "already ended");
        assertEquals(1, store.list(true, "run1").size());
        store.addPacket("run1", 0, "1").join();
        assertTrue(store.prune(System.currentTimeMillis() + 1000) >= 1);
        assertNull(store.job("run1", null).join());
        assertEquals(List.of(), store.list(true, "run1"));
    }
}
