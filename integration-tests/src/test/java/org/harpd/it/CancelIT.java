package org.harpd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Closing the connection cancels the call (the internals document: "cancelling a request boils down to simply
 * closing the connection"), in every isolation level, streaming or not, whether the client sends a TLS
 * close_notify, only a TCP FIN or a reset: the procedure stops as at a timeout ({@code Timeout} is raised in it, its
 * {@code finally} runs), every process it started ends, and the log says so in one line. Procedures run as nobody.
 *
 * <p>Every wait is on an event (the child gone, the procedure's {@code finally} written), bounded only to tell a
 * hang from an answer; how long each took after the close is printed ({@code cancel latency}), not asserted.
 */
class CancelIT {
    static final String PROCEDURES = """
            from harpd.proc import procedure, streaming_procedure
            import os, subprocess, time

            def write(path, text):
                with open(path, "a") as f:
                    f.write(text)

            def begin(path):
                child = subprocess.Popen(["sleep", "300"])
                write(path, "child %d worker %d\\n" % (child.pid, os.getpid()))

            def beat(path, ignore_timeout=False):
                # The call's heartbeat: a line per beat until something stops the call; the finally clause says what
                # did. Nearly all its time is in time.sleep, where the Timeout lands.
                stopped_by = "nothing"
                try:
                    while True:
                        try:
                            while True:
                                write(path, "beat\\n")
                                time.sleep(0.05)
                        except BaseException as e:
                            stopped_by = type(e).__name__
                            if not ignore_timeout:
                                raise
                finally:
                    write(path, "stopped by %s\\n" % stopped_by)

            def plain(path):
                begin(path)
                beat(path)

            def streaming(path):
                begin(path)
                yield None
                beat(path)

            def stubborn(path):
                begin(path)
                beat(path, ignore_timeout=True)

            plain_interpreter = procedure(uid="nobody", timeout=120)(plain)
            plain_process = procedure(uid="nobody", timeout=120)(plain)
            plain_shared = procedure(uid="nobody", timeout=120)(plain)
            streaming_interpreter = streaming_procedure(uid="nobody", timeout=120)(streaming)
            streaming_process = streaming_procedure(uid="nobody", timeout=120)(streaming)
            streaming_shared = streaming_procedure(uid="nobody", timeout=120)(streaming)
            stubborn_interpreter = procedure(uid="nobody", timeout=120)(stubborn)
            """;
    static final String CONFIG = """
            workers:
              isolation: interpreter
              timeout_grace: 2
              procedure_isolation:
                plain_process: process
                streaming_process: process
                plain_shared: shared
                streaming_shared: shared
            """;
    static final String CANCEL_LINE = "\"client closed the connection, call cancelled\"";
    /** Not a timing assertion: only how long a hang may take to be told from a slow answer. */
    static final Duration BOUND = Duration.ofSeconds(20);

    static Daemon daemon;
    static Path beats;

    /**
     * How the client closes: a FIN alone (a half-close: it could still read), a TLS close_notify alone (TCP stays
     * open), or a reset (what closing a socket with unread input does, e.g. a Python client dropping a stream).
     */
    enum Close { TCP_FIN, TLS_CLOSE, TCP_RESET }

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "running procedures as nobody needs root; run the suite as root to cover it");
        daemon = Daemon.builder().procedures(PROCEDURES).config(CONFIG).start();
        beats = Files.createDirectory(daemon.dir().resolve("beats"));
        Files.setPosixFilePermissions(beats, PosixFilePermissions.fromString("rwxrwxrwx"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
    }

    @ParameterizedTest(name = "{0} {1} call, {2}")
    @CsvSource({
        "interpreter, streaming, TCP_FIN",
        "interpreter, streaming, TLS_CLOSE",
        "interpreter, plain, TCP_FIN",
        "interpreter, plain, TLS_CLOSE",
        "process, streaming, TCP_FIN",
        "process, plain, TLS_CLOSE",
        "shared, plain, TCP_FIN",
        "shared, streaming, TLS_CLOSE",
        "interpreter, streaming, TCP_RESET",
    })
    void closingTheConnectionStopsTheCallAndEveryProcessItStarted(String level, String kind, Close close)
            throws Exception {
        String procedure = kind + "_" + level;
        Path beat = beats.resolve(procedure + "-" + close + "-" + UUID.randomUUID());
        try (Call call = Call.start(procedure, beat, kind.equals("streaming"))) {
            long closed = call.close(close);

            awaitEvent("the call's child process " + call.child + " gone", () -> gone(call.child), beat);
            long childGone = System.nanoTime();
            awaitEvent("the procedure's finally clause", () -> lastLine(beat).startsWith("stopped by"), beat);
            long stopped = System.nanoTime();
            // As at a timeout: Timeout was raised in the procedure, and its heartbeat ended with the finally clause.
            assertEquals("stopped by Timeout", lastLine(beat), "the call was stopped otherwise: " + tail(beat));
            List<String> logged = awaitCancelLines(call.port);
            assertEquals(1, logged.size(), "one log line for the cancel: " + daemon.log());
            assertTrue(logged.get(0).contains("\"procedure\": \"" + procedure + "\""), logged.get(0));
            System.out.printf("cancel latency (%s, %s call, %s): child gone %d ms, finally ran %d ms after the"
                    + " close%n", level, kind, close, (childGone - closed) / 1_000_000, (stopped - closed) / 1_000_000);
        }
    }

    @Test
    void aProcedureThatIgnoresTheTimeoutIsKilledAfterTheGraceAndItsChildAtOnce() throws Exception {
        Path beat = beats.resolve("stubborn-" + UUID.randomUUID());
        try (Call call = Call.start("stubborn_interpreter", beat, false)) {
            long closed = call.close(Close.TCP_FIN);
            awaitEvent("the call's child process gone", () -> gone(call.child), beat);
            long childGone = System.nanoTime();
            awaitEvent("the worker " + call.worker + " killed after timeout_grace", () -> gone(call.worker), beat);
            long killed = System.nanoTime();
            String last = lastLine(beat);
            assertEquals("beat", last, "the worker was killed in the loop, its finally never ran: " + tail(beat));
            assertEquals(1, awaitCancelLines(call.port).size(), daemon.log().toString());
            daemon.awaitLog(l -> l.contains("cancelled call still running after timeout_grace, killing its worker")
                    && l.contains("\"pid\": " + call.worker), BOUND);
            System.out.printf("cancel latency (procedure ignoring Timeout, timeout_grace 2 s): child gone %d ms,"
                    + " worker killed %d ms after the close%n", (childGone - closed) / 1_000_000,
                    (killed - closed) / 1_000_000);
        }
    }

    /** One call in flight on its own TCP socket, with TLS layered over it so either layer can be closed alone. */
    private static final class Call implements AutoCloseable {
        final Socket tcp;
        final SSLSocket tls;
        final int port;
        long child;
        long worker;

        private Call(Socket tcp, SSLSocket tls) {
            this.tcp = tcp;
            this.tls = tls;
            this.port = tcp.getLocalPort();
        }

        /** Sends the call and returns once its heartbeat has begun. */
        static Call start(String procedure, Path beat, boolean streaming) throws Exception {
            Socket tcp = new Socket("127.0.0.1", daemon.port());
            SSLSocket tls = (SSLSocket) Wire.trustAll().getSocketFactory().createSocket(tcp, "127.0.0.1",
                    daemon.port(), false);
            Call call = new Call(tcp, tls);
            try {
                tls.setSoTimeout((int) BOUND.toMillis() * 3);
                tls.startHandshake();
                tls.getOutputStream().write(Wire.request(procedure, "[\"" + beat + "\"]")
                        .getBytes(StandardCharsets.UTF_8));
                tls.getOutputStream().flush();
                BufferedReader in = new BufferedReader(new InputStreamReader(tls.getInputStream(),
                        StandardCharsets.UTF_8));
                assertEquals("{\"harp\": 1, \"stream_result\": " + streaming + "}", in.readLine());
                if (streaming) {
                    assertEquals("{\"stream\": null}", in.readLine());
                }
                // a worker may have to boot first (process level), hence the longer bound
                awaitEvent("the call's heartbeat", () -> lines(beat).size() >= 2, beat, BOUND.multipliedBy(3));
                String[] first = lines(beat).get(0).split(" ");
                call.child = Long.parseLong(first[1]);
                call.worker = Long.parseLong(first[3]);
                assertTrue(!gone(call.child), "the child runs while the call does");
                return call;
            } catch (Exception | AssertionError e) {
                call.close();
                throw e;
            }
        }

        /** @return when (nanoTime) */
        long close(Close how) throws IOException {
            long now = System.nanoTime();
            switch (how) {
                case TCP_FIN -> tcp.shutdownOutput();
                case TLS_CLOSE -> tls.shutdownOutput(); // a layered socket (autoClose false) leaves TCP alone
                case TCP_RESET -> {
                    tcp.setSoLinger(true, 0);
                    tcp.close();
                }
            }
            return now;
        }

        @Override
        public void close() throws IOException {
            try {
                tls.close();
            } catch (IOException alreadyClosed) {
                // its close_notify cannot go out on a connection already shut down or reset; nothing is lost
            } finally {
                tcp.close();
            }
        }
    }

    /** The cancel's log lines for the client at {@code clientPort}, once there is one (the log is read apart). */
    private static List<String> awaitCancelLines(int clientPort) throws InterruptedException {
        Predicate<String> cancel = l -> l.contains(CANCEL_LINE) && l.contains("\"client_port\": " + clientPort + ",");
        daemon.awaitLog(cancel, BOUND);
        return daemon.log().stream().filter(cancel).toList();
    }

    private static void awaitEvent(String what, BooleanSupplier happened, Path beat) throws InterruptedException {
        awaitEvent(what, happened, beat, BOUND);
    }

    private static void awaitEvent(String what, BooleanSupplier happened, Path beat, Duration bound)
            throws InterruptedException {
        long end = System.nanoTime() + bound.toNanos();
        while (!happened.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("no sign of " + what + " within " + bound + "; heartbeat: " + tail(beat)
                        + "\nlog:\n" + String.join("\n", daemon.log()));
            }
            Thread.sleep(5);
        }
    }

    /** Gone: no such process, or a zombie (killed, not yet reaped by whoever inherited it). */
    private static boolean gone(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state == 'Z' || state == 'X';
        } catch (IOException e) {
            return true;
        }
    }

    private static List<String> lines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file) : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static String lastLine(Path file) {
        List<String> all = lines(file);
        return all.isEmpty() ? "" : all.get(all.size() - 1);
    }

    private static String tail(Path file) {
        List<String> all = lines(file);
        return all.subList(Math.max(0, all.size() - 5), all.size()) + " (" + all.size() + " lines)";
    }
}
