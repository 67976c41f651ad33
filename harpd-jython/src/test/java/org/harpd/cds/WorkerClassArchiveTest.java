package org.harpd.cds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.harpd.logging.PythonLogBridge;
import org.harpd.pool.WorkerCommand;
import org.harpd.posix.Posix;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerClassArchiveTest {
    private static final Duration READY = Duration.ofSeconds(60);
    private static final int NOBODY = 65534;

    @TempDir
    Path dir;
    private Path jar;
    private WorkerCommand command;

    @BeforeEach
    void fakeWorkerJar() throws IOException {
        // the JVM archives classes from jars only, so the stand-in worker is packed into one
        jar = dir.resolve("worker.jar");
        String entry = ReadyThenWaitMain.class.getName().replace('.', '/') + ".class";
        try (InputStream in = ReadyThenWaitMain.class.getClassLoader().getResourceAsStream(entry);
             OutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            ((JarOutputStream) out).putNextEntry(new JarEntry(entry));
            in.transferTo(out);
        }
        command = new WorkerCommand(WorkerCommand.currentJava(), List.of("-XX:+UseSerialGC"), jar.toString(),
                ReadyThenWaitMain.class.getName(), List.of());
    }

    /**
     * {@code apply} without an archive starts making one in the background: let that end before the temporary
     * directory is deleted, or the dumping JVM writes into it while it is being removed.
     */
    @AfterEach
    void awaitBackgroundArchives() throws InterruptedException {
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().equals("harpd-cds-archive")) {
                thread.join(READY.toMillis());
            }
        }
    }

    @Test
    void aMadeArchiveIsSharedFromThenOn() throws IOException {
        Path cache = dir.resolve("cache");
        Path archive = WorkerClassArchive.make(command, cache, READY).orElseThrow();
        assertTrue(Files.isRegularFile(archive), "archive written: " + archive);
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(cache)));
        FileTime made = Files.getLastModifiedTime(archive);
        // what a listener stopped while its dumping worker wrote leaves behind
        Path abandoned = written(cache.resolve(".worker-1.jsa.partial"), Instant.now().minus(Duration.ofHours(1)));

        WorkerCommand shared = WorkerClassArchive.apply(command, cache, READY);
        assertEquals(archive.toString(), archiveOption(shared).substring("-XX:SharedArchiveFile=".length()));
        assertEquals(WorkerClassArchive.apply(command, cache, READY), shared);
        assertEquals(made, Files.getLastModifiedTime(archive), "the archive is reused, not made again");
        try (var files = Files.list(cache)) {
            assertEquals(List.of(archive), files.toList(), "no partial files are left behind");
        }
        assertFalse(Files.exists(abandoned), "a start deletes the partial archive of a dump cut short");
    }

    @Test
    void archivesUnusedForTwoWeeksAreDeletedOthersKept() throws IOException {
        Path cache = Files.createDirectories(dir.resolve("cache"));
        Instant now = Instant.parse("2026-11-23T12:00:00Z");
        Path current = touch(cache.resolve("worker-current.jsa"), now.minus(Duration.ofDays(400)));
        Path recentlyUsed = touch(cache.resolve("worker-recent.jsa"), now.minus(Duration.ofDays(13)));
        Path stale = touch(cache.resolve("worker-stale.jsa"), now.minus(Duration.ofDays(15)));
        Path notAnArchive = touch(cache.resolve("notes.txt"), now.minus(Duration.ofDays(400)));

        assertEquals(List.of(stale), WorkerClassArchive.pruneUnused(cache, current, now));
        assertTrue(Files.exists(current), "the archive just made is kept, however old its access time");
        assertTrue(Files.exists(recentlyUsed), "an archive mapped within two weeks is kept");
        assertFalse(Files.exists(stale));
        assertTrue(Files.exists(notAnArchive), "only worker-*.jsa files are considered");
    }

    @Test
    void partialArchivesOfDumpsCutShortAreDeletedThoseBeingWrittenKept() throws IOException {
        Path cache = Files.createDirectories(dir.resolve("cache"));
        Instant now = Instant.parse("2026-11-23T12:00:00Z");
        Path abandoned = written(cache.resolve(".worker-1.jsa.partial"), now.minus(Duration.ofMinutes(5)));
        Path beingWritten = written(cache.resolve(".worker-2.jsa.partial"), now.minus(Duration.ofSeconds(30)));
        Path archive = written(cache.resolve("worker-current.jsa"), now.minus(Duration.ofDays(1)));
        Path elsewhere = written(dir.resolve("elsewhere.jsa.partial"), now.minus(Duration.ofDays(1)));
        Path link = Files.createSymbolicLink(cache.resolve(".worker-3.jsa.partial"), elsewhere);

        assertEquals(List.of(abandoned), WorkerClassArchive.deleteAbandonedDumps(cache, now));
        assertTrue(Files.exists(beingWritten), "a dump of another harpd may still be writing it");
        assertTrue(Files.exists(archive));
        assertTrue(Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS) && Files.exists(elsewhere),
                "a symbolic link is neither followed nor taken for a partial archive");
    }

    private static Path written(Path file, Instant lastModified) throws IOException {
        Files.writeString(file, "x");
        Files.setLastModifiedTime(file, FileTime.from(lastModified));
        return file;
    }

    private static Path touch(Path file, Instant lastAccess) throws IOException {
        Files.writeString(file, "x");
        Files.getFileAttributeView(file, BasicFileAttributeView.class)
                .setTimes(null, FileTime.from(lastAccess), null);
        return file;
    }

    @Test
    void aChangedJarGetsAnotherArchive() throws IOException {
        String before = WorkerClassArchive.key(command);
        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() - 10_000));
        assertNotEquals(before, WorkerClassArchive.key(command));
    }

    @Test
    void aChangedJarOnTheModulePathGetsAnotherArchive() throws IOException {
        Path module = Files.copy(jar, dir.resolve("module.jar"));
        WorkerCommand modular = new WorkerCommand(command.java(), List.of("--module-path=" + module),
                command.classpath(), command.mainClass(), command.args());
        String before = WorkerClassArchive.key(modular);
        Files.setLastModifiedTime(module, FileTime.fromMillis(Files.getLastModifiedTime(module).toMillis() - 10_000));
        assertNotEquals(before, WorkerClassArchive.key(modular));
    }

    @Test
    void anotherLoggingConfigurationKeepsTheArchive() throws IOException {
        WorkerCommand info = new WorkerCommand(command.java(),
                List.of("-Xss2m", "-D" + PythonLogBridge.LEVELS_PROPERTY + "=20:"), command.classpath(),
                command.mainClass(), command.args());
        WorkerCommand debug = new WorkerCommand(command.java(),
                List.of("-Xss2m", "-D" + PythonLogBridge.LEVELS_PROPERTY + "=10:,10:procs"), command.classpath(),
                command.mainClass(), command.args());
        assertEquals(WorkerClassArchive.key(info), WorkerClassArchive.key(debug));
    }

    @Test
    void otherJvmOptionsGetAnotherArchive() throws IOException {
        WorkerCommand other = new WorkerCommand(command.java(), List.of("-XX:+UseParallelGC"), command.classpath(),
                command.mainClass(), command.args());
        assertNotEquals(WorkerClassArchive.key(command), WorkerClassArchive.key(other));
    }

    @Test
    void aDirectoryOthersMayWriteIsNotTrusted() throws IOException {
        Path open = dir.resolve("open");
        Files.createDirectory(open);
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertTrue(WorkerClassArchive.make(command, open, READY).isEmpty());
        try (var files = Files.list(open)) {
            assertEquals(0, files.count());
        }
    }

    @Test
    void aWorkerThatNeverGetsReadyLeavesTheCommandAlone() {
        WorkerCommand broken = new WorkerCommand(command.java(), command.jvmOptions(), command.classpath(),
                "org.harpd.NoSuchMain", List.of());
        assertTrue(WorkerClassArchive.make(broken, dir.resolve("cache"), READY).isEmpty());
        assertEquals(broken, WorkerClassArchive.apply(broken, dir.resolve("cache"), READY));
    }

    @Test
    void operatorsSharingOptionsWin() {
        assertTrue(WorkerClassArchive.choosesItsOwnSharing(List.of("-Xmx64m", "-Xshare:off")));
        assertTrue(WorkerClassArchive.choosesItsOwnSharing(List.of("-XX:SharedArchiveFile=/x.jsa")));
        assertFalse(WorkerClassArchive.choosesItsOwnSharing(List.of("-Xshare:auto", "-Xmx64m")));
        WorkerCommand own = new WorkerCommand(command.java(), List.of("-Xshare:off"), command.classpath(),
                command.mainClass(), List.of());
        assertEquals(own, WorkerClassArchive.apply(own, dir.resolve("cache"), READY));
    }

    @Test
    void anArchiveUnderADirectoryAnotherUserOwnsIsNotUsed() throws IOException {
        Assumptions.assumeTrue(Posix.geteuid() == 0, "giving a directory to another user needs root");
        Path parent = Files.createDirectory(dir.resolve("parent"));
        Path cache = Files.createDirectory(parent.resolve("cache"));
        fakeArchive(cache);
        Files.setAttribute(parent, "unix:uid", NOBODY);
        assertFalse(hasArchiveOption(WorkerClassArchive.apply(command, cache, READY)),
                "uid " + NOBODY + " could rename the cache directory and put another archive in its place");
    }

    @Test
    void aDirectoryThatBecomesUnsafeAfterStartIsNotUsedForTheNextWorker() throws IOException {
        Path parent = Files.createDirectory(dir.resolve("parent"));
        Path cache = Files.createDirectory(parent.resolve("cache"));
        Path archive = fakeArchive(cache);
        WorkerCommand shared = WorkerClassArchive.apply(command, cache, READY);
        assertEquals("-XX:SharedArchiveFile=" + archive, archiveOption(shared));

        Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertFalse(hasArchiveOption(shared), "a parent directory anyone may write, without the sticky bit");
        Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertEquals("-XX:SharedArchiveFile=" + archive, archiveOption(shared), "safe again: used again");
        Files.setPosixFilePermissions(archive, PosixFilePermissions.fromString("rw-rw-rw-"));
        assertFalse(hasArchiveOption(shared), "an archive others may write");
    }

    @Test
    void aRootOwnedStickyDirectoryAboveIsTrusted() throws IOException {
        Assumptions.assumeTrue(Posix.geteuid() == 0, "a root-owned directory needs root");
        Path sticky = Files.createDirectory(dir.resolve("sticky"));
        Files.setAttribute(sticky, "unix:mode", 01777);
        Path cache = Files.createDirectory(sticky.resolve("cache"));
        Path archive = fakeArchive(cache);
        assertEquals("-XX:SharedArchiveFile=" + archive,
                archiveOption(WorkerClassArchive.apply(command, cache, READY)), "as /tmp is");
    }

    /** An archive file where {@code apply} looks for this command's; only its place and modes matter here. */
    private Path fakeArchive(Path cache) throws IOException {
        Path archive = cache.resolve("worker-" + WorkerClassArchive.key(command) + ".jsa");
        Files.writeString(archive, "not really an archive");
        Files.setPosixFilePermissions(archive, PosixFilePermissions.fromString("rw-r--r--"));
        return archive;
    }

    private static boolean hasArchiveOption(WorkerCommand command) {
        return command.commandLine().stream().anyMatch(o -> o.startsWith("-XX:SharedArchiveFile="));
    }

    private static String archiveOption(WorkerCommand command) {
        return command.commandLine().stream().filter(o -> o.startsWith("-XX:SharedArchiveFile=")).findFirst()
                .orElseThrow(() -> new AssertionError("no archive option in " + command.commandLine()));
    }
}
