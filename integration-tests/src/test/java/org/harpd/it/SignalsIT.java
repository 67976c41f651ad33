package org.harpd.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** harpd(8)'s stop signals stop the daemon however it was started. */
class SignalsIT {
    /**
     * {@code nohup} starts a command with SIGHUP ignored, and a script's {@code cmd &} with SIGINT ignored; the
     * shell's {@code trap ''} before {@code exec} gives the daemon the same inherited dispositions.
     */
    @ParameterizedTest(name = "SIG{0} ignored at start still stops the daemon")
    @ValueSource(strings = {"HUP", "INT", "TERM"})
    void stopSignalIgnoredAtStartStillStopsTheDaemon(String signal) throws Exception {
        try (Daemon daemon = Daemon.builder()
                .wrapper("/bin/sh", "-c", "trap '' HUP INT TERM; exec \"$@\"", "harpd-under-nohup")
                .start()) {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(daemon.pid())).inheritIO().start();
            assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -" + signal);
            daemon.awaitLog(line -> line.contains("shutting down"), Duration.ofSeconds(30));
            assertTrue(daemon.process().waitFor(30, TimeUnit.SECONDS), "the daemon exits after SIG" + signal);
        }
    }
}
