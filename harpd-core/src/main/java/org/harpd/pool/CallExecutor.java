package org.harpd.pool;

/** Runs calls in worker processes. The listener's only way to run user code. */
public interface CallExecutor extends AutoCloseable {
    /** Never blocks; output and the end of the call arrive on {@code sink}. */
    CallHandle submit(CallJob job, CallSink sink);

    /** Stop: in-flight calls fail with {@code shutdown}, every worker is killed and reaped. */
    @Override
    void close();
}
