package org.harpd.pool;

import org.harpd.protocol.HarpError;

/**
 * Where a call's output goes (the client connection). Called from worker I/O threads; implementations
 * must be thread-safe. Exactly one of {@link #completed} and {@link #failed} is called, once, last.
 */
public interface CallSink {
    /** A {@code {"stream": value}} line, already serialised by the worker (keys sorted, newline included). */
    void stream(byte[] line);

    /** The final {@code {"result": ...}} or {@code {"exception": ...}} line, or a worker-side {@code {"error":...}}. */
    void completed(byte[] line);

    /** The call could not finish: timeout, shutdown, worker death, overload. */
    void failed(HarpError error);
}
