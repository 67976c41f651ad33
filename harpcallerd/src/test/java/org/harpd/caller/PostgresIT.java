package org.harpd.caller;

import static org.harpd.caller.Caller.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.harpd.it.Daemon;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two dispatchers on one PostgreSQL store: a throwaway cluster started in a temporary directory as the
 * {@code postgres} user (PostgreSQL refuses to run as root).
 */
class PostgresIT {
    private static Path pgDir;
    private static Path pgBin;
    private static Caller a;
    private static Caller b;

    @BeforeAll
    static void start() throws Exception {
        List<Path> candidates = new ArrayList<>();
        Path debian = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (var versions = Files.list(debian)) {
                versions.sorted(java.util.Comparator.reverseOrder()).forEach(v -> candidates.add(v.resolve("bin")));
            }
        }
        candidates.add(Path.of("/usr/local/bin"));
        pgBin = candidates.stream()
                .filter(d -> Files.isExecutable(d.resolve("initdb")) && Files.isExecutable(d.resolve("pg_ctl")))
                .findFirst().orElse(null);
        Assumptions.assumeTrue(pgBin != null, "no PostgreSQL server binaries (initdb, pg_ctl) on this machine");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/sbin/runuser")), "runuser is needed to run postgres");
        Assumptions.assumeTrue(ProcessHandle.current().info().user().orElse("").equals("root"),
                "starting a cluster as the postgres user needs root");
        UserPrincipalLookupService users = Path.of("/").getFileSystem().getUserPrincipalLookupService();
        try {
            users.lookupPrincipalByName("postgres");
        } catch (IOException e) {
            Assumptions.abort("no postgres user to run the server as");
        }
        SharedHarpd.get();
        pgDir = Files.createTempDirectory("harpcallerd-pg");
        Files.setOwner(pgDir, users.lookupPrincipalByName("postgres"));
        int port = Daemon.freePort();
        run(pgBin.resolve("initdb") + "", "-D", pgDir.resolve("data").toString(), "-U", "postgres", "-A", "trust",
                "--no-sync");
        run(pgBin.resolve("pg_ctl") + "", "-D", pgDir.resolve("data").toString(), "-w", "-l",
                pgDir.resolve("log").toString(), "-o", "-p " + port + " -k " + pgDir
                        + " -c listen_addresses=127.0.0.1", "start");
        String db = "[database]\nurl = \"jdbc:postgresql://127.0.0.1:" + port + "/postgres\"\nuser = \"postgres\"\n";
        a = new Caller(Files.createTempDirectory("harpcallerd-pg-a"), "default_timeout = 60\n" + db
                + "instance = \"a\"\n").hosts(SharedHarpd.hostLine("local")).start();
        b = new Caller(Files.createTempDirectory("harpcallerd-pg-b"), "default_timeout = 60\n" + db
                + "instance = \"b\"\n").hosts(SharedHarpd.hostLine("local")).start();
    }

    private static void run(String... command) throws Exception {
        List<String> full = new ArrayList<>(List.of("/usr/sbin/runuser", "-u", "postgres", "--"));
        full.addAll(List.of(command));
        Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "timed out: " + full);
        assertEquals(0, p.exitValue(), full + ":\n" + out);
    }

    @AfterAll
    static void stop() throws Exception {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
        if (pgDir != null && Files.exists(pgDir.resolve("data/postmaster.pid"))) {
            run(pgBin.resolve("pg_ctl") + "", "-D", pgDir.resolve("data").toString(), "-m", "immediate", "-w", "stop");
        }
    }

    @Test
    void eitherDispatcherServesEveryJob() throws Exception {
        String job = a.call("local", "echo", "from a");
        assertEquals("from a", b.result(job).path("result").get(0).asText());
        assertEquals("echo", b.status(job).path("call").path("procedure").asText());

        String streamed = b.call("local", "countdown", 3, 0.3);
        List<JsonNode> followed = a.request(obj().put("follow_stream", streamed).put("since", 0));
        assertEquals(4, followed.size(), followed.toString());
        assertEquals(0, followed.get(0).path("packet").asInt());
        assertEquals("liftoff", followed.get(3).path("result").asText());
        assertEquals(4, a.request(obj().put("read_stream", streamed)).size());
    }

    @Test
    void queueLimitHoldsAcrossDispatchers() throws Exception {
        ObjectNode queue = obj();
        queue.putObject("queue").put("concurrency", 2).putObject("name").put("shared", "pg");
        List<String> jobs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Caller via = i % 2 == 0 ? a : b;
            jobs.add(via.call("local", "slot", Caller.JSON.readTree("[\"pgq-" + i + "\", 0.5]"), queue));
        }
        for (String job : jobs) {
            JsonNode r = a.result(job);
            assertTrue(r.has("result"), r.toString());
        }
        List<String> lines = Files.readAllLines(SharedHarpd.events()).stream().filter(l -> l.contains(" pgq-")).toList();
        assertEquals(12, lines.size(), lines.toString());
        int running = 0;
        for (String l : lines) {
            running += l.startsWith("start ") ? 1 : -1;
            assertTrue(running <= 2, "more than 2 ran at once across both dispatchers: " + lines);
        }
    }

    /** A job a runs, followed and cancelled through b: a stops its harpd call, b's follower gets the end. */
    @Test
    void cancelAndFollowAcrossDispatchers() throws Exception {
        JsonNode cancelled = Caller.JSON.readTree("{\"cancelled\": true}");
        String running = a.call("local", "countdown", 10_000, 0.2);
        try (Follow follow = new Follow(b, running)) {
            assertEquals(0, follow.next().path("packet").asInt(), "the job runs on a");
            assertEquals(cancelled, b.one(obj().put("cancel", running)));
            JsonNode last = follow.next();
            while (last != null && last.has("packet")) {
                last = follow.next();
            }
            assertEquals(cancelled, last, "b's follower sees the end a's job got through b");
            assertEquals(null, follow.next(), "and the connection closes");
        }
        awaitLog(a, "job ended by another dispatcher", running);
        assertEquals(cancelled, a.result(running));
        assertEquals(Caller.JSON.readTree("{\"cancelled\": false}"), b.one(obj().put("cancel", running)),
                "an ended job is not cancelled again");

        // a queued job of a's, then the running one it waits for, cancelled through b; a's queue moves on
        ObjectNode queue = obj();
        queue.putObject("queue").put("concurrency", 1).putObject("name").put("cancel", "across");
        String blocker = a.call("local", "countdown", Caller.JSON.readTree("[10000, 0.2]"), queue);
        String queued = a.call("local", "echo", Caller.JSON.readTree("[\"never\"]"), queue);
        try (Follow follow = new Follow(b, blocker)) {
            assertEquals(0, follow.next().path("packet").asInt(), "the blocker runs on a");
        }
        assertTrue(b.resultNow(queued).has("no_result"), "still queued behind the blocker");
        assertEquals(cancelled, b.one(obj().put("cancel", queued)));
        assertEquals(cancelled, b.one(obj().put("cancel", blocker)));
        awaitLog(a, "job ended by another dispatcher", queued);
        awaitLog(a, "job ended by another dispatcher", blocker);
        assertEquals(cancelled, a.result(queued));
        String next = a.call("local", "echo", Caller.JSON.readTree("[\"next\"]"), queue);
        assertEquals("next", b.result(next).path("result").get(0).asText());

        // queue-cancel on b reaches a's jobs
        ObjectNode other = obj();
        other.putObject("queue").put("concurrency", 1).putObject("name").put("cancel", "whole queue");
        String first = a.call("local", "countdown", Caller.JSON.readTree("[10000, 0.2]"), other);
        String second = a.call("local", "echo", Caller.JSON.readTree("[\"never\"]"), other);
        List<String> out = b.admin("queue-cancel", "{\"cancel\": \"whole queue\"}");
        assertEquals("0", out.get(0), out.toString());
        assertEquals("cancelled 2 jobs", out.get(1).strip(), out.toString());
        assertEquals(cancelled, a.result(first));
        assertEquals(cancelled, a.result(second));
    }

    /**
     * How long after harpd's answer a waiter sees the result, on the dispatcher running the job (a) and on the other
     * (b), which is told through PostgreSQL's LISTEN/NOTIFY. Printed, not asserted: a measurement.
     */
    @Test
    void resultLatencyFromTheOtherDispatcher() throws Exception {
        int samples = 15;
        List<Double> onA = new ArrayList<>();
        List<Double> onB = new ArrayList<>();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            for (int i = 0; i < samples; i++) {
                String job = a.call("local", "stamp_after", 0.3);
                // both wait before the job ends (it sleeps 0.3 s in harpd)
                var fromA = pool.submit(() -> arrival(a, job));
                var fromB = pool.submit(() -> arrival(b, job));
                onA.add(fromA.get(60, TimeUnit.SECONDS));
                onB.add(fromB.get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        System.out.printf("result latency after harpd's answer, ms (min / median / max of %d): "
                        + "running dispatcher %s, other dispatcher %s%n", samples, summary(onA), summary(onB));
    }

    /** @return milliseconds from harpd's answer (the stamp the procedure returns) to the result's arrival */
    private static double arrival(Caller via, String job) throws IOException {
        JsonNode r = via.result(job);
        double now = System.currentTimeMillis();
        assertTrue(r.has("result"), r.toString());
        return now - r.get("result").asDouble() * 1000;
    }

    private static String summary(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return String.format("%.1f / %.1f / %.1f", sorted.get(0), sorted.get(sorted.size() / 2),
                sorted.get(sorted.size() - 1));
    }

    /** Waits for a log line of the dispatcher holding both texts (an event, with a deadline only for a hang). */
    private static void awaitLog(Caller via, String what, String job) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (via.log().stream().noneMatch(l -> l.contains(what) && l.contains(job))) {
            assertTrue(System.nanoTime() < end, "no \"" + what + "\" for " + job + " in " + via.log());
            Thread.sleep(20);
        }
    }

    /** A follow_stream connection read line by line. */
    private static final class Follow implements AutoCloseable {
        private final Socket socket = new Socket();
        private final BufferedReader in;

        Follow(Caller via, String job) throws IOException {
            socket.connect(new InetSocketAddress("127.0.0.1", via.port), 5000);
            socket.setSoTimeout(120_000);
            ObjectNode request = obj().put("harpcaller", 1).put("follow_stream", job).put("since", 0);
            socket.getOutputStream().write((request + "\n").getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        }

        /** @return the next line, or null once the dispatcher closed */
        JsonNode next() throws IOException {
            String line = in.readLine();
            return line == null ? null : Caller.JSON.readTree(line);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void restartOfOneLeavesTheOthersJobs() throws Exception {
        String done = a.call("local", "echo", "x");
        a.result(done);
        String running = b.call("local", "sleep", 30);
        long end = System.nanoTime() + 60_000_000_000L;
        while (a.status(running).path("time").path("start").isNull()) {
            assertTrue(System.nanoTime() < end, "job did not start");
            Thread.sleep(50);
        }
        a.kill();
        a.start();
        assertTrue(a.resultNow(running).has("no_result"), "b's running job is not a's to end");
        assertEquals("x", a.result(done).path("result").get(0).asText());
        assertEquals(Caller.JSON.readTree("{\"cancelled\": true}"), b.one(obj().put("cancel", running)));
    }
}
