package org.harpd.caller;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.function.IntSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * What the dispatcher tells about its work, as it happens: the one place the dispatcher, the job store, the hosts
 * registry and the client port report to, so that none of them knows how (or whether) it is measured.
 * {@link #NONE} when the configuration has no {@code [metrics]} table.
 *
 * <p>Values are passed as the mechanism knows them (a queue's canonical JSON, a job's host as submitted, an
 * outcome's type): keeping label values few is the implementation's business. Calls come from event loops, the
 * dispatcher thread, the store's writer and the maintenance threads: implementations are thread-safe and never
 * block.
 */
public interface CallerMetrics {
    /** Reports nothing. */
    CallerMetrics NONE = new CallerMetrics() {
    };

    /** A job's outcome: the procedure returned. */
    String RESULT = "result";
    /** A job's outcome: the procedure raised an exception. */
    String EXCEPTION = "exception";
    /** A job's outcome: cancelled (here, or by another dispatcher on a shared store). */
    String CANCELLED = "cancelled";

    /** Queued and running jobs of one queue and host, held by this dispatcher now. */
    record JobCount(String queue, String host, int queued, int running) {
    }

    /**
     * A job was stored and its id answered.
     *
     * @param queue the queue's canonical JSON, or null for a job without a queue
     */
    default void jobSubmitted(String queue, String host) {
    }

    /** A job left its queue and started, {@code queuedMillis} after its submission. */
    default void jobStarted(String queue, String host, long queuedMillis) {
    }

    /**
     * A job ended.
     *
     * @param outcome      {@link #RESULT}, {@link #EXCEPTION}, {@link #CANCELLED} or the type of the error it ended
     *                     with ({@link #outcomeOf})
     * @param runningNanos from its start to its end; negative for a job that never started
     */
    default void jobEnded(String queue, String host, String outcome, long runningNanos) {
    }

    /**
     * A write of the job store was committed ({@code ok}) or failed, {@code nanos} after it was asked for.
     *
     * @param operation the store's name for it ({@code insert_job}, {@code add_packet}, {@code end}...)
     */
    default void storeWrite(String operation, long nanos, boolean ok) {
    }

    /** The hosts script ran: the registry was replaced ({@code ok}), or kept because the run failed. */
    default void hostsRefreshed(boolean ok) {
    }

    /** A client connection was accepted (whether served or refused). */
    default void clientConnected() {
    }

    /** A connection {@linkplain #clientConnected() accepted} was closed. */
    default void clientDisconnected() {
    }

    /** A client request was answered with an error of {@code type} instead of being served. */
    default void clientRejected(String type) {
    }

    /** Where to read the jobs held now by queue and host, at each scrape. */
    default void watchJobs(Supplier<List<JobCount>> jobs) {
    }

    /** Where to read the hosts registry at each scrape: whether a host is registered, and how many are. */
    default void watchHosts(Predicate<String> registered, IntSupplier count) {
    }

    /** The outcome a job's end message stands for. */
    static String outcomeOf(JsonNode end) {
        if (end.has("result")) {
            return RESULT;
        }
        if (end.has("exception")) {
            return EXCEPTION;
        }
        if (end.has("cancelled")) {
            return CANCELLED;
        }
        return end.path("error").path("type").asText("unrecognized");
    }
}
