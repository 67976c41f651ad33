package org.harpd.pool;

import java.time.Duration;
import java.util.Map;
import java.util.OptionalInt;
import org.harpd.config.WorkersConfig;
import org.harpd.config.WorkersConfig.Isolation;

/**
 * Sizing of a {@link WorkerPool} (PHP-FPM's vocabulary) and how much calls share a worker.
 *
 * @param command      how to start a worker
 * @param isolation    {@code process}: one call per worker process; {@code interpreter}: up to {@code maxCalls}
 *                     calls of one identity per process, each from the state the worker booted to;
 *                     {@code shared}: up to {@code maxCalls} calls of one identity per process with module state
 *                     kept
 * @param spare        unswitched workers kept booted and idle ahead of demand
 * @param max          worker processes alive at most (booting, idle, busy and exiting together)
 * @param queue        calls allowed to wait beyond those a booting or startable worker will take;
 *                     more are refused with {@code overloaded}
 * @param maxCalls     calls one worker serves before it is replaced ({@code interpreter} and {@code shared});
 *                     empty: each level's default ({@link Isolation#defaultMaxCalls()})
 * @param startTimeout how long a worker may take to boot (or to reset after a call), and a call may
 *                     wait for one
 * @param killGrace    how long a killed (or finished) worker may take to be gone
 * @param procedureIsolation procedures whose calls have an isolation other than {@code isolation}
 * @param idleTimeout  how long a worker may stay idle before it is retired (down to {@code spare} unswitched
 *                     workers); zero: never
 * @param maxResultBytes the longest line a worker may send (newline included); a worker sending a longer one is
 *                     killed and its call fails with {@code system_error}
 * @param timeoutGrace how long a call may run on after its worker was told of the timeout, before the worker
 *                     is killed
 */
public record PoolSettings(WorkerCommand command, Isolation isolation, int spare, int max, int queue,
                           OptionalInt maxCalls, Duration startTimeout, Duration killGrace,
                           Map<String, Isolation> procedureIsolation, Duration idleTimeout, int maxResultBytes,
                           Duration timeoutGrace) {

    public PoolSettings {
        if (command == null) {
            throw new IllegalArgumentException("worker command missing");
        }
        if (isolation == null) {
            throw new IllegalArgumentException("isolation missing");
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
        if (maxCalls == null || maxCalls.orElse(1) < 1) {
            throw new IllegalArgumentException("max calls per worker must be at least 1, got " + maxCalls);
        }
        procedureIsolation = Map.copyOf(procedureIsolation);
        requirePositive(startTimeout, "start timeout");
        if (idleTimeout == null || idleTimeout.isNegative()) {
            throw new IllegalArgumentException("idle timeout must not be negative, got " + idleTimeout);
        }
        requirePositive(killGrace, "kill grace");
        requirePositive(timeoutGrace, "timeout grace");
        if (maxResultBytes < 2) {
            throw new IllegalArgumentException("max result size must allow a line, got " + maxResultBytes);
        }
    }

    /** With the default {@code timeout_grace}. */
    public PoolSettings(WorkerCommand command, Isolation isolation, int spare, int max, int queue,
                        OptionalInt maxCalls, Duration startTimeout, Duration killGrace,
                        Map<String, Isolation> procedureIsolation, Duration idleTimeout, int maxResultBytes) {
        this(command, isolation, spare, max, queue, maxCalls, startTimeout, killGrace, procedureIsolation,
                idleTimeout, maxResultBytes, WorkersConfig.DEFAULT_TIMEOUT_GRACE);
    }

    /** With the default {@code max_result_size}. */
    public PoolSettings(WorkerCommand command, Isolation isolation, int spare, int max, int queue,
                        OptionalInt maxCalls, Duration startTimeout, Duration killGrace,
                        Map<String, Isolation> procedureIsolation, Duration idleTimeout) {
        this(command, isolation, spare, max, queue, maxCalls, startTimeout, killGrace, procedureIsolation,
                idleTimeout, WorkersConfig.DEFAULT_MAX_RESULT_SIZE);
    }

    /** Every procedure with the same isolation. */
    public PoolSettings(WorkerCommand command, Isolation isolation, int spare, int max, int queue, int maxCalls,
                        Duration startTimeout, Duration killGrace) {
        this(command, isolation, spare, max, queue, OptionalInt.of(maxCalls), startTimeout, killGrace, Map.of(),
                WorkersConfig.DEFAULTS.idleTimeout());
    }

    /** The same settings with another {@code idleTimeout}. */
    public PoolSettings withIdleTimeout(Duration timeout) {
        return new PoolSettings(command, isolation, spare, max, queue, maxCalls, startTimeout, killGrace,
                procedureIsolation, timeout, maxResultBytes, timeoutGrace);
    }

    /** The same settings with another {@code maxResultBytes}. */
    public PoolSettings withMaxResultBytes(int bytes) {
        return new PoolSettings(command, isolation, spare, max, queue, maxCalls, startTimeout, killGrace,
                procedureIsolation, idleTimeout, bytes, timeoutGrace);
    }

    /** The same settings with another {@code timeoutGrace}. */
    public PoolSettings withTimeoutGrace(Duration grace) {
        return new PoolSettings(command, isolation, spare, max, queue, maxCalls, startTimeout, killGrace,
                procedureIsolation, idleTimeout, maxResultBytes, grace);
    }

    /** {@code process} isolation: one call per worker. */
    public PoolSettings(WorkerCommand command, int spare, int max, int queue, Duration startTimeout,
                        Duration killGrace) {
        this(command, Isolation.PROCESS, spare, max, queue, 1, startTimeout, killGrace);
    }

    /** Calls one worker of {@code level} serves. */
    public int maxCallsFor(Isolation level) {
        return level == Isolation.PROCESS ? 1 : maxCalls.orElse(level.defaultMaxCalls());
    }

    /** The isolation of {@code procedure}'s calls. */
    public Isolation isolationOf(String procedure) {
        return procedureIsolation.getOrDefault(procedure, isolation);
    }

    private static void requirePositive(Duration d, String what) {
        if (d == null || d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(what + " must be positive");
        }
    }
}
