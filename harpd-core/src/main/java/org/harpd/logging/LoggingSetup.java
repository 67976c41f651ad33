package org.harpd.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;

/**
 * The daemon's logging, configured the way Python's harpd does it: {@link #defaults} without {@code -l},
 * {@link #fromDictConfig} with it. Everything else logs through SLF4J (see {@link EventLog}); records from
 * worker processes come in through {@link #forward}.
 *
 * <p>Levels follow Python: a logger without a level inherits its parent's, the root logger's NOTSET lets
 * everything through, and handlers have their own thresholds. Libraries underneath harpd (Netty, Jython,
 * ...) have no counterpart in the Python daemon, so unless the configuration names them they are held at
 * WARNING — otherwise a root logger at NOTSET would print their debug chatter.
 */
public final class LoggingSetup {
    /** Logger name prefixes of the libraries held at WARNING unless configured. */
    static final List<String> LIBRARY_LOGGERS =
            List.of("io.netty", "org.python", "jnr", "com.fasterxml", "org.bouncycastle", "org.yaml", "ch.qos");

    private static final Object LOCK = new Object();
    private static volatile List<PythonHandler> active = List.of();
    /** Python level per configured logger name ("" is root), for records forwarded from workers. */
    private static volatile Map<String, Integer> levels = Map.of("", PythonLevels.INFO);
    /** Python level per logger the configuration names ("" is root): what Python's own loggers are set to. */
    private static volatile Map<String, Integer> configured = Map.of("", PythonLevels.INFO);

    private LoggingSetup() {
    }

    /**
     * Without {@code -l}: root at INFO to stderr as {@code %(message)s}; with {@code --syslog} (or {@code -d}):
     * to {@code /dev/log}, facility daemon, as {@code harpd[%(process)d]: %(message)s}.
     *
     * @throws LoggingConfigException when the syslog socket cannot be reached (as Python fails at startup)
     */
    public static void defaults(boolean syslog) throws LoggingConfigException {
        defaults(syslog, "harpd");
    }

    /** {@link #defaults(boolean)} for a program of another name: syslog lines read {@code NAME[pid]: ...}. */
    public static void defaults(boolean syslog, String name) throws LoggingConfigException {
        handlers(name, syslog, false, !syslog);
    }

    /**
     * Root at INFO to any of syslog (as {@link #defaults(boolean, String)}), stdout and stderr, as
     * {@code %(message)s}; none of them logs nothing. For a daemon whose configuration names its handlers
     * (harpcallerd's {@code log_handlers}).
     */
    public static void handlers(String name, boolean syslog, boolean stdout, boolean stderr)
            throws LoggingConfigException {
        List<PythonHandler> handlers = new ArrayList<>();
        if (syslog) {
            PythonHandler handler;
            try {
                handler = SysLogHandler.unix("/dev/log", SysLogHandler.DAEMON, null);
            } catch (IOException e) {
                throw new LoggingConfigException("/dev/log: cannot connect to syslog: " + e.getMessage());
            }
            handler.setFormat(PythonFormat.of(name + "[%(process)d]: %(message)s"));
            handler.setName("syslog");
            handlers.add(handler);
        }
        if (stdout) {
            PythonHandler handler = new StreamHandler(stdout());
            handler.setName("stdout");
            handlers.add(handler);
        }
        if (stderr) {
            PythonHandler handler = new StreamHandler(stderr());
            handler.setName("stderr");
            handlers.add(handler);
        }
        install(new LoggingPlan(PythonLevels.INFO, List.copyOf(handlers), Map.of(), List.copyOf(handlers)));
    }

    /** The stderr default, without touching anything outside this JVM; used before any configuration. */
    static void quietDefaults(LoggerContext context) {
        PythonHandler handler = new StreamHandler(stderr());
        handler.setName("stderr");
        install(context, new LoggingPlan(PythonLevels.INFO, List.of(handler), Map.of(), List.of(handler)));
    }

    /**
     * Applies a {@code logging.config.dictConfig} document in YAML. Nothing changes when it fails.
     *
     * @throws LoggingConfigException one line: "file: dotted.key: problem"
     */
    public static void fromDictConfig(Path yamlFile) throws LoggingConfigException {
        fromDictConfig(yamlFile, Path.of("").toAbsolutePath());
    }

    /**
     * As {@link #fromDictConfig(Path)}, with relative file names (and socket paths) in the document taken
     * against {@code relativeTo}: the directory harpd was started in, which it has left by then.
     */
    public static void fromDictConfig(Path yamlFile, Path relativeTo) throws LoggingConfigException {
        fromDictConfig(yamlFile, relativeTo, LoggingSetup::stdout, LoggingSetup::stderr);
    }

    /** As {@link #fromDictConfig(Path)}, with the streams {@code ext://sys.stdout|stderr} resolve to. */
    static void fromDictConfig(Path yamlFile, Supplier<OutputStream> stdout, Supplier<OutputStream> stderr)
            throws LoggingConfigException {
        fromDictConfig(yamlFile, Path.of("").toAbsolutePath(), stdout, stderr);
    }

    private static void fromDictConfig(Path yamlFile, Path relativeTo, Supplier<OutputStream> stdout,
                                       Supplier<OutputStream> stderr) throws LoggingConfigException {
        install(DictConfig.read(yamlFile, relativeTo, stdout, stderr));
    }

    /**
     * The Python level of each logger the configuration names ({@code ""} is the root logger), as the original's
     * {@code logging} configuration set them in its process: without {@code -l}, the root logger at INFO.
     */
    public static Map<String, Integer> configuredLevels() {
        return configured;
    }

    /** Reopens every file-based handler, for SIGUSR1 after logrotate. Failures are reported on stderr. */
    public static void reopen() {
        for (PythonHandler handler : active) {
            if (handler instanceof PythonHandler.Reopenable) {
                try {
                    ((PythonHandler.Reopenable) handler).reopen();
                } catch (IOException e) {
                    System.err.println("harpd: cannot reopen log of handler '" + handler.getName() + "': "
                            + DictConfig.describe(e));
                }
            }
        }
    }

    /**
     * Logs a record made by Python code (an authentication module or the procedures file in the listener, or a
     * worker's {@code {"log": {...}}} message), with its pid, level and time, subject to the same logger and
     * handler levels as Python's.
     *
     * <p>The name is Python code's to choose, per call if it likes ({@code logging.getLogger(request_id)}), and
     * Logback never forgets a logger it made. So the record is logged through the nearest <em>configured</em>
     * logger up its dotted name (the root logger at worst) — whose handlers and propagation are exactly what
     * Python's hierarchy gives an unconfigured child — while the record keeps its own name for
     * {@code %(name)s} and for handler name filters. No logger is ever made here.
     *
     * <p>Control characters in the name and message (newlines above all) are escaped, {@code \n} for a
     * newline: one record is one line, so no text a procedure or a client chose can pass for a record of its
     * own. A traceback appended to a message stays in that record's line.
     *
     * @param levelno Python level number
     * @param created seconds since the epoch, as Python's {@code record.created}
     */
    public static void forward(String loggerName, int levelno, String message, double created, long pid) {
        String name = loggerName == null || loggerName.isEmpty() ? "root" : oneLine(loggerName);
        if (levelno < effectiveLevel(name)) {
            return;
        }
        Logger logger = nearestConfigured(context(), name);
        LoggingEvent event = new LoggingEvent(LoggingSetup.class.getName(), logger,
                PythonLevels.toLogbackEvent(levelno), message == null ? "" : oneLine(message), null, null);
        if (!name.equals("root")) {
            event.setLoggerName(name);
        }
        long seconds = (long) Math.floor(created);
        event.setInstant(Instant.ofEpochSecond(seconds, Math.round((created - seconds) * 1e9)));
        event.setThreadName("MainThread");
        event.setCallerData(new StackTraceElement[0]);
        Map<String, String> mdc = new HashMap<>();
        mdc.put(PythonLogRecord.MDC_PROCESS, Long.toString(pid));
        mdc.put(PythonLogRecord.MDC_LEVELNO, Integer.toString(levelno));
        event.setMDCPropertyMap(mdc);
        logger.callAppenders(event);
    }

    /**
     * {@link #forward} for a record a worker sent. Who made the record and when is the listener's to say, not
     * the worker's: the pid is the worker's as the listener knows it and the time is now, when the listener
     * received it.
     *
     * @param workerPid the pid of the worker the record came from
     */
    public static void forwardFromWorker(String name, int levelno, String message, long workerPid) {
        Instant now = Instant.now();
        forward(name, levelno, message, now.getEpochSecond() + now.getNano() / 1e9, workerPid);
    }

    /**
     * {@code text} with every control character (C0, DEL, C1) and Unicode line or paragraph separator written as
     * a Python string literal would: backslash-n, -r, -t, else backslash-x and two hex digits, or backslash-u and
     * four above U+00FF; {@code text} itself when there is none.
     */
    static String oneLine(String text) {
        int i = 0;
        while (i < text.length() && !needsEscape(text.charAt(i))) {
            i++;
        }
        if (i == text.length()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 16).append(text, 0, i);
        for (; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!needsEscape(c)) {
                out.append(c);
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (c == '\t') {
                out.append("\\t");
            } else if (c <= 0xff) {
                out.append(String.format("\\x%02x", (int) c));
            } else {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
        return out.toString();
    }

    private static boolean needsEscape(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029';
    }

    /** The logger of the longest configured prefix of {@code name} (Python's hierarchy), never a new one. */
    private static Logger nearestConfigured(LoggerContext context, String name) {
        Map<String, Integer> table = levels;
        String current = name;
        while (!current.isEmpty() && !current.equals("root")) {
            if (table.containsKey(current)) {
                Logger configured = context.exists(current);
                if (configured != null) {
                    return configured;
                }
            }
            int dot = current.lastIndexOf('.');
            current = dot < 0 ? "" : current.substring(0, dot);
        }
        return context.getLogger(Logger.ROOT_LOGGER_NAME);
    }

    /** Python's getEffectiveLevel: the nearest configured level up the dotted name. */
    static int effectiveLevel(String name) {
        Map<String, Integer> table = levels;
        String current = name;
        while (!current.isEmpty()) {
            Integer level = table.get(current);
            if (level != null && level != PythonLevels.NOTSET) {
                return level;
            }
            int dot = current.lastIndexOf('.');
            current = dot < 0 ? "" : current.substring(0, dot);
        }
        return table.getOrDefault("", PythonLevels.WARNING);
    }

    private static void install(LoggingPlan plan) {
        install(context(), plan);
    }

    private static void install(LoggerContext context, LoggingPlan plan) {
        synchronized (LOCK) {
            // reset() stops the previous handlers, which closes their files and sockets.
            context.reset();
            Map<String, Integer> table = new HashMap<>();
            Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
            root.setLevel(PythonLevels.toLogbackThreshold(plan.rootLevel()));
            table.put("", plan.rootLevel());
            for (String library : LIBRARY_LOGGERS) {
                if (!plan.loggers().containsKey(library)) {
                    context.getLogger(library).setLevel(Level.WARN);
                    table.put(library, PythonLevels.WARNING);
                }
            }
            for (PythonHandler handler : plan.allHandlers()) {
                handler.setContext(context);
                handler.start();
            }
            plan.rootHandlers().forEach(root::addAppender);
            for (Map.Entry<String, LoggingPlan.LoggerPlan> entry : plan.loggers().entrySet()) {
                Logger logger = context.getLogger(entry.getKey());
                int level = entry.getValue().level();
                logger.setLevel(level == PythonLevels.NOTSET ? null : PythonLevels.toLogbackThreshold(level));
                logger.setAdditive(entry.getValue().propagate());
                entry.getValue().handlers().forEach(logger::addAppender);
                table.put(entry.getKey(), level);
            }
            levels = Map.copyOf(table);
            Map<String, Integer> named = new HashMap<>();
            named.put("", plan.rootLevel());
            plan.loggers().forEach((name, logger) -> named.put(name, logger.level()));
            configured = Map.copyOf(named);
            active = List.copyOf(new ArrayList<>(plan.allHandlers()));
        }
    }

    private static LoggerContext context() {
        return (LoggerContext) LoggerFactory.getILoggerFactory();
    }

    /** The process's own descriptors, so a later System.setErr does not redirect the daemon's log. */
    private static OutputStream stderr() {
        return new FileOutputStream(FileDescriptor.err);
    }

    private static OutputStream stdout() {
        return new FileOutputStream(FileDescriptor.out);
    }
}
