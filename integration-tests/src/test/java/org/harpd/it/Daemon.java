package org.harpd.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.harpd.client.HarpClient;
import org.harpd.tls.KeyFormat;
import org.harpd.tls.KeyKind;
import org.harpd.tls.SelfSignedCertificate;

/**
 * The assembled daemon ({@code harpd-jython/target/harpd/bin/harpd}) started as an operator would, on a free
 * loopback port, with a configuration written to a temporary directory. Its stderr (the log) is collected.
 */
public final class Daemon implements AutoCloseable {
    public static final String USER = "test";
    public static final String PASSWORD = "secret";

    private final Process process;
    private final int port;
    private final Path dir;
    private final List<String> log = new CopyOnWriteArrayList<>();

    private Daemon(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(
                    new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    log.add(line);
                    if (System.getenv("HARPD_IT_VERBOSE") != null) {
                        System.err.println("[harpd] " + line);
                    }
                }
            } catch (IOException ignored) {
                // the daemon closed its stderr: it exited
            }
        }, "harpd-log-reader");
        reader.setDaemon(true);
        reader.start();
    }

    public static Path distribution() {
        Path dist = Path.of(System.getProperty("harpd.dist", "../harpd-jython/target/harpd")).toAbsolutePath().normalize();
        if (!Files.isExecutable(dist.resolve("bin/harpd"))) {
            throw new IllegalStateException(dist + "/bin/harpd missing: run `mvn verify` from the repository root");
        }
        return dist;
    }

    public static Path launcher() {
        return distribution().resolve("bin/harpd");
    }

    public static Builder builder() {
        return new Builder();
    }

    public int port() {
        return port;
    }

    public Path dir() {
        return dir;
    }

    public Process process() {
        return process;
    }

    public long pid() {
        return process.pid();
    }

    public List<String> log() {
        return List.copyOf(log);
    }

    public HarpClient.Builder client() {
        return HarpClient.builder().host("127.0.0.1").port(port).user(USER).password(PASSWORD).trustAll()
                .timeout(Duration.ofSeconds(60));
    }

    public HarpClient.Builder client(String user, String password) {
        return client().user(user).password(password);
    }

    /** Waits until a log line matches; fails with the log so far on timeout. */
    public String awaitLog(Predicate<String> match, Duration timeout) throws InterruptedException {
        Instant end = Instant.now().plus(timeout);
        while (Instant.now().isBefore(end)) {
            for (String line : log) {
                if (match.test(line)) {
                    return line;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no matching log line within " + timeout + "; log:\n" + String.join("\n", log));
    }

    /** Waits until the port accepts a TCP connection; fails if the daemon exits first or on timeout. */
    void awaitListening(Duration timeout) throws InterruptedException {
        Instant end = Instant.now().plus(timeout);
        while (Instant.now().isBefore(end)) {
            if (!process.isAlive()) {
                throw new AssertionError("harpd exited with status " + process.exitValue()
                        + " before listening; stderr:\n" + String.join("\n", log));
            }
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new AssertionError("harpd not listening on port " + port + " within " + timeout + "; stderr:\n"
                + String.join("\n", log));
    }

    /** SIGTERM and wait; returns the exit status. */
    public int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("harpd did not exit within 30 s of SIGTERM; log:\n" + String.join("\n", log));
        }
        return process.exitValue();
    }

    /** Worker processes currently alive: the daemon's descendants. */
    public List<ProcessHandle> workers() {
        return process.toHandle().descendants().filter(ProcessHandle::isAlive).toList();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop();
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    /** Writes a fresh RSA PKCS#8 certificate/key pair for localhost into {@code dir}. */
    public static void writeCertificate(Path dir) throws Exception {
        SelfSignedCertificate.write(dir.resolve("cert.pem"), dir.resolve("key.pem"), "localhost",
                KeyKind.RSA, KeyFormat.PKCS8);
    }

    public static final class Builder {
        private String procedures = "from harpd.proc import procedure\n\n@procedure\ndef echo(*args):\n    return list(args)\n";
        private String authentication = "authentication:\n  module: harpd.auth.inconfig\n  users:\n    "
                + USER + ": \"plain:" + PASSWORD + "\"\n";
        private String extraConfig = "";
        private String extraNetwork = "";
        private final List<String> args = new ArrayList<>();
        private boolean writeCertificate = true;
        private Path dir;
        private Duration startTimeout = Duration.ofSeconds(180);
        private boolean awaitPort;
        private final java.util.Map<String, String> environment = new java.util.HashMap<>();
        private List<String> wrapper = List.of();
        private Path workingDirectory;
        private boolean archiveChecked;

        public Builder procedures(String source) {
            this.procedures = source;
            return this;
        }

        public Builder authentication(String yaml) {
            this.authentication = yaml;
            return this;
        }

        /** Extra top-level YAML appended to harpd.conf (e.g. a workers: section). */
        public Builder config(String yaml) {
            this.extraConfig = yaml;
            return this;
        }

        /** Extra keys for the network: section, each line indented by two spaces (e.g. "  read_timeout: 2\n"). */
        public Builder network(String yamlLines) {
            this.extraNetwork = yamlLines;
            return this;
        }

        /** An environment variable for the launcher, e.g. {@code HARPD_JAVA_OPTS} for the listener JVM. */
        public Builder env(String name, String value) {
            environment.put(name, value);
            return this;
        }

        public Builder args(String... extra) {
            args.addAll(List.of(extra));
            return this;
        }

        public Builder dir(Path dir) {
            this.dir = dir;
            return this;
        }

        public Builder certificate(boolean write) {
            this.writeCertificate = write;
            return this;
        }

        /**
         * Consider the daemon started once its port accepts connections, rather than once stderr says
         * "listening on SSL socket" (for a daemon whose log goes elsewhere, e.g. {@code -l} to a file).
         * Each probe is a plain TCP connection closed at once, which the daemon may log.
         */
        public Builder awaitPort() {
            this.awaitPort = true;
            return this;
        }

        /**
         * Starts the daemon with {@code directory} as its working directory, and names harpd.conf and harpd.py
         * relative to it when they are inside it.
         */
        public Builder startIn(Path directory) {
            this.workingDirectory = directory;
            return this;
        }

        /** The daemon {@link WorkerArchive} starts itself, which must not wait for its own check. */
        Builder archiveChecked() {
            this.archiveChecked = true;
            return this;
        }

        /**
         * Writes the configuration; returns the directory holding harpd.conf and harpd.py. The first call in a
         * test JVM first makes sure the workers' class-data-sharing archive exists ({@link WorkerArchive}).
         */
        public Path prepare(int port) throws Exception {
            if (!archiveChecked) {
                WorkerArchive.ensure();
            }
            if (dir == null) {
                dir = Files.createTempDirectory("harpd-it");
                // workers running as nobody must be able to read what they load after the switch
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            if (writeCertificate && !Files.exists(dir.resolve("cert.pem"))) {
                writeCertificate(dir);
            }
            Files.writeString(dir.resolve("harpd.py"), procedures);
            Files.writeString(dir.resolve("harpd.conf"), "network:\n  address: 127.0.0.1\n  port: " + port
                    + "\n  certfile: cert.pem\n  keyfile: key.pem\n" + extraNetwork + authentication + extraConfig);
            return dir;
        }

        /** Words put before the launcher's command line, e.g. a shell that changes signal dispositions. */
        public Builder wrapper(String... words) {
            this.wrapper = List.of(words);
            return this;
        }

        public List<String> command(Path dir) {
            List<String> command = new ArrayList<>(wrapper);
            command.addAll(List.of(launcher().toString(),
                    "-c", named(dir.resolve("harpd.conf")), "-r", named(dir.resolve("harpd.py"))));
            command.addAll(args);
            return command;
        }

        private String named(Path file) {
            return workingDirectory != null && file.startsWith(workingDirectory)
                    ? workingDirectory.relativize(file).toString() : file.toString();
        }

        public Daemon start() throws Exception {
            int port = freePort();
            Path dir = prepare(port);
            ProcessBuilder pb = new ProcessBuilder(command(dir));
            if (workingDirectory != null) {
                pb.directory(workingDirectory.toFile());
            }
            pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
            pb.environment().putAll(environment);
            Daemon daemon = new Daemon(pb.start(), port, dir);
            try {
                if (awaitPort) {
                    daemon.awaitListening(startTimeout);
                } else {
                    daemon.awaitLog(line -> line.contains("listening on SSL socket"), startTimeout);
                }
            } catch (AssertionError e) {
                daemon.process.destroyForcibly();
                throw e;
            }
            return daemon;
        }
    }
}
