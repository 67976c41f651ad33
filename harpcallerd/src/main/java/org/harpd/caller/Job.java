package org.harpd.caller;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A job this dispatcher holds in memory: queued or running. Finished jobs live only in the store.
 * {@code ended} and {@code packets} are guarded by the object's monitor: the harpd connection's event
 * loop and the dispatcher thread both may end a job, and only the first end counts.
 */
final class Job {
    final String id;
    final long seq;
    final String host;
    final String procedure;
    final JsonNode arguments;
    final int timeoutSeconds;
    final int maxExecSeconds;
    /** Canonical JSON of the queue name, or null. */
    final String queueKey;
    final int concurrency;
    final long submitMs;
    /** The submitting client's name with client authentication, else null. */
    final String client;

    /** Set on the dispatcher thread when the job is started. */
    HarpdCall call;
    boolean started;
    /** The value of {@link #startNanos} until the job starts. */
    static final long NOT_STARTED = Long.MIN_VALUE;
    /** {@link System#nanoTime()} when the job started on harpd, for its running time. */
    volatile long startNanos = NOT_STARTED;
    private boolean ended;
    private int packets;
    private long stored;

    Job(String id, long seq, String host, String procedure, JsonNode arguments, int timeoutSeconds,
        int maxExecSeconds, String queueKey, int concurrency, long submitMs, String client) {
        this.id = id;
        this.seq = seq;
        this.host = host;
        this.procedure = procedure;
        this.arguments = arguments;
        this.timeoutSeconds = timeoutSeconds;
        this.maxExecSeconds = maxExecSeconds;
        this.queueKey = queueKey;
        this.concurrency = concurrency;
        this.submitMs = submitMs;
        this.client = client;
    }

    /** @return the size of the job's stream packets and result with {@code bytes} more, for max_job_bytes */
    synchronized long addStored(long bytes) {
        stored += bytes;
        return stored;
    }

    /** @return false if the job had already ended */
    synchronized boolean markEnded() {
        if (ended) {
            return false;
        }
        ended = true;
        return true;
    }

    synchronized boolean ended() {
        return ended;
    }

    /** @return the next packet number, or -1 once the job has ended */
    synchronized int nextPacket() {
        return ended ? -1 : packets++;
    }
}
