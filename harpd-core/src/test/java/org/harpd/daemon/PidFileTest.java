package org.harpd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PidFileTest {
    @TempDir
    Path dir;
    final long ownPid = ProcessHandle.current().pid();

    @Test
    void writesOurPidAndRemovesItOnClose() throws Exception {
        Path path = dir.resolve("harpd.pid");
        try (PidFile pidFile = PidFile.create(path)) {
            assertEquals(ownPid + "\n", Files.readString(path));
            assertEquals(ownPid, pidFile.pid());
        }
        assertFalse(Files.exists(path));
    }

    @Test
    void refusesWhenThePidInTheFileIsAlive() throws Exception {
        Path path = dir.resolve("harpd.pid");
        Process other = new ProcessBuilder("sleep", "60").start();
        try {
            Files.writeString(path, other.pid() + "\n");
            PidFileException refused = assertThrows(PidFileException.class, () -> PidFile.create(path));
            assertEquals(path + ": harpd already running with pid " + other.pid(), refused.getMessage());
            assertEquals(other.pid() + "\n", Files.readString(path));
        } finally {
            other.destroy();
        }
    }

    @Test
    void replacesAFileLeftByADeadProcess() throws Exception {
        Path path = dir.resolve("harpd.pid");
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Files.writeString(path, gone.pid() + "\n");
        try (PidFile pidFile = PidFile.create(path)) {
            assertEquals(ownPid + "\n", Files.readString(path));
        }
    }

    @Test
    void replacesGarbage() throws Exception {
        Path path = dir.resolve("harpd.pid");
        Files.writeString(path, "not a pid\n");
        try (PidFile pidFile = PidFile.create(path)) {
            assertEquals(ownPid + "\n", Files.readString(path));
        }
    }

    @Test
    void leavesAFileThatNoLongerNamesUs() throws Exception {
        Path path = dir.resolve("harpd.pid");
        PidFile pidFile = PidFile.create(path);
        Files.writeString(path, "12345\n");
        pidFile.close();
        assertTrue(Files.exists(path));
    }

    @Test
    void reportsAnUncreatableFile() {
        Path path = dir.resolve("missing/harpd.pid");
        assertEquals(path + ": cannot create pid file: No such file or directory",
                assertThrows(PidFileException.class, () -> PidFile.create(path)).getMessage());
    }
}
