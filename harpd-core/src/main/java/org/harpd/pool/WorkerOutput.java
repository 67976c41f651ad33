package org.harpd.pool;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.harpd.logging.EventLog;

/**
 * What a worker writes to its stderr — JVM warnings, Jython's messages, and what procedures and the programs they
 * run print (the worker points its stdout there too, once it has moved the protocol off fd 1) — read from a pipe
 * and logged, one record per line, as that worker's output. A worker never holds the listener's own stderr: a
 * procedure could truncate or rewrite the file it is (as {@code /dev/stderr} or {@code /proc/self/fd/2}), or
 * write into the middle of the listener's records.
 */
final class WorkerOutput {
    private static final EventLog LOG = EventLog.get("harpd.worker");

    /** Longer lines are cut: the first this many bytes are logged, with the count of the rest. */
    static final int MAX_LINE = 4 * 1024;
    /** A reader thread blocks in read and copies bytes: it needs no more stack than this. */
    private static final long STACK_SIZE = 256 * 1024;

    private final InputStream in;
    private final Consumer<Line> sink;
    private final byte[] buffer = new byte[8 * 1024];
    private final byte[] line = new byte[MAX_LINE];
    private int length;
    private long dropped;

    /** One line of output, without its newline; {@code dropped} bytes of it were cut off. */
    record Line(String text, long dropped) {
    }

    WorkerOutput(InputStream in, Consumer<Line> sink) {
        this.in = in;
        this.sink = sink;
    }

    /** Log the process's stderr until it closes it, on a thread of its own. */
    static void follow(Process process) {
        long pid = process.pid();
        WorkerOutput output = new WorkerOutput(process.getErrorStream(), l -> log(pid, l));
        Thread reader = new Thread(null, output::readToEnd, "harpd-worker-output-" + pid, STACK_SIZE);
        reader.setDaemon(true);
        reader.start();
    }

    private static void log(long pid, Line line) {
        if (line.dropped() == 0) {
            LOG.warn("worker output", "pid", pid, "line", line.text());
        } else {
            LOG.warn("worker output", "pid", pid, "line", line.text(), "bytes_cut", line.dropped());
        }
    }

    /** Until end of file; an unterminated last line counts as a line. */
    void readToEnd() {
        try (in) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                for (int i = 0; i < n; i++) {
                    byte b = buffer[i];
                    if (b == '\n') {
                        emit();
                    } else if (length < MAX_LINE) {
                        line[length++] = b;
                    } else {
                        dropped++;
                    }
                }
            }
        } catch (IOException e) {
            // the pipe broke: the worker is gone, as at end of file
        }
        if (length > 0 || dropped > 0) {
            emit();
        }
    }

    private void emit() {
        int end = length;
        if (end > 0 && line[end - 1] == '\r') {
            end--;
        }
        sink.accept(new Line(new String(line, 0, end, StandardCharsets.UTF_8), dropped));
        length = 0;
        dropped = 0;
    }
}
