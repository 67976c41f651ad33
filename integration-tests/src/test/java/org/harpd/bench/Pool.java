package org.harpd.bench;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Watches the daemon's worker pool from outside, through /proc: when it is at rest, and how long a new worker
 * takes to start.
 */
public final class Pool {
    /** A pool is at rest when its worker set and their CPU time have not changed for this long. */
    static final Duration QUIET = Duration.ofMillis(500);
    static final long SAMPLE_MILLIS = 10;

    private final long listenerPid;

    public Pool(long listenerPid) {
        this.listenerPid = listenerPid;
    }

    /**
     * How one worker started.
     *
     * @param wallSeconds from the process's start until its CPU time last grew before going quiet: an upper bound
     *                    of the time until it was ready (by at most one sample and one tick)
     * @param cpuSeconds  user + system CPU time it used to get there
     * @param rssKb       resident memory once idle
     */
    public record WorkerStart(double wallSeconds, double cpuSeconds, long rssKb) {
    }

    /** Waits until the pool is at rest; returns the idle workers, empty if it did not settle within timeout. */
    public List<Long> awaitRest(Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        List<Long> last = List.of();
        long lastCpu = -1;
        long quietSince = System.nanoTime();
        while (System.nanoTime() < end) {
            List<Long> workers = Proc.workers(listenerPid);
            long cpu = workers.stream().map(Proc::stat).mapToLong(s -> s == null ? -1 : s.cpuTicks()).sum();
            if (!workers.equals(last) || cpu != lastCpu) {
                last = workers;
                lastCpu = cpu;
                quietSince = System.nanoTime();
            } else if (!workers.isEmpty() && System.nanoTime() - quietSince >= QUIET.toNanos()) {
                return workers;
            }
            Thread.sleep(SAMPLE_MILLIS);
        }
        return List.of();
    }

    /**
     * Kills one idle worker (SIGKILL) once the pool is at rest and follows the replacement the pool starts until it
     * is quiet. Returns null when the pool does not settle or start a replacement in time.
     */
    public WorkerStart measureReplacement(Duration timeout) throws InterruptedException {
        List<Long> idle = awaitRest(timeout);
        if (idle.isEmpty()) {
            return null;
        }
        Set<Long> known = new HashSet<>(idle);
        ProcessHandle.of(idle.get(0)).ifPresent(ProcessHandle::destroyForcibly);
        long end = System.nanoTime() + timeout.toNanos();
        long replacement = -1;
        long lastCpu = -1;
        double lastChangeUptime = 0;
        long quietSince = 0;
        while (System.nanoTime() < end) {
            if (replacement < 0) {
                replacement = Proc.workers(listenerPid).stream().filter(p -> !known.contains(p)).findFirst().orElse(-1L);
            }
            if (replacement >= 0) {
                double uptime = Proc.uptimeSeconds();
                Proc.Stat stat = Proc.stat(replacement);
                if (stat == null) {
                    return null; // it died or was taken by a call: no clean measurement
                }
                if (stat.cpuTicks() != lastCpu) {
                    lastCpu = stat.cpuTicks();
                    lastChangeUptime = uptime;
                    quietSince = System.nanoTime();
                } else if (System.nanoTime() - quietSince >= QUIET.toNanos()) {
                    return new WorkerStart(lastChangeUptime - stat.startSeconds(), stat.cpuSeconds(),
                            Proc.rssKb(replacement).orElse(-1));
                }
            }
            Thread.sleep(SAMPLE_MILLIS);
        }
        return null;
    }

    /** Samples the listener's resident memory while a phase runs; {@link #close()} returns the peak in kB. */
    public PeakRss samplePeakRss() {
        return new PeakRss(listenerPid);
    }

    public static final class PeakRss implements AutoCloseable {
        private final AtomicLong peak = new AtomicLong(-1);
        private final Thread sampler;

        PeakRss(long pid) {
            sampler = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    Proc.rssKb(pid).ifPresent(kb -> peak.accumulateAndGet(kb, Math::max));
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "rss-sampler");
            sampler.setDaemon(true);
            sampler.start();
        }

        public long peakKb() {
            return peak.get();
        }

        @Override
        public void close() throws InterruptedException {
            sampler.interrupt();
            sampler.join();
        }
    }
}
