package org.harpd.main;

import io.netty.handler.ssl.SslContext;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import org.harpd.auth.AccessPolicy;
import org.harpd.auth.Authenticator;
import org.harpd.auth.NativeAuthModules;
import org.harpd.cds.WorkerClassArchive;
import org.harpd.cli.Options;
import org.harpd.cli.OptionsParser;
import org.harpd.cli.UsageException;
import org.harpd.config.ConfigException;
import org.harpd.config.FileExposure;
import org.harpd.config.HarpdConfig;
import org.harpd.config.NetworkConfig;
import org.harpd.config.WorkersConfig;
import org.harpd.daemon.Detacher;
import org.harpd.daemon.NativeHeapTrimmer;
import org.harpd.daemon.PidFile;
import org.harpd.daemon.Signals;
import org.harpd.daemon.WorkingDirectory;
import org.harpd.jython.LinuxCalls;
import org.harpd.jython.PythonAuthenticator;
import org.harpd.jython.PythonRuntime;
import org.harpd.jython.ProceduresFile;
import org.harpd.logging.EventLog;
import org.harpd.logging.LoggingSetup;
import org.harpd.logging.PythonLogBridge;
import org.harpd.metrics.Metrics;
import org.harpd.metrics.PrometheusMetrics;
import org.harpd.pool.PoolSettings;
import org.harpd.pool.WorkerCommand;
import org.harpd.pool.WorkerPool;
import org.harpd.posix.LazyBindingProvider;
import org.harpd.posix.PosixException;
import org.harpd.procedure.IdentityAudit;
import org.harpd.procedure.ProcedureCatalog;
import org.harpd.procedure.ProcedureInfo;
import org.harpd.server.HarpServer;
import org.harpd.server.ServerSettings;
import org.harpd.tls.TlsContexts;
import org.harpd.tls.TlsEngine;
import org.harpd.workerprotocol.WorkerArguments;

/**
 * The daemon: harpd(8)'s command line. Start-up checks everything {@code -t} checks, in the same order, so a
 * configuration that passes {@code -t} starts, and one that does not fails with the same single line.
 */
public final class Main {
    /** Exit status for command-line usage errors, as Python's optparse gives them. */
    static final int USAGE = 2;

    private static final String WORKER_MAIN = WorkerMain.class.getName();

    private Main() {
    }

    public static void main(String[] args) {
        // the listener binds libc functions as the workers do (see LazyBindingProvider)
        LazyBindingProvider.install();
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Options options;
        try {
            options = OptionsParser.parse(args);
        } catch (UsageException e) {
            err.println("harpd: " + e.getMessage());
            err.println("Try 'harpd --help' for more information.");
            return USAGE;
        }
        if (options.help()) {
            out.print(OptionsParser.usage());
            return 0;
        }
        if (options.version()) {
            out.println("harpd " + version() + " (JVM, Jython " + org.python.Version.PY_VERSION + ")");
            return 0;
        }
        if (options.daemon() && !options.detachedChild() && !options.test()) {
            // the daemon process starts in this same directory and resolves the same relative paths itself
            List<String> childArgs = new ArrayList<>(List.of(args));
            childArgs.add(Detacher.CHILD_OPTION);
            return Detacher.relaunchDetached(Detacher.javaCommand(Main.class.getName(), childArgs), err);
        }
        Path start = WorkingDirectory.start();
        Options resolved = options.resolvedAgainst(start);
        PrintStream startupErr = err;
        try {
            if (resolved.detachedChild()) {
                // from here on fd 2 is /dev/null (workers inherit it); start-up errors still reach the parent
                startupErr = step(Detacher::detachChild);
            }
            // before any Python runs: Jython looks for classes and modules relative to the working directory
            step(() -> {
                try {
                    WorkingDirectory.leave("harpd.home", PythonRuntime.PYTHON_LIB_PROPERTY);
                } catch (PosixException e) {
                    throw new IOException("harpd: cannot change the working directory to /: " + e.getMessage(), e);
                }
                return null;
            });
            return serve(resolved, start, startupErr);
        } catch (StartupException e) {
            // in a detached child this line reaches the launching terminal through the parent
            startupErr.println(e.getMessage());
            return 1;
        }
    }

    /**
     * @param options the command line, its files absolute
     * @param start   the directory harpd was started in: relative paths in the logging file are taken against it
     */
    private static int serve(Options options, Path start, PrintStream err) throws StartupException {
        HarpdConfig config = step(() -> HarpdConfig.load(options.config()));
        step(() -> {
            if (options.logging() != null) {
                LoggingSetup.fromDictConfig(options.logging(), start);
            } else {
                LoggingSetup.defaults(options.logToSyslog());
            }
            return null;
        });
        PythonRuntime python = step(() -> PythonRuntime.create(config.pythonPath()));
        ProcedureCatalog catalog = step(() -> ProceduresFile.load(python, options.procedures()));
        step(() -> {
            config.requireNamedProceduresIn(catalog.all().stream().map(ProcedureInfo::name)
                    .collect(Collectors.toSet()), options.procedures());
            return null;
        });
        // the shipped modules are served in Java; any other is Python code
        Authenticator authenticator = step(() -> {
            String module = config.authentication().module();
            Optional<Authenticator> shipped = NativeAuthModules.create(module, config.authentication().options());
            return shipped.isPresent() ? shipped.get()
                    : PythonAuthenticator.create(python, module, config.authentication().options());
        });
        NetworkConfig network = config.network();
        TlsEngine engine = step(TlsEngine::selected);
        List<String> ciphers = network.tlsCiphers().isEmpty() ? TlsContexts.DEFAULT_CIPHERS : network.tlsCiphers();
        step(() -> {
            List<String> unknown = TlsContexts.unsupported(ciphers, engine);
            if (!unknown.isEmpty()) {
                throw new ConfigException(config.file() + ": network.tls_ciphers: not implemented by "
                        + engine.name().toLowerCase(java.util.Locale.ROOT) + " TLS: " + String.join(", ", unknown));
            }
            return null;
        });
        SslContext tls = step(() -> TlsContexts.server(network.certfile(), network.keyfile(), engine, ciphers));
        List<IdentityAudit.Finding> identities = IdentityAudit.audit(catalog.all(), options.defaultUser(),
                options.defaultGroup(), IdentityAudit.Directory.system());
        Optional<String> usersFile = config.authentication().usersFileProblem();
        if (options.test()) {
            identities.forEach(f -> err.println(testLine(options.procedures(), f)));
            usersFile.ifPresent(problem -> err.println(config.file() + ": " + problem));
            if (identities.stream().anyMatch(f -> f.severity() == IdentityAudit.Severity.ERROR)
                    || usersFile.isPresent()) {
                return 1;
            }
            err.println("isolation: " + config.workers().describeIsolation());
            err.println("config OK");
            return 0;
        }

        EventLog log = EventLog.get("harpd");
        FileExposure.warnIfExposed(log, config, options.procedures());
        identities.forEach(f -> logFinding(log, f));
        // as with unknown users: harpd starts, as the original did (the file may appear later), but says why
        // every login will fail until then
        usersFile.ifPresent(problem -> log.error("users file unusable: every login fails until it is fixed",
                "config", config.file().toString(), "problem", problem));
        PidFile pidfile = options.pidfile() == null ? null : step(() -> PidFile.create(options.pidfile()));
        // without a metrics: section nothing is measured and no port is opened
        PrometheusMetrics prometheus = config.metrics().configured() ? new PrometheusMetrics() : null;
        Metrics metrics = prometheus != null ? prometheus : Metrics.NONE;
        WorkerPool pool = new WorkerPool(poolSettings(config, options, start), metrics);
        HarpServer server = new HarpServer(
                ServerSettings.from(network),
                tls, authenticator, new AccessPolicy(config.authorization(), authenticator), catalog, pool,
                options.defaultUser(), options.defaultGroup(), metrics);
        CountDownLatch stopped = new CountDownLatch(1);
        Signals.install(() -> {
            log.info("shutting down");
            stopped.countDown();
        }, LoggingSetup::reopen);
        try {
            if (prometheus != null) {
                step(() -> {
                    try {
                        int port = prometheus.serve(config.metrics());
                        log.info("serving metrics", "address", config.metrics().host(), "port", port);
                    } catch (IOException e) {
                        throw new IOException(config.file() + ": metrics.listen: cannot listen on "
                                + config.metrics().listen() + ": " + e.getMessage(), e);
                    }
                    return null;
                });
            }
            step(server::start);
        } catch (StartupException e) {
            if (prometheus != null) {
                prometheus.close();
            }
            pool.close();
            if (pidfile != null) {
                pidfile.close();
            }
            throw e;
        }
        log.info("TLS by " + engine.describe());
        log.info("workers", "isolation", config.workers().describeIsolation(), "spare", config.workers().spare(),
                "max", config.workers().max());
        if (options.detachedChild()) {
            step(() -> {
                Detacher.confirmReady();
                return null;
            });
        }
        NativeHeapTrimmer.start();
        awaitUninterruptibly(stopped);
        // Order matters: no new connections, then in-flight calls are told "shutdown" by the pool,
        // then the connections that carried them are closed.
        server.stopAccepting();
        pool.close();
        server.close();
        if (prometheus != null) {
            prometheus.close();
        }
        if (pidfile != null) {
            pidfile.close();
        }
        log.info("stopped");
        return 0;
    }

    /**
     * A finding of {@link IdentityAudit} as {@code -t} prints it: {@code FILE: procedure NAME: [warning: ]PROBLEM}.
     * Unknown users and groups fail {@code -t}; at start-up they are logged and harpd starts, as the original
     * did: the calls of that procedure fail with {@code system_error} until the name exists.
     */
    static String testLine(Path procedures, IdentityAudit.Finding finding) {
        String where = finding.procedure() == null ? "" : procedures + ": procedure " + finding.procedure() + ": ";
        String severity = finding.severity() == IdentityAudit.Severity.WARNING ? "warning: " : "";
        return where + severity + finding.problem();
    }

    private static void logFinding(EventLog log, IdentityAudit.Finding finding) {
        List<Object> context = new ArrayList<>();
        if (finding.procedure() != null) {
            context.addAll(List.of("procedure", finding.procedure()));
        }
        context.addAll(List.of("problem", finding.problem()));
        if (finding.severity() == IdentityAudit.Severity.ERROR) {
            log.error("unknown user or group: calls will fail", context.toArray());
        } else {
            log.warn("procedure runs with root's privileges", context.toArray());
        }
    }

    /** @param start where relative class path entries of this JVM are, for workers that start in {@code /} */
    static PoolSettings poolSettings(HarpdConfig config, Options options, Path start) {
        WorkersConfig workers = config.workers();
        WorkerArguments arguments = new WorkerArguments(start.resolve(options.procedures()), config.pythonPath(),
                config.tracebacks());
        List<String> jvmOptions = workerJvmOptions(workers);
        String classPath = absoluteClassPath(System.getProperty("java.class.path"), start);
        Optional<WorkerModules> modules = WorkerModules.find();
        if (modules.isPresent()) {
            jvmOptions.removeIf(WorkerModules::opensToClassPath);
            // before the operator's jvm_options, as the rest of harpd's own
            jvmOptions.addAll(0, modules.get().jvmOptions());
            classPath = modules.get().classPathWithout(classPath);
        }
        WorkerCommand command = new WorkerCommand(WorkerCommand.currentJava(), jvmOptions, classPath, WORKER_MAIN,
                arguments.toArgs());
        Optional<Path> archives = WorkerClassArchive.configuredDirectory();
        if (archives.isPresent()) {
            command = WorkerClassArchive.apply(command, archives.get(), workers.startTimeout());
        }
        return new PoolSettings(command, workers);
    }

    /**
     * Short-lived, small JVMs (measurements in harpd-jython/STARTUP.md): a serial collector, the client compiler
     * only, no perf-data file (jnr-ffi binding native functions by reflection, and only those called, is set up
     * by the worker itself: {@link LazyBindingProvider}), and JVM
     * warnings on stderr, never on stdout, which is the protocol pipe until the worker takes it over. The
     * class-data-sharing archive is added by {@link WorkerClassArchive}. The listener's own python-lib location
     * is passed on so the worker loads what the listener checked. A small initial heap: by default it is 1/64
     * of the machine's memory and the young generation, a third of it, is touched all over while Jython starts,
     * which made an idle worker's resident size about half as large again; the maximum stays the JVM's default, so no
     * procedure runs short of memory (an operator's {@code -Xms} in {@code jvm_options} comes later and wins).
     * Class-data archives are mapped where they were dumped ({@code ArchiveRelocationMode=0}): relocated to a
     * random address, as the JVM does by default, every page of them is rewritten and private to one worker,
     * while mapped in place they stay clean file pages that all workers share, which lowers every idle worker's PSS
     * (docs/security.md says what it gives up; {@code -XX:ArchiveRelocationMode=1} in {@code jvm_options} wins).
     * No attach listener: after the switch, any process of the call's user could otherwise attach ({@code jcmd},
     * agents) and read or change the worker, and with it later calls of other clients. SIGQUIT keeps the JVM's
     * thread dump: {@code -Xrs}, the only way to give it up, would also take SIGTERM, SIGINT and SIGHUP away from
     * procedures' {@code signal} handlers, and the dump (names and stacks, no values) goes to the listener's log.
     * Compiler threads are started at boot rather than on the fly, and no security manager can be installed:
     * after every call the worker counts its threads against the kernel's and checks no code of the call can
     * run later (docs/security.md; {@code ThreadCensus}, {@code JvmState}).
     * {@link LinuxCalls#descriptor} reads the C descriptor behind a Python file object (for {@code fcntl},
     * {@code select}, {@code os.fstatvfs}) from the JDK's {@code FileDescriptor} and NIO channels, whose
     * packages must be opened to it.
     */
    static List<String> workerJvmOptions(WorkersConfig workers) {
        List<String> jvm = new ArrayList<>(List.of("-XX:+UseSerialGC", "-Xms16m", "-XX:TieredStopAtLevel=1", "-Xss2m",
                "-XX:-UsePerfData", "-Xshare:auto", "-XX:+UnlockDiagnosticVMOptions", "-XX:ArchiveRelocationMode=0",
                "-Xlog:disable", "-Xlog:all=warning:stderr", "-XX:+DisableAttachMechanism",
                "-XX:-UseDynamicNumberOfCompilerThreads", "-Djava.security.manager=disallow",
                "--add-opens=java.base/java.io=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"));
        String home = System.getProperty("harpd.home");
        if (home != null) {
            jvm.add("-Dharpd.home=" + home);
        }
        String lib = System.getProperty(PythonRuntime.PYTHON_LIB_PROPERTY);
        if (lib != null) {
            jvm.add("-D" + PythonRuntime.PYTHON_LIB_PROPERTY + "=" + lib);
        }
        // the worker's Python loggers get the configured levels, as the original's forked children inherited them
        jvm.add("-D" + PythonLogBridge.LEVELS_PROPERTY + "=" + PythonLogBridge.levelsProperty());
        jvm.addAll(workers.jvmOptions());
        return jvm;
    }

    static String absoluteClassPath(String classPath, Path start) {
        return Arrays.stream(classPath.split(File.pathSeparator)).filter(entry -> !entry.isEmpty())
                .map(entry -> start.resolve(entry).toString()).collect(Collectors.joining(File.pathSeparator));
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        while (true) {
            try {
                latch.await();
                return;
            } catch (InterruptedException e) {
                // only a stop signal ends the daemon
            }
        }
    }

    /** The POM's version, which the build writes into the jars' manifests as Implementation-Version. */
    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v != null ? v : "(version unknown: no Implementation-Version in the jar manifest)";
    }

    /** A start-up step whose failure is one line for the operator. */
    private interface Step<T> {
        T run() throws Exception;
    }

    private static <T> T step(Step<T> step) throws StartupException {
        try {
            return step.run();
        } catch (RuntimeException e) {
            throw new StartupException("harpd: internal error: " + e, e);
        } catch (Exception e) {
            throw new StartupException(oneLine(e.getMessage()), e);
        }
    }

    private static String oneLine(String message) {
        return message == null ? "unknown error" : message.replace('\n', ' ').strip();
    }

    static final class StartupException extends Exception {
        StartupException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
