package org.harpd.daemon;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.OptionalLong;
import org.harpd.logging.EventLog;

/**
 * {@code -p FILE}: our pid, in a file created exclusively. A file left by a dead process (or holding
 * garbage) is replaced with a warning; one naming a live process means another harpd runs, and is refused.
 * {@link #close()} removes the file, but only while it still holds our pid.
 */
public final class PidFile implements AutoCloseable {
    private static final EventLog LOG = EventLog.get("harpd");

    private final Path path;
    private final long pid;
    private boolean closed;

    private PidFile(Path path, long pid) {
        this.path = path;
        this.pid = pid;
    }

    public static PidFile create(Path path) throws PidFileException {
        long pid = ProcessHandle.current().pid();
        // Two attempts: the second after removing a stale file; losing that race to another daemon is a refusal.
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                Files.writeString(path, pid + "\n", StandardCharsets.US_ASCII,
                        StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                return new PidFile(path, pid);
            } catch (FileAlreadyExistsException e) {
                OptionalLong owner = readPid(path);
                if (owner.isPresent() && owner.getAsLong() != pid && isAlive(owner.getAsLong())) {
                    throw new PidFileException(path + ": harpd already running with pid " + owner.getAsLong());
                }
                LOG.warn("removing stale pid file", "pidfile", path.toString(),
                        "pid", owner.isPresent() ? owner.getAsLong() : null);
                try {
                    Files.deleteIfExists(path);
                } catch (IOException removal) {
                    throw new PidFileException(path + ": cannot remove stale pid file: " + reason(removal));
                }
            } catch (IOException e) {
                throw new PidFileException(path + ": cannot create pid file: " + reason(e));
            }
        }
        throw new PidFileException(path + ": pid file keeps reappearing; is another harpd starting?");
    }

    public Path path() {
        return path;
    }

    public long pid() {
        return pid;
    }

    /** Removes the file if it still names us; never throws, as it runs on the way out. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        OptionalLong owner = readPid(path);
        if (owner.isPresent() && owner.getAsLong() == pid) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                LOG.warn("cannot remove pid file", "pidfile", path.toString(), "error", reason(e));
            }
        }
    }

    /** The pid in the file, or empty if it is unreadable or not a pid. */
    static OptionalLong readPid(Path path) {
        try {
            String text = Files.readString(path, StandardCharsets.US_ASCII).trim();
            long value = Long.parseLong(text);
            return value > 0 ? OptionalLong.of(value) : OptionalLong.empty();
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** Equivalent of kill(pid, 0) without needing the permission to signal it. */
    static boolean isAlive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "No such file or directory";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "Permission denied";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
