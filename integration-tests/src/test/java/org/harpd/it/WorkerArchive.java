package org.harpd.it;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Makes sure the class-data-sharing archive for the workers of the assembled distribution exists before the
 * first test daemon is configured. A listener that finds no archive boots one extra worker in the background to
 * dump it, for its next start; most test daemons stop before that dump is done (it takes longer than most
 * tests), so without this every daemon of a run would start its workers without the archive, and one after the
 * other would spend a worker boot and a dump on an archive it never finishes. Here one daemon is started and
 * kept until its dump is done. Each build makes new jars, hence a new archive, so this matters in every run.
 * Test JVMs running side by side (failsafe's forks, this module's and harpcallerd's) take turns through a lock
 * file beside the distribution: the first makes the archive, the others then find it.
 *
 * <p>Whatever goes wrong is printed and the tests go on: workers start without the archive, slower, still
 * correct (the archive itself is harpd-jython's {@code WorkerClassArchiveTest}'s concern).
 */
final class WorkerArchive {
    private static final String WORKER_MAIN = "org.harpd.main.WorkerMain";
    private static final Duration DUMP_LIMIT = Duration.ofMinutes(5);
    private static boolean checked;

    private WorkerArchive() {
    }

    static synchronized void ensure() {
        if (checked) {
            return;
        }
        checked = true;
        Path lockFile = Daemon.distribution().resolveSibling("worker-archive.lock");
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = channel.lock();
             Daemon daemon = Daemon.builder().archiveChecked().start()) {
            String worker = awaitPoolWorker(daemon);
            if (worker.contains("-XX:SharedArchiveFile=")) {
                return;
            }
            // no archive yet: this daemon's listener is dumping one; keep it until that is over, either way
            // (or a warning that workers start without one)
            daemon.awaitLog(line -> line.contains("class-data-sharing archive")
                    && (line.contains("archive for workers made") || line.contains("without")), DUMP_LIMIT);
        } catch (Exception | AssertionError e) {
            System.err.println("the workers' class-data-sharing archive was not made ahead of the tests (their "
                    + "workers start without it): " + e);
        }
    }

    /** The command line (NUL-separated words joined by spaces) of the first pool worker the daemon starts. */
    private static String awaitPoolWorker(Daemon daemon) throws InterruptedException {
        Instant end = Instant.now().plus(DUMP_LIMIT);
        while (Instant.now().isBefore(end)) {
            for (ProcessHandle child : daemon.workers()) {
                Optional<String> command = commandLine(child.pid());
                // the dumping worker runs the same main class with -XX:ArchiveClassesAtExit
                if (command.isPresent() && command.get().contains(WORKER_MAIN)
                        && !command.get().contains("-XX:ArchiveClassesAtExit")) {
                    return command.get();
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no worker started within " + DUMP_LIMIT);
    }

    private static Optional<String> commandLine(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            return Optional.of(new String(raw, StandardCharsets.UTF_8).replace('\0', ' '));
        } catch (IOException gone) {
            return Optional.empty();
        }
    }
}
