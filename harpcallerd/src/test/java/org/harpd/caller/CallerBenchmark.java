package org.harpd.caller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The dispatcher's benchmark (run by {@code harpcallerd/bench}, not by {@code mvn verify}): the assembled
 * harpcallerd with its default SQLite store and a real harpd on loopback.
 * <ol>
 * <li>submissions per second: 10,000 call requests from 16 client threads to an idle dispatcher (the jobs wait
 *     in one queue of concurrency 1 behind a long call, so harpd's speed does not enter);</li>
 * <li>result latency: from the moment the procedure returns in harpd (its clock, the same machine's) to the
 *     moment a waiting get_result receives the result;</li>
 * <li>1,000 jobs across 50 queues of concurrency 2, every queue's limit checked from the procedures' own
 *     start/end records;</li>
 * <li>the dispatcher's resident memory with 100,000 stored jobs.</li>
 * </ol>
 * {@code -Dbench.only=submissions,latency} runs only the phases named (submissions, latency, queues, stored).
 * The dispatcher's CPU time per phase is printed beside its wall time: on a shared machine it varies less.
 */
public final class CallerBenchmark {
    private CallerBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int submissions = Integer.getInteger("bench.submissions", 10_000);
        int stored = Integer.getInteger("bench.stored", 100_000);
        int clients = Integer.getInteger("bench.clients", 64);
        String sync = System.getProperty("bench.synchronous", "full");
        SharedHarpd.get();
        Path dir = Files.createTempDirectory("harpcallerd-bench");
        String toml = "default_timeout = 600\n[database]\nsynchronous = \"" + sync + "\"\n";
        Caller caller = new Caller(dir, toml).hosts(SharedHarpd.hostLine("local")).start();
        System.out.println("harpcallerd benchmark (SQLite store in " + dir + ", synchronous=" + sync + ")");
        java.util.Set<String> only = java.util.Set.of(System.getProperty("bench.only",
                "submissions,latency,queues,stored").split(","));
        System.out.printf("at start: RSS %d MiB, PSS %d MiB%n", memoryMiB(caller, "/status", "VmRSS:"),
                memoryMiB(caller, "/smaps_rollup", "Pss:"));
        if (only.contains("submissions")) {
            // twice: the first run pays for the JIT compiling the request path (most of the CPU of its first
            // seconds); the second is the dispatcher as it runs once warm
            submissions(caller, submissions, clients, "cold JVM");
            submissions(caller, submissions, clients, "warm");
        }
        if (only.contains("latency")) {
            latency(caller, 200);
        }
        if (only.contains("queues")) {
            queues(caller, 50, 2, 20);
        }
        System.out.printf("after the load: PSS %d MiB", memoryMiB(caller, "/smaps_rollup", "Pss:"));
        Thread.sleep(Long.getLong("bench.rest", 15) * 1000); // the dispatcher trims its C heap every 10 s
        System.out.printf("; %d s later: PSS %d MiB, RSS %d MiB%n", Long.getLong("bench.rest", 15),
                memoryMiB(caller, "/smaps_rollup", "Pss:"), memoryMiB(caller, "/status", "VmRSS:"));
        caller.terminate();
        if (only.contains("stored")) {
            preload(dir.resolve("stream/jobs.sqlite"), stored);
            try (Caller again = new Caller(dir, toml).start()) {
                storedJobs(again, stored);
            }
        }
        System.exit(0);
    }

    private static void submissions(Caller caller, int n, int clients, String label) throws Exception {
        ObjectNode queue = Caller.obj();
        queue.putObject("queue").put("concurrency", 1).putObject("name").put("bench", "submit");
        caller.call("local", "sleep", Caller.JSON.readTree("[3600]"), queue);
        long cpu0 = cpuMillis(caller);
        Map<String, Long> threads0 = threadCpuMillis(caller);
        long t0 = System.nanoTime();
        runParallel(clients, n, i -> caller.call("local", "echo", Caller.JSON.readTree("[" + i + "]"), queue));
        double seconds = (System.nanoTime() - t0) / 1e9;
        long cpu = cpuMillis(caller) - cpu0;
        System.out.printf("submissions, %s: %d in %.2f s = %.0f/s (%d clients, one connection per request); "
                + "dispatcher CPU %.2f s = %.0f us per submission%n",
                label, n, seconds, n / seconds, clients, cpu / 1000.0, cpu * 1000.0 / n);
        Map<String, Long> threads = threadCpuMillis(caller);
        threads0.forEach((name, ms) -> threads.merge(name, -ms, Long::sum));
        StringBuilder top = new StringBuilder("  dispatcher CPU by thread:");
        threads.entrySet().stream().filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(6)
                .forEach(e -> top.append(String.format(" %s %.2f s,", e.getKey(), e.getValue() / 1000.0)));
        System.out.println(top.substring(0, top.length() - 1));
        List<String> cancelled = caller.admin("queue-cancel", "{\"bench\": \"submit\"}");
        System.out.println("  then " + cancelled.get(1).strip());
    }

    private static void latency(Caller caller, int n) throws Exception {
        List<Double> ms = new ArrayList<>();
        caller.result(caller.call("local", "stamp"));
        for (int i = 0; i < n; i++) {
            String job = caller.call("local", "stamp");
            JsonNode r = caller.result(job);
            double received = System.currentTimeMillis() / 1000.0;
            ms.add((received - r.path("result").asDouble()) * 1000);
        }
        Collections.sort(ms);
        System.out.printf("result latency after harpd's answer (%d sequential jobs, waiting get_result): "
                        + "p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                n, pct(ms, 50), pct(ms, 95), pct(ms, 99), ms.get(ms.size() - 1));
    }

    private static double pct(List<Double> sorted, int p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    private static void queues(Caller caller, int queues, int concurrency, int perQueue) throws Exception {
        long t0 = System.nanoTime();
        List<String> jobs = Collections.synchronizedList(new ArrayList<>());
        runParallel(8, queues * perQueue, i -> {
            int q = i % queues;
            ObjectNode queue = Caller.obj();
            queue.putObject("queue").put("concurrency", concurrency).putObject("name").put("bench-queue", q);
            String job = caller.call("local", "slot", Caller.JSON.readTree("[\"bq" + q + "-" + i + "\", 0.05]"), queue);
            jobs.add(job);
            return job;
        });
        int failed = 0;
        for (String job : jobs) {
            if (!caller.result(job).has("result")) {
                failed++;
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        Map<String, Integer> running = new HashMap<>();
        int worst = 0;
        for (String line : Files.readAllLines(SharedHarpd.events())) {
            if (!line.contains(" bq")) {
                continue;
            }
            String name = line.substring(line.indexOf(' ') + 1);
            String q = name.substring(0, name.indexOf('-'));
            int now = running.merge(q, line.startsWith("start ") ? 1 : -1, Integer::sum);
            worst = Math.max(worst, now);
        }
        System.out.printf("%d jobs in %d queues of concurrency %d: %.1f s, %d not successful, most running at once "
                + "in one queue: %d (limit %s)%n", jobs.size(), queues, concurrency, seconds, failed, worst,
                worst <= concurrency ? "held" : "EXCEEDED");
    }

    /** Finished jobs written straight into the stopped dispatcher's store, as many days of use would leave. */
    private static void preload(Path db, int n) throws Exception {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db)) {
            c.setAutoCommit(false);
            long now = System.currentTimeMillis();
            try (java.sql.PreparedStatement s = c.prepareStatement("INSERT INTO jobs (id, seq, owner, state, host, "
                    + "procedure_name, arguments, timeout_s, max_exec_s, info, submit_ms, start_ms, end_ms, outcome) "
                    + "VALUES (?, ?, 'bench', 'done', 'local', 'echo', ?, 600, 600, 'null', ?, ?, ?, ?)")) {
                for (int i = 0; i < n; i++) {
                    s.setString(1, java.util.UUID.randomUUID().toString());
                    s.setLong(2, i);
                    s.setString(3, "[" + i + "]");
                    s.setLong(4, now - 1000);
                    s.setLong(5, now - 900);
                    s.setLong(6, now - 800);
                    s.setString(7, "{\"result\":[" + i + "]}");
                    s.addBatch();
                    if (i % 10_000 == 9_999) {
                        s.executeBatch();
                    }
                }
                s.executeBatch();
            }
            c.commit();
        }
    }

    private static void storedJobs(Caller caller, int stored) throws Exception {
        List<String> list = caller.admin("list", "--all");
        long lines = list.get(1).lines().count();
        System.out.printf("list --all: %d jobs%n", lines);
        Thread.sleep(2000);
        System.out.printf("RSS after restart with %d stored jobs (and list --all over them): %d MiB%n", lines,
                rssMiB(caller));
        System.out.printf("SQLite file: %d MiB%n", Files.size(caller.dir.resolve("stream/jobs.sqlite")) >> 20);
    }

    private static long rssMiB(Caller caller) throws Exception {
        return memoryMiB(caller, "/status", "VmRSS:");
    }

    /** A kB figure of /proc/PID/FILE, in MiB. */
    private static long memoryMiB(Caller caller, String file, String key) throws Exception {
        // the launcher execs java: the launched process is the JVM
        for (String line : Files.readAllLines(Path.of("/proc/" + caller.process().pid() + file))) {
            if (line.startsWith(key)) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) >> 10;
            }
        }
        return -1;
    }

    /** The dispatcher's CPU time per thread name (numbered pool threads summed), from /proc/PID/task. */
    private static Map<String, Long> threadCpuMillis(Caller caller) throws Exception {
        Map<String, Long> out = new HashMap<>();
        try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc/" + caller.process().pid() + "/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (java.io.IOException gone) {
                    continue;
                }
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("-?\\d+$", "");
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                out.merge(name, (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10, Long::sum);
            }
        }
        return out;
    }

    /** The dispatcher's user + system CPU time so far (/proc/PID/stat, in clock ticks of 10 ms). */
    private static long cpuMillis(Caller caller) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + caller.process().pid() + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
    }

    @FunctionalInterface
    private interface Task {
        String run(int i) throws Exception;
    }

    private static void runParallel(int threads, int n, Task task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicInteger next = new AtomicInteger();
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                for (int i; (i = next.getAndIncrement()) < n; ) {
                    task.run(i);
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
    }
}
