package org.harpd.caller;

import static org.harpd.caller.Caller.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Jobs in every state across a restart of the dispatcher, after SIGKILL and after {@code stop} (SIGTERM-like). */
class RestartIT {
    @BeforeAll
    static void harpd() throws Exception {
        SharedHarpd.get();
    }

    @Test
    void afterSigkill() throws Exception {
        restartWithJobsInEveryState(true);
    }

    @Test
    void afterStop() throws Exception {
        restartWithJobsInEveryState(false);
    }

    @Test
    void startDetachesOnceReadyAndStopEndsIt() throws Exception {
        Path dir = Files.createTempDirectory("harpcallerd-detach");
        Caller caller = new Caller(dir, "log_handlers = [\"harpcaller_stdout_h\"]\n");
        Path pidfile = dir.resolve("harpcallerd.pid");
        Process start = new ProcessBuilder(Caller.launcher().toString(), "--socket=" + caller.socket, "start",
                "--config=" + caller.config, "--pidfile=" + pidfile).redirectErrorStream(true).start();
        String startOutput = new String(start.getInputStream().readAllBytes());
        assertTrue(start.waitFor(120, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(0, start.exitValue(), startOutput);
        assertTrue(startOutput.contains("harpcallerd: warning: " + caller.config + ": log_handlers: without the syslog"
                + " handler (harpcaller_syslog_h) a detached dispatcher's log goes to /dev/null"), startOutput);
        long pid = Long.parseLong(Files.readString(pidfile).strip());
        assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "the daemon runs on");
        assertEquals("0", caller.admin("status", "--wait", "--timeout=30").get(0));
        assertEquals(List.of("0", "", ""), caller.admin("list", "--all"), "no jobs is an answer, not an error");
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(caller.socket)));
        List<String> stop = caller.admin("stop", "--timeout=60");
        assertEquals("0", stop.get(0), stop.toString());
        assertTrue(ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
        assertTrue(Files.notExists(pidfile) && Files.notExists(caller.socket));
        List<String> status = caller.admin("status");
        assertEquals("1", status.get(0));
        assertEquals("harpcallerd is not running", status.get(1).strip());
    }

    @Test
    void badConfigurationIsOneLineAndExitOne() throws Exception {
        Path dir = Files.createTempDirectory("harpcallerd-badconf");
        Caller caller = new Caller(dir, "max_exec_time = \"long\"\n");
        Process start = new ProcessBuilder(Caller.launcher().toString(), "--socket=" + caller.socket, "start",
                "--config=" + caller.config).redirectErrorStream(true).start();
        String output = new String(start.getInputStream().readAllBytes()).strip();
        assertTrue(start.waitFor(120, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(1, start.exitValue(), output);
        assertEquals("harpcallerd: " + caller.config + ": max_exec_time: expected a positive integer, got \"long\"",
                output);
    }

    private void restartWithJobsInEveryState(boolean kill) throws Exception {
        Path dir = Files.createTempDirectory("harpcallerd-restart");
        String toml = "default_timeout = 60\n";
        Caller first = new Caller(dir, toml).hosts(SharedHarpd.hostLine("local")).start();
        String finished = first.call("local", "echo", "kept");
        assertEquals("kept", first.result(finished).path("result").get(0).asText());
        String streamed = first.call("local", "countdown", 2, 0);
        assertEquals("liftoff", first.result(streamed).path("result").asText());
        ObjectNode queue = obj();
        queue.putObject("queue").put("concurrency", 1).putObject("name").put("restart", kill);
        String running = first.call("local", "sleep", Caller.JSON.readTree("[60]"), queue);
        String queued1 = first.call("local", "echo", Caller.JSON.readTree("[\"q1\"]"), queue);
        String queued2 = first.call("local", "echo", Caller.JSON.readTree("[\"q2\"]"), queue);
        awaitStarted(first, running);
        assertTrue(first.resultNow(queued1).has("no_result"));
        if (kill) {
            first.kill();
        } else {
            List<String> stop = first.admin("stop", "--print-pid");
            assertEquals("0", stop.get(0), stop.toString());
            assertEquals(Long.toString(first.process().pid()), stop.get(1).strip());
            assertTrue(first.process().waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        }

        try (Caller second = new Caller(dir, toml).start()) {
            assertEquals("kept", second.result(finished).path("result").get(0).asText());
            List<JsonNode> stream = second.request(obj().put("read_stream", streamed));
            assertEquals(3, stream.size(), stream.toString());
            assertEquals(2, stream.get(0).path("data").path("i").asInt());
            assertEquals("liftoff", stream.get(2).path("result").asText());
            JsonNode lost = second.result(running);
            assertEquals("dispatcher_restarted", lost.path("error").path("type").asText(), lost.toString());
            assertTrue(lost.path("error").path("message").asText().contains("stopped while the job was running"));
            assertTrue(second.status(running).path("time").path("end").isIntegralNumber());
            // the registry came back from host_db, the queued jobs ran in their order
            JsonNode q1 = second.result(queued1);
            assertEquals("q1", q1.path("result").path(0).asText(), q1.toString());
            JsonNode q2 = second.result(queued2);
            assertEquals("q2", q2.path("result").path(0).asText(), q2.toString());
            assertTrue(second.status(queued1).path("time").path("end").asLong()
                    <= second.status(queued2).path("time").path("start").asLong());
        }
    }

    private static void awaitStarted(Caller caller, String job) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (caller.status(job).path("time").path("start").isNull()) {
            assertTrue(System.nanoTime() < end, "job did not start");
            Thread.sleep(50);
        }
    }
}
