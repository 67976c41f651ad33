package org.harpd.daemon;

import java.io.BufferedReader;
import java.io.File;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;
import org.harpd.posix.Posix;
import org.harpd.posix.PosixException;

/**
 * {@code -d} for a JVM, which cannot fork: the parent starts the same command line again with
 * {@link #CHILD_OPTION}, and exits 0 once the child reports {@value #READY} on its stdout, or 1 (after
 * passing on what the child said on stderr) if the child ends or fails first.
 *
 * <p>Child side: {@link #detachChild()} first (setsid, so no controlling terminal and no SIGHUP from the
 * parent's terminal; and stderr moved, see there), then the normal startup, then {@link #confirmReady()},
 * which also points stdout at /dev/null and lets go of the stderr pipe, so the parent's pipes close at once. The
 * child starts in the parent's working directory, so that it resolves the command line's relative paths as the
 * parent would; it then changes to {@code /} itself ({@link WorkingDirectory}).
 */
public final class Detacher {
    /** The hidden option marking the detached child. */
    public static final String CHILD_OPTION = "--detached-child";
    public static final String READY = "READY";
    private static final int O_RDWR = 2;
    /** The child's private descriptor for the pipe to the parent's stderr, between detachChild and ready. */
    private static int startupErr = -1;

    private Detacher() {
    }

    /**
     * The command line that starts this JVM again with {@code mainClass} and the given arguments: the same
     * java binary, JVM options and class path.
     */
    public static List<String> javaCommand(String mainClass, List<String> arguments) {
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        for (String option : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            // The class path is passed explicitly below; a debugger port cannot be bound twice.
            if (!option.startsWith("-Djava.class.path=") && !option.startsWith("-agentlib:jdwp")) {
                command.add(option);
            }
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(arguments);
        return command;
    }

    /**
     * Parent side: runs {@code command} (which should carry {@link #CHILD_OPTION}) and waits for its verdict.
     * Other lines the child writes on stdout before READY are passed on to {@code err} as errors.
     *
     * @return the parent's exit status: 0 when the child confirmed, 1 otherwise
     */
    public static int relaunchDetached(List<String> command, PrintStream err) {
        Process child;
        try {
            child = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.PIPE)
                    .redirectError(ProcessBuilder.Redirect.PIPE)
                    .start();
        } catch (IOException e) {
            err.println("harpd: cannot start the daemon process: " + e.getMessage());
            return 1;
        }
        Thread stderrCopy = new Thread(() -> copy(child.getErrorStream(), err), "detach-stderr");
        stderrCopy.setDaemon(true);
        stderrCopy.start();
        boolean ready = false;
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.equals(READY)) {
                    ready = true;
                    break;
                }
                err.println(line);
            }
        } catch (IOException e) {
            err.println("harpd: lost contact with the daemon process: " + e.getMessage());
        }
        if (ready) {
            // The child releases stderr right after READY; wait for that so nothing it said gets lost.
            joinQuietly(stderrCopy, 5000);
            return 0;
        }
        try {
            int status = child.waitFor();
            joinQuietly(stderrCopy, 5000);
            if (status == 0) {
                err.println("harpd: the daemon process exited before confirming its start");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 1;
    }

    /** Child side, first thing at startup: a new session without a controlling terminal. */
    public static void becomeSessionLeader() throws IOException {
        POSIX posix = POSIXFactory.getNativePOSIX();
        if (posix.setsid() < 0) {
            throw new IOException("setsid failed: errno " + posix.errno());
        }
    }

    /**
     * Child side, first thing at startup: {@link #becomeSessionLeader()}, and fd 2 pointed at /dev/null for
     * everything this process starts from now on (worker processes inherit fd 2; they must not hold the pipe
     * to the parent, or the parent would wait for them, and their output would go to a pipe nobody reads).
     * Until {@link #confirmReady()}, the stream returned — also installed as {@link System#err} — still reaches
     * the parent, and through it the terminal: it is where a start-up error must go.
     */
    public static PrintStream detachChild() throws IOException {
        // relaunched by javaCommand without the launcher's ProcessName wrapper, but with its -D option
        ProcessName.setFromProperty();
        becomeSessionLeader();
        System.err.flush();
        try {
            int toParent = Posix.dup(2);
            Posix.setCloseOnExec(toParent);
            int devNull = Posix.openDevNull();
            Posix.dup2(devNull, 2);
            Posix.close(devNull);
            startupErr = toParent;
        } catch (PosixException e) {
            throw new IOException("cannot set up the daemon's stderr: " + e.getMessage(), e);
        }
        PrintStream toParent = new PrintStream(new FdOutputStream(startupErr), true, StandardCharsets.UTF_8);
        System.setErr(toParent);
        return toParent;
    }

    /** Child side, once listening: tells the parent, then lets go of its pipes. */
    public static void confirmReady() throws IOException {
        System.err.flush();
        System.out.print(READY + "\n");
        System.out.flush();
        if (System.out.checkError()) {
            throw new IOException("cannot report readiness to the parent process");
        }
        if (startupErr >= 0) {
            // What is left of the pipe to the parent: closing it gives the parent end of file at once.
            System.setErr(new PrintStream(new FileOutputStream(FileDescriptor.err), true));
            Posix.close(startupErr);
            startupErr = -1;
        }
        POSIX posix = POSIXFactory.getNativePOSIX();
        int devNull = posix.open("/dev/null", O_RDWR, 0);
        if (devNull < 0) {
            throw new IOException("cannot open /dev/null: errno " + posix.errno());
        }
        posix.dup2(devNull, 1);
        posix.dup2(devNull, 2);
        posix.close(devNull);
    }

    /** Whole writes to a raw descriptor; a write error (the parent is gone) is an IOException. */
    private static final class FdOutputStream extends OutputStream {
        private final int fd;

        FdOutputStream(int fd) {
            this.fd = fd;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            try {
                Posix.writeFully(fd, bytes, offset, length);
            } catch (PosixException e) {
                throw new IOException(e.getMessage(), e);
            }
        }
    }

    private static void copy(InputStream in, OutputStream out) {
        byte[] buffer = new byte[4096];
        try (in) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // the child is gone; nothing more to pass on
        }
    }

    private static void joinQuietly(Thread thread, long millis) {
        try {
            thread.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
