package org.harpd.workerprotocol;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.harpd.config.PythonPath;

/**
 * The worker process's command line: {@code --procedures FILE [--python-prepend P]... [--python-append P]...}.
 */
public record WorkerArguments(Path procedures, PythonPath pythonPath) {
    public WorkerArguments {
        if (procedures == null) {
            throw new IllegalArgumentException("procedures file missing");
        }
        pythonPath = pythonPath == null ? PythonPath.NONE : pythonPath;
    }

    public List<String> toArgs() {
        List<String> args = new ArrayList<>(List.of("--procedures", procedures.toString()));
        pythonPath.prepend().forEach(p -> args.addAll(List.of("--python-prepend", p)));
        pythonPath.append().forEach(p -> args.addAll(List.of("--python-append", p)));
        return args;
    }

    /** @throws IllegalArgumentException naming the offending argument */
    public static WorkerArguments parse(String[] args) {
        Path procedures = null;
        List<String> prepend = new ArrayList<>();
        List<String> append = new ArrayList<>();
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
                default -> throw new IllegalArgumentException("unknown worker option " + option);
            }
        }
        if (procedures == null) {
            throw new IllegalArgumentException("--procedures is required");
        }
        return new WorkerArguments(procedures, new PythonPath(prepend, append));
    }
}
