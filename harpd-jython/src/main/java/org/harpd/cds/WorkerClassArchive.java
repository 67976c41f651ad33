package org.harpd.cds;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.harpd.daemon.WorkingDirectory;
import org.harpd.logging.EventLog;
import org.harpd.logging.PythonLogBridge;
import org.harpd.pool.WorkerCommand;
import org.harpd.posix.Posix;

/**
 * A dynamic class-data-sharing archive for worker JVMs: the classes a worker loads up to "ready" (JDK, Netty-free
 * harpd core, Jython, the compiled Python modules), parsed and verified once and then mapped by every worker.
 *
 * <p>The archive is only valid for the exact java binary and class path it was dumped with (the JVM checks and,
 * with {@code -Xshare:auto}, ignores a mismatching archive). Rather than ship one from the build, which breaks as
 * soon as the distribution is unpacked elsewhere or run on another JDK, the listener makes it at its first
 * start: it boots one worker with {@code -XX:ArchiveClassesAtExit}, lets it exit, and keeps the file under a
 * name derived from everything the archive depends on ({@link #key}), in the background: the starts after
 * that find it.
 * A changed JDK, jar or JVM option gives a new name, so a stale archive is never used.
 *
 * <p>The archive is mapped into root processes, so it is only made and used where nobody but this user (and
 * root) can put another file in its place ({@link #checkTrusted}), and that is checked again before every
 * worker start, not only when the listener starts. Whatever goes wrong, workers start without an archive:
 * slower, still correct.
 */
public final class WorkerClassArchive {
    /** System property: the cache directory, or {@code off} to start workers without an archive. */
    public static final String DIRECTORY_PROPERTY = "harpd.cds.dir";

    /** Where the archive lives when {@value #DIRECTORY_PROPERTY} is unset. */
    public static final Path DEFAULT_DIRECTORY = Path.of("/var/cache/harpd");

    private static final String DUMP_OPTION = "-XX:ArchiveClassesAtExit=";
    private static final String USE_OPTION = "-XX:SharedArchiveFile=";
    /** A dump reports every class it cannot archive (thousands, for Jython): none of that is news. */
    private static final List<String> QUIET_DUMP = List.of("-Xlog:cds=off:stderr", "-Xlog:cds+dynamic=off:stderr");
    private static final Duration DUMP_TIMEOUT = Duration.ofSeconds(120);
    /**
     * An archive no worker has mapped for this long belongs to a JDK, jar or option set no daemon uses any
     * more (every upgrade leaves one of ~25 MB behind). Mapping a file updates its access time, at least
     * daily under relatime, so an archive in use, by this daemon or another sharing the directory, is never
     * this old.
     */
    static final Duration UNUSED_ARCHIVE_AGE = Duration.ofDays(14);

    private static final EventLog LOG = EventLog.get("harpd.cds");

    private WorkerClassArchive() {
    }

    /** The directory from {@value #DIRECTORY_PROPERTY}, the default, or empty when archives are switched off. */
    public static Optional<Path> configuredDirectory() {
        String configured = System.getProperty(DIRECTORY_PROPERTY);
        if (configured == null || configured.isBlank()) {
            return Optional.of(DEFAULT_DIRECTORY);
        }
        if (configured.equals("off")) {
            return Optional.empty();
        }
        return Optional.of(Path.of(configured).toAbsolutePath());
    }

    /**
     * {@code command} with the archive to share if there is one; otherwise {@code command} unchanged, and the
     * archive is made in the background (one worker boot and a dump) for the next start of the listener.
     * Making it before the pool starts would delay the listener's start by seconds, a minute on a loaded machine.
     *
     * @param readyTimeout how long the worker that makes the archive may take to get ready
     */
    public static WorkerCommand apply(WorkerCommand command, Path directory, Duration readyTimeout) {
        if (choosesItsOwnSharing(command.jvmOptions())) {
            return command;
        }
        try {
            Path archive = archiveFor(command, directory);
            if (Files.isRegularFile(archive, LinkOption.NOFOLLOW_LINKS)) {
                Path trusted = checkTrusted(archive);
                Path trustedDirectory = trusted.getParent();
                if (trustedDirectory != null) {
                    deleteAbandonedDumps(trustedDirectory, Instant.now());
                }
                return command.withCheckedOption(new SharedArchive(trusted));
            }
            Thread maker = new Thread(() -> make(command, directory, readyTimeout), "harpd-cds-archive");
            maker.setDaemon(true);
            maker.start();
        } catch (IOException | RuntimeException e) {
            warn(e, directory);
        }
        return command;
    }

    /** Makes the archive for {@code command} now; empty (and a warning logged) if that fails. */
    static Optional<Path> make(WorkerCommand command, Path directory, Duration readyTimeout) {
        try {
            Path archive = archiveFor(command, directory);
            prepareDirectory(directory);
            deleteAbandonedDumps(directory, Instant.now());
            dump(command, directory, archive, readyTimeout);
            LOG.info("class-data-sharing archive for workers made", "archive", archive.toString());
            pruneUnused(directory, archive, Instant.now());
            return Optional.of(archive);
        } catch (IOException | RuntimeException e) {
            warn(e, directory);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Optional.empty();
    }

    /**
     * Deletes the archives in {@code directory}, other than {@code keep}, that no worker has mapped for
     * {@link #UNUSED_ARCHIVE_AGE}; runs only after a new archive was made, which is when an old one may have
     * just become unused.
     *
     * @return the archives deleted
     */
    static List<Path> pruneUnused(Path directory, Path keep, Instant now) {
        List<Path> deleted = new ArrayList<>();
        try (var archives = Files.newDirectoryStream(directory, "worker-*.jsa")) {
            for (Path archive : archives) {
                if (archive.equals(keep)) {
                    continue;
                }
                BasicFileAttributes attributes = Files.readAttributes(archive, BasicFileAttributes.class,
                        LinkOption.NOFOLLOW_LINKS);
                Instant lastUse = attributes.lastAccessTime().toInstant();
                if (attributes.isRegularFile() && lastUse.plus(UNUSED_ARCHIVE_AGE).isBefore(now)) {
                    Files.delete(archive);
                    deleted.add(archive);
                    LOG.info("unused class-data-sharing archive deleted", "archive", archive.toString(),
                            "last_used", lastUse.toString());
                }
            }
        } catch (IOException e) {
            LOG.warn("could not delete unused class-data-sharing archives", "directory", directory.toString(),
                    "reason", String.valueOf(e.getMessage()));
        }
        return deleted;
    }

    /**
     * Deletes the partial archives of dumps that were cut short: a listener stopped while its dumping worker
     * wrote (the worker dies with it, before the file is moved into place or deleted), or the machine went down.
     * A dump's partial file exists only while the exiting JVM writes it, then it is moved or deleted within
     * {@link #DUMP_TIMEOUT}: one unchanged for twice that long has no writer left. Younger ones may belong to a
     * dump of another harpd sharing the directory, and are left alone. Asked at every start, where the directory
     * was found trusted.
     *
     * @return the partial files deleted
     */
    static List<Path> deleteAbandonedDumps(Path directory, Instant now) {
        List<Path> deleted = new ArrayList<>();
        try (var partials = Files.newDirectoryStream(directory, ".worker-*.jsa.partial")) {
            for (Path partial : partials) {
                BasicFileAttributes attributes = Files.readAttributes(partial, BasicFileAttributes.class,
                        LinkOption.NOFOLLOW_LINKS);
                Instant written = attributes.lastModifiedTime().toInstant();
                if (attributes.isRegularFile() && written.plus(DUMP_TIMEOUT.multipliedBy(2)).isBefore(now)) {
                    Files.delete(partial);
                    deleted.add(partial);
                }
            }
        } catch (IOException e) {
            LOG.warn("could not delete abandoned class-data-sharing dumps", "directory", directory.toString(),
                    "reason", String.valueOf(e.getMessage()));
        }
        if (!deleted.isEmpty()) {
            LOG.info("abandoned class-data-sharing dumps deleted", "directory", directory.toString(),
                    "files", deleted.size());
        }
        return deleted;
    }

    private static Path archiveFor(WorkerCommand command, Path directory) throws IOException {
        return directory.resolve("worker-" + key(command) + ".jsa");
    }

    private static void warn(Exception e, Path directory) {
        LOG.warn("workers start without a class-data-sharing archive", "reason", String.valueOf(e.getMessage()),
                "directory", directory.toString());
    }

    /** Operators who pass their own {@code -Xshare} or archive options in {@code jvm_options} get just those. */
    static boolean choosesItsOwnSharing(List<String> jvmOptions) {
        return jvmOptions.stream().anyMatch(o -> o.startsWith("-Xshare:off") || o.startsWith(USE_OPTION)
                || o.startsWith(DUMP_OPTION) || o.startsWith("-XX:SharedArchiveFile"));
    }

    /**
     * A digest of what the archive depends on: the java binary and its version, the JVM options, the class
     * path as written and every entry's size and modification time, and the same of the module path's entries
     * (the JVM refuses an archive when a jar changed; a new key makes a new archive instead).
     */
    private static final String MODULE_PATH_OPTION = "--module-path=";

    static String key(WorkerCommand command) throws IOException {
        List<String> parts = new ArrayList<>();
        parts.add(command.java());
        parts.add(describeFile(Path.of(command.java())));
        parts.add(System.getProperty("java.vm.version", ""));
        // the Python loggers' levels do not change which classes load: a new logging file keeps the archive
        String levels = "-D" + PythonLogBridge.LEVELS_PROPERTY + "=";
        command.jvmOptions().stream().filter(option -> !option.startsWith(levels)).forEach(parts::add);
        parts.add(command.classpath());
        List<String> entries = new ArrayList<>(List.of(command.classpath().split(File.pathSeparator)));
        for (String option : command.jvmOptions()) {
            if (option.startsWith(MODULE_PATH_OPTION)) {
                entries.addAll(List.of(option.substring(MODULE_PATH_OPTION.length()).split(File.pathSeparator)));
            }
        }
        for (String entry : entries) {
            parts.add(describeFile(Path.of(entry)));
        }
        parts.add(command.mainClass());
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String part : parts) {
                sha.update(part.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    private static String describeFile(Path file) throws IOException {
        if (!Files.exists(file)) {
            return file + ":absent";
        }
        Path real = file.toRealPath();
        return real + ":" + Files.size(real) + ":" + Files.getLastModifiedTime(real).toMillis();
    }

    private static void prepareDirectory(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            Files.createDirectories(directory,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        }
        checkTrusted(directory);
    }

    /**
     * That nobody but this user and root can replace {@code path} (the archive or its directory), as OpenSSH's
     * StrictModes and sudo check the files they trust: {@code path} itself is no symbolic link, is owned by
     * this user and writable by nobody else; and every directory above it, up to {@code /}, is owned by root or
     * this user and writable by nobody else, except a root-owned directory with the sticky bit (such as
     * {@code /tmp}), in which others may add entries but not rename or remove ours. Symbolic links above
     * {@code path} are followed and their targets checked, so the path returned, which has none, is the one to
     * hand on.
     *
     * @return {@code path} with its directories' symbolic links resolved
     * @throws IOException naming the first file that fails, and why
     */
    static Path checkTrusted(Path path) throws IOException {
        Path absolute = path.toAbsolutePath();
        Path parent = absolute.getParent();
        Path real = parent == null ? absolute : parent.toRealPath().resolve(absolute.getFileName());
        int me = Posix.geteuid();
        PosixFileAttributes attributes = Files.readAttributes(real, PosixFileAttributes.class,
                LinkOption.NOFOLLOW_LINKS);
        if (attributes.isSymbolicLink() || uid(real) != me || writableByOthers(attributes.permissions())) {
            throw new IOException(real + " must be owned by uid " + me + " and writable by nobody else");
        }
        for (Path directory = real.getParent(); directory != null; directory = directory.getParent()) {
            int owner = uid(directory);
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(directory, LinkOption.NOFOLLOW_LINKS);
            if (owner != 0 && owner != me) {
                throw new IOException(directory + ", above " + real + ", is owned by uid " + owner
                        + ": it must be owned by root or uid " + me);
            }
            if (writableByOthers(permissions) && !(owner == 0 && sticky(directory))) {
                throw new IOException(directory + ", above " + real
                        + ", is writable by group or others without being a root-owned sticky directory");
            }
        }
        return real;
    }

    private static int uid(Path path) throws IOException {
        return (Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    }

    private static boolean sticky(Path directory) throws IOException {
        return ((Integer) Files.getAttribute(directory, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 01000) != 0;
    }

    private static boolean writableByOthers(Set<PosixFilePermission> permissions) {
        return permissions.contains(PosixFilePermission.GROUP_WRITE)
                || permissions.contains(PosixFilePermission.OTHERS_WRITE);
    }

    /**
     * The archive option, given to a worker only while {@link #checkTrusted} still holds for the archive: a
     * directory above it that someone else came to own or write would let them swap in an archive of their
     * own, which the next root worker would map. A refusal is logged once, until the archive is fine again.
     */
    static final class SharedArchive implements WorkerCommand.CheckedOption {
        private final Path archive;
        private final AtomicReference<String> refusal = new AtomicReference<>();

        SharedArchive(Path archive) {
            this.archive = archive;
        }

        @Override
        public Optional<String> forNextStart() {
            try {
                checkTrusted(archive);
            } catch (IOException e) {
                String reason = String.valueOf(e.getMessage());
                if (!reason.equals(refusal.getAndSet(reason))) {
                    LOG.warn("worker starts without the class-data-sharing archive", "archive", archive.toString(),
                            "reason", reason);
                }
                return Optional.empty();
            }
            if (refusal.getAndSet(null) != null) {
                LOG.info("workers use the class-data-sharing archive again", "archive", archive.toString());
            }
            return Optional.of(USE_OPTION + archive);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof SharedArchive shared && shared.archive.equals(archive);
        }

        @Override
        public int hashCode() {
            return archive.hashCode();
        }

        @Override
        public String toString() {
            return USE_OPTION + archive + " (checked at every start)";
        }
    }

    /** Boots one worker that dumps the archive when it exits, then moves the archive into place. */
    private static void dump(WorkerCommand command, Path directory, Path archive, Duration readyTimeout)
            throws IOException, InterruptedException {
        Path partial = Files.createTempFile(directory, ".worker-", ".jsa.partial");
        // the JVM writes the archive itself and wants the name free
        Files.delete(partial);
        List<String> options = new ArrayList<>(command.jvmOptions());
        options.add(DUMP_OPTION + partial);
        options.addAll(QUIET_DUMP);
        WorkerCommand dumping = new WorkerCommand(command.java(), options, command.classpath(),
                command.mainClass(), command.args());
        LOG.info("making the class-data-sharing archive for workers, used from the next start on", "archive",
                archive.toString());
        Process worker = new ProcessBuilder(dumping.commandLine())
                .directory(WorkingDirectory.ROOT.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            String first = readFirstLine(worker, readyTimeout);
            if (first == null || !first.startsWith("{\"ready\"")) {
                throw new IOException("the worker did not get ready: " + first);
            }
            worker.getOutputStream().close(); // end of the command pipe: the worker exits, dumping
            if (!worker.waitFor(DUMP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IOException("the worker took too long to write the archive");
            }
            if (!Files.isRegularFile(partial)) {
                throw new IOException("the worker wrote no archive");
            }
            try {
                Files.move(partial, archive, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(partial, archive, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            worker.destroyForcibly();
            // A worker that failed (no main class, say) still dumps as it exits: the partial file is deleted only
            // once the JVM is gone, or it may be written after the delete and stay behind.
            worker.waitFor(DUMP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            Files.deleteIfExists(partial);
        }
    }

    /** The worker's first line of output, or null if it ended or missed the deadline without one. */
    private static String readFirstLine(Process worker, Duration timeout) throws InterruptedException {
        CompletableFuture<String> first = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(worker.getInputStream(), StandardCharsets.UTF_8))) {
                first.complete(out.readLine());
                // keep draining, so the dumping JVM never blocks on a full pipe
                while (out.readLine() != null) {
                    continue;
                }
            } catch (IOException e) {
                first.complete(null); // the worker is gone: no line
            }
        }, "harpd-cds-dump");
        reader.setDaemon(true);
        reader.start();
        try {
            return first.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return null;
        }
    }
}
