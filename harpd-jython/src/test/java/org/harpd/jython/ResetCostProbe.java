package org.harpd.jython;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.harpd.config.PythonPath;

/**
 * Measures what preparing the next interpreter state costs in the {@code interpreter} isolation level: the CPU
 * time of {@link JythonWorkerRuntime#load} in a warm JVM, as a worker does it after every call. Not a test:
 * figures for STARTUP.md. CPU time (this thread, and the whole process for GC and JIT), not wall time, so that
 * other work on the machine skews it little.
 *
 * <pre>java [worker JVM options] -Dharpd.python.lib=DIR -cp TEST_CLASSPATH org.harpd.jython.ResetCostProbe
 *      [PROCEDURES] [N]</pre>
 *
 * Without PROCEDURES, the benchmark's one-procedure file. N loads warm up, N more are measured (default 300).
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
        for (int i = 0; i < n; i++) {
            worker.load();
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long thread = threads.getCurrentThreadCpuTime();
        long process = os.getProcessCpuTime();
        for (int i = 0; i < n; i++) {
            worker.load();
        }
        System.out.printf(Locale.ROOT, "%d loads: %.2f ms CPU per load in this thread, %.2f ms in the process%n", n,
                (threads.getCurrentThreadCpuTime() - thread) / 1e6 / n, (os.getProcessCpuTime() - process) / 1e6 / n);
    }
}
