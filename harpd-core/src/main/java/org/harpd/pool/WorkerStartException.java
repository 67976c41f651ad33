package org.harpd.pool;

/** No worker could be started: the message is the worker's own (e.g. the procedures file failed to load). */
public final class WorkerStartException extends Exception {
    public WorkerStartException(String message) {
        super(message);
    }
}
