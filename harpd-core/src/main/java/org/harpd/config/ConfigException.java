package org.harpd.config;

/**
 * harpd.conf cannot be used. The message is always one line, {@code <file>: <dotted.key>: <problem>}
 * (or {@code <file>: line N: YAML syntax error: ...}, {@code <file>: cannot read: ...}),
 * so that {@code harpd -t} and the start-up failure can print it as it is.
 */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    public ConfigException(String oneLineMessage) {
        super(oneLineMessage);
    }

    public ConfigException(String oneLineMessage, Throwable cause) {
        super(oneLineMessage, cause);
    }
}
