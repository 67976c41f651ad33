package org.harpd.main;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.harpd.jython.LinuxCalls;
import org.harpd.protocol.Json;
import org.harpd.worker.WorkerProcessMain;

/**
 * How a worker JVM loads harpd's own jars: as named modules ({@code org.harpd.client}, {@code org.harpd.core},
 * {@code org.harpd.jython}) on the module path, the libraries (Jython, jnr, Jackson, Logback) on the class path.
 * Procedures' code lives in the class path's unnamed module, with Jython; a named module opens none of its
 * packages to it, so {@code setAccessible} on harpd's classes fails there and code running in a call cannot
 * reach the worker's internals (the pipes, the interpreter snapshot, the baseline it is checked against) by
 * reflection. The modules read the unnamed module, so harpd still uses its libraries.
 *
 * <p>Only where the three are jars with a module descriptor, as in the distribution; from class directories
 * (a development build) workers run everything from the class path, as the listener does.
 */
record WorkerModules(List<Path> modulePath) {
    static final String ROOT = "org.harpd.jython";
    private static final List<String> MODULES = List.of("org.harpd.client", "org.harpd.core", ROOT);
    /** The JDK packages {@link LinuxCalls#descriptor} reads a file object's descriptor from. */
    private static final List<String> OPENED_TO_HARPD = List.of("java.base/java.io", "java.base/sun.nio.ch");

    /** harpd's jars, when all three are modular jars. */
    static Optional<WorkerModules> find() {
        List<Path> jars = new ArrayList<>();
        for (Class<?> type : List.of(Json.class, WorkerProcessMain.class, LinuxCalls.class)) {
            Optional<Path> jar = modularJar(type);
            if (jar.isEmpty()) {
                return Optional.empty();
            }
            jars.add(jar.get());
        }
        return Optional.of(new WorkerModules(List.copyOf(jars)));
    }

    private static Optional<Path> modularJar(Class<?> type) {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        if (source == null) {
            return Optional.empty();
        }
        try {
            Path path = Path.of(source.getLocation().toURI()).toAbsolutePath();
            if (!Files.isRegularFile(path)) {
                return Optional.empty();
            }
            try (JarFile jar = new JarFile(path.toFile())) {
                return jar.getEntry("module-info.class") == null ? Optional.empty() : Optional.of(path);
            }
        } catch (URISyntaxException | IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The worker's JVM options for the modules, in place of the JDK packages the class path would get opened. */
    List<String> jvmOptions() {
        List<String> options = new ArrayList<>();
        options.add("--module-path=" + modulePath.stream().map(Path::toString)
                .collect(Collectors.joining(File.pathSeparator)));
        options.add("--add-modules=" + ROOT);
        for (String module : MODULES) {
            // harpd's modules use the libraries on the class path; nothing is opened the other way
            options.add("--add-reads=" + module + "=ALL-UNNAMED");
        }
        for (String pkg : OPENED_TO_HARPD) {
            options.add("--add-opens=" + pkg + "=" + ROOT);
        }
        return options;
    }

    /** {@code classPath} without harpd's jars, which the worker gets on the module path instead. */
    String classPathWithout(String classPath) {
        return Arrays.stream(classPath.split(File.pathSeparator))
                .filter(entry -> !entry.isEmpty() && !modulePath.contains(Path.of(entry).toAbsolutePath()))
                .collect(Collectors.joining(File.pathSeparator));
    }

    /** Whether {@code option} opens a JDK package to the class path, which the modules make unneeded. */
    static boolean opensToClassPath(String option) {
        return OPENED_TO_HARPD.stream().anyMatch(pkg -> option.equals("--add-opens=" + pkg + "=ALL-UNNAMED"));
    }
}
