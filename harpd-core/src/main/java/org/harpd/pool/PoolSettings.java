package org.harpd.pool;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import org.harpd.config.WorkersConfig;
import org.harpd.config.WorkersConfig.Isolation;

/**
 * Sizing of a {@link WorkerPool} (PHP-FPM's vocabulary) and how much calls share a worker: harpd.conf's
 * {@code workers:} section, which defines and checks every value, and the command that starts a worker.
 *
 * <p>The pool reads the section through the accessors below, in its own terms:
 * <ul>
 * <li>{@code isolation}: {@code process}, one call per worker process; {@code interpreter}, up to
 *     {@code maxCalls} calls of one identity per process, each from the state the worker booted to;
 *     {@code shared}, up to {@code maxCalls} calls of one identity per process with module state kept</li>
 * <li>{@code spare}: unswitched workers kept booted and idle ahead of demand</li>
 * <li>{@code max}: worker processes alive at most (booting, idle, busy and exiting together)</li>
 * <li>{@code queue}: calls allowed to wait beyond those a booting or startable worker will take; more are
 *     refused with {@code overloaded}</li>
 * <li>{@code startTimeout}: how long a worker may take to boot (or to reset after a call), and a call may wait
 *     for one</li>
 * <li>{@code idleTimeout}: how long a worker may stay idle before it is retired (down to {@code spare}
 *     unswitched workers); zero: never</li>
 * <li>{@code maxResultBytes}: the longest line a worker may send (newline included); a worker sending a longer
 *     one is killed and its call fails with {@code system_error}</li>
 * <li>{@code timeoutGrace}: how long a call may run on after its worker was told of the timeout, before the
 *     worker is killed</li>
 * </ul>
 *
 * @param command how to start a worker
 * @param workers the {@code workers:} section
 */
public record PoolSettings(WorkerCommand command, WorkersConfig workers) {

    public PoolSettings {
        Objects.requireNonNull(command, "worker command");
        Objects.requireNonNull(workers, "workers");
    }

    /** Every other setting at harpd.conf's defaults. */
    public PoolSettings(WorkerCommand command, Isolation isolation, int spare, int max, int queue,
                        OptionalInt maxCalls, Duration startTimeout, Duration killGrace,
                        Map<String, Isolation> procedureIsolation, Duration idleTimeout) {
        this(command, new WorkersConfig(isolation, spare, max, queue, maxCalls, startTimeout, killGrace, List.of(),
                procedureIsolation, idleTimeout));
    }

    /** Every procedure with the same isolation. */
    public PoolSettings(WorkerCommand command, Isolation isolation, int spare, int max, int queue, int maxCalls,
                        Duration startTimeout, Duration killGrace) {
        this(command, isolation, spare, max, queue, OptionalInt.of(maxCalls), startTimeout, killGrace, Map.of(),
                WorkersConfig.DEFAULTS.idleTimeout());
    }

    /** The same settings with another {@code idleTimeout}. */
    public PoolSettings withIdleTimeout(Duration timeout) {
        return new PoolSettings(command, workers.withIdleTimeout(timeout));
    }

    /** The same settings with another {@code maxResultBytes}. */
    public PoolSettings withMaxResultBytes(int bytes) {
        return new PoolSettings(command, workers.withMaxResultSize(bytes));
    }

    /** The same settings with another {@code timeoutGrace}. */
    public PoolSettings withTimeoutGrace(Duration grace) {
        return new PoolSettings(command, workers.withTimeoutGrace(grace));
    }

    /** {@code process} isolation: one call per worker. */
    public PoolSettings(WorkerCommand command, int spare, int max, int queue, Duration startTimeout,
                        Duration killGrace) {
        this(command, Isolation.PROCESS, spare, max, queue, 1, startTimeout, killGrace);
    }

    public Isolation isolation() {
        return workers.isolation();
    }

    public int spare() {
        return workers.spare();
    }

    /** Unswitched workers kept once the pool is at rest ({@link WorkersConfig#REST_AFTER} without a call). */
    public int spareAtRest() {
        return workers.spareAtRest();
    }

    public int max() {
        return workers.max();
    }

    public int queue() {
        return workers.queue();
    }

    public OptionalInt maxCalls() {
        return workers.maxCalls();
    }

    public Duration startTimeout() {
        return workers.startTimeout();
    }

    public Duration killGrace() {
        return workers.killGrace();
    }

    public Map<String, Isolation> procedureIsolation() {
        return workers.procedureIsolation();
    }

    public Duration idleTimeout() {
        return workers.idleTimeout();
    }

    public int maxResultBytes() {
        return workers.maxResultSize();
    }

    public Duration timeoutGrace() {
        return workers.timeoutGrace();
    }

    /** Calls one worker of {@code level} serves. */
    public int maxCallsFor(Isolation level) {
        return workers.maxCallsFor(level);
    }

    /** The isolation of {@code procedure}'s calls. */
    public boolean shareBetweenUsers() {
        return workers.shareBetweenUsers();
    }

    public Isolation isolationOf(String procedure) {
        return workers.isolationOf(procedure);
    }
}
