package org.harpd.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Watches the daemon's worker pool from outside, through /proc: when it is at rest, how long a new worker takes
 * to start, and what a phase of load cost in CPU, worker starts and memory.
 */
public final class Pool {
    /** A pool is at rest when its worker set and their CPU time have not changed for this long. */
    static final Duration QUIET = Duration.ofMillis(500);
    /** How often {@link #awaitRest} looks: several times within {@link #QUIET}, and cheap beside a call. */
    static final long REST_SAMPLE_MILLIS = 50;
    /** How often a starting worker is looked at: the resolution of its wall time. */
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
            Thread.sleep(REST_SAMPLE_MILLIS);
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

    /**
     * What the daemon holds: its processes (listener and workers), their resident memory and their proportional
     * share of it, in kB; a process whose figure could not be read adds nothing.
     */
    public record Footprint(int processes, long rssKb, long pssKb) {
    }

    public Footprint footprint() {
        List<Long> pids = new ArrayList<>();
        pids.add(listenerPid);
        pids.addAll(Proc.workers(listenerPid));
        return new Footprint(pids.size(), pids.stream().mapToLong(pid -> Proc.rssKb(pid).orElse(0)).sum(),
                pids.stream().mapToLong(pid -> Proc.pssKb(pid).orElse(0)).sum());
    }

    /**
     * Starts measuring a phase: the CPU clocks now, then, every {@link Meter#POLL_MILLIS}, the listener's children
     * (to count worker starts and to see the CPU of workers that exit) and its resident memory.
     */
    public Meter meter() {
        return new Meter(listenerPid);
    }

    /** The CPU clocks of the listener, its workers and this process, read as of one instant. */
    static CpuUse.Snapshot snapshot(long listenerPid) {
        long self = ProcessHandle.current().pid();
        for (int attempt = 0; ; attempt++) {
            Proc.Stat before = Proc.stat(listenerPid);
            if (before == null) {
                throw new IllegalStateException("the listener has gone");
            }
            Map<Long, Long> workers = new TreeMap<>();
            for (long pid : Proc.children(listenerPid)) {
                Proc.Stat stat = Proc.stat(pid);
                if (stat != null) {
                    workers.put(pid, stat.cpuTicks());
                }
            }
            Proc.Stat after = Proc.stat(listenerPid);
            // a worker reaped between the two readings of the listener would be counted in both cutime and its
            // own reading, or in neither: read again
            if (after != null && (after.reapedTicks() == before.reapedTicks() || attempt >= 10)) {
                Proc.Stat client = Proc.stat(self);
                return new CpuUse.Snapshot(after.cpuTicks(), after.reapedTicks(), workers,
                        client == null ? 0 : client.cpuTicks());
            }
        }
    }

    /**
     * What a phase cost, from {@link #meter()} to {@link Meter#close()}.
     *
     * @param cpu              CPU time of listener and workers over the whole, of the benchmark until
     *                         {@link Meter#loadDone()}
     * @param starts           worker JVMs started
     * @param peakListenerKb   the listener's highest resident memory seen, -1 if never read
     * @param unaccountedTicks worker CPU lost because exited workers were not reaped (see
     *                         {@link CpuUse#unaccountedTicks})
     */
    public record Usage(CpuUse cpu, int starts, long peakListenerKb, long unaccountedTicks) {
    }

    public static final class Meter implements AutoCloseable {
        /** Often enough to see every worker start (a boot lasts many such intervals) and the listener's peak. */
        static final long POLL_MILLIS = 50;

        private final long listenerPid;
        private final CpuUse.Snapshot start;
        private final StartCounter starts;
        private final String listenerCommandLine;
        private final Map<Long, Long> lastSeen = new HashMap<>();
        private final AtomicLong peak = new AtomicLong(-1);
        private final Thread sampler;
        private volatile long clientTicksAtLoadEnd = -1;
        private long clientWaitTicks;
        private long waitSince = -1;
        private Usage usage;

        Meter(long listenerPid) {
            this.listenerPid = listenerPid;
            this.listenerCommandLine = Proc.commandLine(listenerPid);
            this.start = snapshot(listenerPid);
            this.starts = new StartCounter(start.workerTicks().keySet(), listenerCommandLine);
            lastSeen.putAll(start.workerTicks());
            sampler = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    poll();
                    try {
                        Thread.sleep(POLL_MILLIS);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "phase-meter");
            sampler.setDaemon(true);
            sampler.start();
        }

        private synchronized void poll() {
            List<Long> children = Proc.children(listenerPid);
            starts.observe(children, Proc::commandLine);
            for (long pid : children) {
                Proc.Stat stat = Proc.stat(pid);
                if (stat != null) {
                    lastSeen.put(pid, stat.cpuTicks());
                }
            }
            Proc.rssKb(listenerPid).ifPresent(kb -> peak.accumulateAndGet(kb, Math::max));
        }

        /**
         * The load is over: the benchmark's own CPU stops here, while the daemon's goes on being counted until
         * {@link #close()}, so that a phase is charged with what its calls left running (a reset, a replacement
         * worker's boot).
         */
        public void loadDone() {
            clientTicksAtLoadEnd = selfTicks() - clientWaitTicks;
        }

        /**
         * The benchmark starts waiting for the pool between calls: its CPU until {@link #clientCalls()} is not the
         * clients' (reading /proc to see the pool come to rest is no part of a call).
         */
        public void clientWaits() {
            waitSince = selfTicks();
        }

        /** The wait that {@link #clientWaits()} began is over. */
        public void clientCalls() {
            if (waitSince >= 0) {
                clientWaitTicks += selfTicks() - waitSince;
                waitSince = -1;
            }
        }

        private static long selfTicks() {
            Proc.Stat self = Proc.stat(ProcessHandle.current().pid());
            return self == null ? 0 : self.cpuTicks();
        }

        public Usage usage() {
            return usage;
        }

        @Override
        public void close() throws InterruptedException {
            if (usage != null) {
                return;
            }
            sampler.interrupt();
            sampler.join();
            synchronized (this) {
                poll();
                CpuUse.Snapshot end = snapshot(listenerPid);
                if (clientTicksAtLoadEnd >= 0) {
                    end = new CpuUse.Snapshot(end.listenerTicks(), end.reapedTicks(), end.workerTicks(),
                            clientTicksAtLoadEnd);
                }
                usage = new Usage(CpuUse.between(start, end), starts.finish(Proc::commandLine), peak.get(),
                        CpuUse.unaccountedTicks(start, end, lastSeen));
            }
        }
    }
}
