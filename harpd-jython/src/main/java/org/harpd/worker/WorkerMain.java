package org.harpd.worker;

/**
 * Main class of a worker process in the distribution: the generic worker loop of harpd-core
 * ({@link WorkerProcessMain}, protocol in {@link WorkerProtocol}) with the Jython runtime.
 * The runtime is looked up by name (system property {@value WorkerProcessMain#RUNTIME_PROPERTY} overrides it),
 * so this class does not depend on the runtime's constructor at compile time.
 */
public final class WorkerMain {
    private WorkerMain() {
    }

    public static void main(String[] args) {
        WorkerProcessMain.run(args, WorkerProcessMain.JYTHON_RUNTIME);
    }
}
