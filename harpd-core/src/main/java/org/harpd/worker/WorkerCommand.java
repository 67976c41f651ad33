package org.harpd.worker;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How to start a worker process: {@code java <jvmOptions> -cp <classpath> <mainClass> <args>}.
 *
 * @param java       the java binary
 * @param jvmOptions options for the worker JVM (heap, GC, -D properties ...)
 * @param classpath  the worker's class path, as for {@code -cp}
 * @param mainClass  e.g. {@code org.harpd.worker.WorkerMain}
 * @param args       the worker's arguments, usually {@link WorkerArguments#toArgs()}
 */
public record WorkerCommand(String java, List<String> jvmOptions, String classpath, String mainClass,
                            List<String> args) {
    public WorkerCommand {
        requireText(java, "java binary");
        requireText(classpath, "class path");
        requireText(mainClass, "main class");
        jvmOptions = List.copyOf(jvmOptions);
        args = List.copyOf(args);
    }

    /** The java binary running this JVM, so workers run on the same Java as the listener. */
    public static String currentJava() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    public List<String> commandLine() {
        List<String> line = new ArrayList<>();
        line.add(java);
        line.addAll(jvmOptions);
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
