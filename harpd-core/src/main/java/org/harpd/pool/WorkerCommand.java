package org.harpd.pool;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.harpd.workerprotocol.WorkerArguments;

/**
 * How to start a worker process: {@code java <jvmOptions> <checkedOptions> -cp <classpath> <mainClass> <args>}.
 *
 * @param java           the java binary
 * @param jvmOptions     options for the worker JVM (heap, GC, -D properties ...)
 * @param classpath      the worker's class path, as for {@code -cp}
 * @param mainClass      e.g. {@code org.harpd.main.WorkerMain}
 * @param args           the worker's arguments, usually {@link WorkerArguments#toArgs()}
 * @param checkedOptions JVM options each worker gets only if they pass their check as it starts
 */
public record WorkerCommand(String java, List<String> jvmOptions, String classpath, String mainClass,
                            List<String> args, List<CheckedOption> checkedOptions) {
    /**
     * A JVM option that names something which may have become unsafe since the listener started (a file mapped
     * into the worker, say), so it is checked again before every worker start.
     */
    public interface CheckedOption {
        /** The option for the worker about to start, or empty to start that worker without it. */
        Optional<String> forNextStart();
    }

    public WorkerCommand {
        requireText(java, "java binary");
        requireText(classpath, "class path");
        requireText(mainClass, "main class");
        jvmOptions = List.copyOf(jvmOptions);
        args = List.copyOf(args);
        checkedOptions = List.copyOf(checkedOptions);
    }

    public WorkerCommand(String java, List<String> jvmOptions, String classpath, String mainClass,
                         List<String> args) {
        this(java, jvmOptions, classpath, mainClass, args, List.of());
    }

    /** The java binary running this JVM, so workers run on the same Java as the listener. */
    public static String currentJava() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** This command with {@code option} checked before every start. */
    public WorkerCommand withCheckedOption(CheckedOption option) {
        List<CheckedOption> options = new ArrayList<>(checkedOptions);
        options.add(option);
        return new WorkerCommand(java, jvmOptions, classpath, mainClass, args, options);
    }

    /** The command line for the worker about to start: the checked options are checked now. */
    public List<String> commandLine() {
        List<String> line = new ArrayList<>();
        line.add(java);
        line.addAll(jvmOptions);
        for (CheckedOption option : checkedOptions) {
            option.forNextStart().ifPresent(line::add);
        }
        line.add("-cp");
        line.add(classpath);
        line.add(mainClass);
        line.addAll(args);
        return line;
    }

    private static void requireText(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " missing");
        }
    }
}
