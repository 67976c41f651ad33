package org.harpd.pool;

/**
 * A snapshot of a {@link WorkerPool}.
 *
 * @param alive   worker processes not yet reaped
 * @param booting started, not yet ready
 * @param ready   idle, waiting for a call
 * @param busy    running a call, or finished with it and exiting
 * @param queued  calls waiting for a worker
 */
public record PoolStats(int alive, int booting, int ready, int busy, int queued) {
}
