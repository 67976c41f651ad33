package org.harpd.worker;

import org.harpd.workerprotocol.WorkerArguments;

/**
 * Makes the worker's {@link WorkerRuntime} from the worker's command line. The worker's main class hands one
 * to {@link WorkerProcessMain#run}: harpd-jython's for the Jython runtime, tests for a pure-Java one.
 */
@FunctionalInterface
public interface RuntimeFactory {
    /** Called once, after the worker has taken over its pipes; what it throws is reported as {@code fatal}. */
    WorkerRuntime create(WorkerArguments arguments) throws Exception;
}
