package org.harpd.worker;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.harpd.config.WorkersConfig.Isolation;
import org.harpd.logging.EventLog;
import org.harpd.protocol.ErrorType;
import org.harpd.protocol.HarpError;

/**
 * Runs calls in worker processes (see {@link WorkerProtocol}), supervising them the way gunicorn's arbiter
 * does — spawn, reap, time out, replace — with PHP-FPM's sizing: {@code spare} unswitched workers are kept
 * booted ahead so a call rarely waits for a JVM to start; at most {@code max} processes live at once; beyond
 * that, calls wait in a bounded queue.
 *
 * <p>Isolation ({@link PoolSettings#isolationOf}, the daemon's or the procedure's own): in {@code process} a
 * worker serves one call and exits. In {@code interpreter} and {@code shared} it serves up to {@code maxCalls}
 * calls, all bound as its first call ({@link WorkerBinding}): of its identity, since it cannot switch back once
 * it has dropped root, and of its isolation. A call goes to an idle worker bound as it binds (the most recently
 * used), else to an unswitched spare, else waits. Idle switched workers count
 * toward {@code max}; when an unswitched worker is needed and {@code max} is reached, the least recently used
 * idle switched worker is retired to make room.
 *
 * <p>Threads: one supervisor thread spawns every worker and runs the timers. Spawning from one long-lived
 * thread matters: the workers' parent-death signal fires when the <em>thread</em> that forked them exits.
 * Each worker has a reader thread for its output. {@link #close()} ends them all.
 */
public final class WorkerPool implements CallExecutor {
    private static final EventLog LOG = EventLog.get("harpd.worker");
    private static final long BACKOFF_FIRST_MS = 200;
    private static final long BACKOFF_MAX_MS = 10_000;

    private final PoolSettings settings;
    private final ScheduledThreadPoolExecutor supervisor;
    private final Worker.Events events = new WorkerEvents();

    // Everything below is guarded by `this`.
    private final Set<Worker> alive = new LinkedHashSet<>();
    private final Set<Worker> booting = new LinkedHashSet<>();
    /** Ready and not yet switched: they take any identity. */
    private final ArrayDeque<Worker> spares = new ArrayDeque<>();
    /** Ready and bound to an identity, least recently used first. */
    private final ArrayDeque<Worker> idleSwitched = new ArrayDeque<>();
    private final Set<Worker> busy = new LinkedHashSet<>();
    private final Set<Worker> finishing = new LinkedHashSet<>();
    private final ArrayDeque<PooledCall> queued = new ArrayDeque<>();
    private boolean closed;
    private boolean rebalanceQueued;
    private int bootFailuresInARow;
    private long backoffUntilNanos;
    private String lastBootFailure;
    private long bootFailureCount;

    public WorkerPool(PoolSettings settings) {
        this.settings = settings;
        this.supervisor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "harpd-worker-supervisor");
            thread.setDaemon(true);
            return thread;
        });
        supervisor.setRemoveOnCancelPolicy(true);
        supervisor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        requestRebalance();
    }

    public PoolSettings settings() {
        return settings;
    }

    @Override
    public CallHandle submit(CallJob job, CallSink sink) {
        PooledCall call = new PooledCall(job, sink, this::cancelled);
        Worker worker = null;
        HarpError refused = null;
        boolean waitsThoughSparesAreIdle = false;
        synchronized (this) {
            if (closed) {
                refused = new HarpError(ErrorType.SHUTDOWN, "service is shutting down");
            } else if ((worker = takeIdleWorkerFor(bindingOf(job))) != null) {
                assign(call, worker);
            } else if (queued.size() >= queueLimit()) {
                refused = new HarpError(ErrorType.OVERLOADED, "too many pending calls");
            } else {
                queued.add(call);
                waitsThoughSparesAreIdle = !spares.isEmpty();
            }
        }
        if (refused != null) {
            call.fail(refused);
            return call;
        }
        if (worker != null) {
            dispatch(call, worker);
        } else {
            call.setTimer(schedule(() -> queueTimedOut(call), settings.startTimeout()));
            if (waitsThoughSparesAreIdle) {
                // it waits for a worker about to be back; should that worker run late, a spare takes it
                schedule(this::handLateCallsToSpares, settings.resetWait().multipliedBy(2));
            }
        }
        requestRebalance();
        return call;
    }

    /** How {@code job} binds the worker that runs it: its identity, and its procedure's isolation. */
    private WorkerBinding bindingOf(CallJob job) {
        return new WorkerBinding(job.identity(), settings.isolationOf(job.procedure().name()));
    }

    /**
     * An idle worker bound as {@code binding}, most recently used first; else null when a worker of that
     * binding that has just answered will be back at once ({@link #waitsFor}) and no queued call is waiting for
     * it yet; else an unswitched spare; else null. Taking a spare makes the pool start a replacement, a JVM
     * costing 1–2 CPU-seconds that the calls running beside it pay for: a sequential {@code shared} client took
     * up to 4 workers for 2,000 calls where {@code max_calls} asks for 2, a sequential {@code interpreter}
     * client a new worker every 40–50 calls.
     */
    private Worker takeIdleWorkerFor(WorkerBinding binding) {
        for (Iterator<Worker> it = idleSwitched.descendingIterator(); it.hasNext(); ) {
            Worker worker = it.next();
            if (binding.equals(worker.binding())) {
                it.remove();
                return worker;
            }
        }
        if (waitable(binding) > queuedFor(binding)) {
            return null;
        }
        return spares.poll();
    }

    /**
     * Whether a call may wait for {@code worker}, which has answered its call: a {@code shared} worker reports
     * ready within a millisecond; an {@code interpreter} worker only after its reset, so only when it is
     * expected back within {@link PoolSettings#resetWait()} (by its last reset) and not overdue by more. Waiting for
     * every resetting worker doubled sequential throughput but cost a fifth of it with 8 clients, where resets
     * are slow and the pool must grow; with this bound, sequential gained 40–85 % and 8 and 64 clients did not
     * lose (alternating runs, README "Performance").
     */
    private boolean waitsFor(Worker worker, long now) {
        if (!worker.comesBack()) {
            return false;
        }
        return switch (worker.binding().isolation()) {
            case SHARED -> true;
            case INTERPRETER -> {
                long back = worker.expectedBackNanos();
                yield back >= 0 && Math.abs(back - now) < settings.resetWait().toNanos();
            }
            case PROCESS -> false;
        };
    }

    /** Workers bound as {@code binding} that have answered their call and that a call may wait for now. */
    private int waitable(WorkerBinding binding) {
        long now = System.nanoTime();
        int count = 0;
        for (Worker worker : finishing) {
            if (binding.equals(worker.binding()) && waitsFor(worker, now)) {
                count++;
            }
        }
        return count;
    }

    private int queuedFor(WorkerBinding binding) {
        int count = 0;
        for (PooledCall call : queued) {
            if (binding.equals(bindingOf(call.job()))) {
                count++;
            }
        }
        return count;
    }

    /**
     * Under the lock: queued calls that no worker they may wait for will take any more (it exited, or it is
     * later than expected) go to idle spares; the pairs are returned to be dispatched outside the lock.
     */
    private List<Map.Entry<PooledCall, Worker>> handUncoveredCallsToSpares() {
        List<Map.Entry<PooledCall, Worker>> handed = new ArrayList<>();
        Map<WorkerBinding, Integer> cover = new HashMap<>();
        for (Iterator<PooledCall> it = queued.iterator(); it.hasNext() && !spares.isEmpty(); ) {
            PooledCall call = it.next();
            WorkerBinding binding = bindingOf(call.job());
            int left = cover.computeIfAbsent(binding, this::waitable);
            if (left > 0) {
                cover.put(binding, left - 1);
                continue;
            }
            it.remove();
            Worker spare = spares.poll();
            if (call.attach(spare)) {
                busy.add(spare);
                spare.bind(binding);
                handed.add(Map.entry(call, spare));
            } else {
                spares.addFirst(spare); // the call ended meanwhile
            }
        }
        return handed;
    }

    private void handLateCallsToSpares() {
        List<Map.Entry<PooledCall, Worker>> handed;
        synchronized (this) {
            handed = closed ? List.of() : handUncoveredCallsToSpares();
        }
        handed.forEach(pair -> dispatch(pair.getKey(), pair.getValue()));
    }

    /** Under the lock: {@code worker} (out of every idle set) takes {@code call}, and with it its binding. */
    private void assign(PooledCall call, Worker worker) {
        busy.add(worker);
        worker.bind(bindingOf(call.job()));
        call.attach(worker);
    }

    /**
     * Calls may wait for every worker that is booting, may still be started, or is exiting after its call
     * (its slot is about to be free), plus {@code queue} more.
     */
    private int queueLimit() {
        return settings.queue() + booting.size() + finishing.size() + Math.max(0, settings.max() - alive.size());
    }

    public synchronized PoolStats stats() {
        return new PoolStats(alive.size(), booting.size(), spares.size() + idleSwitched.size(),
                busy.size() + finishing.size(), queued.size());
    }

    /** Process ids of the workers not yet reaped. */
    public synchronized List<Long> workerPids() {
        List<Long> pids = new ArrayList<>();
        alive.forEach(w -> pids.add(w.pid()));
        return pids;
    }

    /**
     * Wait until a worker is ready, e.g. to confirm a daemon's start.
     *
     * @throws WorkerStartException with the worker's message when a worker failed to boot first
     * @return false on timeout
     */
    public boolean awaitReady(Duration timeout) throws WorkerStartException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long failuresBefore;
        synchronized (this) {
            failuresBefore = bootFailureCount;
            while (spares.isEmpty() && idleSwitched.isEmpty()) {
                if (bootFailureCount > failuresBefore) {
                    throw new WorkerStartException(lastBootFailure);
                }
                long left = deadline - System.nanoTime();
                if (closed || left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return true;
        }
    }

    @Override
    public void close() {
        List<PooledCall> waiting;
        List<Worker> workers;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            waiting = new ArrayList<>(queued);
            queued.clear();
            workers = new ArrayList<>(alive);
            notifyAll();
        }
        HarpError shutdown = new HarpError(ErrorType.SHUTDOWN, "service is shutting down");
        waiting.forEach(call -> call.fail(shutdown));
        for (Worker worker : workers) {
            worker.failCall(shutdown);
            worker.kill();
        }
        supervisor.shutdownNow();
        boolean interrupted = false;
        try {
            supervisor.awaitTermination(settings.killGrace().toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            interrupted = true;
        }
        synchronized (this) {
            workers = new ArrayList<>(alive); // includes any spawned while closing (killed on registration)
        }
        for (Worker worker : workers) {
            worker.kill();
            try {
                if (!worker.awaitExit(settings.killGrace())) {
                    LOG.error("worker did not exit after SIGKILL", "pid", worker.pid());
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void dispatch(PooledCall call, Worker worker) {
        worker.begin(call, afterCall(worker));
        Duration timeout = call.job().procedure().timeout();
        if (timeout != null && !timeout.isZero() && !timeout.isNegative()) {
            call.setTimer(schedule(() -> timedOut(call, worker), timeout));
        }
    }

    /** What the worker does once the call it is about to be given has ended. */
    private WorkerProtocol.After afterCall(Worker worker) {
        Isolation isolation = worker.binding().isolation();
        if (worker.callsStarted() + 1 >= settings.maxCallsFor(isolation)) {
            return WorkerProtocol.After.EXIT;
        }
        return isolation == Isolation.INTERPRETER ? WorkerProtocol.After.RELOAD : WorkerProtocol.After.KEEP;
    }

    private void timedOut(PooledCall call, Worker worker) {
        retire(worker);
        if (call.fail(new HarpError(ErrorType.TIMEOUT, "maximum execution time exceeded"))) {
            LOG.info("execution timeout exceeded", "procedure", call.job().procedure().name(),
                    "pid", worker.pid(), "client", call.job().client());
            worker.kill();
            scheduleReapCheck(worker);
        }
    }

    private void queueTimedOut(PooledCall call) {
        boolean removed;
        String failing;
        synchronized (this) {
            removed = queued.remove(call);
            failing = bootFailuresInARow > 0 ? lastBootFailure : null;
        }
        if (!removed) {
            return;
        }
        String waited = "no worker became available within " + settings.startTimeout().toMillis() + " ms";
        // Workers that cannot start are the operator's problem; workers that are all busy are load, and a
        // client told "overloaded" knows to retry later.
        call.fail(failing != null
                ? new HarpError(ErrorType.SYSTEM_ERROR, waited + " (last start failure: " + failing + ")")
                : new HarpError(ErrorType.OVERLOADED, waited + ": all workers busy"));
    }

    private void cancelled(PooledCall call, Worker worker) {
        if (worker == null) {
            synchronized (this) {
                queued.remove(call);
            }
        } else {
            retire(worker);
            worker.kill();
            scheduleReapCheck(worker);
        }
    }

    /** The worker's call is over (or abandoned) and the worker on its way out: its slot counts as coming free. */
    private synchronized void retire(Worker worker) {
        if (busy.remove(worker)) {
            finishing.add(worker);
        }
    }

    private void scheduleLingerCheck(Worker worker, String complaint) {
        schedule(() -> {
            if (worker.isAlive()) {
                LOG.warn(complaint, "pid", worker.pid());
                worker.kill();
            }
        }, settings.killGrace());
    }

    /** A killed worker must be gone within the grace period; say so loudly if it is not. */
    private void scheduleReapCheck(Worker worker) {
        schedule(() -> {
            if (worker.isAlive()) {
                LOG.error("worker still alive after SIGKILL", "pid", worker.pid());
            }
        }, settings.killGrace());
    }

    private void requestRebalance() {
        synchronized (this) {
            if (closed || rebalanceQueued) {
                return;
            }
            rebalanceQueued = true;
        }
        try {
            supervisor.execute(this::rebalance);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    /**
     * On the supervisor thread: start as many unswitched workers as spare capacity and waiting calls want,
     * retiring idle switched workers (least recently used first) when {@code max} leaves no room.
     */
    private void rebalance() {
        int wanted;
        List<Worker> retired = new ArrayList<>();
        synchronized (this) {
            rebalanceQueued = false;
            if (closed) {
                return;
            }
            long wait = backoffUntilNanos - System.nanoTime();
            if (wait > 0) {
                rebalanceQueued = true;
                schedule(this::rebalance, Duration.ofNanos(wait));
                return;
            }
            int needed = settings.spare() + callsNeedingANewWorker() - booting.size() - spares.size();
            int leaving = 0;
            for (Worker worker : finishing) {
                leaving += worker.comesBack() ? 0 : 1;
            }
            int room = settings.max() - alive.size() + leaving;
            while (needed > room && !idleSwitched.isEmpty()) {
                Worker oldest = idleSwitched.poll();
                finishing.add(oldest); // its slot is coming free
                retired.add(oldest);
                room++; // the exit brings another rebalance, which then starts its replacement
            }
            wanted = Math.min(needed, settings.max() - alive.size());
        }
        for (Worker worker : retired) {
            LOG.debug("retiring idle worker to make room", "pid", worker.pid());
            worker.retire();
            scheduleLingerCheck(worker, "retired worker lingering, killing it");
        }
        for (int i = 0; i < wanted; i++) {
            spawn();
        }
    }

    /**
     * Queued calls that no worker in sight will take: a call whose bound workers are busy waits for one of
     * them (one queued call per such worker), rather than paying for a new JVM.
     */
    private int callsNeedingANewWorker() {
        if (queued.isEmpty()) {
            return 0;
        }
        Map<WorkerBinding, Integer> returning = new HashMap<>();
        for (Set<Worker> set : List.of(busy, finishing)) {
            for (Worker worker : set) {
                WorkerBinding binding = worker.binding();
                if (binding != null && worker.comesBack()) {
                    returning.merge(binding, 1, Integer::sum);
                }
            }
        }
        int uncovered = 0;
        for (PooledCall call : queued) {
            Integer left = returning.computeIfPresent(bindingOf(call.job()), (k, n) -> n - 1);
            if (left == null || left < 0) {
                uncovered++;
            }
        }
        return uncovered;
    }

    private void spawn() {
        Worker worker;
        try {
            worker = Worker.spawn(settings.command(), events);
        } catch (IOException | RuntimeException e) {
            events.bootFailed(null, "cannot start worker process: " + e.getMessage());
            return;
        }
        boolean lateForClose;
        synchronized (this) {
            alive.add(worker);
            booting.add(worker);
            lateForClose = closed;
        }
        worker.startReading();
        if (lateForClose) {
            worker.kill();
            return;
        }
        schedule(() -> worker.abandonBoot("worker did not become ready within "
                + settings.startTimeout().toMillis() + " ms"), settings.startTimeout());
    }

    private Future<?> schedule(Runnable task, Duration delay) {
        try {
            return supervisor.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(null); // closing
        }
    }

    private final class WorkerEvents implements Worker.Events {
        @Override
        public void ready(Worker worker) {
            PooledCall next = null;
            boolean lateForClose;
            boolean booted;
            synchronized (WorkerPool.this) {
                booted = booting.remove(worker);
                finishing.remove(worker);
                if (booted) {
                    bootFailuresInARow = 0;
                    backoffUntilNanos = 0;
                }
                lateForClose = closed;
                if (!closed) {
                    WorkerBinding binding = worker.binding();
                    for (Iterator<PooledCall> it = queued.iterator(); next == null && it.hasNext(); ) {
                        PooledCall call = it.next();
                        if (binding == null || binding.equals(bindingOf(call.job()))) {
                            it.remove();
                            if (call.attach(worker)) {
                                next = call;
                            }
                        }
                    }
                    if (next != null) {
                        busy.add(worker);
                        worker.bind(bindingOf(next.job()));
                    } else if (binding == null) {
                        spares.add(worker);
                    } else {
                        idleSwitched.add(worker);
                    }
                }
                WorkerPool.this.notifyAll();
            }
            if (lateForClose) {
                worker.kill();
                return;
            }
            if (next != null) {
                dispatch(next, worker);
            }
            requestRebalance();
        }

        @Override
        public void bootFailed(Worker worker, String message) {
            List<PooledCall> doomed = List.of();
            synchronized (WorkerPool.this) {
                if (closed) {
                    return;
                }
                if (worker != null) {
                    booting.remove(worker);
                }
                bootFailuresInARow++;
                bootFailureCount++;
                lastBootFailure = message;
                long backoff = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS << Math.min(20, bootFailuresInARow - 1));
                backoffUntilNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoff);
                if (booting.isEmpty() && spares.isEmpty() && idleSwitched.isEmpty()) {
                    doomed = new ArrayList<>(queued); // no worker in sight: do not let them wait for nothing
                    queued.clear();
                }
                WorkerPool.this.notifyAll();
            }
            LOG.error("worker failed to start", "error", message,
                    "pid", worker == null ? null : worker.pid());
            HarpError error = new HarpError(ErrorType.SYSTEM_ERROR, "worker failed to start: " + message);
            doomed.forEach(call -> call.fail(error));
            requestRebalance();
        }

        @Override
        public void callFinished(Worker worker) {
            retire(worker);
            if (worker.comesBack()) {
                // It prepares for the next call and reports ready; one that hangs at that is killed.
                int call = worker.callsStarted();
                schedule(() -> {
                    if (worker.state() == Worker.State.FINISHING && worker.callsStarted() == call) {
                        LOG.warn("worker did not become ready again, killing it", "pid", worker.pid());
                        worker.kill();
                    }
                }, settings.startTimeout());
            } else {
                // The worker exits by itself after its last call; one that lingers is killed.
                scheduleLingerCheck(worker, "worker lingering after its call, killing it");
            }
        }

        @Override
        public void exited(Worker worker, int status, Worker.State lastState) {
            boolean wasClosed;
            boolean wasIdle;
            List<Map.Entry<PooledCall, Worker>> handed = List.of();
            synchronized (WorkerPool.this) {
                alive.remove(worker);
                booting.remove(worker);
                wasIdle = spares.remove(worker) | idleSwitched.remove(worker);
                busy.remove(worker);
                finishing.remove(worker);
                wasClosed = closed;
                if (!closed) {
                    handed = handUncoveredCallsToSpares(); // a call may have been waiting for this worker
                }
                WorkerPool.this.notifyAll();
            }
            if (!wasClosed && wasIdle) {
                LOG.warn("idle worker died", "pid", worker.pid(), "exit_status", status);
            }
            handed.forEach(pair -> dispatch(pair.getKey(), pair.getValue()));
            requestRebalance();
        }
    }
}
