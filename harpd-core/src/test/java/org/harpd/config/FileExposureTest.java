package org.harpd.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.harpd.logging.EventLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class FileExposureTest {
    @TempDir
    Path dir;

    private Path file(String name, String permissions) throws Exception {
        Path file = Files.writeString(dir.resolve(name), "x");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
        return file;
    }

    @Test
    void privateFilesAreFine() throws Exception {
        assertEquals(Optional.empty(), FileExposure.problem(file("a", "rw-------")));
        assertEquals(Optional.empty(), FileExposure.problem(file("b", "rw-r-----")));
    }

    @Test
    void worldReadableGroupWritableAndWorldWritableAreNamed() throws Exception {
        assertEquals(Optional.of("world-readable (rw-r--r--)"), FileExposure.problem(file("a", "rw-r--r--")));
        assertEquals(Optional.of("group-writable (rw-rw----)"), FileExposure.problem(file("b", "rw-rw----")));
        assertEquals(Optional.of("world-readable, world-writable (rw----rw-)"), FileExposure.problem(file("c", "rw----rw-")));
    }

    @Test
    void missingFileIsNotThisCheckConcern() {
        assertEquals(Optional.empty(), FileExposure.problem(dir.resolve("missing")));
    }

    @Test
    void codeMayBeReadByAllButWrittenByRootOnly() throws Exception {
        assertEquals(Optional.empty(), FileExposure.codeProblem(file("a.py", "rw-r--r--")));
        assertEquals(Optional.of("group-writable (rw-rw-r--)"), FileExposure.codeProblem(file("b.py", "rw-rw-r--")));
        assertEquals(Optional.of("world-writable (rw-r--rw-)"), FileExposure.codeProblem(file("c.py", "rw-r--rw-")));
    }

    @Test
    void codeInADirectoryOthersCanWriteIsNamedWithTheDirectory() throws Exception {
        Path sub = Files.createDirectory(dir.resolve("shared"));
        Path code = Files.writeString(sub.resolve("harpd.py"), "x");
        Files.setPosixFilePermissions(sub, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertEquals(Optional.of("in directory " + sub + ": group-writable, world-writable (rwxrwxrwx)"),
                FileExposure.codeProblem(code));
        Files.setAttribute(sub, "unix:mode", 01777); // sticky, as /tmp: root's file cannot be replaced
        assertEquals(Optional.empty(), FileExposure.codeProblem(code));
    }

    @Test
    void codeOwnedByAnotherUserIsNamed() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "chown needs root; running as "
                + System.getProperty("user.name"));
        Path code = file("d.py", "rw-r--r--");
        Files.setAttribute(code, "unix:uid", 65534);
        assertEquals(Optional.of("owned by uid 65534 (rw-r--r--)"), FileExposure.codeProblem(code));
    }

    @Test
    void oneWarningPerExposedFileNamingIt() throws Exception {
        Path config = file("harpd.conf", "rw-r--r--");
        Path users = file("users", "rw-rw-rw-");
        Path key = file("key.pem", "rw-r--r--");
        Path procedures = file("harpd.py", "rw-rw-r--");
        Path library = Files.createDirectory(dir.resolve("lib"));
        Files.setPosixFilePermissions(library, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path privateLibrary = Files.createDirectory(dir.resolve("private"));
        Files.setPosixFilePermissions(privateLibrary, PosixFilePermissions.fromString("rwxr-xr-x"));
        HarpdConfig harpdConfig = new HarpdConfig(config, NetworkConfig.withDefaults(key, key),
                new AuthenticationConfig("harpd.auth.passfile", Map.of("module", "harpd.auth.passfile",
                        "file", users.toString())),
                new PythonPath(List.of(library.toString()), List.of(privateLibrary.toString())),
                WorkersConfig.DEFAULTS);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        Logger logger = (Logger) LoggerFactory.getLogger("harpd.test.exposure");
        logger.addAppender(log);
        FileExposure.warnIfExposed(EventLog.get("harpd.test.exposure"), harpdConfig, procedures);
        List<String> lines = log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertEquals(5, lines.size(), lines::toString);
        assertTrue(lines.get(0).contains(config.toString()) && lines.get(0).contains("world-readable"), lines.get(0));
        assertTrue(lines.get(1).contains(users.toString()) && lines.get(1).contains("world-writable"), lines.get(1));
        assertTrue(lines.get(2).contains(key.toString()) && lines.get(2).contains("world-readable"), lines.get(2));
        assertTrue(lines.get(3).contains(procedures.toString()) && lines.get(3).contains("group-writable")
                && lines.get(3).contains(FileExposure.CODE_MESSAGE), lines.get(3));
        assertTrue(lines.get(4).contains(library.toString()) && lines.get(4).contains("world-writable"), lines.get(4));
    }
}
