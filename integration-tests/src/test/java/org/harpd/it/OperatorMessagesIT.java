package org.harpd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Issue 24's operator messages and log handlers, as {@code harpd -t} reports them. */
class OperatorMessagesIT {
    private static Launcher.Outcome test(Path dir, String... extra) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("-t", "-c", dir.resolve("harpd.conf").toString(),
                "-r", dir.resolve("harpd.py").toString()));
        args.addAll(List.of(extra));
        return Launcher.run(args);
    }

    @Test
    void missingUsersFileFailsTestNamingIt() throws Exception {
        Path dir = Daemon.builder()
                .authentication("authentication:\n  module: harpd.auth.passfile\n  file: users.txt\n")
                .prepare(Daemon.freePort());
        Launcher.Outcome outcome = test(dir);
        assertEquals(1, outcome.exitCode(), outcome.stderr());
        assertTrue(outcome.stderrLines().contains(dir.resolve("harpd.conf") + ": authentication.file: "
                + dir.resolve("users.txt") + ": no such file"), outcome.stderr());

        Files.writeString(dir.resolve("users.txt"), "");
        Launcher.Outcome fixed = test(dir);
        assertEquals(0, fixed.exitCode(), fixed.stderr());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{class: logging.handlers.TimedRotatingFileHandler, filename: FILE, when: midnight, backupCount: 7}",
        "{class: logging.handlers.TimedRotatingFileHandler, filename: FILE, when: H, interval: 6, utc: true}",
        "{class: logging.handlers.WatchedFileHandler, filename: FILE}",
        "{class: logging.handlers.RotatingFileHandler, filename: FILE, maxBytes: 1048576, backupCount: 5}",
    })
    void stdlibFileHandlersAreAccepted(String handler) throws Exception {
        Path dir = Daemon.builder().prepare(Daemon.freePort());
        Path logging = Files.writeString(dir.resolve("logging.yaml"), "version: 1\nroot: {level: INFO, handlers: [file]}\n"
                + "formatters:\n  timestamped: {format: '%(asctime)s %(levelname)s %(message)s'}\n"
                + "handlers:\n  file: " + handler.replace("FILE", "'" + dir.resolve("harpd.log") + "'")
                        .replace("}", ", formatter: timestamped}") + "\n");
        Launcher.Outcome outcome = test(dir, "-l", logging.toString());
        assertEquals(0, outcome.exitCode(), outcome.stderr());
        assertTrue(outcome.stderrLines().contains("config OK"), outcome.stderr());
    }
}
