package org.harpd.caller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.harpd.client.HarpCaller;
import org.harpd.client.JobOptions;
import org.harpd.client.JobResult;
import org.harpd.client.JobStatus;
import org.harpd.client.JobStream;
import org.harpd.client.RemoteError;
import org.harpd.client.StreamStart;
import org.harpd.it.Pythons;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The HarpCaller clients (python-lib's {@code harp} under CPython 3 and 2.7, and the Java client) against the
 * assembled dispatcher and the shared harpd, one dispatcher for the whole class.
 */
class ClientsIT {
    private static final String TARGET = "local";
    private static final Pattern RAN = Pattern.compile("(?m)^Ran (\\d+) tests? in ");
    private static final Pattern OK = Pattern.compile("(?m)^OK(?: \\((.*)\\))?$");
    /** Seconds a sleeping job would take: every test that starts one cancels it long before. */
    private static final int LONG = 3600;

    private static Caller caller;
    private static HarpCaller client;

    @BeforeAll
    static void start() throws Exception {
        SharedHarpd.get();
        Path dir = Files.createTempDirectory("harpcallerd-clients");
        caller = new Caller(dir, "default_timeout = 30\nmax_exec_time = " + (2 * LONG) + "\n")
                .hosts(SharedHarpd.hostLine(TARGET)).start();
        client = HarpCaller.builder().host("127.0.0.1").port(caller.port).timeout(Duration.ofSeconds(120)).build();
    }

    @AfterAll
    static void stop() throws Exception {
        if (caller != null) {
            caller.close();
        }
    }

    @Test
    void pythonClientUnderCPython3() throws Exception {
        runPythonTests("CPython 3", Pythons.python3Candidates());
    }

    @Test
    void pythonClientUnderCPython27() throws Exception {
        runPythonTests("CPython 2.7", Pythons.python2Candidates());
    }

    /**
     * Runs python-lib/tests/test_against_dispatcher.py with only the client's import root on the path, and
     * checks that it passed with every test run (it skips itself when not pointed at a dispatcher).
     */
    private static void runPythonTests(String name, List<String> candidates) throws Exception {
        Optional<String> python = Pythons.find(candidates);
        assumeTrue(python.isPresent(), name + " is not installed (tried " + candidates + ")");
        Path lib = Pythons.lib();
        ProcessBuilder pb = new ProcessBuilder(python.get(), "-m", "unittest", "discover",
                "-s", lib.resolve("tests").toString(), "-p", "test_against_dispatcher.py", "-v")
                .directory(lib.toFile())
                .redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("PYTHONPATH", lib.resolve("client").toString());
        env.put("PYTHONDONTWRITEBYTECODE", "1"); // keep the source tree clean
        env.put("PYTHONIOENCODING", "utf-8");
        env.put("HARP_TEST_DISPATCHER_HOST", "127.0.0.1");
        env.put("HARP_TEST_DISPATCHER_PORT", Integer.toString(caller.port));
        env.put("HARP_TEST_DISPATCHER_TARGET", TARGET);
        Process process = pb.start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(5, TimeUnit.MINUTES), "python tests did not finish");
        String what = name + " (" + python.get() + ") unittest output:\n" + output
                + "\nharpcallerd log:\n" + String.join("\n", caller.log());
        assertEquals(0, process.exitValue(), what);
        Matcher ran = RAN.matcher(output);
        assertTrue(ran.find(), what);
        assertTrue(Integer.parseInt(ran.group(1)) > 0, what);
        Matcher ok = OK.matcher(output);
        assertTrue(ok.find(), what);
        assertTrue(ok.group(1) == null || !ok.group(1).contains("skipped"), "tests were skipped: " + what);
        System.out.println(name + " (" + python.get() + "): ran " + ran.group(1) + " tests, " + ok.group());
    }

    @Test
    void javaSubmitThenResult() {
        String job = client.submit(TARGET, "echo", JobOptions.none(), 1, "zażółć", Map.of("k", List.of(true)));
        JobResult result = client.result(job, true);
        assertEquals(JobResult.Kind.RESULT, result.kind(), result.toString());
        // compared as JSON text: the client's and the test's mappers may pick different numeric node classes
        assertEquals("[1,\"zażółć\",{\"k\":[true]}]", result.value().toString());
    }

    /** harpd's discovery procedures have dotted names: the dispatcher runs them by name as any other job. */
    @Test
    void javaDiscoveryThroughTheDispatcher() {
        List<String> names = new ArrayList<>();
        client.procedures(TARGET, JobOptions.none()).forEach(d -> names.add(d.path("name").asText()));
        assertEquals(List.of("countdown", "echo", "fail", "sleep", "slot", "stamp", "stamp_after", "stream"), names);
        JsonNode countdown = client.describe(TARGET, "countdown", JobOptions.none());
        assertEquals("streaming", countdown.path("kind").asText(), countdown.toString());
        assertEquals("countdown(n, delay)", countdown.path("signature").asText());
        RemoteError none = assertThrows(RemoteError.class, () -> client.describe(TARGET, "nope", JobOptions.none()));
        assertEquals("no_such_procedure", none.type());
    }

    @Test
    void javaStatusCarriesInfoAndTimes() {
        String job = client.submit(TARGET, "echo", JobOptions.none().info(Map.of("ticket", 7)), "x");
        client.result(job, true);
        JobStatus status = client.status(job);
        assertEquals(TARGET, status.host());
        assertEquals("echo", status.procedure());
        assertEquals("[\"x\"]", status.arguments().toString());
        assertEquals(7, status.info().path("ticket").asInt(), status.toString());
        assertNotNull(status.startTime());
        assertTrue(status.ended());
        assertTrue(status.submitTime() <= status.startTime() && status.startTime() <= status.endTime(),
                status.toString());
    }

    @Test
    void javaFollowsAStreamFromSince() {
        String job = client.submit(TARGET, "stream", JobOptions.none(), 4);
        List<Long> numbers = new ArrayList<>();
        List<Integer> values = new ArrayList<>();
        try (JobStream stream = client.follow(job, StreamStart.since(1))) {
            stream.forEachRemaining(p -> {
                numbers.add(p.number());
                values.add(p.data().asInt());
            });
            JobResult end = stream.end();
            assertEquals(JobResult.Kind.RESULT, end.kind(), end.toString());
            assertEquals("done", end.value().asText());
        }
        assertEquals(List.of(1L, 2L, 3L), numbers);
        assertEquals(List.of(1, 2, 3), values);
    }

    @Test
    void javaReadsAPageOfARunningJobsStream() throws Exception {
        // one packet at once, the next after a long pause: a page read in between ends with "continue"
        String job = client.submit(TARGET, "countdown", JobOptions.none(), 2, LONG);
        try {
            List<JobStream.Packet> packets = new ArrayList<>();
            JobResult end;
            do {
                packets.clear();
                try (JobStream page = client.readStream(job, StreamStart.DEFAULT)) {
                    page.forEachRemaining(packets::add);
                    end = page.end();
                }
            } while (packets.isEmpty() && end.kind() == JobResult.Kind.NOT_FINISHED);
            assertEquals(JobResult.Kind.NOT_FINISHED, end.kind(), end.toString());
            assertEquals(1, packets.size(), packets.toString());
            assertEquals(0, packets.get(0).number());
            assertEquals(2, packets.get(0).data().path("i").asInt());
            JobStatus running = client.status(job);
            assertNotNull(running.startTime(), running.toString());
            assertFalse(running.ended(), running.toString());
        } finally {
            assertTrue(client.cancel(job));
        }
        assertEquals(JobResult.Kind.CANCELLED, client.result(job, true).kind());
    }

    @Test
    void javaCancelsAQueuedJob() {
        JobOptions queue = JobOptions.none().queue(Map.of("test", "ClientsIT", "run", UUID.randomUUID().toString()))
                .concurrency(1);
        String first = client.submit(TARGET, "sleep", queue, LONG);
        String second = client.submit(TARGET, "echo", queue, "second");
        try {
            JobStatus queued = client.status(second);
            assertNull(queued.startTime(), queued.toString());
            assertNull(queued.endTime(), queued.toString());
            assertEquals(JobResult.Kind.NOT_FINISHED, client.result(second, false).kind());
            assertTrue(client.cancel(second));
            assertEquals(JobResult.Kind.CANCELLED, client.result(second, false).kind());
            JobStatus cancelled = client.status(second);
            assertNull(cancelled.startTime(), cancelled.toString());
            assertNotNull(cancelled.endTime(), cancelled.toString());
            assertFalse(client.cancel(second));
        } finally {
            assertTrue(client.cancel(first));
        }
    }

    @Test
    void javaUnknownJobIsInvalidJobid() {
        String unknown = UUID.randomUUID().toString();
        RemoteError error = assertThrows(RemoteError.class, () -> client.status(unknown));
        assertEquals("invalid_jobid", error.type());
        JobResult result = client.result(unknown, false);
        assertEquals(JobResult.Kind.ERROR, result.kind(), result.toString());
        assertEquals("invalid_jobid", result.type());
        assertFalse(client.cancel(unknown));
    }
}
