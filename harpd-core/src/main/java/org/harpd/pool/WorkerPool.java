package org.harpd.pool;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.harpd.config.WorkersConfig;
import org.harpd.config.WorkersConfig.Isolation;
import org.harpd.logging.EventLog;
import org.harpd.metrics.Metrics;
import org.harpd.protocol.ErrorType;
import org.harpd.protocol.HarpError;
import org.harpd.workerprotocol.WorkerProtocol;

/**
 * Runs calls in worker processes (see {@link WorkerProtocol}), supervising them the way gunicorn's arbiter
 * does — spawn, reap, time out, replace — with PHP-FPM's sizing: {@code spare} unswitched workers are kept
 * booted ahead so a call rarely waits for a JVM to start; at most {@code max} processes live at once; beyond
 * that, calls wait in a bounded queue; a worker idle for {@code idleTimeout} is retired.
 *
 * <p>Isolation ({@link WorkersConfig#isolationOf}, the daemon's or the procedure's own): in {@code process} a
 * worker serves one call and exits. In {@code interpreter} and {@code shared} it serves up to {@code maxCalls}
 * calls, all bound as its first call ({@link WorkerBinding}): of its identity, since it cannot switch back once
 * it has dropped root, and of its isolation.
 *
 * <p>Which worker takes a call, when a worker is started and when one is retired is decided by a
 * {@link PlacementPolicy} from measured costs; this class is the mechanism: it tells the policy what happened,
 * with the time, and spawns, dispatches and retires as it answers.
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
    private final WorkersConfig config;
    private final Metrics metrics;
    private final ScheduledThreadPoolExecutor supervisor;
    private final Worker.Events events = new WorkerEvents();

    // Everything below is guarded by `this`.
    private final PlacementPolicy<PooledCall, Worker> policy;
    /** Worker processes not yet reaped. */
    private final Set<Worker> alive = new LinkedHashSet<>();
    private boolean closed;
    private boolean rebalanceQueued;
    private Future<?> review;
    private long reviewAtNanos = Long.MAX_VALUE;
    private int bootFailuresInARow;
    private long backoffUntilNanos;
    private String lastBootFailure;
    private long bootFailureCount;

    public WorkerPool(PoolSettings settings) {
        this(settings, Metrics.NONE);
    }

    /** @param metrics told of worker starts, resets and retirements, and of each call's wait for a worker */
    public WorkerPool(PoolSettings settings, Metrics metrics) {
        this.settings = settings;
        this.config = settings.workers();
        this.metrics = metrics;
        this.policy = new PlacementPolicy<>(new PlacementPolicy.Limits(config.spare(), config.max(),
                config.queue(), config.idleTimeout().toNanos(),
                PlacementPolicy.bootsInFlight(Runtime.getRuntime().availableProcessors()), config::maxCallsFor,
                config.spareAtRest(), WorkersConfig.REST_AFTER.toNanos()),
                PooledCall::attach);
        this.supervisor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "harpd-worker-supervisor");
            thread.setDaemon(true);
            return thread;
        });
        supervisor.setRemoveOnCancelPolicy(true);
        supervisor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        metrics.watchPool(this::stats);
        requestRebalance();
    }

    public PoolSettings settings() {
        return settings;
    }

    @Override
    public CallHandle submit(CallJob job, CallSink sink) {
        PooledCall call = new PooledCall(job, sink, this::cancelled);
        PlacementPolicy.Placement<PooledCall, Worker> placement;
        synchronized (this) {
            placement = closed ? null : policy.submit(call, bindingOf(job), System.nanoTime());
        }
        if (placement == null) {
            call.fail(new HarpError(ErrorType.SHUTDOWN, "service is shutting down"));
            return call;
        }
        switch (placement.outcome()) {
            case RUN -> dispatch(placement.assignment());
            case QUEUED -> call.setTimer(schedule(() -> queueTimedOut(call), config.startTimeout()));
            case REFUSED -> {
                call.fail(new HarpError(ErrorType.OVERLOADED, "too many pending calls"));
                return call;
            }
            case ENDED -> {
                return call;
            }
        }
        requestRebalance();
        return call;
    }

    /**
     * How {@code job} binds the worker that runs it: its identity, its procedure's isolation, and the harpd user
     * who called unless workers are shared between users. A {@code process} worker serves one call: no tenant.
     */
    private WorkerBinding bindingOf(CallJob job) {
        Isolation isolation = config.isolationOf(job.procedure().name());
        String tenant = isolation == Isolation.PROCESS || config.shareBetweenUsers() ? null : job.requestUser();
        return new WorkerBinding(job.identity(), isolation, tenant);
    }

    public synchronized PoolStats stats() {
        return policy.stats();
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
            while (policy.idleCount() == 0) {
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
            waiting = policy.drainQueue();
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
            supervisor.awaitTermination(config.killGrace().toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            interrupted = true;
        }
        synchronized (this) {
            workers = new ArrayList<>(alive); // includes any spawned while closing (killed on registration)
        }
        for (Worker worker : workers) {
            worker.kill();
            try {
                if (!worker.awaitExit(config.killGrace())) {
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

    private void dispatch(PlacementPolicy.Assignment<PooledCall, Worker> assignment) {
        PooledCall call = assignment.call();
        Worker worker = assignment.worker();
        worker.bind(assignment.binding());
        WorkerProtocol.After after = assignment.lastCall() ? WorkerProtocol.After.EXIT
                : assignment.binding().isolation() == Isolation.INTERPRETER ? WorkerProtocol.After.RELOAD
                : WorkerProtocol.After.KEEP;
        metrics.queueWait(System.nanoTime() - call.submittedNanos());
        if (after == WorkerProtocol.After.RELOAD) {
            metrics.workerReset();
        }
        worker.begin(call, after);
        Duration timeout = call.job().procedure().timeout();
        if (timeout != null && !timeout.isZero() && !timeout.isNegative()) {
            worker.armCallTimer(call, schedule(() -> timedOut(call, worker), timeout));
        }
    }

    /**
     * The procedure's time is up: the worker raises {@code Timeout} in it (the original's SIGXCPU), so its
     * {@code finally} clauses and handlers run and the worker answers; one still in the call after
     * {@code timeout_grace} is killed.
     */
    private void timedOut(PooledCall call, Worker worker) {
        // An answer does not end the call for this timer: the worker's code may have sent it early and run on.
        if (!worker.isOn(call)) {
            return;
        }
        LOG.info("execution timeout exceeded", "procedure", call.job().procedure().name(),
                "pid", worker.pid(), "client", call.job().client());
        if (worker.signalTimeout(call)) {
            schedule(() -> timeoutGraceOver(call, worker), config.timeoutGrace());
        } else {
            timeoutGraceOver(call, worker);
        }
    }

    private void timeoutGraceOver(PooledCall call, Worker worker) {
        if (!worker.isOn(call)) {
            return;
        }
        metrics.workerRetired("timeout");
        retire(worker);
        boolean unanswered = call.fail(new HarpError(ErrorType.TIMEOUT, "maximum execution time exceeded"));
        LOG.warn(unanswered ? "procedure still running after timeout_grace, killing its worker"
                : "worker answered but is still on its call after timeout_grace, killing it",
                "procedure", call.job().procedure().name(), "pid", worker.pid(),
                "timeout_grace_ms", config.timeoutGrace().toMillis());
        worker.kill();
        scheduleReapCheck(worker);
    }

    private void queueTimedOut(PooledCall call) {
        boolean removed;
        String failing;
        synchronized (this) {
            removed = policy.withdraw(call);
            failing = bootFailuresInARow > 0 ? lastBootFailure : null;
        }
        if (!removed) {
            return;
        }
        String waited = "no worker became available within " + config.startTimeout().toMillis() + " ms";
        // Workers that cannot start are the operator's problem; workers that are all busy are load, and a
        // client told "overloaded" knows to retry later.
        call.fail(failing != null
                ? new HarpError(ErrorType.SYSTEM_ERROR, waited + " (last start failure: " + failing + ")")
                : new HarpError(ErrorType.OVERLOADED, waited + ": all workers busy"));
    }

    /**
     * Nobody is left to answer (the client closed the connection, or the listener gave up on it): the call stops
     * as at a timeout — {@code Timeout} is raised in it, so its {@code except} and {@code finally} clauses run,
     * and a worker still in the call after {@code timeout_grace} is killed — except that every process the call
     * started is killed at once, not when the {@code Timeout} has run its course: nobody waits for the call's
     * answer, and those processes must not outlive the client by more than the moment it takes to find them. A
     * worker that stops within the grace serves later calls, as after a timeout. A call not yet running in its
     * worker (queued, or being handed over) has nothing to let finish.
     * A timeout that names a call the worker has not started yet is kept for it: the call is answered
     * {@code timeout} instead of running.
     */
    private void cancelled(PooledCall call, Worker worker) {
        if (worker == null) {
            synchronized (this) {
                policy.withdraw(call);
            }
            return;
        }
        // processes first: the worker, once out of the call, would take those still running for ones the call left
        // behind on purpose and exit instead of serving again
        if (worker.isOn(call) && worker.killDescendants() && worker.signalTimeout(call)) {
            schedule(() -> cancelGraceOver(call, worker), config.timeoutGrace());
            return;
        }
        metrics.workerRetired("cancelled");
        retire(worker);
        worker.kill();
        scheduleReapCheck(worker);
    }

    private void cancelGraceOver(PooledCall call, Worker worker) {
        // an answer does not count, as for a timeout: only ready (or its death) ends the worker's call
        if (!worker.isOn(call)) {
            return;
        }
        LOG.warn("cancelled call still running after timeout_grace, killing its worker", "procedure",
                call.job().procedure().name(), "pid", worker.pid(),
                "timeout_grace_ms", config.timeoutGrace().toMillis());
        metrics.workerRetired("cancelled");
        retire(worker);
        worker.kill();
        scheduleReapCheck(worker);
    }

    /** The worker's call is abandoned and the worker on its way out: its slot counts as coming free. */
    private synchronized void retire(Worker worker) {
        policy.leaving(worker);
    }

    private void scheduleLingerCheck(Worker worker, String complaint) {
        schedule(() -> {
            if (worker.isAlive()) {
                LOG.warn(complaint, "pid", worker.pid());
                worker.kill();
            }
        }, config.killGrace());
    }

    /** A killed worker must be gone within the grace period; say so loudly if it is not. */
    private void scheduleReapCheck(Worker worker) {
        schedule(() -> {
            if (worker.isAlive()) {
                LOG.error("worker still alive after SIGKILL", "pid", worker.pid());
            }
        }, config.killGrace());
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
     * On the supervisor thread: retire and start workers as the policy plans, and arrange for the next review
     * of its decisions.
     */
    private void rebalance() {
        PlacementPolicy.Plan<Worker> plan;
        synchronized (this) {
            rebalanceQueued = false;
            if (closed) {
                return;
            }
            long now = System.nanoTime();
            long wait = backoffUntilNanos - now;
            if (wait > 0) {
                rebalanceQueued = true;
                schedule(this::rebalance, Duration.ofNanos(wait));
                return;
            }
            plan = policy.plan(now);
            scheduleReview(policy.nextReview(now), now);
        }
        for (Worker worker : plan.idleTooLong()) {
            LOG.debug("retiring idle worker", "pid", worker.pid(), "idle_timeout_s",
                    config.idleTimeout().toMillis() / 1000.0);
            metrics.workerRetired("idle");
            retireIdle(worker);
        }
        for (Worker worker : plan.forRoom()) {
            LOG.debug("retiring idle worker to make room", "pid", worker.pid());
            metrics.workerRetired("room");
            retireIdle(worker);
        }
        for (int i = 0; i < plan.boots(); i++) {
            spawn();
        }
    }

    /** Let an idle worker the policy has taken out of circulation exit (its exit brings another rebalance). */
    private void retireIdle(Worker worker) {
        worker.retire();
        scheduleLingerCheck(worker, "retired worker lingering, killing it");
    }

    /** Under the lock: review at {@code at} (nanoTime), unless a review is due sooner already. */
    private void scheduleReview(long at, long now) {
        if (at == Long.MAX_VALUE || at >= reviewAtNanos) {
            return;
        }
        if (review != null) {
            review.cancel(false);
        }
        reviewAtNanos = at;
        review = schedule(this::review, Duration.ofNanos(Math.max(0, at - now)));
    }

    /** On the supervisor thread: queued calls whose wait grew go to spares; idle workers may retire. */
    private void review() {
        List<PlacementPolicy.Assignment<PooledCall, Worker>> handed;
        synchronized (this) {
            reviewAtNanos = Long.MAX_VALUE;
            review = null;
            if (closed) {
                return;
            }
            handed = policy.review(System.nanoTime());
        }
        handed.forEach(this::dispatch);
        rebalance();
    }

    private void spawn() {
        Worker worker;
        try {
            worker = Worker.spawn(settings.command(), events);
        } catch (IOException | RuntimeException e) {
            events.bootFailed(null, "cannot start worker process: " + e.getMessage());
            return;
        }
        metrics.workerStarted();
        boolean lateForClose;
        synchronized (this) {
            alive.add(worker);
            policy.spawned(worker, System.nanoTime());
            lateForClose = closed;
        }
        worker.limitLineLength(config.maxResultSize());
        worker.startReading();
        if (lateForClose) {
            worker.kill();
            return;
        }
        schedule(() -> worker.abandonBoot("worker did not become ready within "
                + config.startTimeout().toMillis() + " ms"), config.startTimeout());
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
            PlacementPolicy.Assignment<PooledCall, Worker> next = null;
            boolean lateForClose;
            synchronized (WorkerPool.this) {
                boolean booted = worker.callsStarted() == 0;
                if (booted) {
                    bootFailuresInARow = 0;
                    backoffUntilNanos = 0;
                }
                lateForClose = closed;
                // a worker killed or let go may still say ready before it dies: it takes no call
                if (!closed && (booted || worker.comesBack())) {
                    next = policy.ready(worker, System.nanoTime());
                }
                WorkerPool.this.notifyAll();
            }
            if (lateForClose) {
                worker.kill();
                return;
            }
            if (next != null) {
                dispatch(next);
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
                    policy.bootFailed(worker);
                }
                bootFailuresInARow++;
                bootFailureCount++;
                lastBootFailure = message;
                long backoff = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS << Math.min(20, bootFailuresInARow - 1));
                backoffUntilNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoff);
                if (policy.nothingInSight()) {
                    doomed = policy.drainQueue(); // no worker in sight: do not let them wait for nothing
                }
                WorkerPool.this.notifyAll();
            }
            metrics.workerRetired("boot_failed");
            LOG.error("worker failed to start", "error", message,
                    "pid", worker == null ? null : worker.pid());
            HarpError error = new HarpError(ErrorType.SYSTEM_ERROR, "worker failed to start: " + message);
            doomed.forEach(call -> call.fail(error));
            requestRebalance();
        }

        @Override
        public void callFinished(Worker worker) {
            synchronized (WorkerPool.this) {
                policy.answered(worker, worker.comesBack());
            }
            if (worker.comesBack()) {
                // It prepares for the next call and reports ready; one that hangs at that is killed.
                int call = worker.callsStarted();
                schedule(() -> {
                    if (worker.state() == Worker.State.FINISHING && worker.callsStarted() == call) {
                        LOG.warn("worker did not become ready again, killing it", "pid", worker.pid());
                        worker.kill();
                    }
                }, config.startTimeout());
            } else {
                metrics.workerRetired("last_call");
                // The worker exits by itself after its last call; one that lingers is killed.
                scheduleLingerCheck(worker, "worker lingering after its call, killing it");
            }
        }

        @Override
        public void exited(Worker worker, int status, Worker.State lastState) {
            boolean wasClosed;
            boolean wasIdle;
            List<PlacementPolicy.Assignment<PooledCall, Worker>> handed;
            synchronized (WorkerPool.this) {
                alive.remove(worker);
                wasIdle = policy.isIdle(worker);
                handed = policy.exited(worker, System.nanoTime()); // a call may have been waiting for it
                wasClosed = closed;
                WorkerPool.this.notifyAll();
            }
            if (!wasClosed && wasIdle) {
                metrics.workerRetired("died");
                LOG.warn("idle worker died", "pid", worker.pid(), "exit_status", status);
            }
            if (!wasClosed) {
                handed.forEach(WorkerPool.this::dispatch);
            }
            requestRebalance();
        }
    }
}
