package org.harpd.main;

import org.harpd.daemon.ProcessName;
import org.harpd.jython.JythonWorkerRuntime;
import org.harpd.worker.WorkerProcessMain;
import org.harpd.workerprotocol.WorkerProtocol;

/**
 * Main class of a worker process in the distribution: the worker loop of harpd-core
 * ({@link WorkerProcessMain}, protocol in {@link WorkerProtocol}) with the Jython runtime.
 */
public final class WorkerMain {
    private WorkerMain() {
    }

    public static void main(String[] args) {
        // as ps and pgrep -x show it: the listener is "harpd", its workers "harpd-worker"
        ProcessName.set("harpd-worker");
        WorkerProcessMain.run(args,
                arguments -> new JythonWorkerRuntime(arguments.procedures(), arguments.pythonPath(),
                        arguments.tracebacks()));
    }
}
