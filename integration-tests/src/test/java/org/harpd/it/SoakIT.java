package org.harpd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/**
 * 64 clients at once for a bounded time, mixing short calls, streaming calls, calls that time out and calls
 * the client cancels by closing. Every exchange must end with a final message of the kind its call calls for
 * (or a clear refusal: {@code overloaded}, or no worker within {@code workers.start_timeout}); afterwards the daemon has the workers and file descriptors it had before.
 */
class SoakIT {
    static final int CLIENTS = 64;
    static final Duration SOAK = Duration.ofSeconds(Long.getLong("harpd.soak.seconds", 25));

    static final String PROCEDURES = """
            from harpd.proc import procedure, streaming_procedure, Result
            import time

            @procedure
            def answer():
                return 42

            @streaming_procedure
            def count(n):
                for i in xrange(n):
                    yield i
                yield Result(n)

            @procedure(timeout=1)
            def hang():
                time.sleep(30)

            @streaming_procedure(timeout=60)
            def trickle():
                while True:
                    yield 1
                    time.sleep(0.2)
            """;

    enum Kind { SHORT, STREAM, TIMEOUT, CANCEL }

    static final int SPARE = 4;

    /** Outcomes by kind: "result", "timeout", "cancelled", "overloaded", or "LOST: ..." for anything else. */
    final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();

    @Test
    void mixedLoadLosesNothingAndLeaksNothing() throws Exception {
        try (Daemon daemon = Daemon.builder().procedures(PROCEDURES)
                .config("workers:\n  spare: " + SPARE + "\n  max: 16\n  queue: 512\n  start_timeout: 120\n").start()) {
            // warm up once per kind, so lazily opened files (jars, the log) are counted in "before"
            for (Kind kind : Kind.values()) {
                exchange(daemon, kind);
            }
            outcomes.clear();
            // the pool boots one worker at a time: wait for all four spares (and for the workers the warm-up bound
            // to retire after their idle timeout) rather than for a count that holds still during one boot
            int workersBefore = workersBackTo(daemon, SPARE);
            assertEquals(SPARE, workersBefore, "the pool at rest before the soak");
            long fdsBefore = openFds(daemon.pid());
            long rssBefore = HardeningIT.rssKib(daemon.pid());
            AtomicLong rssPeak = new AtomicLong(rssBefore);

            Instant end = Instant.now().plus(SOAK);
            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            List<Future<?>> running = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                Kind kind = Kind.values()[i % Kind.values().length];
                running.add(clients.submit(() -> {
                    do {
                        String outcome;
                        try {
                            outcome = exchange(daemon, kind);
                        } catch (Exception e) {
                            outcome = "LOST: " + e;
                        }
                        outcomes.computeIfAbsent(kind + " " + outcome, k -> new LongAdder()).increment();
                        sampleRss(daemon, rssPeak);
                    } while (Instant.now().isBefore(end));
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get(SOAK.toSeconds() + 300, TimeUnit.SECONDS);
            }
            clients.shutdown();

            int workersAfter = workersBackTo(daemon, workersBefore);
            long fdsAfter = openFds(daemon.pid());
            long total = outcomes.values().stream().mapToLong(LongAdder::sum).sum();
            System.out.printf("[SoakIT] %d clients for %d s: %d exchanges %s; workers %d -> %d; listener fds %d -> %d; "
                            + "RSS %d KiB -> peak %d KiB%n", CLIENTS, SOAK.toSeconds(), total, new java.util.TreeMap<>(outcomes),
                    workersBefore, workersAfter, fdsBefore, fdsAfter, rssBefore, rssPeak.get());

            assertTrue(outcomes.keySet().stream().noneMatch(k -> k.contains("LOST")), "lost exchanges: " + outcomes);
            for (Kind kind : Kind.values()) {
                String expected = kind + " " + expectedOutcome(kind);
                assertTrue(outcomes.containsKey(expected), "no " + expected + " in " + outcomes);
            }
            assertEquals(workersBefore, workersAfter, "no leaked or missing workers");
            assertTrue(fdsAfter <= fdsBefore + 4, "listener file descriptors " + fdsBefore + " -> " + fdsAfter);
        }
    }

    /** Waits for the pool to return to its spares (killed workers reaped, replacements booted). */
    static int workersBackTo(Daemon daemon, int expected) throws InterruptedException {
        Instant end = Instant.now().plusSeconds(60);
        int now;
        while ((now = HardeningIT.settledWorkers(daemon)) != expected && Instant.now().isBefore(end)) {
            Thread.sleep(500);
        }
        return now;
    }

    static String expectedOutcome(Kind kind) {
        return switch (kind) {
            case SHORT, STREAM -> "result";
            case TIMEOUT -> "timeout";
            case CANCEL -> "cancelled";
        };
    }

    /** One exchange of the given kind; returns its outcome, or "LOST: ..." when the answer is not what it must be. */
    static String exchange(Daemon daemon, Kind kind) throws Exception {
        String request = switch (kind) {
            case SHORT -> Wire.request("answer", "[]");
            case STREAM -> Wire.request("count", "[200]");
            case TIMEOUT -> Wire.request("hang", "[]");
            case CANCEL -> Wire.request("trickle", "[]");
        };
        try (SSLSocket socket = Wire.connect(daemon.port())) {
            socket.setSoTimeout(180_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            if (kind == Kind.CANCEL) {
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                String ack = in.readLine();
                if (ack != null && ack.contains("overloaded")) {
                    return "overloaded";
                }
                String first = in.readLine();
                if (first != null && first.contains("\"error\"")) {
                    return judge(kind, List.of(ack, first)); // refused while waiting for a worker
                }
                return "{\"harp\": 1, \"stream_result\": true}".equals(ack) && "{\"stream\": 1}".equals(first)
                        ? "cancelled" : "LOST: " + ack + " / " + first;
            }
            return judge(kind, Wire.readAll(socket));
        }
    }

    static String judge(Kind kind, List<String> lines) throws IOException {
        if (lines.isEmpty()) {
            return "LOST: no answer";
        }
        JsonNode last = Wire.parse(lines.get(lines.size() - 1));
        String type = last.at("/error/type").asText("");
        if (type.equals("overloaded")) {
            return "overloaded";
        }
        if (type.equals("system_error") && last.at("/error/message").asText().startsWith("no worker became available")) {
            // waited in the queue longer than workers.start_timeout: a clear refusal under overload, not a loss
            return "refused";
        }
        switch (kind) {
            case SHORT:
                return lines.size() == 2 && last.path("result").asInt() == 42 ? "result" : "LOST: " + lines;
            case STREAM:
                return lines.size() == 202 && last.path("result").asInt() == 200 ? "result" : "LOST: " + lines.size()
                        + " lines, last " + lines.get(lines.size() - 1);
            case TIMEOUT:
                return type.equals("timeout") && lines.size() == 2 ? "timeout" : "LOST: " + lines;
            default:
                return "LOST: " + lines; // a cancel that got a final message other than a refusal
        }
    }

    static long openFds(long pid) throws IOException {
        try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return fds.count();
        }
    }

    static void sampleRss(Daemon daemon, AtomicLong peak) {
        try {
            long rss = HardeningIT.rssKib(daemon.pid());
            peak.accumulateAndGet(rss, Math::max);
        } catch (IOException ignored) {
            // the daemon is gone; the assertions will say so
        }
    }
}
