package org.harpd.logging;

import java.util.Map;
import java.util.TreeMap;
import org.harpd.protocol.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * harpd's log lines are single-line JSON objects, {@code {"message": "...", <context>}} (see the reference);
 * with the default {@code %(message)s} format that object is the whole line.
 * Never pass a password in the context.
 */
public final class EventLog {
    private final Logger logger;

    private EventLog(Logger logger) {
        this.logger = logger;
    }

    public static EventLog get(String loggerName) {
        return new EventLog(LoggerFactory.getLogger(loggerName));
    }

    /** @param context alternating keys and values */
    public void info(String message, Object... context) {
        if (logger.isInfoEnabled()) {
            logger.info(render(message, context));
        }
    }

    public void warn(String message, Object... context) {
        if (logger.isWarnEnabled()) {
            logger.warn(render(message, context));
        }
    }

    public void error(String message, Object... context) {
        if (logger.isErrorEnabled()) {
            logger.error(render(message, context));
        }
    }

    public void debug(String message, Object... context) {
        if (logger.isDebugEnabled()) {
            logger.debug(render(message, context));
        }
    }

    /**
     * One JSON object, {@code message} first and then the context keys sorted (nested objects sorted too), as the
     * original's records read: {@code {"message": "calling procedure", "client_address": ...}}. Written straight
     * from a sorted map rather than through a tree (each value through {@code valueToTree}), which costs about
     * half as much per record on the listener's hot path.
     */
    static String render(String message, Object... context) {
        if (context.length % 2 != 0) {
            throw new IllegalArgumentException("context must be key/value pairs");
        }
        Map<String, Object> rest = new TreeMap<>();
        for (int i = 0; i < context.length; i += 2) {
            rest.put((String) context[i], context[i + 1]);
        }
        Object first = rest.containsKey("message") ? rest.remove("message") : message;
        StringBuilder line = new StringBuilder("{\"message\": ").append(Json.toLineString(first));
        if (!rest.isEmpty()) {
            // the sorted map's own object, without its opening brace
            String object = Json.toLineString(rest);
            line.append(", ").append(object, 1, object.length());
        } else {
            line.append('}');
        }
        return line.toString();
    }
}
