package org.harpd.worker;

import java.time.Duration;

/**
 * Sizing of a {@link WorkerPool} (PHP-FPM's vocabulary).
 *
 * @param command      how to start a worker
 * @param spare        workers kept booted and idle ahead of demand
 * @param max          worker processes alive at most (booting, idle, busy and exiting together)
 * @param queue        calls allowed to wait beyond those a booting or startable worker will take;
 *                     more are refused with {@code overloaded}
 * @param startTimeout how long a worker may take to boot, and a call may wait for one
 * @param killGrace    how long a killed (or finished) worker may take to be gone
 */
public record PoolSettings(WorkerCommand command, int spare, int max, int queue, Duration startTimeout,
                           Duration killGrace) {
    public PoolSettings {
        if (command == null) {
            throw new IllegalArgumentException("worker command missing");
        }
        if (max < 1) {
            throw new IllegalArgumentException("max workers must be at least 1, got " + max);
        }
        if (spare < 0 || spare > max) {
            throw new IllegalArgumentException("spare workers must be between 0 and max (" + max + "), got " + spare);
        }
        if (queue < 0) {
            throw new IllegalArgumentException("queue must not be negative, got " + queue);
        }
        requirePositive(startTimeout, "start timeout");
        requirePositive(killGrace, "kill grace");
    }

    private static void requirePositive(Duration d, String what) {
        if (d == null || d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(what + " must be positive");
        }
    }
}
