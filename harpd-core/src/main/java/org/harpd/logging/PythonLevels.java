package org.harpd.logging;

import ch.qos.logback.classic.Level;
import java.util.Map;
import java.util.Optional;

/** Python's numeric logging levels and their closest Logback counterparts. */
public final class PythonLevels {
    public static final int NOTSET = 0;
    public static final int DEBUG = 10;
    public static final int INFO = 20;
    public static final int WARNING = 30;
    public static final int ERROR = 40;
    public static final int CRITICAL = 50;

    /** Names accepted by Python 2.7's {@code logging._checkLevel} (case-sensitive, as in Python). */
    private static final Map<String, Integer> BY_NAME = Map.of(
            "CRITICAL", CRITICAL, "FATAL", CRITICAL, "ERROR", ERROR, "WARNING", WARNING, "WARN", WARNING,
            "INFO", INFO, "DEBUG", DEBUG, "NOTSET", NOTSET);

    private PythonLevels() {
    }

    public static Optional<Integer> byName(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    /** As {@code logging.getLevelName}. */
    public static String name(int levelno) {
        switch (levelno) {
            case CRITICAL: return "CRITICAL";
            case ERROR: return "ERROR";
            case WARNING: return "WARNING";
            case INFO: return "INFO";
            case DEBUG: return "DEBUG";
            case NOTSET: return "NOTSET";
            default: return "Level " + levelno;
        }
    }

    /** The Python number of an event logged from Java; TRACE sits below DEBUG. */
    public static int fromLogback(Level level) {
        switch (level.toInt()) {
            case Level.ERROR_INT: return ERROR;
            case Level.WARN_INT: return WARNING;
            case Level.INFO_INT: return INFO;
            case Level.DEBUG_INT: return DEBUG;
            default: return 5;
        }
    }

    /**
     * The Logback level of a record with this Python number: every Python number maps into the
     * Logback level whose range contains it, so ERROR also carries CRITICAL.
     */
    public static Level toLogbackEvent(int levelno) {
        if (levelno >= ERROR) {
            return Level.ERROR;
        } else if (levelno >= WARNING) {
            return Level.WARN;
        } else if (levelno >= INFO) {
            return Level.INFO;
        } else if (levelno >= DEBUG) {
            return Level.DEBUG;
        }
        return Level.TRACE;
    }

    /**
     * The Logback threshold that lets a Java event through exactly when Python's threshold would:
     * the lowest Logback level whose Python number reaches it.
     */
    public static Level toLogbackThreshold(int threshold) {
        if (threshold <= 5) {
            return Level.TRACE;
        } else if (threshold <= DEBUG) {
            return Level.DEBUG;
        } else if (threshold <= INFO) {
            return Level.INFO;
        } else if (threshold <= WARNING) {
            return Level.WARN;
        } else if (threshold <= ERROR) {
            return Level.ERROR;
        }
        return Level.OFF;
    }
}
