package org.harpd.metrics;

import java.util.function.Supplier;
import org.harpd.pool.PoolStats;

/**
 * What the listener tells about its work, as it happens: the one place the server, the authentication path and the
 * worker pool report to, so that none of them knows how (or whether) it is measured. {@link #NONE} when harpd.conf
 * has no {@code metrics:} section.
 *
 * <p>Label values must stay few: procedure names are those of the procedures file (a name a client made up is
 * reported as {@link #UNKNOWN_PROCEDURE}), outcomes and reasons are fixed words; never a user or a client address.
 * Calls are made from event loops, authentication threads and the pool's threads: implementations are thread-safe
 * and never block.
 */
public interface Metrics {
    /** Reports nothing. */
    Metrics NONE = new Metrics() {
    };

    /** The procedure label of a name the procedures file does not have. */
    String UNKNOWN_PROCEDURE = "(unknown)";

    /** A call's outcome: the final line was a result. */
    String RESULT = "result";
    /** A call's outcome: the procedure raised an exception. */
    String EXCEPTION = "exception";
    /** A call's outcome: the client left before the end. */
    String CANCELLED = "cancelled";

    /** A TCP connection was accepted (whether served or refused as too many). */
    default void connectionOpened() {
    }

    /** A connection {@linkplain #connectionOpened() accepted} was closed. */
    default void connectionClosed() {
    }

    /** The authentication module said no, or failed. */
    default void authenticationFailed() {
    }

    /** Too many failures from one address: it is backed off. */
    default void backOffStarted() {
    }

    /** A request from a backed-off address was refused without asking the authentication module. */
    default void backedOffRequest() {
    }

    /** An authenticated user may not call {@code procedure}. */
    default void forbidden(String procedure) {
    }

    /**
     * A call the listener acknowledged ended.
     *
     * @param outcome {@link #RESULT}, {@link #EXCEPTION}, {@link #CANCELLED} or the wire name of the error type
     * @param nanos   from the acknowledgement to the final line
     */
    default void callEnded(String procedure, String outcome, long nanos) {
    }

    /** A call waited {@code nanos} between its submission and its hand-over to a worker. */
    default void queueWait(long nanos) {
    }

    /** A worker JVM was started. */
    default void workerStarted() {
    }

    /** A worker was told to reset its interpreter after its call ({@code interpreter} isolation). */
    default void workerReset() {
    }

    /** A worker left the pool, for {@code reason} (a fixed word, see docs/operator-features.md, Metrics). */
    default void workerRetired(String reason) {
    }

    /** Where to read the pool's workers by state and its queue depth, at each scrape. */
    default void watchPool(Supplier<PoolStats> stats) {
    }
}
