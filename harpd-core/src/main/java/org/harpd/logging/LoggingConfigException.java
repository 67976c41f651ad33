package org.harpd.logging;

/** A logging configuration that cannot be applied; the message is one line: "file: dotted.key: problem". */
public final class LoggingConfigException extends Exception {
    public LoggingConfigException(String message) {
        super(message);
    }
}
