package org.harpd.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import java.time.Instant;
import java.util.Map;

/**
 * The attributes of Python's {@code LogRecord} that a format string can name, taken from a Logback event.
 * Records forwarded from workers carry their level and pid in the event's MDC ({@link #MDC_LEVELNO},
 * {@link #MDC_PROCESS}), so {@code %(process)d} shows the worker's pid and {@code %(levelname)s} can say CRITICAL.
 */
public record PythonLogRecord(String name, int levelno, String message, Instant created, long process,
                              long thread, String threadName, String pathname, String funcName, int lineno,
                              String excText) {
    public static final String MDC_PROCESS = "process";
    public static final String MDC_LEVELNO = "levelno";
    static final long OWN_PID = ProcessHandle.current().pid();
    static final Instant LOGGING_START = Instant.now();

    public String levelname() {
        return PythonLevels.name(levelno);
    }

    /** Python's default for records without a known source. */
    public String filename() {
        int slash = pathname.lastIndexOf('/');
        return slash < 0 ? pathname : pathname.substring(slash + 1);
    }

    public String module() {
        String file = filename();
        int dot = file.lastIndexOf('.');
        return dot <= 0 ? file : file.substring(0, dot);
    }

    public double createdSeconds() {
        return created.getEpochSecond() + created.getNano() / 1e9;
    }

    public double msecs() {
        return created.getNano() / 1e6;
    }

    public double relativeCreated() {
        return (created.toEpochMilli() - LOGGING_START.toEpochMilli())
                + (created.getNano() % 1_000_000) / 1e6 - (LOGGING_START.getNano() % 1_000_000) / 1e6;
    }

    /**
     * @param withCaller whether to compute the source location (costly, so only when the format uses it)
     */
    public static PythonLogRecord from(ILoggingEvent event, boolean withCaller) {
        Map<String, String> mdc = event.getMDCPropertyMap();
        long process = parseOr(mdc.get(MDC_PROCESS), OWN_PID);
        int levelno = (int) parseOr(mdc.get(MDC_LEVELNO), PythonLevels.fromLogback(event.getLevel()));
        String pathname = "(unknown file)";
        String funcName = "(unknown function)";
        int lineno = 0;
        if (withCaller) {
            StackTraceElement[] caller = event.getCallerData();
            if (caller != null && caller.length > 0) {
                StackTraceElement top = caller[0];
                pathname = top.getFileName() != null ? top.getFileName() : top.getClassName();
                funcName = top.getMethodName();
                lineno = Math.max(0, top.getLineNumber());
            }
        }
        IThrowableProxy thrown = event.getThrowableProxy();
        String excText = thrown == null ? null : ThrowableProxyUtil.asString(thrown).stripTrailing();
        // Appenders run synchronously in the logging thread, so the current thread is the record's thread.
        // Logback calls its root logger "ROOT", Python "root".
        String name = ch.qos.logback.classic.Logger.ROOT_LOGGER_NAME.equals(event.getLoggerName()) ? "root"
                : event.getLoggerName();
        return new PythonLogRecord(name, levelno, event.getFormattedMessage(), event.getInstant(),
                process, Thread.currentThread().getId(), event.getThreadName(), pathname, funcName, lineno, excText);
    }

    private static long parseOr(String text, long fallback) {
        if (text == null) {
            return fallback;
        }
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
