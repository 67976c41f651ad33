package org.harpd.bench;

import java.util.Map;

/**
 * CPU time spent over a phase by the listener, by its workers and by the benchmark itself, in clock ticks.
 *
 * <p>A worker's CPU is counted whatever its life: the listener waits for every worker it started (Java's
 * {@link Process} reaps its children), and the kernel then adds the worker's whole CPU time to the listener's
 * cutime + cstime. So over a phase, the workers used the growth of that sum, plus what the workers alive at the
 * end have used, minus what the workers alive at the start had used before: a worker that lived through the
 * phase counts its growth, one that exited counts from its reading at the start to its end, one born during the
 * phase counts from 0.
 *
 * @param listenerTicks user + system time of the listener
 * @param workerTicks   user + system time of its workers
 * @param clientTicks   user + system time of the benchmark's own process (clients and /proc sampling)
 */
public record CpuUse(long listenerTicks, long workerTicks, long clientTicks) {

    /**
     * The CPU clocks at one instant.
     *
     * @param listenerTicks the listener's own user + system time
     * @param reapedTicks   the listener's cutime + cstime: the whole CPU time of the workers it has reaped
     * @param workerTicks   user + system time of each worker alive, by pid
     * @param clientTicks   the benchmark's own user + system time
     */
    public record Snapshot(long listenerTicks, long reapedTicks, Map<Long, Long> workerTicks, long clientTicks) {
        long aliveWorkerTicks() {
            return workerTicks.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    public static CpuUse between(Snapshot start, Snapshot end) {
        return new CpuUse(end.listenerTicks() - start.listenerTicks(),
                end.reapedTicks() - start.reapedTicks() + end.aliveWorkerTicks() - start.aliveWorkerTicks(),
                end.clientTicks() - start.clientTicks());
    }

    /**
     * Worker CPU that went missing: the ticks that workers which exited during the phase were last seen to have
     * used in it, beyond what reaping added to the listener's cutime + cstime. Above a tick per exited worker
     * (rounding), it means workers left without being reaped by the listener and the worker figure is too low.
     *
     * @param lastSeen the last reading of every worker seen during the phase, by pid
     */
    public static long unaccountedTicks(Snapshot start, Snapshot end, Map<Long, Long> lastSeen) {
        long exited = 0;
        for (Map.Entry<Long, Long> seen : lastSeen.entrySet()) {
            if (!end.workerTicks().containsKey(seen.getKey())) {
                exited += seen.getValue() - start.workerTicks().getOrDefault(seen.getKey(), 0L);
            }
        }
        return Math.max(0, exited - (end.reapedTicks() - start.reapedTicks()));
    }

    /** Milliseconds of CPU per call, or NaN when no call succeeded. */
    public static double millisPerCall(long ticks, int calls, long ticksPerSecond) {
        return calls <= 0 ? Double.NaN : ticks * 1000.0 / ticksPerSecond / calls;
    }
}
