package org.harpd.logging;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** {@code logging.StreamHandler}: one line per record, flushed at once. */
public final class StreamHandler extends PythonHandler {
    private final OutputStream out;

    public StreamHandler(OutputStream out) {
        this.out = out;
    }

    @Override
    protected void emit(PythonLogRecord record, String formatted) throws IOException {
        out.write((formatted + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
