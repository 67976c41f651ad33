package org.harpd.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.io.IOException;
import java.util.List;

/**
 * A Python logging handler as a Logback appender: its own level threshold (compared with the record's
 * Python level number, so CRITICAL and custom levels behave as in Python), name filters, and formatter.
 * Logback serializes {@code doAppend}, which plays the part of the handler's lock.
 */
public abstract class PythonHandler extends AppenderBase<ILoggingEvent> {
    private volatile int level = PythonLevels.NOTSET;
    private volatile PythonFormat format = PythonFormat.of(PythonFormat.DEFAULT);
    private volatile List<String> filters = List.of();
    private boolean failing;

    public void setLevel(int level) {
        this.level = level;
    }

    public void setFormat(PythonFormat format) {
        this.format = format;
    }

    /** Python {@code logging.Filter(name)}: pass records of that logger and its descendants. */
    public void setNameFilters(List<String> names) {
        this.filters = List.copyOf(names);
    }

    @Override
    protected void append(ILoggingEvent event) {
        PythonLogRecord record = PythonLogRecord.from(event, format.needsCallerData());
        handle(record);
    }

    /** Level and filter checks, then emit; an I/O failure is reported once on stderr, as Python's handleError. */
    public void handle(PythonLogRecord record) {
        if (record.levelno() < level || !filtersPass(record.name())) {
            return;
        }
        try {
            emit(record, format.format(record));
            failing = false;
        } catch (IOException | RuntimeException e) {
            if (!failing) {
                failing = true;
                System.err.println("harpd: logging handler '" + getName() + "' failed: " + e.getMessage());
            }
        }
    }

    private boolean filtersPass(String loggerName) {
        for (String name : filters) {
            if (!(name.isEmpty() || loggerName.equals(name) || loggerName.startsWith(name + "."))) {
                return false;
            }
        }
        return true;
    }

    protected abstract void emit(PythonLogRecord record, String formatted) throws IOException;

    /** Close whatever was opened, reopening it lazily or via {@link Reopenable}. */
    @Override
    public void stop() {
        super.stop();
        try {
            close();
        } catch (IOException e) {
            addWarn("closing " + getName() + ": " + e.getMessage());
        }
    }

    protected void close() throws IOException {
    }

    /** Handlers writing to a named file reopen it after logrotate moved it (SIGUSR1). */
    public interface Reopenable {
        void reopen() throws IOException;
    }
}
