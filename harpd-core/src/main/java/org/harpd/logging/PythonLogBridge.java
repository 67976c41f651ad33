package org.harpd.logging;

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

    /** Where records go now. */
    public static Sink route() {
        return sink;
    }

    /** Sends every later record to {@code destination} instead of this process's own handlers. */
    public static void routeTo(Sink destination) {
        sink = Objects.requireNonNull(destination);
    }
}
