package org.harpd.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.harpd.protocol.Json;

/**
 * How the dispatcher runs a job: its queue, time limits and the opaque {@code info} stored with it. Options left
 * unset are not sent, so the dispatcher's defaults apply. Immutable; each setter returns a copy.
 *
 * <pre>
 * JobOptions options = JobOptions.none().queue(Map.of("service", "nginx")).concurrency(2).maxExecTime(60);
 * </pre>
 */
public final class JobOptions {
    private final JsonNode queue;
    private final Integer concurrency;
    private final Long timeout;
    private final Long maxExecTime;
    private final JsonNode info;
    private final boolean infoSet;

    private JobOptions(JsonNode queue, Integer concurrency, Long timeout, Long maxExecTime, JsonNode info,
            boolean infoSet) {
        this.queue = queue;
        this.concurrency = concurrency;
        this.timeout = timeout;
        this.maxExecTime = maxExecTime;
        this.info = info;
        this.infoSet = infoSet;
    }

    /** No options: the dispatcher's defaults, no queue. */
    public static JobOptions none() {
        return new JobOptions(null, null, null, null, null, false);
    }

    /**
     * The queue to wait in, named by a JSON object (equal objects name the same queue); converted as Jackson
     * converts Java values ({@link JsonNode}s pass as they are).
     */
    public JobOptions queue(Object name) {
        JsonNode node = Json.MAPPER.valueToTree(name);
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("a queue is named by a JSON object, not " + node);
        }
        return new JobOptions(node, concurrency, timeout, maxExecTime, info, infoSet);
    }

    /** How many of the queue's jobs run at once (the dispatcher's default is 1); sent only with a queue. */
    public JobOptions concurrency(int jobs) {
        if (jobs < 1) {
            throw new IllegalArgumentException("concurrency must be positive: " + jobs);
        }
        return new JobOptions(queue, jobs, timeout, maxExecTime, info, infoSet);
    }

    /** Longest time in seconds between two messages from the procedure. */
    public JobOptions timeout(long seconds) {
        return new JobOptions(queue, concurrency, positive("timeout", seconds), maxExecTime, info, infoSet);
    }

    /** Longest time in seconds the whole job may take (the dispatcher never allows more than its maximum). */
    public JobOptions maxExecTime(long seconds) {
        return new JobOptions(queue, concurrency, timeout, positive("max_exec_time", seconds), info, infoSet);
    }

    /** Any JSON value, stored with the job and given back by {@link JobStatus#info()}. */
    public JobOptions info(Object value) {
        return new JobOptions(queue, concurrency, timeout, maxExecTime, Json.MAPPER.valueToTree(value), true);
    }

    /** Adds the options that were set to a call request. */
    void addTo(ObjectNode request) {
        if (queue != null) {
            ObjectNode q = request.putObject("queue");
            q.set("name", queue);
            if (concurrency != null) {
                q.put("concurrency", concurrency);
            }
        }
        if (timeout != null) {
            request.put("timeout", timeout);
        }
        if (maxExecTime != null) {
            request.put("max_exec_time", maxExecTime);
        }
        if (infoSet) {
            request.set("info", info == null ? Json.MAPPER.nullNode() : info);
        }
    }

    private static long positive(String name, long seconds) {
        if (seconds < 1) {
            throw new IllegalArgumentException(name + " must be positive: " + seconds);
        }
        return seconds;
    }
}
