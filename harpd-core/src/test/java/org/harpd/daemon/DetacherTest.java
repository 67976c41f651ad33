package org.harpd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DetacherTest {
    @TempDir
    Path dir;
    final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    @Test
    void parentSucceedsWhenChildConfirms() throws Exception {
        Path record = dir.resolve("child");
        int status = Detacher.relaunchDetached(Detacher.javaCommand(DetachTestMain.class.getName(),
                List.of("ok", record.toString(), Detacher.CHILD_OPTION)), err);
        assertEquals(0, status, errBytes.toString(StandardCharsets.UTF_8));
        assertEquals("starting up\n", errBytes.toString(StandardCharsets.UTF_8));
        String[] pidGroupAndGrandchild = Files.readString(record).split(" ");
        assertEquals(pidGroupAndGrandchild[0], pidGroupAndGrandchild[1],
                "the child leads its own session and process group");
        long grandchild = Long.parseLong(pidGroupAndGrandchild[2]);
        try {
            // Processes the daemon starts (its workers) must not hold the pipe to the parent's stderr.
            assertEquals(Path.of("/dev/null"), Files.readSymbolicLink(Path.of("/proc/" + grandchild + "/fd/2")));
        } finally {
            ProcessHandle.of(grandchild).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void parentFailsWithTheChildsErrorWhenChildFails() {
        int status = Detacher.relaunchDetached(Detacher.javaCommand(DetachTestMain.class.getName(),
                List.of("fail", Detacher.CHILD_OPTION)), err);
        assertEquals(1, status);
        assertEquals("harpd: /etc/harpd/harpd.conf: network: missing\n", errBytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void parentFailsWhenTheCommandCannotStart() {
        assertEquals(1, Detacher.relaunchDetached(List.of(dir.resolve("no-such-java").toString()), err));
        assertTrue(errBytes.toString(StandardCharsets.UTF_8).startsWith("harpd: cannot start the daemon process: "));
    }

    @Test
    void javaCommandRunsTheSameJavaWithTheClassPath() {
        List<String> command = Detacher.javaCommand("x.Main", List.of("-d"));
        assertTrue(command.get(0).endsWith("/bin/java"));
        assertEquals(List.of("-cp", System.getProperty("java.class.path"), "x.Main", "-d"),
                command.subList(command.size() - 4, command.size()));
    }
}
