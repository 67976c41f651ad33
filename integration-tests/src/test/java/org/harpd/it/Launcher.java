package org.harpd.it;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs bin/harpd to completion (for -t, --help, --version and start-up failures). */
public final class Launcher {
    public record Outcome(int exitCode, String stdout, String stderr) {
        public List<String> stderrLines() {
            return stderr.isEmpty() ? List.of() : List.of(stderr.split("\n"));
        }
    }

    private Launcher() {
    }

    public static Outcome run(List<String> args) throws Exception {
        return runIn(null, args);
    }

    /** {@link #run(List)} with {@code workingDirectory} as the launcher's working directory (null: this one's). */
    public static Outcome runIn(Path workingDirectory, List<String> args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Daemon.launcher().toString());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command);
        if (workingDirectory != null) {
            builder.directory(workingDirectory.toFile());
        }
        Process p = builder.start();
        p.getOutputStream().close();
        var out = p.getInputStream().readAllBytes();
        var err = p.getErrorStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("harpd " + args + " did not finish");
        }
        return new Outcome(p.exitValue(), new String(out, StandardCharsets.UTF_8).strip(),
                new String(err, StandardCharsets.UTF_8).strip());
    }

    public static Outcome run(String... args) throws Exception {
        return run(List.of(args));
    }
}
