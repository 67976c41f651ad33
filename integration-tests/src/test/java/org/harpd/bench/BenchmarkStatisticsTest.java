package org.harpd.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
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
        String line = "4242 (java (x) y) S 1 4242 4242 0 -1 4194304 100 0 0 0 150 37 0 0 20 0 30 0 987654 0 0";
        Proc.Stat stat = Proc.parseStat(line);
        assertEquals(187, stat.cpuTicks());
        assertEquals(987654, stat.startTicks());
        assertEquals(1.87, stat.cpuSeconds(), 1e-9);
    }

    @Test
    void procReadsThisProcess() {
        long self = ProcessHandle.current().pid();
        Proc.Stat stat = Proc.stat(self);
        assertEquals(true, stat != null && stat.startSeconds() <= Proc.uptimeSeconds());
        assertEquals(true, Proc.rssKb(self).orElse(0) > 0);
        assertNull(Proc.stat(Long.MAX_VALUE));
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
}
