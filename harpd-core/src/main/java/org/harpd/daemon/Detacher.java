package org.harpd.daemon;

import java.io.BufferedReader;
import java.io.File;
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

/**
 * {@code -d} for a JVM, which cannot fork: the parent starts the same command line again with
 * {@link #CHILD_OPTION}, and exits 0 once the child reports {@value #READY} on its stdout, or 1 (after
 * passing on what the child said on stderr) if the child ends or fails first.
 *
 * <p>Child side: {@link #becomeSessionLeader()} first (setsid, so no controlling terminal and no SIGHUP
 * from the parent's terminal), then the normal startup, then {@link #confirmReady()}, which also points
 * stdout and stderr at /dev/null so the parent's pipes close. Unlike a classic daemon the child does not
 * chdir("/"): the JVM resolves relative paths against its own {@code user.dir}, which a chdir underneath it
 * would not change, so the child keeps the working directory it was started in.
 */
public final class Detacher {
    /** The hidden option marking the detached child. */
    public static final String CHILD_OPTION = "--detached-child";
    public static final String READY = "READY";
    private static final int O_RDWR = 2;

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

    /** Child side, once listening: tells the parent, then lets go of its pipes. */
    public static void confirmReady() throws IOException {
        System.out.print(READY + "\n");
        System.out.flush();
        if (System.out.checkError()) {
            throw new IOException("cannot report readiness to the parent process");
        }
        System.err.flush();
        POSIX posix = POSIXFactory.getNativePOSIX();
        int devNull = posix.open("/dev/null", O_RDWR, 0);
        if (devNull < 0) {
            throw new IOException("cannot open /dev/null: errno " + posix.errno());
        }
        posix.dup2(devNull, 1);
        posix.dup2(devNull, 2);
        posix.close(devNull);
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
