package org.harpd.caller;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.harpd.it.Daemon;

/** An assembled harpcallerd started from its launcher in the foreground, with a client for its protocols. */
final class Caller implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    final Path dir;
    final Path socket;
    final Path config;
    final int port;
    private Process process;
    private final List<String> log = new CopyOnWriteArrayList<>();
    /** What the dispatcher wrote on stderr, when {@link #separateStderr} asked to keep it apart. */
    private final List<String> stderr = new CopyOnWriteArrayList<>();
    private boolean separate;
    /** A variable in the dispatcher's environment, which the hosts script must not see. */
    static final String ENV_MARKER = "HARPCALLERD_IT_MARKER";

    /** @param toml extra configuration lines (listen, stream_directory, host_db and the socket are set here) */
    Caller(Path dir, String toml) throws Exception {
        this.dir = dir;
        this.socket = dir.resolve("control");
        this.config = dir.resolve("harpcaller.toml");
        this.port = Daemon.freePort();
        // it may hold a token or the database password: not readable by others, or the dispatcher refuses it
        if (!Files.exists(config)) {
            Files.createFile(config, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        }
        Files.writeString(config, "listen = [\"127.0.0.1:" + port + "\"]\n"
                + "stream_directory = \"" + dir.resolve("stream") + "\"\n"
                + "host_db = \"" + dir.resolve("hosts.db") + "\"\n" + toml);
    }

    static Path launcher() {
        Path dist = Path.of(System.getProperty("harpcallerd.dist", "target/harpcallerd")).toAbsolutePath();
        Path bin = dist.resolve("bin/harpcallerd");
        if (!Files.isExecutable(bin)) {
            throw new IllegalStateException(bin + " missing: run `mvn package` first");
        }
        return bin;
    }

    /** Replaces the configuration's extra lines (for {@code reload} or the next start). */
    void rewrite(String toml) throws IOException {
        Files.writeString(config, "listen = [\"127.0.0.1:" + port + "\"]\n"
                + "stream_directory = \"" + dir.resolve("stream") + "\"\n"
                + "host_db = \"" + dir.resolve("hosts.db") + "\"\n" + toml);
    }

    /** Writes the hosts registry file the dispatcher loads at start. */
    Caller hosts(String... lines) throws IOException {
        Files.writeString(dir.resolve("hosts.db"), String.join("\n", lines) + "\n");
        return this;
    }

    /** {@link #log} gets stdout only, {@link #stderr} stderr (by default both go to the log). */
    Caller separateStderr() {
        separate = true;
        return this;
    }

    List<String> stderr() {
        return stderr;
    }

    Caller start() throws Exception {
        log.clear();
        stderr.clear();
        ProcessBuilder pb = new ProcessBuilder(launcher().toString(), "--socket=" + socket, "start", "--foreground",
                "--config=" + config);
        pb.environment().put(ENV_MARKER, "1");
        pb.redirectErrorStream(!separate);
        process = pb.start();
        Process p = process;
        read(p.getInputStream(), log);
        if (separate) {
            read(p.getErrorStream(), stderr);
        }
        Instant end = Instant.now().plusSeconds(120);
        while (Instant.now().isBefore(end)) {
            if (log.stream().anyMatch(l -> l.contains("harpcallerd started"))) {
                return this;
            }
            if (!process.isAlive()) {
                throw new AssertionError("harpcallerd exited " + process.exitValue() + ":\n" + String.join("\n", log)
                        + String.join("\n", stderr));
            }
            Thread.sleep(20);
        }
        throw new AssertionError("harpcallerd did not start:\n" + String.join("\n", log) + String.join("\n", stderr));
    }

    private static void read(InputStream in, List<String> into) {
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    into.add(line);
                    if (System.getenv("HARPD_IT_VERBOSE") != null) {
                        System.err.println("[harpcallerd] " + line);
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
        });
        reader.setDaemon(true);
        reader.start();
    }

    List<String> log() {
        return log;
    }

    Process process() {
        return process;
    }

    /** Sends one line, returns every reply line until the dispatcher closes. */
    List<String> raw(byte[] bytes, boolean halfClose) throws IOException {
        return rawFrom(null, bytes, halfClose);
    }

    /** As {@link #raw}, from a chosen source address (any 127.x.y.z is this machine's loopback). */
    List<String> rawFrom(String source, byte[] bytes, boolean halfClose) throws IOException {
        try (Socket s = new Socket()) {
            if (source != null) {
                s.bind(new InetSocketAddress(source, 0));
            }
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(120_000);
            OutputStream out = s.getOutputStream();
            out.write(bytes);
            out.flush();
            if (halfClose) {
                s.shutdownOutput();
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            List<String> lines = new ArrayList<>();
            for (String line; (line = r.readLine()) != null; ) {
                lines.add(line);
            }
            return lines;
        }
    }

    List<JsonNode> request(ObjectNode request) throws IOException {
        request.put("harpcaller", 1);
        List<JsonNode> replies = new ArrayList<>();
        for (String line : raw((request + "\n").getBytes(StandardCharsets.UTF_8), false)) {
            replies.add(JSON.readTree(line));
        }
        return replies;
    }

    JsonNode one(ObjectNode request) throws IOException {
        List<JsonNode> replies = request(request);
        assertTrue(replies.size() == 1, "one reply expected: " + replies);
        return replies.get(0);
    }

    static ObjectNode obj() {
        return JSON.createObjectNode();
    }

    /** Submits a call; returns the job id. */
    String call(String host, String procedure, Object... args) throws IOException {
        return call(host, procedure, JSON.valueToTree(List.of(args)), obj());
    }

    String call(String host, String procedure, JsonNode arguments, ObjectNode extra) throws IOException {
        ObjectNode r = extra.deepCopy();
        r.put("host", host).put("procedure", procedure).set("arguments", arguments);
        JsonNode reply = one(r);
        assertTrue(reply.path("job_id").isTextual(), "job id expected: " + reply);
        return reply.get("job_id").asText();
    }

    JsonNode result(String job) throws IOException {
        return one(obj().put("get_result", job));
    }

    JsonNode resultNow(String job) throws IOException {
        return one(obj().put("get_result", job).put("wait", false));
    }

    JsonNode status(String job) throws IOException {
        return one(obj().put("get_status", job));
    }

    /**
     * Runs an administration command through the command line's code in this JVM (a JVM per command would
     * cost seconds each); returns [exit status, stdout, stderr]. {@link #adminLauncher} runs the launcher.
     */
    List<String> admin(String... args) {
        List<String> all = new ArrayList<>(List.of("--socket=" + socket));
        all.addAll(List.of(args));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(all.toArray(new String[0]), new java.io.PrintStream(out, true, StandardCharsets.UTF_8),
                new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
        return List.of(Integer.toString(status), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** As {@link #admin}, through the assembled launcher. */
    List<String> adminLauncher(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(launcher().toString(), "--socket=" + socket));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).start();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread t = new Thread(() -> copy(p.getErrorStream(), err));
        t.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "admin command did not finish");
        t.join();
        return List.of(Integer.toString(p.exitValue()), out, err.toString(StandardCharsets.UTF_8));
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        try {
            in.transferTo(out);
        } catch (IOException ignored) {
            // the process ended
        }
    }

    /** SIGKILL, as a crash. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM and wait. */
    int terminate() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("harpcallerd did not stop within 60 s:\n" + String.join("\n", log));
        }
        return process.exitValue();
    }

    /** Polls get_result without waiting until the job ended (for checks that must not block). */
    JsonNode awaitEnd(String job, Duration limit) throws Exception {
        Instant end = Instant.now().plus(limit);
        while (Instant.now().isBefore(end)) {
            JsonNode r = resultNow(job);
            if (!r.has("no_result")) {
                return r;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("job " + job + " did not end within " + limit);
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            terminate();
        }
    }
}
