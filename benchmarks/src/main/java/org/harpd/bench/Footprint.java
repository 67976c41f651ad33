package org.harpd.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.harpd.it.Daemon;
import org.harpd.it.Launcher;

/**
 * The daemon's footprint in its default configuration, as an operator first meets it: {@code harpd -t}'s wall
 * time, start to "listening" and to the first answered call, the PSS and RSS of every process at rest after the
 * start, right after a load and after a quiet period, and where each JVM's memory goes.
 *
 * <p>The breakdown per JVM comes from Native Memory Tracking, which costs memory of its own, so it is taken
 * from a second daemon started with it (workers included, through {@code jvm_options}); the PSS figures come
 * from a daemon without it.
 */
final class Footprint {
    /** A second daemon's NMT figures, read with {@code jcmd}: the workers are made attachable for it. */
    private static final String NMT_CONFIG = "workers:\n  jvm_options: [-XX:NativeMemoryTracking=summary,"
            + " -XX:-DisableAttachMechanism]\n";
    private static final Pattern NMT_LINE = Pattern.compile("^-\\s+(\\S.*?) \\(reserved=\\d+KB, committed=(\\d+)KB");
    private static final Pattern NMT_TOTAL = Pattern.compile("^Total: reserved=\\d+KB, committed=(\\d+)KB");

    private Footprint() {
    }

    /**
     * @param quiet how long the daemon is left alone before each at-rest reading (after start, after the load)
     * @param load  how long 8 clients call it in between
     */
    static void run(Call.Client client, Duration quiet, Duration load) throws Exception {
        System.out.println("== footprint (default configuration, procedure ping()) ==");
        Daemon.Builder builder = Daemon.builder().procedures(Benchmark.PROCEDURES);
        Path dir = builder.prepare(Daemon.freePort());
        double[] check = new double[3];
        for (int i = 0; i < check.length; i++) {
            long t0 = System.nanoTime();
            Launcher.Outcome outcome = Launcher.run("-t", "-c", dir.resolve("harpd.conf").toString(),
                    "-r", dir.resolve("harpd.py").toString());
            check[i] = (System.nanoTime() - t0) / 1e9;
            if (outcome.exitCode() != 0) {
                System.out.println("harpd -t failed: " + outcome.stderr());
                return;
            }
        }
        Arrays.sort(check);
        System.out.printf(Locale.ROOT, "harpd -t: %.2f s wall (median of %d; %.2f-%.2f)%n", check[1], check.length,
                check[0], check[2]);

        long t0 = System.nanoTime();
        try (Daemon daemon = builder.dir(dir).start()) {
            double listening = (System.nanoTime() - t0) / 1e9;
            Call call = new Call(daemon.port(), "ping", client);
            String error = "not tried";
            long deadline = t0 + Benchmark.SETTLE_TIMEOUT.multipliedBy(2).toNanos();
            while (System.nanoTime() < deadline && (error = call.run().error()) != null) {
                Thread.sleep(20);
            }
            double firstCall = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "start: listening after %.2f s, first call answered after %s%n", listening,
                    error == null ? String.format(Locale.ROOT, "%.2f s", firstCall) : "- (" + error + ")");
            sleepUntil(t0 + quiet.toNanos());
            print("at rest " + quiet.toSeconds() + " s after start", snapshot(daemon.pid()));
            Summary summary = Load.run(call, 8, load);
            print(String.format(Locale.ROOT, "right after %d s of 8 clients (%d calls, %d errors)",
                    load.toSeconds(), summary.calls(), summary.errorCount()), snapshot(daemon.pid()));
            Thread.sleep(quiet.toMillis());
            print("at rest " + quiet.toSeconds() + " s after the load", snapshot(daemon.pid()));
        }

        try (Daemon daemon = Daemon.builder().procedures(Benchmark.PROCEDURES).config(NMT_CONFIG)
                .env("HARPD_JAVA_OPTS", "-XX:NativeMemoryTracking=summary").start()) {
            long started = System.nanoTime();
            Call call = new Call(daemon.port(), "ping", client);
            long deadline = started + Benchmark.SETTLE_TIMEOUT.multipliedBy(2).toNanos();
            while (System.nanoTime() < deadline && call.run().error() != null) {
                Thread.sleep(20);
            }
            sleepUntil(started + quiet.toNanos());
            System.out.printf(Locale.ROOT, "per JVM, %d s after start (a second daemon with Native Memory Tracking; "
                    + "committed MB, not resident):%n", quiet.toSeconds());
            System.out.printf(Locale.ROOT, "  %-8s %-13s %6s %6s %8s %6s %7s %6s %6s%n", "pid", "process", "total",
                    "heap", "classes", "code", "threads", "other", "PSS");
            List<Long> pids = new ArrayList<>(List.of(daemon.pid()));
            pids.addAll(Proc.workers(daemon.pid()));
            for (long pid : pids) {
                Map<String, Long> nmt = nativeMemory(pid);
                if (nmt.isEmpty()) {
                    System.out.printf(Locale.ROOT, "  %-8d %-13s (no NMT reading)%n", pid, name(pid));
                    continue;
                }
                long total = nmt.getOrDefault("Total", 0L);
                long heap = nmt.getOrDefault("Java Heap", 0L);
                long classes = nmt.getOrDefault("Class", 0L) + nmt.getOrDefault("Metaspace", 0L)
                        + nmt.getOrDefault("Symbol", 0L) + nmt.getOrDefault("Shared class space", 0L);
                long code = nmt.getOrDefault("Code", 0L) + nmt.getOrDefault("Compiler", 0L);
                long threads = nmt.getOrDefault("Thread", 0L);
                long other = total - heap - classes - code - threads - nmt.getOrDefault("Native Memory Tracking", 0L);
                System.out.printf(Locale.ROOT, "  %-8d %-13s %6s %6s %8s %6s %7s %6s %6s%n", pid, name(pid), mb(total),
                        mb(heap), mb(classes), mb(code), mb(threads), mb(other), mb(Proc.pssKb(pid).orElse(0)));
            }
            System.out.println("  classes: class space, metaspace, symbols and mapped class-data archives; code: JIT "
                    + "code cache and compiler; other: GC, internal, malloc'ed; NMT's own bookkeeping left out");
        }
    }

    record Process(long pid, String name, long pssKb, long rssKb) {
    }

    static List<Process> snapshot(long listener) {
        List<Long> pids = new ArrayList<>(List.of(listener));
        pids.addAll(Proc.workers(listener));
        List<Process> processes = new ArrayList<>();
        for (long pid : pids) {
            processes.add(new Process(pid, name(pid), Proc.pssKb(pid).orElse(0), Proc.rssKb(pid).orElse(0)));
        }
        return processes;
    }

    static void print(String when, List<Process> processes) {
        long pss = processes.stream().mapToLong(Process::pssKb).sum();
        long rss = processes.stream().mapToLong(Process::rssKb).sum();
        StringBuilder each = new StringBuilder();
        for (Process p : processes) {
            each.append(each.isEmpty() ? "" : ", ").append(p.name()).append(' ').append(mb(p.pssKb()))
                    .append('/').append(mb(p.rssKb()));
        }
        System.out.printf(Locale.ROOT, "%s: %d processes, PSS %s MB, RSS %s MB (PSS/RSS MB: %s)%n", when,
                processes.size(), mb(pss), mb(rss), each);
    }

    /** The committed kB per NMT category of {@code jcmd PID VM.native_memory summary}, and "Total". */
    static Map<String, Long> parseNativeMemory(String summary) {
        Map<String, Long> categories = new LinkedHashMap<>();
        for (String line : summary.split("\n")) {
            Matcher total = NMT_TOTAL.matcher(line.strip());
            if (total.find()) {
                categories.put("Total", Long.parseLong(total.group(1)));
            }
            Matcher category = NMT_LINE.matcher(line.strip());
            if (category.find()) {
                categories.put(category.group(1), Long.parseLong(category.group(2)));
            }
        }
        return categories;
    }

    private static Map<String, Long> nativeMemory(long pid) throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        java.lang.Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "VM.native_memory", "summary")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return Map.of();
        }
        return parseNativeMemory(out);
    }

    private static String name(long pid) {
        String command = Proc.commandLine(pid);
        return command.contains("WorkerMain") || command.contains("harpd-worker") ? "worker" : "listener";
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left = nanoTime - System.nanoTime();
        if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    private static String mb(long kb) {
        return String.format(Locale.ROOT, "%.0f", kb / 1024.0);
    }
}
