package org.harpd.worker;

/** Main class of test worker processes: the worker loop with {@link FakeRuntime}. */
public final class FakeWorkerMain {
    private FakeWorkerMain() {
    }

    public static void main(String[] args) {
        WorkerProcessMain.run(args, arguments -> new FakeRuntime(arguments.procedures(), arguments.pythonPath()));
    }
}
