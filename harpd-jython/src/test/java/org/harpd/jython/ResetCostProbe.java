package org.harpd.jython;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.harpd.config.PythonPath;

/**
 * Measures what putting the interpreter state back costs in the {@code interpreter} isolation level: the CPU
 * time of a call of the first procedure and {@link JythonWorkerRuntime#reset} in a warm JVM, as a worker does
 * after every call, and of the reset alone. Not a test: figures for STARTUP.md. CPU time (this thread, and the
 * whole process for GC and JIT), not wall time, so that other work on the machine skews it little.
 *
 * <pre>java [worker JVM options] -Dharpd.python.lib=DIR -cp TEST_CLASSPATH org.harpd.jython.ResetCostProbe
 *      [PROCEDURES] [N]</pre>
 *
 * Without PROCEDURES, the benchmark's one-procedure file. N calls warm up, N more are measured (default 300).
 */
public final class ResetCostProbe {
    private static final String BENCHMARK_PROCEDURES =
            "import os\nfrom harpd.proc import procedure\n\n@procedure\ndef ping():\n    return os.getpid()\n";

    private ResetCostProbe() {
    }

    public static void main(String[] args) throws Exception {
        Path file;
        if (args.length > 0) {
            file = Path.of(args[0]);
        } else {
            file = Files.createTempFile("harpd-probe", ".py");
            Files.writeString(file, BENCHMARK_PROCEDURES);
            file.toFile().deleteOnExit();
        }
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        JythonWorkerRuntime worker = new JythonWorkerRuntime(file, PythonPath.NONE);
        worker.load();
        long c0 = System.nanoTime();
        worker.checkpoint();
        System.out.printf(Locale.ROOT, "checkpoint: %.1f ms wall, %d objects recorded%n", (System.nanoTime() - c0) / 1e6,
                worker.snapshotSize());
        String procedure = worker.catalog().all().iterator().next().name();
        com.fasterxml.jackson.databind.JsonNode none = org.harpd.protocol.Json.MAPPER.readTree("[]");
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long resetOnly = 0;
        long thread = 0;
        long process = 0;
        for (int round = 0; round < 2; round++) { // the first round warms up
            resetOnly = 0;
            thread = threads.getCurrentThreadCpuTime();
            process = os.getProcessCpuTime();
            for (int i = 0; i < n; i++) {
                worker.call(procedure, none, new RecordingEmitter());
                long t0 = threads.getCurrentThreadCpuTime();
                worker.reset();
                resetOnly += threads.getCurrentThreadCpuTime() - t0;
            }
        }
        System.out.printf(Locale.ROOT, "%d calls of %s, each followed by a reset: %.3f ms CPU per call and reset "
                        + "in this thread (reset alone %.3f ms), %.3f ms in the process%n", n, procedure,
                (threads.getCurrentThreadCpuTime() - thread) / 1e6 / n, resetOnly / 1e6 / n,
                (os.getProcessCpuTime() - process) / 1e6 / n);
    }
}
