package org.harpd.logging;

import java.util.List;
import java.util.Map;

/**
 * What a configuration asks for, with its handlers already built (files opened, sockets connected):
 * applying it cannot fail any more.
 *
 * @param rootLevel Python level of the root logger
 * @param rootHandlers handlers attached to the root logger
 * @param loggers named loggers in configuration order
 */
record LoggingPlan(int rootLevel, List<PythonHandler> rootHandlers, Map<String, LoggerPlan> loggers,
                   List<PythonHandler> allHandlers) {
    /** @param level Python level, NOTSET meaning "inherit" */
    record LoggerPlan(int level, List<PythonHandler> handlers, boolean propagate) {
    }
}
