package org.harpd.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.harpd.it.Daemon;
import org.harpd.it.Launcher;

/**
 * Benchmark of the assembled daemon, run by {@code integration-tests/bench} (never by {@code mvn verify}): for each
 * isolation level it starts bin/harpd on loopback and prints a table of latency, throughput, errors, worker start
 * cost and memory, for a trivial procedure called over a new TLS connection per call.
 */
public final class Benchmark {
    static final String PROCEDURES = "import os\nfrom harpd.proc import procedure\n\n@procedure\ndef ping():\n    return os.getpid()\n";
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(30);

    /** Command-line options; {@code --quick} shortens everything for a smoke run. */
    record Options(List<String> levels, Duration duration, boolean quick, Call.Client client) {
        static final String USAGE = "usage: bench [--levels process,interpreter,shared] [--duration SECONDS] [--quick]"
                + " [--client openssl|jdk]";

        static Options parse(String[] args) {
            List<String> levels = List.of("process", "interpreter", "shared");
            Duration duration = null;
            boolean quick = false;
            Call.Client client = io.netty.handler.ssl.OpenSsl.isAvailable() ? Call.Client.OPENSSL : Call.Client.JDK;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--levels" -> levels = List.of(value(args, ++i).split(","));
                    case "--duration" -> duration = Duration.ofMillis((long) (Double.parseDouble(value(args, ++i)) * 1000));
                    case "--quick" -> quick = true;
                    case "--client" -> client = client(value(args, ++i));
                    default -> throw new IllegalArgumentException("unknown option " + args[i] + "; " + USAGE);
                }
            }
            if (duration == null) {
                duration = Duration.ofSeconds(quick ? 3 : 10);
            }
            if (duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException("--duration must be positive");
            }
            return new Options(levels, duration, quick, client);
        }

        private static Call.Client client(String name) {
            try {
                return Call.Client.valueOf(name.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--client takes openssl or jdk, not " + name);
            }
        }

        private static String value(String[] args, int i) {
            if (i >= args.length) {
                throw new IllegalArgumentException(args[i - 1] + " needs a value");
            }
            return args[i];
        }

        int warmUpCalls() {
            return quick ? 5 : 20;
        }

        int atRestCalls() {
            return quick ? 3 : 10;
        }

        int startProbes() {
            return quick ? 1 : 3;
        }

        /** The 64-client phase of the process level runs longer: its second half measures the sustained rate. */
        Duration window(String level, int clients) {
            return clients == 64 && level.equals("process") ? duration.multipliedBy(2) : duration;
        }
    }

    private static volatile Daemon running;

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.exit(2);
            return;
        }
        // an interrupted benchmark must not leave a daemon behind
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Daemon d = running;
            if (d != null && d.process().isAlive()) {
                d.process().destroy();
            }
        }));
        System.out.printf(Locale.ROOT, "harpd benchmark %s — %d CPUs, Java %s; client and daemon share the machine%n",
                LocalDateTime.now().truncatedTo(ChronoUnit.SECONDS), Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));
        System.out.println("distribution: " + Daemon.distribution() + "; load average before start: "
                + Proc.loadAverage() + " (other work on the machine skews every figure)");
        System.out.println("class-data archive for workers: " + primeClassArchive());
        for (String level : options.levels()) {
            System.out.println();
            try {
                runLevel(level, options);
            } catch (Exception | AssertionError e) {
                System.out.println("== isolation: " + level + " == failed: " + e.toString().lines().findFirst().orElse(""));
            }
        }
    }

    static void runLevel(String level, Options options) throws Exception {
        Daemon.Builder builder = Daemon.builder().procedures(PROCEDURES).config("workers:\n  isolation: " + level + "\n");
        Path dir = builder.prepare(Daemon.freePort());
        Launcher.Outcome check = Launcher.run("-t", "-c", dir.resolve("harpd.conf").toString(),
                "-r", dir.resolve("harpd.py").toString());
        if (check.exitCode() != 0) {
            List<String> lines = check.stderrLines();
            System.out.println("== isolation: " + level + " == not supported (harpd -t: "
                    + (lines.isEmpty() ? "exit " + check.exitCode() : lines.get(lines.size() - 1)) + ")");
            return;
        }
        try (Daemon daemon = builder.dir(dir).start()) {
            running = daemon;
            Call call = new Call(daemon.port(), "ping", options.client());
            Pool pool = new Pool(daemon.pid());
            System.out.println("== isolation: " + level + " == (" + call.negotiated()
                    + ", full handshake per call, procedure ping() returning os.getpid())");

            List<Long> idle = pool.awaitRest(SETTLE_TIMEOUT);
            boolean settles = !idle.isEmpty();
            if (!settles) {
                System.out.println("the worker pool did not come to rest within " + SETTLE_TIMEOUT.toSeconds()
                        + " s: no spare worker went quiet; phases start without waiting for it");
            }
            long listenerRestKb = Proc.rssKb(daemon.pid()).orElse(-1);
            long[] idleWorkerKb = idle.stream().mapToLong(pid -> Proc.rssKb(pid).orElse(-1)).sorted().toArray();
            List<Pool.WorkerStart> starts = new ArrayList<>();
            for (int i = 0; settles && i < options.startProbes(); i++) {
                Pool.WorkerStart start = pool.measureReplacement(SETTLE_TIMEOUT);
                if (start != null) {
                    starts.add(start);
                }
            }

            Load.run(call, 1, options.duration(), options.warmUpCalls()); // warm-up: JIT of listener and client
            List<Row> rows = new ArrayList<>();
            if (settles) {
                rows.add(new Row("one call, pool at rest", 1, atRest(call, pool, options.atRestCalls()), -1));
            }
            for (int clients : new int[] {1, 8, 64}) {
                requireAlive(daemon);
                if (settles) {
                    pool.awaitRest(SETTLE_TIMEOUT); // every phase starts from a full pool
                }
                Duration window = options.window(level, clients);
                Pool.PeakRss rss = pool.samplePeakRss();
                Summary summary;
                try {
                    summary = Load.run(call, clients, window);
                } finally {
                    rss.close();
                }
                rows.add(new Row((clients == 1 ? "sequential" : clients + " clients") + ", "
                        + window.toMillis() / 1000.0 + " s", clients, summary, rss.peakKb()));
            }
            requireAlive(daemon);
            print(rows, starts, listenerRestKb, idleWorkerKb);
            String problems = logProblems(daemon.log());
            if (!problems.isEmpty()) {
                System.out.println("daemon log problems: " + problems + (starts.isEmpty() ? ""
                        : " (" + starts.size() + " of the idle workers died by the start probe's SIGKILL)"));
            }
        } finally {
            running = null;
        }
    }

    /**
     * The listener makes the workers' class-data archive in the background at its first start with a new build
     * and uses it from the next start on. Without this, the first level measured would pay for the dump (a
     * worker boot and a minute of CPU) and run its workers without the archive.
     */
    static String primeClassArchive() throws Exception {
        long t0 = System.nanoTime();
        try (Daemon daemon = Daemon.builder().procedures(PROCEDURES).start()) {
            running = daemon;
            long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
            while (System.nanoTime() < deadline && daemon.process().isAlive()) {
                List<String> log = daemon.log();
                if (log.stream().noneMatch(line -> line.contains("making the class-data-sharing archive"))) {
                    if (System.nanoTime() - t0 > Duration.ofSeconds(5).toNanos()) {
                        return "present";
                    }
                } else if (log.stream().anyMatch(line -> line.contains("class-data-sharing archive for workers made"))) {
                    return String.format(Locale.ROOT, "made first (%.0f s)", (System.nanoTime() - t0) / 1e9);
                } else {
                    Optional<String> failed = log.stream()
                            .filter(line -> line.contains("workers start without a class-data-sharing archive"))
                            .findFirst();
                    if (failed.isPresent()) {
                        return "not made, workers start without one: " + failed.get();
                    }
                }
                Thread.sleep(250);
            }
            return "unknown: the daemon did not report within 180 s";
        } finally {
            running = null;
        }
    }

    /** A daemon that died makes every later figure meaningless: stop the level, saying why. */
    static void requireAlive(Daemon daemon) {
        if (!daemon.process().isAlive()) {
            List<String> log = daemon.log();
            throw new IllegalStateException("harpd exited with status " + daemon.process().exitValue()
                    + "; last log line: " + (log.isEmpty() ? "none" : log.get(log.size() - 1)));
        }
    }

    /** Calls made one at a time, each once the pool is back at rest: latency with a spare worker waiting. */
    static Summary atRest(Call call, Pool pool, int calls) throws Exception {
        List<Summary.Sample> samples = new ArrayList<>();
        long elapsed = 0;
        for (int i = 0; i < calls; i++) {
            pool.awaitRest(SETTLE_TIMEOUT);
            long t0 = System.nanoTime();
            Call.Outcome outcome = call.run();
            long latency = System.nanoTime() - t0;
            elapsed += latency;
            samples.add(new Summary.Sample(elapsed, latency, outcome.error(), outcome.workerPid()));
        }
        return Summary.of(samples, elapsed, 0);
    }

    record Row(String phase, int clients, Summary summary, long peakListenerKb) {
    }

    static void print(List<Row> rows, List<Pool.WorkerStart> starts, long listenerRestKb, long[] idleWorkerKb) {
        System.out.printf(Locale.ROOT, "%-26s %7s %7s %6s %9s %9s %9s %9s %9s %11s %12s%n", "phase", "clients", "calls",
                "errors", "calls/s", "steady/s", "p50 ms", "p99 ms", "max ms", "listener MB", "calls/worker");
        for (Row r : rows) {
            Summary s = r.summary();
            boolean load = s.windowNanos() > 0;
            System.out.printf(Locale.ROOT, "%-26s %7d %7d %6d %9s %9s %9.1f %9.1f %9.1f %11s %12s%n", r.phase(), r.clients(),
                    s.calls(), s.errorCount(), load ? fixed(s.okPerSecond()) : "-", load ? fixed(s.steadyOkPerSecond()) : "-",
                    s.p50Millis(), s.p99Millis(), s.maxMillis(), r.peakListenerKb() < 0 ? "-" : fixed(r.peakListenerKb() / 1024.0),
                    s.workers() == 0 ? "-" : fixed((double) s.ok() / s.workers()));
        }
        for (Row r : rows) {
            if (r.summary().errorCount() > 0) {
                System.out.println("errors, " + r.phase() + ": " + r.summary().errorText());
            }
        }
        if (starts.isEmpty()) {
            System.out.println("worker start: not measured (no replacement worker seen going quiet)");
        } else {
            double[] wall = starts.stream().mapToDouble(Pool.WorkerStart::wallSeconds).sorted().toArray();
            double[] cpu = starts.stream().mapToDouble(Pool.WorkerStart::cpuSeconds).sorted().toArray();
            System.out.printf(Locale.ROOT, "worker start (idle spare SIGKILLed, its replacement followed until quiet; "
                    + "median of %d): wall %.2f s, CPU %.2f s%n", starts.size(), wall[wall.length / 2], cpu[cpu.length / 2]);
        }
        System.out.printf(Locale.ROOT, "memory: idle worker RSS %s MB (median of %d); listener RSS %s MB at rest, "
                        + "peak under 64 clients in the table%n",
                idleWorkerKb.length == 0 ? "-" : fixed(idleWorkerKb[idleWorkerKb.length / 2] / 1024.0),
                idleWorkerKb.length, fixed(listenerRestKb / 1024.0));
        System.out.println("calls/s: successful calls over the phase; steady/s: over the 2nd half of its window; "
                + "percentiles over all calls, failed ones included;\n"
                + "calls/worker: successful calls per distinct worker process that served them (1.0 = a process per call)");
    }

    /** Log lines that tell of trouble, counted by message, e.g. "worker failed to start x3". */
    static String logProblems(List<String> log) {
        Map<String, Integer> counts = new TreeMap<>();
        for (String line : log) {
            String lower = line.toLowerCase(Locale.ROOT);
            if (lower.contains("error") || lower.contains("fail") || lower.contains("died") || lower.contains("kill")) {
                String message = line;
                try {
                    message = JSON.readTree(line).path("message").asText(line);
                } catch (IOException e) {
                    // not a JSON log line (e.g. a JVM's own complaint): count it as it is
                }
                counts.merge(message.length() > 100 ? message.substring(0, 100) : message, 1, Integer::sum);
            }
        }
        StringBuilder text = new StringBuilder();
        counts.forEach((message, count) -> text.append(text.isEmpty() ? "" : "; ").append(message).append(" x").append(count));
        return text.toString();
    }

    private static String fixed(double value) {
        return String.format(Locale.ROOT, "%.1f", value);
    }
}
