package org.harpd.daemon;

import java.nio.file.Path;
import org.harpd.posix.Posix;
import org.harpd.posix.PosixException;

/**
 * The daemon runs from {@code /}, as harpd(8)'s does: the directory it was started in may be writable by anyone
 * ({@code /tmp}, a home directory), and nothing there may be picked up by root code — Jython, for one, looks up
 * classes and modules relative to the working directory.
 *
 * <p>Java resolves relative paths against the {@code user.dir} it started with, for the life of the JVM (a
 * {@code chdir} underneath it or a new {@code user.dir} value does not change that), while native code and
 * child processes use the kernel's working directory. So everything relative is resolved against
 * {@link #start()} first, then {@link #leave} changes both to {@code /}; from then on no code may rely on a
 * relative path.
 */
public final class WorkingDirectory {
    public static final Path ROOT = Path.of("/");

    private WorkingDirectory() {
    }

    /** The directory the JVM was started in, which Java's relative paths are resolved against. */
    public static Path start() {
        return Path.of("").toAbsolutePath();
    }

    /**
     * Makes the system properties {@code pathProperties} that are set absolute against {@link #start()}, then
     * changes the process's working directory to {@code /} and {@code user.dir} with it (read by code that
     * wants the working directory, such as Jython's {@code os.getcwd()}).
     *
     * @throws PosixException when {@code /} cannot be entered
     */
    public static void leave(String... pathProperties) {
        Path start = start();
        for (String property : pathProperties) {
            String value = System.getProperty(property);
            if (value != null && !value.isEmpty()) {
                System.setProperty(property, start.resolve(value).toString());
            }
        }
        Posix.chdir(ROOT.toString());
        System.setProperty("user.dir", ROOT.toString());
    }
}
