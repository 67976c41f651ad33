package org.harpd.caller;

import static org.harpd.caller.Caller.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.harpd.it.Daemon;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The client protocol against the assembled dispatcher (SQLite store) and a real harpd on loopback. */
class DispatcherIT {
    private static Caller caller;

    @BeforeAll
    static void start() throws Exception {
        SharedHarpd.get();
        Path dir = Files.createTempDirectory("harpcallerd-it");
        caller = new Caller(dir, "default_timeout = 30\nmax_exec_time = 60\n")
                .hosts(SharedHarpd.hostLine("local"), "not json at all").start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (caller != null) {
            caller.close();
        }
    }

    @Test
    void callResultAndStatus() throws Exception {
        ObjectNode extra = obj();
        extra.putObject("info").put("ticket", 7);
        String job = caller.call("local", "echo", Caller.JSON.readTree("[1, \"two\"]"), extra);
        assertEquals(Caller.JSON.readTree("{\"result\": [1, \"two\"]}"), caller.result(job));
        JsonNode status = caller.status(job);
        assertEquals(Caller.JSON.readTree("{\"host\": \"local\", \"procedure\": \"echo\", \"arguments\": [1, \"two\"]}"),
                status.get("call"));
        assertEquals(7, status.path("info").path("ticket").asInt());
        JsonNode time = status.get("time");
        assertTrue(time.get("submit").isIntegralNumber() && time.get("start").isIntegralNumber()
                && time.get("end").isIntegralNumber(), status.toString());
        assertTrue(time.get("submit").asLong() <= time.get("end").asLong());
        String noInfo = caller.call("local", "echo");
        caller.result(noInfo);
        assertTrue(caller.status(noInfo).get("info").isNull());
    }

    @Test
    void keywordArguments() throws Exception {
        String job = caller.call("local", "countdown", Caller.JSON.readTree("{\"n\": 1, \"delay\": 0}"), obj());
        assertEquals("liftoff", caller.result(job).path("result").asText());
    }

    @Test
    void resultWithoutWaitWhileRunning() throws Exception {
        String job = caller.call("local", "sleep", 2);
        assertEquals(Caller.JSON.readTree("{\"no_result\": true}"), caller.resultNow(job));
        assertEquals(2, caller.result(job).path("result").asInt());
        assertEquals(2, caller.resultNow(job).path("result").asInt());
    }

    @Test
    void exceptionsAndErrors() throws Exception {
        JsonNode e = caller.result(caller.call("local", "fail"));
        assertEquals("ValueError", e.path("exception").path("type").asText(), e.toString());
        assertEquals("boom", e.path("exception").path("message").asText());
        JsonNode unknownHost = caller.result(caller.call("elsewhere", "echo"));
        assertEquals("unknown_host", unknownHost.path("error").path("type").asText(), unknownHost.toString());
        JsonNode noProcedure = caller.result(caller.call("local", "no_such"));
        assertEquals("no_such_procedure", noProcedure.path("error").path("type").asText(), noProcedure.toString());
        assertEquals("invalid_jobid", caller.result("00000000-0000-0000-0000-000000000000")
                .path("error").path("type").asText());
        assertEquals("invalid_jobid", caller.status("nope").path("error").path("type").asText());
    }

    @Test
    void streamsFollowedAndRead() throws Exception {
        String job = caller.call("local", "countdown", 3, 0.3);
        List<JsonNode> followed = caller.request(obj().put("follow_stream", job).put("since", 0));
        assertEquals(4, followed.size(), followed.toString());
        for (int i = 0; i < 3; i++) {
            assertEquals(i, followed.get(i).get("packet").asInt());
            assertEquals(3 - i, followed.get(i).path("data").path("i").asInt());
        }
        assertEquals("liftoff", followed.get(3).path("result").asText());

        List<JsonNode> recent = caller.request(obj().put("read_stream", job).put("recent", 1));
        assertEquals(List.of(2), packets(recent));
        assertTrue(recent.get(1).has("result"));
        assertEquals(List.of(1, 2), packets(caller.request(obj().put("read_stream", job).put("since", 1))));
        assertEquals(List.of(0, 1, 2), packets(caller.request(obj().put("read_stream", job))));
        // follow without since/recent on an ended job: recent 0, only the end
        List<JsonNode> end = caller.request(obj().put("follow_stream", job));
        assertEquals(1, end.size(), end.toString());
        assertTrue(end.get(0).has("result"));
    }

    @Test
    void readStreamOfRunningJobSaysContinue() throws Exception {
        String job = caller.call("local", "countdown", 2, 1.5);
        List<JsonNode> page;
        do {
            page = caller.request(obj().put("read_stream", job));
        } while (packets(page).isEmpty());
        assertEquals(Caller.JSON.readTree("{\"continue\": true}"), page.get(page.size() - 1));
        // follow with recent: 0 sees only what comes next, then the end
        List<JsonNode> followed = caller.request(obj().put("follow_stream", job).put("recent", 0));
        assertTrue(followed.get(followed.size() - 1).has("result"), followed.toString());
        assertFalse(packets(followed).contains(0), followed.toString());
    }

    private static List<Integer> packets(List<JsonNode> lines) {
        List<Integer> ns = new ArrayList<>();
        for (JsonNode l : lines) {
            if (l.has("packet")) {
                ns.add(l.get("packet").asInt());
            }
        }
        return ns;
    }

    @Test
    void timeoutBetweenMessages() throws Exception {
        ObjectNode extra = obj().put("timeout", 1);
        JsonNode r = caller.result(caller.call("local", "sleep", Caller.JSON.readTree("[5]"), extra));
        assertEquals(Caller.JSON.readTree("{\"error\": {\"type\": \"timeout\", \"message\": \"reading result timed out\"}}"), r);
    }

    @Test
    void maxExecTimeCountsTheWholeCall() throws Exception {
        // packets every 0.5 s keep the per-message timeout happy; the whole call is longer than 2 s
        ObjectNode extra = obj().put("timeout", 5).put("max_exec_time", 2);
        String job = caller.call("local", "countdown", Caller.JSON.readTree("[10, 0.5]"), extra);
        assertEquals(Caller.JSON.readTree("{\"error\": {\"type\": \"timeout\", "
                + "\"message\": \"maximum execution time exceeded\"}}"), caller.result(job));
    }

    @Test
    void cancelRunningAndQueued() throws Exception {
        ObjectNode queue = obj();
        queue.putObject("queue").put("concurrency", 1).putObject("name").put("cancel-test", 1);
        String running = caller.call("local", "sleep", Caller.JSON.readTree("[30]"), queue);
        String queued = caller.call("local", "sleep", Caller.JSON.readTree("[30]"), queue);
        Thread.sleep(300);
        assertEquals(Caller.JSON.readTree("{\"cancelled\": true}"), caller.one(obj().put("cancel", queued)));
        assertEquals(Caller.JSON.readTree("{\"cancelled\": true}"), caller.result(queued));
        JsonNode queuedTime = caller.status(queued).get("time");
        assertTrue(queuedTime.get("start").isNull() && queuedTime.get("end").isIntegralNumber(), queuedTime.toString());

        assertEquals(Caller.JSON.readTree("{\"cancelled\": true}"), caller.one(obj().put("cancel", running)));
        assertEquals(Caller.JSON.readTree("{\"cancelled\": true}"), caller.result(running));
        assertEquals(Caller.JSON.readTree("{\"cancelled\": false}"), caller.one(obj().put("cancel", running)));
        assertEquals(Caller.JSON.readTree("{\"cancelled\": false}"), caller.one(obj().put("cancel", "no-such-job")));
    }

    @Test
    void queueConcurrencyHeldAndOrderKept() throws Exception {
        Path events = SharedHarpd.events();
        ObjectNode queue = obj();
        queue.putObject("queue").put("concurrency", 2).putObject("name").put("limit-test", 1);
        List<String> jobs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            jobs.add(caller.call("local", "slot", Caller.JSON.readTree("[\"limit-" + i + "\", 0.5]"), queue));
        }
        for (String job : jobs) {
            JsonNode r = caller.result(job);
            assertTrue(r.has("result"), r.toString());
        }
        assertQueueHeld(events, "limit-", 6, 2);
    }

    /** Over the events of NAME-PREFIX jobs: never more than {@code limit} between start and end; starts in order. */
    static void assertQueueHeld(Path events, String prefix, int jobs, int limit) throws Exception {
        List<String> lines = Files.readAllLines(events, StandardCharsets.UTF_8).stream()
                .filter(l -> l.contains(" " + prefix)).toList();
        assertEquals(2 * jobs, lines.size(), lines.toString());
        int running = 0;
        int max = 0;
        List<String> starts = new ArrayList<>();
        for (String l : lines) {
            if (l.startsWith("start ")) {
                running++;
                starts.add(l.substring(6));
            } else {
                running--;
            }
            max = Math.max(max, running);
        }
        assertTrue(max <= limit, "more than " + limit + " ran at once: " + lines);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < jobs; i++) {
            expected.add(prefix + i);
        }
        if (limit == 1 || jobs <= limit) {
            assertEquals(expected, starts);
        } else {
            // with a limit above 1, two started together may log in either order; each start is at most
            // limit-1 places from its submission position
            for (int i = 0; i < starts.size(); i++) {
                int submitted = Integer.parseInt(starts.get(i).substring(prefix.length()));
                assertTrue(Math.abs(submitted - i) < limit, "started out of order: " + starts);
            }
        }
    }

    @Test
    void badRequestsGetAnErrorAndTheConnectionCloses() throws Exception {
        assertEquals("invalid_json", error(caller.raw("not json\n".getBytes(), false)));
        assertEquals("invalid_request", error(caller.raw("{\"harpcaller\": 1}\n".getBytes(), false)));
        assertEquals("invalid_request", error(caller.raw("{\"get_result\": \"x\"}\n".getBytes(), false)));
        assertEquals("invalid_request", error(caller.raw(
                "{\"harpcaller\": 1, \"host\": \"local\", \"procedure\": \"echo\", \"arguments\": 5}\n".getBytes(), false)));
        assertEquals("invalid_request", error(caller.raw(
                "{\"harpcaller\": 1, \"read_stream\": \"x\", \"since\": 1, \"recent\": 1}\n".getBytes(), false)));
        assertEquals("invalid_request", error(caller.raw("{\"harpcaller\": 1".getBytes(), true)));
        byte[] huge = new byte[CallerConfig.Limits.DEFAULTS.maxRequestBytes() + 10];
        java.util.Arrays.fill(huge, (byte) ' ');
        assertEquals("invalid_request", error(caller.raw(huge, false)));
    }

    private static String error(List<String> lines) throws Exception {
        assertEquals(1, lines.size(), lines.toString());
        return Caller.JSON.readTree(lines.get(0)).path("error").path("type").asText();
    }

    @Test
    void administration() throws Exception {
        List<String> status = caller.adminLauncher("status");
        assertEquals("0", status.get(0), status.toString());
        assertTrue(status.get(1).startsWith("harpcallerd is running"), status.toString());
        String job = caller.call("local", "sleep", 30);
        List<String> list = caller.admin("list", "--queue");
        assertEquals("0", list.get(0), list.toString());
        JsonNode line = null;
        for (String l : list.get(1).split("\n")) {
            JsonNode n = Caller.JSON.readTree(l);
            if (n.path("job").asText().equals(job)) {
                line = n;
            }
        }
        assertTrue(line != null, list.get(1));
        assertEquals("sleep", line.path("call").path("procedure").asText());
        assertTrue(line.has("queue") && line.get("queue").isNull(), line.toString());
        assertTrue(line.has("outcome") && line.get("outcome").isNull(), "not ended yet: " + line);
        List<String> info = caller.admin("info", job);
        assertEquals(job, Caller.JSON.readTree(info.get(1).strip()).path("job").asText(), info.toString());
        assertFalse(Caller.JSON.readTree(info.get(1).strip()).has("info"));
        List<String> cancel = caller.admin("cancel", job);
        assertEquals("0", cancel.get(0), cancel.toString());
        assertEquals(Caller.JSON.readTree("{\"cancelled\": true}"), caller.result(job));
        assertEquals(Caller.JSON.readTree("{\"kind\": \"cancelled\"}"), infoLine(job).get("outcome"));
        String echoed = caller.call("local", "echo", "x");
        caller.result(echoed);
        assertEquals(Caller.JSON.readTree("{\"kind\": \"result\"}"), infoLine(echoed).get("outcome"));
        String failed = caller.call("local", "fail");
        caller.result(failed);
        assertEquals(Caller.JSON.readTree("{\"kind\": \"exception\", \"type\": \"ValueError\"}"),
                infoLine(failed).get("outcome"));
        String lost = caller.call("nowhere", "echo");
        caller.result(lost);
        assertEquals(Caller.JSON.readTree("{\"kind\": \"error\", \"type\": \"unknown_host\"}"),
                infoLine(lost).get("outcome"));
        List<String> hosts = caller.admin("hosts-list");
        assertTrue(hosts.get(1).contains("\"hostname\":\"local\"") && !hosts.get(1).contains(Daemon.PASSWORD),
                hosts.toString());
        List<String> unknown = caller.admin("frobnicate");
        assertEquals("2", unknown.get(0));
    }

    @Test
    void queueAdministration() throws Exception {
        ObjectNode queue = obj();
        queue.putObject("queue").put("concurrency", 1).putObject("name").put("admin-test", "x");
        String first = caller.call("local", "sleep", Caller.JSON.readTree("[30]"), queue);
        String second = caller.call("local", "sleep", Caller.JSON.readTree("[30]"), queue);
        Thread.sleep(300);
        List<String> queues = caller.admin("queue-list");
        assertTrue(queues.get(1).contains("{\"queue\":{\"admin-test\":\"x\"},\"running\":1,\"queued\":1}"),
                queues.toString());
        List<String> inQueue = caller.admin("queue-list", "{\"admin-test\": \"x\"}");
        assertTrue(inQueue.get(1).contains(first) && inQueue.get(1).contains(second), inQueue.toString());
        List<String> cancelled = caller.admin("queue-cancel", "{\"admin-test\": \"x\"}");
        assertEquals("cancelled 2 jobs", cancelled.get(1).strip(), cancelled.toString());
        assertEquals(Caller.JSON.readTree("{\"cancelled\": true}"), caller.result(first));
        assertEquals(Caller.JSON.readTree("{\"cancelled\": true}"), caller.result(second));
    }

    @Test
    void pruneJobs() throws Exception {
        String job = caller.call("local", "echo");
        caller.result(job);
        List<String> kept = caller.admin("prune-jobs");
        assertEquals("0", kept.get(0), kept.toString());
        assertTrue(caller.status(job).has("call"), "a fresh job stays with the default 30 days");
        Thread.sleep(1100);
        List<String> pruned = caller.admin("prune-jobs", "--age=0");
        assertTrue(pruned.get(1).startsWith("pruned "), pruned.toString());
        assertEquals("invalid_jobid", caller.status(job).path("error").path("type").asText());
    }

    @Test
    void manySubmissionsReturnIds() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add(caller.call("local", "echo", i));
        }
        assertEquals(20, ids.stream().distinct().count());
        for (int i = 0; i < 20; i++) {
            assertEquals(i, caller.awaitEnd(ids.get(i), Duration.ofSeconds(60)).path("result").get(0).asInt());
        }
    }

    private JsonNode infoLine(String job) throws Exception {
        List<String> info = caller.admin("info", job);
        assertEquals("0", info.get(0), info.toString());
        return Caller.JSON.readTree(info.get(1).strip());
    }
}
