package org.harpd.logging;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Where records of Python's {@code logging} module go, for the whole process. The embedded interpreter's root
 * logger has one handler ({@code harpd/_logging_bridge.py}) that hands every record to {@link #record}.
 *
 * <p>In the listener (auth modules, the procedures file while it loads) a record goes straight to
 * {@link LoggingSetup#forward}, so the configured handlers see it under its own logger name. A worker process
 * has no handlers of its own and may no longer be allowed to open the log files once it runs as the call's
 * user, so it {@link #routeTo routes} records over its protocol pipe to the listener instead, which forwards
 * them the same way.
 */
public final class PythonLogBridge {
    /** Receives one Python log record, already formatted ({@code record.getMessage()}). */
    @FunctionalInterface
    public interface Sink {
        /**
         * @param levelno Python level number
         * @param created seconds since the epoch ({@code record.created})
         * @param process pid of the process that made the record
         */
        void accept(String name, int levelno, String message, double created, long process);
    }

    private static final long OWN_PID = ProcessHandle.current().pid();
    private static volatile Sink sink = LoggingSetup::forward;

    private PythonLogBridge() {
    }

    /**
     * Called by the Python handler for every record that reaches the interpreter's root logger.
     *
     * @param process the record's pid; 0 or less when Python did not know it, meaning this process
     */
    public static void record(String name, int levelno, String message, double created, long process) {
        sink.accept(name, levelno, message, created, process > 0 ? process : OWN_PID);
    }

    /**
     * System property of a worker JVM: the levels of {@link LoggingSetup#configuredLevels}, as
     * {@link #levelsProperty} writes them.
     */
    public static final String LEVELS_PROPERTY = "harpd.logging.levels";

    /**
     * The levels Python's loggers get in this process, so that {@code getEffectiveLevel()} and
     * {@code isEnabledFor()} answer as under the original, which configured {@code logging} in its own process
     * before it forked: a worker JVM's from {@link #LEVELS_PROPERTY}, else this process's configuration.
     */
    public static Map<String, Integer> levels() {
        String encoded = System.getProperty(LEVELS_PROPERTY);
        if (encoded == null) {
            return LoggingSetup.configuredLevels();
        }
        Map<String, Integer> levels = new HashMap<>();
        for (String entry : encoded.split(",")) {
            int colon = entry.indexOf(':');
            if (colon > 0) {
                try {
                    levels.put(URLDecoder.decode(entry.substring(colon + 1), StandardCharsets.UTF_8),
                            Integer.parseInt(entry.substring(0, colon)));
                } catch (IllegalArgumentException e) {
                    // written by levelsProperty: cannot happen; the logger keeps its level
                }
            }
        }
        return levels;
    }

    /** {@link LoggingSetup#configuredLevels} as {@link #LEVELS_PROPERTY}'s value: {@code level:name,...}. */
    public static String levelsProperty() {
        StringBuilder out = new StringBuilder();
        LoggingSetup.configuredLevels().forEach((name, level) -> out.append(out.length() > 0 ? "," : "")
                .append(level).append(':').append(URLEncoder.encode(name, StandardCharsets.UTF_8)));
        return out.toString();
    }

    /** Where records go now. */
    public static Sink route() {
        return sink;
    }

    /** Sends every later record to {@code destination} instead of this process's own handlers. */
    public static void routeTo(Sink destination) {
        sink = Objects.requireNonNull(destination);
    }
}
