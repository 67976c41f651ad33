package org.harpd.caller;

import java.util.Iterator;
import java.util.LinkedHashSet;

/**
 * A queue's waiting jobs in submission order. Removing a job from the middle (a cancel) takes constant time, so that
 * cancelling a whole queue of n jobs takes time linear in n, whichever order the cancels come in. Jobs are compared
 * by identity: a job is held once, as the object the dispatcher enqueued.
 */
final class WaitingJobs {
    private final LinkedHashSet<Job> jobs = new LinkedHashSet<>();

    void add(Job job) {
        jobs.add(job);
    }

    /** The oldest waiting job, or null. */
    Job peek() {
        Iterator<Job> it = jobs.iterator();
        return it.hasNext() ? it.next() : null;
    }

    /** Takes the oldest waiting job out, or gives null. */
    Job poll() {
        Iterator<Job> it = jobs.iterator();
        if (!it.hasNext()) {
            return null;
        }
        Job head = it.next();
        it.remove();
        return head;
    }

    /** Takes a job out wherever it is; false if it was not waiting. */
    boolean remove(Job job) {
        return jobs.remove(job);
    }

    boolean isEmpty() {
        return jobs.isEmpty();
    }

    int size() {
        return jobs.size();
    }
}
