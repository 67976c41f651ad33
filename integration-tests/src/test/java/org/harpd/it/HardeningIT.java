package org.harpd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Abuse of the listener by clients, and faults, against the real daemon: each ends in a clear error or a clean
 * close, holds no worker, and the daemon keeps serving. Read timeout 2 s to keep it quick.
 */
class HardeningIT {
    static final String PROCEDURES = """
            from harpd.proc import procedure, streaming_procedure, Result
            import sys, time

            @procedure
            def answer():
                return 42

            @procedure(timeout=30)
            def nap(seconds):
                time.sleep(seconds)
                return "rested"

            @streaming_procedure(timeout=120)
            def flood(count, size):
                item = u"x" * size
                for i in xrange(count):
                    yield item
                yield Result(count)

            @procedure
            def chatter(lines):
                for i in xrange(lines):
                    print "stdout line %d %s" % (i, "o" * 100)
                    sys.stderr.write("stderr line %d %s\\n" % (i, "e" * 100))
                return "said %d lines" % lines
            """;
    /** Short, to keep the test quick; not shorter, as a loaded machine may take a second over a TLS handshake. */
    static final Duration READ_TIMEOUT = Duration.ofSeconds(4);

    /** Roomy: four workers, one kept spare. */
    static Daemon daemon;
    /** Tight: two connections, one worker, no spare and no queue; each call boots its worker ({@code process}). */
    static Daemon limited;

    @BeforeAll
    static void start() throws Exception {
        // both JVMs boot at once: the second start costs no extra wall time
        CompletableFuture<Daemon> tight = CompletableFuture.supplyAsync(() -> {
            try {
                return Daemon.builder().procedures(PROCEDURES).network("  max_connections: 2\n")
                        .config("workers:\n  isolation: process\n  spare: 0\n  max: 1\n  queue: 0\n").start();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            daemon = Daemon.builder().procedures(PROCEDURES).network("  read_timeout: " + READ_TIMEOUT.toSeconds() + "\n")
                    .config("workers:\n  spare: 1\n  max: 4\n").start();
        } finally {
            limited = tight.join();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (limited != null) {
            limited.close();
        }
        if (daemon != null) {
            daemon.close();
        }
    }

    /** The spare workers, once the pool has settled (a previous test's worker may still be exiting). */
    static int settledWorkers(Daemon d) throws InterruptedException {
        int last = -1;
        int stableFor = 0;
        Instant end = Instant.now().plusSeconds(30);
        while (Instant.now().isBefore(end)) {
            int now = d.workers().size();
            stableFor = now == last ? stableFor + 1 : 0;
            last = now;
            if (stableFor >= 10) {
                return now;
            }
            Thread.sleep(100);
        }
        return last;
    }

    static void assertServes(Daemon d) throws Exception {
        List<String> lines = Wire.exchange(d.port(), Wire.request("answer", "[]"));
        assertEquals("{\"result\": 42}", lines.get(lines.size() - 1), lines.toString());
    }

    /** For the tight daemon, whose one worker may still be exiting from the previous test: retry while overloaded. */
    static void awaitServes(Daemon d) throws Exception {
        Instant end = Instant.now().plusSeconds(90);
        List<String> lines;
        do {
            lines = Wire.exchange(d.port(), Wire.request("answer", "[]"));
        } while (!lines.get(lines.size() - 1).contains("result") && Instant.now().isBefore(end) && sleep(200));
        assertEquals("{\"result\": 42}", lines.get(lines.size() - 1), lines.toString());
    }

    /** Reads until the server closes; true if it did within {@code within} (EOF or reset), false if still open. */
    static boolean closedWithin(Socket socket, Duration within) throws IOException {
        socket.setSoTimeout((int) within.toMillis());
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[4096];
        try {
            while (in.read(buffer) >= 0) {
                // discard whatever arrives (a TLS alert, say) until the close
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true; // reset
        }
    }

    @Test
    void silentClientIsDroppedAfterTheReadTimeoutWithoutAWorker() throws Exception {
        int spare = settledWorkers(daemon);
        try (SSLSocket socket = Wire.connect(daemon.port())) {
            Instant start = Instant.now();
            List<String> lines = Wire.readAll(socket);
            assertEquals(List.of("{\"error\": {\"message\": \"request read timeout\", \"type\": \"invalid_request\"}, "
                    + "\"harp\": 1}"), lines);
            assertTrue(Duration.between(start, Instant.now()).compareTo(READ_TIMEOUT.multipliedBy(5)) < 0);
        }
        // idle workers may retire meanwhile (workers.idle_timeout); none may be started for the client
        assertTrue(daemon.workers().size() <= spare, "no worker taken by a silent client");
        assertServes(daemon);
    }

    @Test
    void slowlorisIsDroppedAfterTheReadTimeout() throws Exception {
        int spare = settledWorkers(daemon);
        byte[] request = Wire.request("answer", "[]").getBytes(StandardCharsets.UTF_8);
        try (SSLSocket socket = Wire.connect(daemon.port())) {
            OutputStream out = socket.getOutputStream();
            int sent = 0;
            try {
                for (; sent < request.length; sent++) {
                    out.write(request[sent]);
                    out.flush();
                    Thread.sleep(1000);
                    assertTrue(daemon.workers().size() <= spare, "no worker while the request trickles in");
                }
            } catch (IOException e) {
                // the daemon closed on us while we were still trickling: that is the point
            }
            assertTrue(sent < request.length, "dropped before the request was complete");
            List<String> lines = Wire.readAll(socket);
            assertTrue(lines.isEmpty() || lines.get(0).contains("request read timeout"), lines.toString());
        }
        assertServes(daemon);
    }

    @Test
    void handshakeNeverStartedIsDropped() throws Exception {
        int spare = settledWorkers(daemon);
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", daemon.port()));
            assertTrue(closedWithin(socket, READ_TIMEOUT.multipliedBy(5)), "silent TCP client still connected");
        }
        assertTrue(daemon.workers().size() <= spare, "no worker started for it");
        assertServes(daemon);
    }

    @Test
    void partialClientHelloIsDropped() throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", daemon.port()));
            // a TLS record header announcing a 512-byte handshake message, and only a few of its bytes
            socket.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xfc, 0x03});
            socket.getOutputStream().flush();
            assertTrue(closedWithin(socket, READ_TIMEOUT.multipliedBy(5)), "half a ClientHello held the connection");
        }
        assertServes(daemon);
    }

    @Test
    void plainHttpOnTheTlsPortIsClosedAndTheDaemonKeepsServing() throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", daemon.port()));
            socket.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            Instant start = Instant.now();
            assertTrue(closedWithin(socket, READ_TIMEOUT.multipliedBy(5)), "plain HTTP left the connection open");
            assertTrue(Duration.between(start, Instant.now()).compareTo(READ_TIMEOUT) < 0,
                    "closed at once, not by the read timeout");
        }
        assertServes(daemon);
    }

    @Test
    void floodedStreamReachesAReadingClientWhole() throws Exception {
        List<String> lines = Wire.exchange(daemon.port(), Wire.request("flood", "[100000, 8]"));
        assertEquals(100_002, lines.size(), "ack, 100000 items, result");
        assertEquals("{\"stream\": \"xxxxxxxx\"}", lines.get(50_000));
        assertEquals("{\"result\": 100000}", lines.get(100_001));
    }

    @Test
    void clientThatStopsReadingAFloodCostsBoundedMemoryAndGetsOverloaded() throws Exception {
        int spare = settledWorkers(daemon);
        long rssBefore = rssKib(daemon.pid());
        try (SSLSocket socket = Wire.connect(daemon.port())) {
            socket.setReceiveBufferSize(64 * 1024);
            socket.getOutputStream().write(Wire.request("flood", "[100000, 4000]").getBytes(StandardCharsets.UTF_8));
            // 400 MB of output that we will not read: the daemon must give up rather than buffer it
            daemon.awaitLog(l -> l.contains("client not reading, call cancelled"), Duration.ofSeconds(60));
            long rssDuring = rssKib(daemon.pid());
            System.out.printf("[HardeningIT] listener RSS before %d KiB, while a client ignored a 400 MB stream %d KiB%n",
                    rssBefore, rssDuring);
            assertTrue(rssDuring - rssBefore < 256 * 1024, "listener grew by " + (rssDuring - rssBefore) + " KiB");
            List<String> lines = Wire.readAll(socket);
            String last = lines.get(lines.size() - 1);
            assertTrue(last.contains("\"overloaded\""), last);
            assertTrue(lines.size() < 100_000, "the flood was cut short");
        }
        // The cancelled call stops as at a timeout; its worker then idles until workers.idle_timeout (10 s) retires
        // it, or is killed after the grace: either way the pool goes back to its size, and no further.
        Instant end = Instant.now().plusSeconds(60);
        int after = daemon.workers().size();
        while (after > spare && Instant.now().isBefore(end)) {
            Thread.sleep(100);
            after = daemon.workers().size();
        }
        assertTrue(after <= spare, "the flooding worker is gone, not replaced beyond the pool's size: " + spare + " -> " + after);
        assertServes(daemon);
    }

    @Test
    void workerPrintingALotStillAnswers() throws Exception {
        List<String> lines = Wire.exchange(daemon.port(), Wire.request("chatter", "[2000]"));
        assertEquals("{\"result\": \"said 2000 lines\"}", lines.get(lines.size() - 1), lines.toString());
        assertServes(daemon);
    }

    @Test
    void connectionsBeyondMaxConnectionsAreToldOverloaded() throws Exception {
        Daemon own = limited;
        {
            List<SSLSocket> held = new ArrayList<>();
            try {
                held.add(Wire.connect(own.port()));
                held.add(Wire.connect(own.port()));
                Thread.sleep(200); // both accepted and counted before the third arrives
                List<String> lines = Wire.exchange(own.port(), Wire.request("answer", "[]"));
                assertEquals(List.of("{\"error\": {\"message\": \"too many connections\", \"type\": \"overloaded\"}, "
                        + "\"harp\": 1}"), lines);
            } finally {
                for (SSLSocket s : held) {
                    s.close();
                }
            }
            awaitServes(own); // served again once the others left
        }
    }

    @Test
    void callsBeyondWorkersAndQueueAreToldOverloaded() throws Exception {
        Daemon own = limited;
        {
            try (SSLSocket busy = Wire.connect(own.port())) {
                busy.getOutputStream().write(Wire.request("nap", "[20]").getBytes(StandardCharsets.UTF_8));
                BufferedReader in = new BufferedReader(new InputStreamReader(busy.getInputStream(), StandardCharsets.UTF_8));
                assertEquals("{\"harp\": 1, \"stream_result\": false}", in.readLine());
                List<String> lines = Wire.exchange(own.port(), Wire.request("answer", "[]"));
                assertEquals("{\"error\": {\"message\": \"too many pending calls\", \"type\": \"overloaded\"}, "
                        + "\"harp\": 1}", lines.get(lines.size() - 1), lines.toString());
            }
        }
    }

    @Test
    void missingProceduresFileAtCallTimeIsAnErrorAndTheDaemonRecovers() throws Exception {
        Daemon own = limited;
        {
            awaitServes(own);
            Path file = own.dir().resolve("harpd.py");
            Path aside = own.dir().resolve("harpd.py.aside");
            Files.move(file, aside);
            try {
                List<String> lines = Wire.exchange(own.port(), Wire.request("answer", "[]"));
                JsonNode last = Wire.parse(lines.get(lines.size() - 1));
                assertTrue(last.has("error"), lines.toString());
                assertTrue(List.of("system_error", "procedure_loading_error").contains(last.at("/error/type").asText()),
                        lines.toString());
            } finally {
                Files.move(aside, file);
            }
            awaitServes(own); // serves again once the file is back
            own.awaitLog(l -> l.contains("worker failed to start"), Duration.ofSeconds(5)); // and it was logged
        }
    }

    @Test
    void failedAuthenticationIsLoggedWithTheClientAddressNeverThePassword() throws Exception {
        String guess = "Guessed-Pa55word-" + System.nanoTime();
        List<String> lines = Wire.exchange(daemon.port(), "{\"harp\": 1, \"procedure\": \"answer\", \"arguments\": [], "
                + "\"auth\": {\"user\": \"mallory\", \"password\": \"" + guess + "\"}}\n");
        assertEquals(List.of("{\"error\": {\"message\": \"unknown user or wrong password\", \"type\": \"auth_error\"}, "
                + "\"harp\": 1}"), lines);
        String logged = daemon.awaitLog(l -> l.contains("authentication error") && l.contains("mallory"), Duration.ofSeconds(10));
        assertTrue(logged.contains("\"client_address\": \"127.0.0.1\""), logged);
        assertTrue(daemon.log().stream().noneMatch(l -> l.contains(guess)), "the password reached the log");
    }

    private static boolean sleep(long millis) throws InterruptedException {
        Thread.sleep(millis);
        return true;
    }

    /** Resident set size of a process, in KiB (Linux). */
    static long rssKib(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no VmRSS for " + pid);
    }
}
