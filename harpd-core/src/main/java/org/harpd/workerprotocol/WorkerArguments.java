package org.harpd.workerprotocol;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.harpd.config.PythonPath;

/**
 * The worker process's command line: {@code --procedures FILE [--python-prepend P]... [--python-append P]...
 * [--tracebacks on]}.
 *
 * @param tracebacks whether a procedure's exception carries its Python traceback (harpd.conf's
 *                   {@code development.tracebacks})
 */
public record WorkerArguments(Path procedures, PythonPath pythonPath, boolean tracebacks) {
    public WorkerArguments {
        if (procedures == null) {
            throw new IllegalArgumentException("procedures file missing");
        }
        pythonPath = pythonPath == null ? PythonPath.NONE : pythonPath;
    }

    /** Without tracebacks. */
    public WorkerArguments(Path procedures, PythonPath pythonPath) {
        this(procedures, pythonPath, false);
    }

    public List<String> toArgs() {
        List<String> args = new ArrayList<>(List.of("--procedures", procedures.toString()));
        pythonPath.prepend().forEach(p -> args.addAll(List.of("--python-prepend", p)));
        pythonPath.append().forEach(p -> args.addAll(List.of("--python-append", p)));
        if (tracebacks) {
            args.addAll(List.of("--tracebacks", "on"));
        }
        return args;
    }

    /** @throws IllegalArgumentException naming the offending argument */
    public static WorkerArguments parse(String[] args) {
        Path procedures = null;
        List<String> prepend = new ArrayList<>();
        List<String> append = new ArrayList<>();
        boolean tracebacks = false;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value for " + option);
            }
            String value = args[++i];
            switch (option) {
                case "--procedures" -> procedures = Path.of(value);
                case "--python-prepend" -> prepend.add(value);
                case "--python-append" -> append.add(value);
                case "--tracebacks" -> tracebacks = "on".equals(value);
                default -> throw new IllegalArgumentException("unknown worker option " + option);
            }
        }
        if (procedures == null) {
            throw new IllegalArgumentException("--procedures is required");
        }
        return new WorkerArguments(procedures, new PythonPath(prepend, append), tracebacks);
    }
}
