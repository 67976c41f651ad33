package org.harpd.caller;

import static org.harpd.caller.Caller.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.harpd.it.Daemon;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The assembled dispatcher with a {@code [metrics]} table: a scrape after a known sequence of jobs, refusals and
 * hosts script runs shows exactly their counts; harpd's discovery procedures run as ordinary jobs.
 */
class MetricsIT {
    private static final String Q_ONE = "{\\\"q\\\":\\\"one\\\"}";
    private static final String Q_SLOW = "{\\\"q\\\":\\\"slow\\\"}";
    private static Path dir;
    private static Caller caller;
    private static URI metrics;

    @BeforeAll
    static void start() throws Exception {
        SharedHarpd.get();
        dir = Files.createTempDirectory("harpcallerd-metrics");
        Path script = dir.resolve("hosts.sh");
        Files.writeString(script, "#!/bin/sh\n"
                + "echo '" + SharedHarpd.hostLine("local") + "'\n"
                + "if [ -e " + dir.resolve("fail") + " ]; then exit 1; fi\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        int port = Daemon.freePort();
        metrics = URI.create("http://127.0.0.1:" + port + "/metrics");
        caller = new Caller(dir, "host_db_script = \"" + script + "\"\nhost_db_refresh = 3600\n"
                + "default_timeout = 30\n[metrics]\nlisten = \"127.0.0.1:" + port + "\"\n").start();
        // the script's run at start-up, on a thread of its own
        scrapeUntil(s -> Double.valueOf(1).equals(s.get("harpcallerd_hosts_refreshes_total")));
    }

    @AfterAll
    static void stop() throws Exception {
        if (caller != null) {
            caller.close();
        }
    }

    private static String scrapeText() throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(metrics).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertEquals(200, response.statusCode());
        return response.body();
    }

    /** Scrapes until the samples show what is awaited (something the dispatcher does on a thread of its own). */
    private static Map<String, Double> scrapeUntil(Predicate<Map<String, Double>> done) throws Exception {
        long end = System.nanoTime() + 60_000_000_000L;
        while (true) {
            Map<String, Double> s = PrometheusCallerMetricsTest.samples(scrapeText());
            if (done.test(s)) {
                return s;
            }
            assertTrue(System.nanoTime() < end, "not seen within 60 s: " + s);
            Thread.sleep(50);
        }
    }

    @Test
    void aScrapeCountsAKnownSequence() throws Exception {
        List<JsonNode> ends = new ArrayList<>();
        ends.add(caller.result(caller.call("local", "echo", 1)));
        ends.add(caller.result(caller.call("local", "fail")));
        ends.add(caller.result(caller.call("elsewhere", "echo")));
        ends.add(caller.result(caller.call("local", "echo", Caller.JSON.readTree("[2]"),
                obj().set("queue", obj().set("name", obj().put("q", "one"))))));
        assertEquals(List.of("result", "exception", "error", "result"),
                ends.stream().map(e -> e.fieldNames().next()).toList(), ends.toString());
        assertEquals("invalid_json", Caller.JSON.readTree(caller.raw("not json\n".getBytes(StandardCharsets.UTF_8),
                false).get(0)).path("error").path("type").asText());

        // one running and one waiting behind it in a queue of one, seen by the gauges, then both cancelled
        ObjectNode slow = obj();
        slow.putObject("queue").put("concurrency", 1).putObject("name").put("q", "slow");
        String running = caller.call("local", "sleep", Caller.JSON.readTree("[60]"), slow);
        String queued = caller.call("local", "echo", Caller.JSON.readTree("[3]"), slow);
        scrapeUntil(s -> Double.valueOf(1).equals(s.get("harpcallerd_jobs_running{host=\"local\",queue=\"" + Q_SLOW
                + "\"}")) && Double.valueOf(1).equals(s.get("harpcallerd_jobs_queued{host=\"local\",queue=\""
                + Q_SLOW + "\"}")));
        assertTrue(caller.one(obj().put("cancel", queued)).path("cancelled").asBoolean());
        assertTrue(caller.one(obj().put("cancel", running)).path("cancelled").asBoolean());

        Files.writeString(dir.resolve("fail"), "");
        assertEquals("1", caller.admin("hosts-refresh").get(0));

        String text = scrapeText();
        Map<String, Double> s = PrometheusCallerMetricsTest.samples(text);
        String none = "queue=\"(none)\"";
        assertEquals(2.0, s.get("harpcallerd_jobs_submitted_total{host=\"local\"," + none + "}"), text);
        assertEquals(1.0, s.get("harpcallerd_jobs_submitted_total{host=\"(unknown)\"," + none + "}"));
        assertEquals(1.0, s.get("harpcallerd_jobs_submitted_total{host=\"local\",queue=\"" + Q_ONE + "\"}"));
        assertEquals(2.0, s.get("harpcallerd_jobs_submitted_total{host=\"local\",queue=\"" + Q_SLOW + "\"}"));
        assertEquals(2.0, s.get("harpcallerd_jobs_ended_total{host=\"local\",outcome=\"result\"}"));
        assertEquals(1.0, s.get("harpcallerd_jobs_ended_total{host=\"local\",outcome=\"exception\"}"));
        assertEquals(2.0, s.get("harpcallerd_jobs_ended_total{host=\"local\",outcome=\"cancelled\"}"));
        assertEquals(1.0, s.get("harpcallerd_jobs_ended_total{host=\"(unknown)\",outcome=\"unknown_host\"}"));
        assertEquals(3.0, s.get("harpcallerd_job_queued_seconds_count{" + none + "}"));
        assertEquals(1.0, s.get("harpcallerd_job_queued_seconds_count{queue=\"" + Q_ONE + "\"}"));
        assertEquals(1.0, s.get("harpcallerd_job_queued_seconds_count{queue=\"" + Q_SLOW + "\"}"),
                "the job cancelled in its queue never started");
        assertEquals(3.0, s.get("harpcallerd_job_running_seconds_count{" + none + "}"));
        assertEquals(1.0, s.get("harpcallerd_job_running_seconds_count{queue=\"" + Q_SLOW + "\"}"));
        assertEquals(6.0, s.get("harpcallerd_store_write_seconds_count{operation=\"insert_job\"}"));
        assertEquals(6.0, s.get("harpcallerd_store_write_seconds_count{operation=\"end\"}"));
        assertNull(s.get("harpcallerd_store_write_failures_total{operation=\"end\"}"));
        assertEquals(2.0, s.get("harpcallerd_hosts_refreshes_total"));
        assertEquals(1.0, s.get("harpcallerd_hosts_refresh_failures_total"));
        assertEquals(1.0, s.get("harpcallerd_hosts"));
        // 4 calls and 4 results, 1 refused line, 2 calls and 2 cancels
        assertEquals(13.0, s.get("harpcallerd_client_connections_accepted_total"));
        assertEquals(1.0, s.get("harpcallerd_client_rejections_total{reason=\"invalid_json\"}"));
        assertTrue(s.keySet().stream().noneMatch(k -> k.startsWith("harpcallerd_jobs_running{")
                || k.startsWith("harpcallerd_jobs_queued{")), "nothing held any more: " + text);
        assertTrue(text.contains("\njvm_threads_current "), "the JVM's metrics: " + text);
    }
}
