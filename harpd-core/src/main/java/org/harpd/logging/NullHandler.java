package org.harpd.logging;

/** {@code logging.NullHandler}: accepts records and does nothing with them. */
public final class NullHandler extends PythonHandler {
    @Override
    protected void emit(PythonLogRecord record, String formatted) {
    }
}
