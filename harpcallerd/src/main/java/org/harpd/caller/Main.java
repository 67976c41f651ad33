package org.harpd.caller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.harpd.config.ConfigException;
import org.harpd.daemon.Detacher;
import org.harpd.daemon.NativeHeapTrimmer;
import org.harpd.daemon.PidFile;
import org.harpd.daemon.Signals;
import org.harpd.daemon.WorkingDirectory;
import org.harpd.logging.EventLog;
import org.harpd.logging.LoggingSetup;

/**
 * {@code harpcallerd [--socket=PATH] COMMAND [OPTIONS]}: {@code start} runs the dispatcher (detached unless
 * {@code --foreground}); every other command talks to the running one over its control socket.
 */
public final class Main {
    static final Path DEFAULT_SOCKET = Path.of("/var/run/harpcaller/control");
    /** How often the job store's size is measured for limits.max_store_bytes. */
    static final long STORE_MEASURE_SECONDS = 2;
    private static final int USAGE = 2;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Path socket = DEFAULT_SOCKET;
        List<String> rest = new ArrayList<>();
        for (String a : args) {
            if (a.startsWith("--socket=")) {
                socket = Path.of(a.substring("--socket=".length()));
            } else {
                rest.add(a);
            }
        }
        if (!rest.isEmpty() && rest.get(0).equals("--version")) {
            out.println("harpcallerd " + version());
            return 0;
        }
        if (rest.isEmpty() || rest.get(0).equals("--help") || rest.get(0).equals("-h")) {
            (rest.isEmpty() ? err : out).print(usage());
            return rest.isEmpty() ? USAGE : 0;
        }
        String command = rest.get(0);
        List<String> options = rest.subList(1, rest.size());
        try {
            switch (command) {
                case "start":
                    return start(socket.toAbsolutePath(), options, args, err);
                case "status":
                    return status(socket, options, out, err);
                case "stop":
                    return stop(socket, options, out, err);
                case "reload", "list", "info", "cancel", "queue-list", "queue-cancel", "hosts-list",
                     "hosts-refresh", "prune-jobs", "reopen-logs":
                    return send(socket, command, options, out, err);
                default:
                    err.println("harpcallerd: unknown command: " + command);
                    err.print(usage());
                    return USAGE;
            }
        } catch (UsageError e) {
            err.println("harpcallerd: " + e.getMessage());
            return USAGE;
        }
    }

    /** The version the build wrote into the jar's manifest. */
    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "(unknown version)" : v;
    }

    static String usage() {
        return """
                usage: harpcallerd --version
                       harpcallerd [--socket=PATH] COMMAND [OPTIONS]
                  start [--config=FILE] [--pidfile=FILE] [--foreground]
                  status [--wait [--timeout=S]]
                  stop [--timeout=S] [--print-pid]
                  reload
                  list [--all] [--queue]
                  info JOB
                  cancel JOB
                  queue-list [QUEUE-JSON]
                  queue-cancel QUEUE-JSON
                  hosts-list
                  hosts-refresh
                  prune-jobs [--age=DAYS]
                  reopen-logs
                The control socket defaults to /var/run/harpcaller/control.
                """;
    }

    private static final class UsageError extends Exception {
        private static final long serialVersionUID = 1L;

        UsageError(String message) {
            super(message);
        }
    }

    private static Optional<String> option(List<String> options, String name) {
        for (String o : options) {
            if (o.startsWith(name + "=")) {
                return Optional.of(o.substring(name.length() + 1));
            }
        }
        return Optional.empty();
    }

    private static double seconds(List<String> options, double dflt) throws UsageError {
        Optional<String> t = option(options, "--timeout");
        if (t.isEmpty()) {
            return dflt;
        }
        try {
            double s = Double.parseDouble(t.get());
            if (s < 0 || Double.isNaN(s)) {
                throw new NumberFormatException();
            }
            return s;
        } catch (NumberFormatException e) {
            throw new UsageError("--timeout: expected a number of seconds, got " + t.get());
        }
    }

    // ---- client side of the control socket

    /** @return the exit status the daemon sent, or 1 when it cannot be reached */
    private static int send(Path socket, String command, List<String> args, PrintStream out, PrintStream err) {
        try {
            return exchange(socket, command, args, out, err);
        } catch (IOException e) {
            err.println("harpcallerd: cannot reach the dispatcher at " + socket + ": " + e.getMessage());
            return 1;
        }
    }

    private static int exchange(Path socket, String command, List<String> args, PrintStream out, PrintStream err)
            throws IOException {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            ObjectNode request = Json.MAPPER.createObjectNode().put("command", command);
            args.forEach(request.putArray("args")::add);
            ch.write(java.nio.ByteBuffer.wrap((request + "\n").getBytes(StandardCharsets.UTF_8)));
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch),
                    StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null; ) {
                JsonNode n = Json.MAPPER.readTree(line);
                if (n.has("out")) {
                    out.println(n.get("out").asText());
                } else if (n.has("err")) {
                    err.println("harpcallerd: " + n.get("err").asText());
                } else if (n.has("exit")) {
                    return n.get("exit").asInt();
                }
            }
            throw new IOException("connection closed before the command finished");
        }
    }

    private static int status(Path socket, List<String> options, PrintStream out, PrintStream err)
            throws UsageError {
        boolean wait = options.contains("--wait");
        double timeout = seconds(options, Double.POSITIVE_INFINITY);
        long deadline = System.nanoTime() + (long) Math.min(timeout * 1e9, Long.MAX_VALUE / 2.0);
        while (true) {
            try {
                return exchange(socket, "status", List.of(), out, err);
            } catch (IOException e) {
                if (!wait || System.nanoTime() > deadline) {
                    out.println("harpcallerd is not running");
                    return 1;
                }
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return 1;
            }
        }
    }

    private static int stop(Path socket, List<String> options, PrintStream out, PrintStream err) throws UsageError {
        double timeout = seconds(options, 30);
        java.io.ByteArrayOutputStream pidText = new java.io.ByteArrayOutputStream();
        int status;
        try {
            status = exchange(socket, "stop", List.of(), new PrintStream(pidText, true, StandardCharsets.UTF_8), err);
        } catch (IOException e) {
            err.println("harpcallerd: cannot reach the dispatcher at " + socket + ": " + e.getMessage());
            return 1;
        }
        if (status != 0) {
            return status;
        }
        String pid = pidText.toString(StandardCharsets.UTF_8).strip();
        if (options.contains("--print-pid")) {
            out.println(pid);
        }
        Optional<ProcessHandle> process = ProcessHandle.of(Long.parseLong(pid));
        if (process.isPresent()) {
            try {
                process.get().onExit().get((long) (timeout * 1000), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                err.println("harpcallerd: pid " + pid + " still running after " + timeout + " s");
                return 1;
            }
        }
        return 0;
    }

    // ---- the daemon

    private static int start(Path socket, List<String> options, String[] originalArgs, PrintStream err) {
        boolean child = options.contains(Detacher.CHILD_OPTION);
        if (!child && !options.contains("--foreground")) {
            List<String> childArgs = new ArrayList<>(List.of(originalArgs));
            childArgs.add(Detacher.CHILD_OPTION);
            return Detacher.relaunchDetached(Detacher.javaCommand(Main.class.getName(), childArgs), err);
        }
        Path configFile = option(options, "--config").map(p -> Path.of(p).toAbsolutePath())
                .orElse(CallerConfig.DEFAULT_FILE);
        Path pidfile = option(options, "--pidfile").map(p -> Path.of(p).toAbsolutePath()).orElse(null);
        PrintStream startupErr = err;
        try {
            if (child) {
                startupErr = Detacher.detachChild();
            }
            WorkingDirectory.leave("harpcallerd.home");
        } catch (Exception e) {
            startupErr.println("harpcallerd: cannot detach: " + e.getMessage());
            return 1;
        }
        try {
            return serve(socket, configFile, pidfile, child, startupErr);
        } catch (StartupError e) {
            startupErr.println("harpcallerd: " + e.getMessage());
            return 1;
        }
    }

    private static final class StartupError extends Exception {
        private static final long serialVersionUID = 1L;

        StartupError(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static int serve(Path socket, Path configFile, Path pidfilePath, boolean child, PrintStream err)
            throws StartupError {
        CallerConfig config;
        try {
            config = CallerConfig.load(configFile);
            Set<CallerConfig.LogHandler> handlers = config.logHandlers();
            LoggingSetup.handlers("harpcallerd", handlers.contains(CallerConfig.LogHandler.SYSLOG),
                    handlers.contains(CallerConfig.LogHandler.STDOUT), handlers.contains(CallerConfig.LogHandler.STDERR));
            // Flyway reports every migration step at INFO; the operator needs its warnings only
            ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("org.flywaydb"))
                    .setLevel(ch.qos.logback.classic.Level.WARN);
        } catch (Exception e) {
            throw new StartupError(e.getMessage(), e);
        }
        EventLog log = EventLog.get("harpcallerd");
        if (child && !config.logHandlers().contains(CallerConfig.LogHandler.SYSLOG)) {
            // a detached daemon's stdout and stderr are /dev/null: said once, where the operator starting it sees it
            String lost = configFile + ": log_handlers: without the syslog handler (harpcaller_syslog_h) a detached"
                    + " dispatcher's log goes to /dev/null; add it, or run `start --foreground` under a supervisor";
            err.println("harpcallerd: warning: " + lost);
            log.warn(lost);
        }
        config.warnings().forEach(w -> log.warn(w));
        startupWarnings(config).forEach(w -> log.warn(w));
        List<AutoCloseable> opened = new ArrayList<>();
        // the C heap's pages freed after start-up (JIT arenas, Flyway's migration, class loading) go back to the
        // kernel: a resting dispatcher is otherwise tens of megabytes larger
        NativeHeapTrimmer.start();
        EventLoopGroup group = new NioEventLoopGroup(Math.max(2, Runtime.getRuntime().availableProcessors()));
        // the hosts script may run for minutes and pruning may take long on a big store: a thread each, so that
        // neither holds up the other (nor the control socket, which runs its commands on threads of its own)
        ScheduledExecutorService timers = Executors.newScheduledThreadPool(3, r -> {
            Thread t = new Thread(r, "maintenance");
            t.setDaemon(true);
            return t;
        });
        try {
            Path streamDir = config.streamDirectory();
            Files.createDirectories(streamDir, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwxr-x---")));
            // without a [metrics] table nothing is measured and no port is opened
            PrometheusCallerMetrics prometheus = config.metrics().configured() ? new PrometheusCallerMetrics() : null;
            CallerMetrics metrics = prometheus != null ? prometheus : CallerMetrics.NONE;
            if (prometheus != null) {
                opened.add(prometheus);
            }
            JobStore store = JobStore.open(config, streamDir.resolve(".native"), metrics);
            opened.add(store);
            HostRegistry hosts = new HostRegistry(config.hostDb(), metrics);
            try {
                hosts.load();
            } catch (IOException e) {
                log.warn("cannot read the saved hosts registry; starting empty", "file", config.hostDb().toString(),
                        "error", e.getMessage());
            }
            Dispatcher dispatcher = new Dispatcher(config, store, hosts, TrustPolicy.of(config), group, metrics);
            opened.add(dispatcher);
            dispatcher.recover();
            // on a shared PostgreSQL store: the other dispatchers' packets, ends and cancels (nothing for SQLite)
            store.listen(dispatcher::noticed, dispatcher::queueFreed, dispatcher::resync);
            ClientServer clients = new ClientServer(dispatcher, metrics);
            opened.add(clients);
            List<Integer> ports = clients.bind(config.listen(), group, group);
            if (prometheus != null) {
                int port = serveMetrics(prometheus, config);
                log.info("serving metrics", "address", config.metrics().host(), "port", port);
            }
            CountDownLatch stopped = new CountDownLatch(1);
            ControlServer control = ControlServer.open(socket, dispatcher, new ControlServer.Daemon() {
                @Override
                public void requestStop() {
                    stopped.countDown();
                }

                @Override
                public CallerConfig reload() throws ConfigException {
                    CallerConfig next = CallerConfig.load(configFile);
                    dispatcher.reconfigure(next, TrustPolicy.of(next));
                    next.warnings().forEach(w -> log.warn(w));
                    log.info("configuration reloaded; listen, database and metrics changes take effect at the next start");
                    return next;
                }

                @Override
                public Path configFile() {
                    return configFile;
                }
            });
            opened.add(control);
            if (pidfilePath != null) {
                opened.add(PidFile.create(pidfilePath));
            }
            timers.scheduleWithFixedDelay(() -> {
                CallerConfig c = dispatcher.config();
                if (c.hostDbScript() != null) {
                    hosts.refresh(c.hostDbScript(), c.hostDbScriptUser(), c.hostDbScriptTimeout());
                }
            }, 0, config.hostDbRefresh(), TimeUnit.SECONDS);
            timers.scheduleWithFixedDelay(() -> {
                Integer maxAge = dispatcher.config().maxAgeHours();
                if (maxAge != null) {
                    try {
                        int n = store.prune(System.currentTimeMillis() - TimeUnit.HOURS.toMillis(maxAge));
                        if (n > 0) {
                            log.info("pruned old jobs", "jobs", n);
                        }
                    } catch (Exception e) {
                        log.error("pruning old jobs failed", "error", String.valueOf(e.getMessage()));
                    }
                }
            }, 1, 3600, TimeUnit.SECONDS);
            // the size behind limits.max_store_bytes, measured off the submission path
            timers.scheduleWithFixedDelay(() -> {
                if (dispatcher.config().limits().maxStoreBytes() > 0) {
                    store.measure().exceptionally(e -> {
                        log.warn("cannot measure the job store", "error", String.valueOf(e.getMessage()));
                        return 0L;
                    }).join();
                }
            }, 0, STORE_MEASURE_SECONDS, TimeUnit.SECONDS);
            Signals.install(stopped::countDown, LoggingSetup::reopen);
            log.info("harpcallerd started", "listen", ports.toString(), "database", store.postgres()
                    ? "postgresql" : "sqlite", "instance", config.instance(), "control", socket.toString());
            if (child) {
                Detacher.confirmReady();
            }
            while (true) {
                try {
                    stopped.await();
                    break;
                } catch (InterruptedException e) {
                    // only the stop request ends the wait
                }
            }
            log.info("shutting down");
        } catch (Exception e) {
            closeAll(opened, timers, group);
            throw new StartupError(e.getMessage() == null ? e.toString() : e.getMessage(), e);
        }
        closeAll(opened, timers, group);
        return 0;
    }

    /**
     * Starts the metrics endpoint of {@code [metrics]}.
     *
     * @return the port bound
     * @throws IOException one line naming the file, the key and the address that cannot be bound
     */
    static int serveMetrics(PrometheusCallerMetrics prometheus, CallerConfig config) throws IOException {
        try {
            return prometheus.serve(config.metrics());
        } catch (IOException e) {
            throw new IOException(config.file() + ": metrics.listen: cannot listen on " + config.metrics().listen()
                    + ": " + e.getMessage(), e);
        }
    }

    /** What the operator should know about a configuration that starts but leaves a door open. */
    static List<String> startupWarnings(CallerConfig config) {
        List<String> warnings = new ArrayList<>();
        if (!config.clientAuthentication()) {
            for (CallerConfig.Listen l : config.listen()) {
                if (!loopback(l.address())) {
                    warnings.add(config.file() + ": listen: " + (l.address() == null ? "*" : l.address()) + ":"
                            + l.port() + " is reachable beyond this machine and no [[clients]] are configured: anyone"
                            + " who reaches it runs any procedure on any registered host");
                }
            }
        }
        if (config.caFile() == null && config.knownCertsFile() == null) {
            warnings.add(config.file() + ": neither ca_file nor known_certs_file is set: any certificate is accepted"
                    + " from harpd, so whoever answers on a host's address gets its credentials");
        }
        return warnings;
    }

    private static boolean loopback(String address) {
        if (address == null) {
            return false;
        }
        try {
            return java.net.InetAddress.getByName(address).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    /** In reverse order: control and listeners first, then jobs, then the store. */
    private static void closeAll(List<AutoCloseable> opened, ScheduledExecutorService timers, EventLoopGroup group) {
        timers.shutdownNow();
        // the pid file goes last, so that it names the process until everything is recorded
        AutoCloseable pid = null;
        for (int i = opened.size() - 1; i >= 0; i--) {
            AutoCloseable c = opened.get(i);
            if (c instanceof PidFile) {
                pid = c;
                continue;
            }
            if (c instanceof JobStore) {
                continue;
            }
            closeQuietly(c);
        }
        opened.stream().filter(c -> c instanceof JobStore).forEach(Main::closeQuietly);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        if (pid != null) {
            closeQuietly(pid);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            EventLog.get("harpcallerd").warn("error while shutting down", "error", String.valueOf(e.getMessage()));
        }
    }
}
