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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.harpd.it.Daemon;
import org.harpd.it.Launcher;

/**
 * Benchmark of the assembled daemon, run by {@code benchmarks/bench} (never by {@code mvn verify}): for each
 * isolation level it starts bin/harpd on loopback and prints a table of latency, throughput, errors, worker JVM
 * starts and CPU per call of each process, then worker start cost and memory, for a trivial procedure called over
 * a new TLS connection per call.
 */
public final class Benchmark {
    static final String PROCEDURES = "import os\nfrom harpd.proc import procedure\n\n@procedure\ndef ping():\n    return os.getpid()\n";
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(30);

    /**
     * Command-line options; {@code --quick} shortens everything for a smoke run.
     *
     * @param levels the isolation levels to measure, one daemon each; {@code default} is the daemon's configuration
     *               without {@code isolation:}
     * @param steady the 8-client phase that follows the first one, where a pool that has grown to its load should
     *               start no worker; zero to skip it
     * @param rest   how long the daemon rests after the last phase before its memory is read: longer than the pool's
     *               idle time, so that it has shrunk back
     * @param footprint whether to measure the footprint section ({@link Footprint}) before the levels
     * @param quiet  how long the footprint section leaves the daemon alone before each at-rest reading
     */
    record Options(List<String> levels, Duration duration, boolean quick, Call.Client client, Duration steady,
                   Duration rest, boolean footprint, Duration quiet) {
        static final String USAGE = "usage: bench [--footprint | --levels default,process,interpreter,shared]"
                + " [--duration SECONDS] [--steady SECONDS] [--rest SECONDS] [--quiet SECONDS] [--quick]"
                + " [--client openssl|jdk]";

        static Options parse(String[] args) {
            List<String> levels = List.of("default", "process", "interpreter", "shared");
            Duration duration = null;
            Duration steady = null;
            Duration rest = Duration.ofSeconds(20);
            Duration quiet = null;
            boolean footprint = true;
            boolean footprintOnly = false;
            boolean quick = false;
            Call.Client client = io.netty.handler.ssl.OpenSsl.isAvailable() ? Call.Client.OPENSSL : Call.Client.JDK;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--levels" -> {
                        levels = List.of(value(args, ++i).split(","));
                        footprint = false;
                    }
                    case "--footprint" -> footprintOnly = true;
                    case "--quiet" -> quiet = seconds(args, ++i);
                    case "--duration" -> duration = seconds(args, ++i);
                    case "--steady" -> steady = seconds(args, ++i);
                    case "--rest" -> rest = seconds(args, ++i);
                    case "--quick" -> quick = true;
                    case "--client" -> client = client(value(args, ++i));
                    default -> throw new IllegalArgumentException("unknown option " + args[i] + "; " + USAGE);
                }
            }
            if (duration == null) {
                duration = Duration.ofSeconds(quick ? 3 : 10);
            }
            if (steady == null) {
                steady = Duration.ofSeconds(quick ? 10 : 60);
            }
            if (duration.isZero()) {
                throw new IllegalArgumentException("--duration must be positive");
            }
            if (quiet == null) {
                quiet = Duration.ofSeconds(quick ? 20 : 60);
            }
            if (footprintOnly) {
                levels = List.of();
                footprint = true;
            }
            return new Options(levels, duration, quick, client, steady, rest, footprint, quiet);
        }

        private static Duration seconds(String[] args, int i) {
            String text = value(args, i);
            double seconds;
            try {
                seconds = Double.parseDouble(text);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(args[i - 1] + " takes seconds, not " + text);
            }
            if (!(seconds >= 0 && seconds <= 86_400)) {
                throw new IllegalArgumentException(args[i - 1] + " takes seconds from 0 to 86400, not " + text);
            }
            return Duration.ofMillis(Math.round(seconds * 1000));
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
        if (options.footprint()) {
            System.out.println();
            try {
                Footprint.run(options.client(), options.quiet(), options.duration());
            } catch (Exception | AssertionError e) {
                System.out.println("== footprint == failed: " + e.toString().lines().findFirst().orElse(""));
            }
        }
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
        boolean asDefault = level.equals("default");
        Daemon.Builder builder = Daemon.builder().procedures(PROCEDURES)
                .config(asDefault ? "" : "workers:\n  isolation: " + level + "\n");
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
            List<String> told = new ArrayList<>(check.stderrLines());
            told.addAll(daemon.log());
            Optional<String> reported = reportedLevel(told);
            String effective = asDefault ? reported.orElse(level) : level;
            System.out.println("== isolation: " + (asDefault ? "default (" + reported.orElse("the daemon does not say which")
                    + ")" : level) + " == (" + call.negotiated()
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
                // a worker the warm-up had the pool start would boot into the first phase's CPU, not its starts
                pool.awaitRest(SETTLE_TIMEOUT);
                rows.add(measure("one call, pool at rest", 1, pool, settles,
                        meter -> atRest(call, pool, meter, options.atRestCalls())));
            }
            for (int clients : new int[] {1, 8, 64}) {
                requireAlive(daemon);
                if (settles) {
                    pool.awaitRest(SETTLE_TIMEOUT); // every phase starts from a full pool
                }
                Duration window = options.window(effective, clients);
                rows.add(measure((clients == 1 ? "sequential" : clients + " clients") + ", "
                        + window.toMillis() / 1000.0 + " s", clients, pool, settles, meter -> Load.run(call, clients, window)));
                if (clients == 8 && !options.steady().isZero()) {
                    // straight on, with the pool the first 8-client phase grew: that phase is the warm-up
                    requireAlive(daemon);
                    rows.add(measure(STEADY + options.steady().toMillis() / 1000.0 + " s", clients, pool, settles,
                            meter -> Load.run(call, clients, options.steady())));
                }
            }
            requireAlive(daemon);
            // the pool retires idle workers after its idle time: what it holds once it has
            Thread.sleep(options.rest().toMillis());
            requireAlive(daemon);
            Pool.Footprint atRest = pool.footprint();
            print(rows, starts, listenerRestKb, idleWorkerKb);
            System.out.printf(Locale.ROOT, "at rest %s s after the load: %d processes, %s MB RSS, %s MB PSS "
                            + "(listener and workers together)%n", seconds(options.rest()), atRest.processes(),
                    fixed(atRest.rssKb() / 1024.0), fixed(atRest.pssKb() / 1024.0));
            String problems = logProblems(daemon.log());
            if (!problems.isEmpty()) {
                System.out.println("daemon log problems: " + problems + (starts.isEmpty() ? ""
                        : " (" + starts.size() + " of the idle workers died by the start probe's SIGKILL)"));
            }
        } finally {
            running = null;
        }
    }

    static final String STEADY = "8 clients steady, ";

    /** The calls of one phase, made under a meter. */
    interface Phase {
        Summary run(Pool.Meter meter) throws Exception;
    }

    /**
     * Runs one phase under a {@link Pool.Meter}. The daemon's CPU and worker starts are counted until the pool is
     * quiet again after the last call, so that a phase pays for what its calls left running (a reset, the boot of a
     * replacement); the benchmark's own CPU only until the last call ended.
     */
    static Row measure(String phase, int clients, Pool pool, boolean settles, Phase load) throws Exception {
        Summary summary;
        try (Pool.Meter meter = pool.meter()) {
            summary = load.run(meter);
            meter.loadDone();
            if (settles) {
                pool.awaitRest(SETTLE_TIMEOUT);
            }
            meter.close();
            return new Row(phase, clients, summary, meter.usage());
        }
    }

    /** Matches how a log line or {@code harpd -t} would name the level in effect, as JSON or as text. */
    private static final Pattern LEVEL = Pattern.compile("(?i)(?<![\\w])isolation\\W{1,4}(process|interpreter|shared)\\b");

    /** The isolation level the daemon says it runs, if any of its lines names one. */
    static Optional<String> reportedLevel(List<String> lines) {
        for (String line : lines) {
            Matcher m = LEVEL.matcher(line);
            if (m.find()) {
                return Optional.of(m.group(1).toLowerCase(Locale.ROOT));
            }
        }
        return Optional.empty();
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
    static Summary atRest(Call call, Pool pool, Pool.Meter meter, int calls) throws Exception {
        List<Summary.Sample> samples = new ArrayList<>();
        long elapsed = 0;
        for (int i = 0; i < calls; i++) {
            meter.clientWaits();
            pool.awaitRest(SETTLE_TIMEOUT);
            meter.clientCalls();
            long t0 = System.nanoTime();
            Call.Outcome outcome = call.run();
            long latency = System.nanoTime() - t0;
            elapsed += latency;
            samples.add(new Summary.Sample(elapsed, latency, outcome.error(), outcome.workerPid()));
        }
        return Summary.of(samples, elapsed, 0);
    }

    record Row(String phase, int clients, Summary summary, Pool.Usage usage) {
        double cpuMillisPerCall(long ticks) {
            return CpuUse.millisPerCall(ticks, summary.ok(), Proc.TICKS_PER_SECOND);
        }
    }

    static void print(List<Row> rows, List<Pool.WorkerStart> starts, long listenerRestKb, long[] idleWorkerKb) {
        System.out.printf(Locale.ROOT, "%-26s %7s %6s %6s %8s %8s %8s %8s %8s %11s %12s %6s %7s %7s %7s%n", "phase",
                "clients", "calls", "errors", "calls/s", "steady/s", "p50 ms", "p99 ms", "max ms", "listener MB",
                "calls/worker", "starts", "lst CPU", "wrk CPU", "cli CPU");
        for (Row r : rows) {
            Summary s = r.summary();
            Pool.Usage u = r.usage();
            boolean load = s.windowNanos() > 0;
            System.out.printf(Locale.ROOT, "%-26s %7d %6d %6d %8s %8s %8.1f %8.1f %8.1f %11s %12s %6d %7s %7s %7s%n",
                    r.phase(), r.clients(), s.calls(), s.errorCount(), load ? fixed(s.okPerSecond()) : "-",
                    load ? fixed(s.steadyOkPerSecond()) : "-", s.p50Millis(), s.p99Millis(), s.maxMillis(),
                    u.peakListenerKb() < 0 ? "-" : fixed(u.peakListenerKb() / 1024.0),
                    s.workers() == 0 ? "-" : fixed((double) s.ok() / s.workers()), u.starts(),
                    cpu(r.cpuMillisPerCall(u.cpu().listenerTicks())), cpu(r.cpuMillisPerCall(u.cpu().workerTicks())),
                    cpu(r.cpuMillisPerCall(u.cpu().clientTicks())));
        }
        for (Row r : rows) {
            if (r.summary().errorCount() > 0) {
                System.out.println("errors, " + r.phase() + ": " + r.summary().errorText());
            }
            if (r.usage().unaccountedTicks() > r.usage().starts() + 1) {
                System.out.printf(Locale.ROOT, "warning, %s: workers that exited were not reaped by the listener; "
                        + "worker CPU is short by at least %d ms%n", r.phase(),
                        r.usage().unaccountedTicks() * 1000 / Proc.TICKS_PER_SECOND);
            }
        }
        String ratio = rateRatio(rows);
        Optional<Row> steady = rows.stream().filter(r -> r.phase().startsWith(STEADY)).findFirst();
        if (steady.isPresent()) {
            Row r = steady.get();
            System.out.printf(Locale.ROOT, "steady: 8 clients for %s s right after the first 8-client phase: %s calls/s, "
                            + "%d JVM starts%s%n", fixed(r.summary().windowNanos() / 1e9), fixed(r.summary().okPerSecond()),
                    r.usage().starts(), ratio.isEmpty() ? "" : "; " + ratio);
        } else if (!ratio.isEmpty()) {
            System.out.println(ratio);
        }
        if (starts.isEmpty()) {
            System.out.println("worker start: not measured (no replacement worker seen going quiet)");
        } else {
            double[] wall = starts.stream().mapToDouble(Pool.WorkerStart::wallSeconds).sorted().toArray();
            double[] cpu = starts.stream().mapToDouble(Pool.WorkerStart::cpuSeconds).sorted().toArray();
            System.out.printf(Locale.ROOT, "worker start (idle spare SIGKILLed, its replacement followed until quiet; "
                    + "median of %d): wall %.2f s, CPU %.2f s%n", starts.size(), wall[wall.length / 2], cpu[cpu.length / 2]);
        }
        System.out.printf(Locale.ROOT, "memory: idle worker RSS %s MB (median of %d); listener RSS %s MB at rest before "
                        + "the load, its peak in each phase in the table%n",
                idleWorkerKb.length == 0 ? "-" : fixed(idleWorkerKb[idleWorkerKb.length / 2] / 1024.0),
                idleWorkerKb.length, fixed(listenerRestKb / 1024.0));
        System.out.printf(Locale.ROOT, "calls/s: successful calls over the phase; steady/s: over the 2nd half of its "
                + "window; percentiles over all calls, failed ones included;%n"
                + "calls/worker: successful calls per distinct worker process that served them (1.0 = a process per call);%n"
                + "starts: worker JVMs started; lst/wrk/cli CPU: ms of CPU per successful call in the listener, its "
                + "workers and this benchmark's client,%n"
                + "the daemon's counted until its pool was quiet after the phase; from /proc in ticks of %s ms "
                + "(CLK_TCK %d), so each is within a few ticks over the phase's calls%n",
                fixed(1000.0 / Proc.TICKS_PER_SECOND), Proc.TICKS_PER_SECOND);
    }

    /**
     * "64 clients / 8 clients: 1.05": the 64-client rate over the 8-client rate, the steady 8-client phase's when
     * there is one (it is the longer measurement); empty when either is missing.
     */
    static String rateRatio(List<Row> rows) {
        Row eight = null;
        Row sixtyFour = null;
        for (Row r : rows) {
            if (r.clients() == 8 && (eight == null || r.phase().startsWith(STEADY))) {
                eight = r;
            } else if (r.clients() == 64) {
                sixtyFour = r;
            }
        }
        if (eight == null || sixtyFour == null || eight.summary().okPerSecond() <= 0) {
            return "";
        }
        return String.format(Locale.ROOT, "64 clients / 8 clients%s: %.2f", eight.phase().startsWith(STEADY)
                ? " steady" : "", sixtyFour.summary().okPerSecond() / eight.summary().okPerSecond());
    }

    private static String cpu(double millis) {
        return Double.isNaN(millis) ? "-" : String.format(Locale.ROOT, "%.2f", millis);
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? Long.toString(d.toSeconds()) : fixed(d.toMillis() / 1000.0);
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
