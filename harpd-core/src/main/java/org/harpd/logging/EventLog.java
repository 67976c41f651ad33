package org.harpd.logging;

import com.fasterxml.jackson.databind.node.ObjectNode;
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

    static String render(String message, Object... context) {
        if (context.length % 2 != 0) {
            throw new IllegalArgumentException("context must be key/value pairs");
        }
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("message", message);
        for (int i = 0; i < context.length; i += 2) {
            node.set((String) context[i], Json.MAPPER.valueToTree(context[i + 1]));
        }
        return Json.toString(node);
    }
}
