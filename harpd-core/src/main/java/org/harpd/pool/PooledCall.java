package org.harpd.pool;

import java.util.concurrent.Future;
import java.util.function.BiConsumer;
import org.harpd.logging.EventLog;
import org.harpd.protocol.HarpError;

/**
 * One submitted call, from submission to its end. Guarantees the {@link CallSink} contract under races between
 * the worker's output, the timeout, shutdown and the client going away: the first end wins, nothing reaches
 * the sink after it, and nothing at all once the call was cancelled.
 */
final class PooledCall implements CallHandle {
    private static final EventLog LOG = EventLog.get("harpd.worker");

    private final CallJob job;
    private final CallSink sink;
    private final BiConsumer<PooledCall, Worker> onCancel;
    private boolean done;
    private Worker worker;
    private Future<?> timer;
    private final long submittedNanos = System.nanoTime();

    PooledCall(CallJob job, CallSink sink, BiConsumer<PooledCall, Worker> onCancel) {
        this.job = job;
        this.sink = sink;
        this.onCancel = onCancel;
    }

    CallJob job() {
        return job;
    }

    /** When the call was submitted (nanoTime): its wait for a worker is measured from there. */
    long submittedNanos() {
        return submittedNanos;
    }

    /** Give the call to a worker; false if it already ended (cancelled, timed out in the queue, shut down). */
    synchronized boolean attach(Worker worker) {
        if (done) {
            return false;
        }
        this.worker = worker;
        cancelTimer();
        return true;
    }

    /** The queue timeout, then the execution timeout: cancelled when the call ends or changes phase. */
    synchronized void setTimer(Future<?> timer) {
        cancelTimer();
        if (done) {
            timer.cancel(false);
        } else {
            this.timer = timer;
        }
    }

    synchronized void stream(byte[] line) {
        if (!done) {
            deliver(() -> sink.stream(line));
        }
    }

    synchronized void complete(byte[] line) {
        if (end()) {
            deliver(() -> sink.completed(line));
        }
    }

    /** @return true if this ended the call (it had not ended before) */
    synchronized boolean fail(HarpError error) {
        if (!end()) {
            return false;
        }
        deliver(() -> sink.failed(error));
        return true;
    }

    @Override
    public boolean cancel() {
        Worker running;
        synchronized (this) {
            if (!end()) {
                return false;
            }
            running = worker;
        }
        onCancel.accept(this, running);
        return true;
    }

    private boolean end() {
        if (done) {
            return false;
        }
        done = true;
        cancelTimer();
        return true;
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    /** A sink that throws must not take the worker's reader (or the supervisor) down with it. */
    private void deliver(Runnable delivery) {
        try {
            delivery.run();
        } catch (RuntimeException e) {
            LOG.error("call output could not be delivered", "procedure", job.procedure().name(),
                    "error", String.valueOf(e));
        }
    }
}
