package org.harpd.daemon;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The process name that {@code ps}, {@code top} and {@code pgrep -x} show: {@code harpd}, {@code harpd-worker}
 * and {@code harpcallerd} instead of {@code java} for every process.
 *
 * <p>Linux takes a process's name ({@code comm}, 15 bytes at most) from the file it executed, here the
 * {@code java} binary. Writing {@code /proc/self/comm} renames it: {@code /proc/self} is the thread group's
 * leader, the thread that {@code pgrep} and {@code ps} read, while {@code prctl(PR_SET_NAME)} would only rename
 * the calling thread, which in a JVM is not the leader. {@code exec -a} in the launcher changes
 * {@code argv[0]} only, not the name.
 *
 * <p>The launchers run {@link #main} with {@code -Dharpd.process.name=NAME} and the real main class; a detached
 * daemon's relaunched JVM keeps that JVM option and renames itself in {@link Detacher#detachChild()}.
 */
public final class ProcessName {
    /** The system property that names the process. */
    public static final String PROPERTY = "harpd.process.name";

    private static final int MAX_BYTES = 15;

    private ProcessName() {
    }

    /**
     * Renames this process; does nothing where {@code /proc/self/comm} cannot be written (not Linux).
     *
     * @return whether the name was set
     */
    public static boolean set(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        try {
            Files.write(Path.of("/proc/self/comm"), Arrays.copyOf(bytes, Math.min(bytes.length, MAX_BYTES)));
            return true;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    /** Renames this process after the {@value #PROPERTY} system property, where it is set. */
    public static void setFromProperty() {
        String name = System.getProperty(PROPERTY);
        if (name != null && !name.isEmpty()) {
            set(name);
        }
    }

    /**
     * {@code ProcessName MAIN-CLASS ARGS...}: renames the process after {@value #PROPERTY}, then runs
     * {@code MAIN-CLASS}'s {@code main} with {@code ARGS}.
     */
    public static void main(String[] args) throws Throwable {
        if (args.length == 0) {
            System.err.println("usage: java -D" + PROPERTY + "=NAME " + ProcessName.class.getName()
                    + " MAIN-CLASS [ARGS...]");
            System.exit(2);
        }
        setFromProperty();
        Method main = Class.forName(args[0]).getMethod("main", String[].class);
        try {
            main.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
