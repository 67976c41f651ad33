package org.harpd.pool;

import java.util.Objects;
import org.harpd.config.WorkersConfig;

/**
 * Sizing of a {@link WorkerPool} (PHP-FPM's vocabulary) and how much calls share a worker: harpd.conf's
 * {@code workers:} section, which defines and checks every value, and the command that starts a worker.
 *
 * <p>What the pool makes of the section's values:
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
 * <li>{@code maxResultSize}: the longest line a worker may send (newline included); a worker sending a longer
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
}
