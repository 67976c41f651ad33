package org.harpd.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The benchmark's arithmetic and parsing, checked on fixed inputs (the benchmark itself is no test). */
class BenchmarkStatisticsTest {
    private static final long MS = 1_000_000;

    @Test
    void percentileIsNearestRank() {
        long[] hundred = new long[100];
        for (int i = 0; i < 100; i++) {
            hundred[i] = i + 1;
        }
        assertEquals(50, Summary.percentile(hundred, 50));
        assertEquals(99, Summary.percentile(hundred, 99));
        assertEquals(100, Summary.percentile(hundred, 100));
        assertEquals(1, Summary.percentile(hundred, 0.5));
        long[] three = {10, 20, 30};
        assertEquals(20, Summary.percentile(three, 50));
        assertEquals(30, Summary.percentile(three, 99));
        assertEquals(7, Summary.percentile(new long[] {7}, 99));
        assertEquals(-1, Summary.percentile(new long[0], 50));
        assertThrows(IllegalArgumentException.class, () -> Summary.percentile(three, 0));
        assertThrows(IllegalArgumentException.class, () -> Summary.percentile(three, 101));
    }

    @Test
    void summaryCountsErrorsByKindAndRatesOverWindow() {
        // a 2 s window: 3 successes (one in the first half), 2 timeouts and a reset
        Summary s = Summary.of(List.of(
                new Summary.Sample(500 * MS, 30 * MS, null, 101),
                new Summary.Sample(1200 * MS, 10 * MS, null, 102),
                new Summary.Sample(1900 * MS, 20 * MS, null, 101),
                new Summary.Sample(1950 * MS, 900 * MS, "timeout"),
                new Summary.Sample(1990 * MS, 800 * MS, "timeout"),
                new Summary.Sample(1000 * MS, 1 * MS, "reset")), 2000 * MS, 2000 * MS);
        assertEquals(6, s.calls());
        assertEquals(3, s.errorCount());
        assertEquals(3, s.ok());
        assertEquals(2, s.workers());
        assertEquals("reset=1, timeout=2", s.errorText());
        assertEquals(1.5, s.okPerSecond(), 1e-9);
        assertEquals(2.0, s.steadyOkPerSecond(), 1e-9);
        assertEquals(20.0, s.p50Millis(), 1e-9); // latencies 1, 10, 20, 30, 800, 900 ms: failed calls count
        assertEquals(900.0, s.p99Millis(), 1e-9);
    }

    @Test
    void summaryWithoutErrorsSaysNone() {
        Summary s = Summary.of(List.of(new Summary.Sample(MS, MS, null)), MS, MS);
        assertEquals("none", s.errorText());
        assertEquals(0, s.errorCount());
    }

    @Test
    void procStatReadsCpuAndStartEvenWithAwkwardCommandNames() {
        // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ... starttime
        // ... cutime cstime priority nice num_threads itrealvalue starttime
        String line = "4242 (java (x) y) S 17 4242 4242 0 -1 4194304 100 0 0 0 150 37 1200 345 20 0 30 0 987654 0 0";
        Proc.Stat stat = Proc.parseStat(line);
        assertEquals('S', stat.state());
        assertEquals(17, stat.ppid());
        assertEquals(187, stat.cpuTicks());
        assertEquals(1545, stat.reapedTicks());
        assertEquals(987654, stat.startTicks());
        assertEquals(187.0 / Proc.TICKS_PER_SECOND, stat.cpuSeconds(), 1e-9);
    }

    @Test
    void procReadsThisProcess() {
        long self = ProcessHandle.current().pid();
        Proc.Stat stat = Proc.stat(self);
        assertEquals(true, stat != null && stat.startSeconds() <= Proc.uptimeSeconds());
        assertEquals(true, Proc.rssKb(self).orElse(0) > 0);
        assertNull(Proc.stat(Long.MAX_VALUE));
        assertEquals(true, Proc.pssKb(self).orElse(0) > 0);
        assertEquals(true, Proc.TICKS_PER_SECOND > 0);
    }

    @Test
    void procListsChildrenAndTheirCommandLines() throws Exception {
        Process child = new ProcessBuilder("sleep", "30").start();
        try {
            List<Long> children = Proc.children(ProcessHandle.current().pid());
            assertTrue(children.contains(child.pid()), children + " lacks " + child.pid());
            assertEquals(Proc.stat(child.pid()).ppid(), ProcessHandle.current().pid());
            assertEquals("sleep 30", Proc.commandLine(child.pid()));
        } finally {
            child.destroyForcibly().waitFor();
        }
        assertFalse(Proc.children(ProcessHandle.current().pid()).contains(child.pid()));
        assertEquals("", Proc.commandLine(Long.MAX_VALUE));
    }

    @Test
    void procParsesChildrenAndKilobyteFields() {
        assertEquals(List.of(12L, 345L), Proc.parseChildren("12 345 "));
        assertEquals(List.of(), Proc.parseChildren(""));
        String rollup = "55d0c8a2e000-7ffd8a9f6000 ---p 00000000 00:00 0                          [rollup]\n"
                + "Rss:              135680 kB\nPss:              101234 kB\nPss_Anon:          90000 kB\n";
        assertEquals(101234, Proc.field(rollup, "Pss:").getAsLong());
        assertEquals(135680, Proc.field(rollup, "Rss:").getAsLong());
        assertTrue(Proc.field(rollup, "Swap:").isEmpty());
    }

    @Test
    void workerCpuCountsEveryLifeOnceOverAPhase() {
        // worker 1 lives through (100 -> 130), worker 2 exits and is reaped (50 at the start, 80 at its end),
        // worker 3 is born and reaped (40), worker 4 is born and alive at the end (25)
        CpuUse.Snapshot start = new CpuUse.Snapshot(1000, 500, Map.of(1L, 100L, 2L, 50L), 7000);
        CpuUse.Snapshot end = new CpuUse.Snapshot(1300, 500 + 80 + 40, Map.of(1L, 130L, 4L, 25L), 7450);
        CpuUse use = CpuUse.between(start, end);
        assertEquals(300, use.listenerTicks());
        assertEquals(30 + 30 + 40 + 25, use.workerTicks());
        assertEquals(450, use.clientTicks());
        // the sampler saw 2 at 75 and 3 at 40 before they went: all of it came back through reaping
        assertEquals(0, CpuUse.unaccountedTicks(start, end, Map.of(1L, 125L, 2L, 75L, 3L, 40L, 4L, 20L)));
        // had they gone without being reaped, their CPU would be missing from the workers' figure
        CpuUse.Snapshot unreaped = new CpuUse.Snapshot(1300, 500, Map.of(1L, 130L, 4L, 25L), 7450);
        assertEquals(25 + 40, CpuUse.unaccountedTicks(start, unreaped, Map.of(2L, 75L, 3L, 40L)));
    }

    @Test
    void cpuPerCallIsTicksOverCalls() {
        assertEquals(2.5, CpuUse.millisPerCall(50, 200, 100), 1e-9); // 0.5 s over 200 calls
        assertEquals(2.0, CpuUse.millisPerCall(500, 250, 1000), 1e-9);
        assertTrue(Double.isNaN(CpuUse.millisPerCall(50, 0, 100)));
    }

    @Test
    void startCounterCountsNewWorkersOnly() {
        String listener = "java -cp lib/* org.harpd.main.Main -c harpd.conf";
        Map<Long, String> lines = new HashMap<>(Map.of(10L, "java org.harpd.main.WorkerMain", 11L, "java x"));
        StartCounter counter = new StartCounter(List.of(10L, 11L), listener);
        counter.observe(List.of(10L, 11L), lines::get); // the workers present at the start are no start
        lines.put(12L, "/usr/lib/jvm/lib/jspawnhelper 5:6:7"); // spawned, not yet the worker
        lines.put(13L, listener); // forked, exec under way
        lines.put(14L, "java -XX:ArchiveClassesAtExit=/var/x.jsa org.harpd.main.WorkerMain"); // the archive's dump
        counter.observe(List.of(10L, 12L, 13L, 14L), lines::get);
        lines.put(12L, "java org.harpd.main.WorkerMain");
        lines.put(13L, "java org.harpd.main.WorkerMain");
        counter.observe(List.of(10L, 12L, 13L, 14L), lines::get);
        counter.observe(List.of(12L, 13L), lines::get); // seen again: counted once
        lines.put(15L, ""); // gone before its command line could be read: a start nonetheless
        counter.observe(List.of(12L, 13L, 15L), lines::get);
        assertEquals(3, counter.finish(lines::get));
    }

    @Test
    void reportedLevelIsReadFromJsonOrText() {
        assertEquals(Optional.of("interpreter"), Benchmark.reportedLevel(List.of("{\"message\": \"listening on SSL socket\"}",
                "{\"isolation\": \"interpreter\", \"message\": \"worker pool\"}")));
        assertEquals(Optional.of("shared"), Benchmark.reportedLevel(List.of("config OK (isolation: shared)")));
        assertEquals(Optional.empty(), Benchmark.reportedLevel(List.of("{\"procedure_isolation\": \"process\"}",
                "config OK")));
    }

    @Test
    void rateRatioSetsSixtyFourClientsAgainstTheSteadyEightClientRate() {
        Benchmark.Row eight = row("8 clients, 10.0 s", 8, 1000);
        Benchmark.Row steady = row(Benchmark.STEADY + "60.0 s", 8, 2000);
        Benchmark.Row sixtyFour = row("64 clients, 10.0 s", 64, 2100);
        assertEquals("64 clients / 8 clients steady: 1.05", Benchmark.rateRatio(List.of(eight, steady, sixtyFour)));
        assertEquals("64 clients / 8 clients: 2.10", Benchmark.rateRatio(List.of(eight, sixtyFour)));
        assertEquals("", Benchmark.rateRatio(List.of(eight)));
    }

    /** A phase of 1 s in which {@code ok} calls succeeded. */
    private static Benchmark.Row row(String phase, int clients, int ok) {
        List<Summary.Sample> samples = new ArrayList<>();
        for (int i = 0; i < ok; i++) {
            samples.add(new Summary.Sample(MS, MS, null));
        }
        return new Benchmark.Row(phase, clients, Summary.of(samples, 1000 * MS, 1000 * MS),
                new Pool.Usage(new CpuUse(0, 0, 0), 0, -1, 0));
    }

    @Test
    void callVerdictTellsResultErrorAndException() throws Exception {
        ObjectMapper json = new ObjectMapper();
        assertEquals("", Call.verdict(json.readTree("{\"result\": null}")));
        assertNull(Call.verdict(json.readTree("{\"harp\": 1, \"stream_result\": false}")));
        assertEquals("error overloaded", Call.verdict(json.readTree(
                "{\"error\": {\"message\": \"busy\", \"type\": \"overloaded\"}, \"harp\": 1}")));
        assertEquals("exception TypeError", Call.verdict(json.readTree(
                "{\"exception\": {\"message\": \"x\", \"type\": \"TypeError\"}}")));
    }

    @Test
    void optionsParse() {
        Benchmark.Options o = Benchmark.Options.parse(new String[] {"--levels", "shared,process", "--duration", "2.5"});
        assertEquals(List.of("shared", "process"), o.levels());
        assertEquals(2500, o.duration().toMillis());
        assertEquals(5000, o.window("process", 64).toMillis());
        assertEquals(2500, o.window("shared", 64).toMillis());
        assertEquals(3000, Benchmark.Options.parse(new String[] {"--quick"}).duration().toMillis());
        assertThrows(IllegalArgumentException.class, () -> Benchmark.Options.parse(new String[] {"--levels"}));
        assertThrows(IllegalArgumentException.class, () -> Benchmark.Options.parse(new String[] {"--fast"}));
        assertEquals(List.of("default", "process", "interpreter", "shared"), Benchmark.Options.parse(new String[0]).levels());
        assertEquals(60, Benchmark.Options.parse(new String[0]).steady().toSeconds());
        assertEquals(10, Benchmark.Options.parse(new String[] {"--quick"}).steady().toSeconds());
        assertEquals(0, Benchmark.Options.parse(new String[] {"--steady", "0"}).steady().toMillis());
        assertEquals(20, Benchmark.Options.parse(new String[0]).rest().toSeconds());
        assertEquals(12500, Benchmark.Options.parse(new String[] {"--rest", "12.5"}).rest().toMillis());
        assertThrows(IllegalArgumentException.class, () -> Benchmark.Options.parse(new String[] {"--rest", "-1"}));
        assertThrows(IllegalArgumentException.class, () -> Benchmark.Options.parse(new String[] {"--steady", "x"}));
        assertThrows(IllegalArgumentException.class, () -> Benchmark.Options.parse(new String[] {"--duration", "0"}));
        assertTrue(Benchmark.Options.parse(new String[0]).footprint(), "the footprint first by default");
        assertFalse(Benchmark.Options.parse(new String[] {"--levels", "shared"}).footprint());
        Benchmark.Options footprint = Benchmark.Options.parse(new String[] {"--footprint", "--quiet", "5"});
        assertEquals(List.of(), footprint.levels());
        assertEquals(5, footprint.quiet().toSeconds());
        assertEquals(60, Benchmark.Options.parse(new String[0]).quiet().toSeconds());
        assertEquals(Call.Client.JDK, Benchmark.Options.parse(new String[] {"--client", "jdk"}).client());
        assertEquals(Call.Client.OPENSSL, Benchmark.Options.parse(new String[] {"--client", "OpenSSL"}).client());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Benchmark.Options.parse(new String[] {"--client", "gnutls"}));
        assertEquals("--client takes openssl or jdk, not gnutls", e.getMessage());
    }

    @Test
    void logProblemsCountsTroubleByMessage() {
        String problems = Benchmark.logProblems(List.of(
                "{\"message\": \"listening on SSL socket\", \"port\": 1}",
                "{\"error\": \"exit 1\", \"message\": \"worker failed to start\", \"pid\": 2}",
                "{\"error\": \"exit 1\", \"message\": \"worker failed to start\", \"pid\": 3}",
                "Error: Could not find or load main class X"));
        assertEquals("Error: Could not find or load main class X x1; worker failed to start x2", problems);
        assertEquals("", Benchmark.logProblems(List.of("{\"message\": \"calling procedure\"}")));
    }

    @Test
    void nativeMemoryCategoriesAreReadAsCommittedKilobytes() {
        Map<String, Long> nmt = Footprint.parseNativeMemory("""
                12345:

                Native Memory Tracking:

                Total: reserved=7429002KB, committed=128634KB
                -                 Java Heap (reserved=6172672KB, committed=49020KB)
                                            (mmap: reserved=6172672KB, committed=49020KB)
                -                     Class (reserved=1049583KB, committed=8687KB)
                -        Shared class space (reserved=16384KB, committed=12060KB)
                -                 Metaspace (reserved=65704KB, committed=32296KB)
                """);
        assertEquals(Map.of("Total", 128634L, "Java Heap", 49020L, "Class", 8687L, "Shared class space", 12060L,
                "Metaspace", 32296L), nmt);
    }
}
