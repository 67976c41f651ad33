package org.harpd.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    void oneWarningPerExposedFileNamingIt() throws Exception {
        Path config = file("harpd.conf", "rw-r--r--");
        Path users = file("users", "rw-rw-rw-");
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        Logger logger = (Logger) LoggerFactory.getLogger("harpd.test.exposure");
        logger.addAppender(log);
        FileExposure.warnIfExposed(EventLog.get("harpd.test.exposure"), config,
                new AuthenticationConfig("harpd.auth.passfile", Map.of("module", "harpd.auth.passfile",
                        "file", users.toString())));
        List<String> lines = log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertEquals(2, lines.size(), lines::toString);
        assertTrue(lines.get(0).contains(config.toString()) && lines.get(0).contains("world-readable"), lines.get(0));
        assertTrue(lines.get(1).contains(users.toString()) && lines.get(1).contains("world-writable"), lines.get(1));
    }
}
