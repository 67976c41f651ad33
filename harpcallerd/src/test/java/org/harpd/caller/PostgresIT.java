package org.harpd.caller;

import static org.harpd.caller.Caller.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
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
