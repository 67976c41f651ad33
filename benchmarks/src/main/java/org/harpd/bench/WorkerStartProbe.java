package org.harpd.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Measures what a worker costs to start: spawns N workers of an assembled distribution one after the other,
 * as the listener does, and reports per worker the wall time from spawn to its {"ready"} line, the CPU time
 * (user+sys, all threads) it used up to then, and its resident set size while it idles waiting for a call.
 *
 * <pre>java -cp benchmarks/target/classes org.harpd.bench.WorkerStartProbe HARPD_HOME PROCEDURES N [worker JVM option]...</pre>
 *
 * Not a test: numbers are for STARTUP.md. Linux only (/proc).
 */
public final class WorkerStartProbe {
    private static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: WorkerStartProbe HARPD_HOME PROCEDURES N [jvm option]...");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath().normalize();
        Path procedures = Path.of(args[1]).toAbsolutePath();
        int n = Integer.parseInt(args[2]);
        List<String> jvmOptions = Arrays.asList(args).subList(3, args.length);
        String classpath;
        try (Stream<Path> jars = Files.list(home.resolve("lib"))) {
            classpath = jars.filter(p -> p.toString().endsWith(".jar")).sorted().map(Path::toString)
                    .collect(Collectors.joining(":"));
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<Long> walls = new ArrayList<>();
        List<Long> cpus = new ArrayList<>();
        List<Long> rss = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<String> command = new ArrayList<>();
            command.add(java);
            command.addAll(jvmOptions);
            command.add("-Dharpd.home=" + home);
            command.addAll(List.of("-cp", classpath, "org.harpd.main.WorkerMain", "--procedures",
                    procedures.toString()));
            long start = System.nanoTime();
            Process worker = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(worker.getInputStream(),
                    StandardCharsets.UTF_8));
            String line = out.readLine();
            long wall = (System.nanoTime() - start) / 1_000_000;
            if (line == null || !line.contains("\"ready\"")) {
                System.err.println("worker did not get ready: " + line);
                worker.destroyForcibly();
                System.exit(1);
            }
            long cpu = cpuMillis(worker.pid());
            Thread.sleep(300); // idle: let background compilation settle before reading RSS
            long kb = rssKb(worker.pid());
            worker.getOutputStream().close(); // EOF on the command pipe: the worker exits
            worker.waitFor();
            walls.add(wall);
            cpus.add(cpu);
            rss.add(kb);
            System.err.printf("  worker %d: %d ms wall, %d ms cpu, %d MB rss%n", i + 1, wall, cpu, kb / 1024);
        }
        System.out.printf("median of %d: wall %d ms, cpu %d ms, rss %d MB   %s%n", n, median(walls),
                median(cpus), median(rss) / 1024, String.join(" ", jvmOptions));
    }

    private static long cpuMillis(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        // fields after the parenthesised command name; utime and stime are fields 14 and 15
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        return ticks * 1000 / TICKS_PER_SECOND;
    }

    private static long rssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    private static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }
}
