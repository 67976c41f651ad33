package org.harpd.caller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A queue's waiting jobs: submission order kept through cancels from anywhere in the queue. */
class WaitingJobsTest {
    private static Job job(int n) {
        return new Job("job-" + n, n, "host", "proc", null, 60, 60, "\"q\"", 1, 0L, null);
    }

    /** Jobs job-0 to job-(n-1), queued in that order. */
    private static List<Job> fill(WaitingJobs waiting, int n) {
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            jobs.add(job(i));
            waiting.add(jobs.get(i));
        }
        return jobs;
    }

    private static List<String> drain(WaitingJobs waiting) {
        List<String> ids = new ArrayList<>();
        for (Job j = waiting.poll(); j != null; j = waiting.poll()) {
            ids.add(j.id);
        }
        return ids;
    }

    @Test
    void cancelsFromTheTailFirstLeaveTheRestInOrder() {
        WaitingJobs waiting = new WaitingJobs();
        List<Job> jobs = fill(waiting, 10);
        // a bulk queue-cancel goes latest first
        for (int i = 9; i >= 0; i--) {
            if (i % 3 != 0) {
                assertTrue(waiting.remove(jobs.get(i)));
            }
        }
        assertSame(jobs.get(0), waiting.peek());
        assertEquals(4, waiting.size());
        assertEquals(List.of("job-0", "job-3", "job-6", "job-9"), drain(waiting));
        assertTrue(waiting.isEmpty());
        assertNull(waiting.peek());
        assertNull(waiting.poll());
    }

    @Test
    void cancellingTheHeadMakesTheNextOneTheHead() {
        WaitingJobs waiting = new WaitingJobs();
        Job a = job(1);
        Job b = job(2);
        waiting.add(a);
        waiting.add(b);
        assertTrue(waiting.remove(a));
        assertSame(b, waiting.peek());
        assertFalse(waiting.remove(a), "a job no longer waiting is not removed twice");
        assertSame(b, waiting.poll());
        assertTrue(waiting.isEmpty());
    }

    @Test
    void aWholeQueueCancelledLatestFirstEmptiesIt() {
        WaitingJobs waiting = new WaitingJobs();
        List<Job> jobs = fill(waiting, 10_000);
        for (int i = jobs.size() - 1; i >= 0; i--) {
            assertTrue(waiting.remove(jobs.get(i)));
        }
        assertTrue(waiting.isEmpty());
    }
}
