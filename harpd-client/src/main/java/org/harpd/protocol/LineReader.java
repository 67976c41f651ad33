package org.harpd.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits a byte stream into newline-terminated lines, each at most a given length: the worker's messages to the
 * listener, the listener's commands to the worker and the daemon's replies to the client. One thread reads.
 *
 * <p>A line is returned with its newline, as it came, so that a reader forwarding it (a worker's result on its way
 * to the client) needs no copy. Bytes after the last newline at the end of the stream are no line; whether they
 * are an error is the caller's to say ({@link #endedMidLine()}). A line longer than the read buffer is gathered
 * in an array grown up to the limit, never beyond, so a peer can make the reader hold at most the limit (and one
 * copy of it) at a time.
 */
public final class LineReader {
    /** Where the bytes come from: {@link InputStream#read(byte[])}'s contract, -1 at the end. */
    @FunctionalInterface
    public interface Source {
        int read(byte[] buffer) throws IOException;
    }

    /** More than the allowed line length arrived without a newline. */
    public static final class LineTooLongException extends IOException {
        private final int maxLineBytes;

        LineTooLongException(int maxLineBytes) {
            super("line longer than " + maxLineBytes + " bytes", null);
            this.maxLineBytes = maxLineBytes;
        }

        /** The limit that was passed, newline included. */
        public int maxLineBytes() {
            return maxLineBytes;
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this; // an expected outcome: a peer sent too much, the caller says so
        }
    }

    /** For a peer that is trusted not to send lines beyond what a Java array holds. */
    public static final int UNBOUNDED = Integer.MAX_VALUE - 8;

    private final Source source;
    private final int maxLineBytes;
    private final byte[] buffer;
    private int start;
    private int end;
    private boolean endedMidLine;

    /**
     * @param maxLineBytes the longest line accepted, newline included
     * @param bufferBytes  how much is read at once
     */
    public LineReader(Source source, int maxLineBytes, int bufferBytes) {
        if (maxLineBytes < 1 || maxLineBytes > UNBOUNDED || bufferBytes < 1) {
            throw new IllegalArgumentException("line limit " + maxLineBytes + ", buffer " + bufferBytes);
        }
        this.source = source;
        this.maxLineBytes = maxLineBytes;
        this.buffer = new byte[bufferBytes];
    }

    public LineReader(InputStream in, int maxLineBytes, int bufferBytes) {
        this(in::read, maxLineBytes, bufferBytes);
    }

    /**
     * The next line, newline included, or null at the end of the stream.
     *
     * @throws LineTooLongException when {@code maxLineBytes} bytes have come without a newline among them; the
     *                              stream is then no longer split (see {@link #drain()})
     */
    public byte[] next() throws IOException {
        byte[] longLine = null;
        int longLength = 0;
        while (true) {
            for (int i = start; i < end; i++) {
                if (buffer[i] == '\n') {
                    int length = i + 1 - start;
                    if ((long) longLength + length > maxLineBytes) {
                        throw new LineTooLongException(maxLineBytes);
                    }
                    int from = start;
                    start = i + 1;
                    if (longLine == null) {
                        return Arrays.copyOfRange(buffer, from, i + 1);
                    }
                    longLine = fit(longLine, longLength + length);
                    System.arraycopy(buffer, from, longLine, longLength, length);
                    longLength += length;
                    return longLine.length == longLength ? longLine : Arrays.copyOf(longLine, longLength);
                }
            }
            int pending = end - start;
            if (pending > 0) {
                // a newline in what comes next would make the line longer still
                if ((long) longLength + pending >= maxLineBytes) {
                    throw new LineTooLongException(maxLineBytes);
                }
                longLine = fit(longLine, longLength + pending);
                System.arraycopy(buffer, start, longLine, longLength, pending);
                longLength += pending;
            }
            start = 0;
            end = 0;
            int n = source.read(buffer);
            if (n < 0) {
                endedMidLine = longLength > 0;
                return null;
            }
            end = n;
        }
    }

    /** Whether the stream ended with bytes after its last newline (only meaningful once {@link #next()} gave null). */
    public boolean endedMidLine() {
        return endedMidLine;
    }

    /** Reads and drops everything up to the end of the stream. */
    public void drain() throws IOException {
        start = 0;
        end = 0;
        while (source.read(buffer) >= 0) {
            // discarded: nothing after an overlong line is trusted to be a line
        }
    }

    /** {@code line}, or a copy with room for {@code needed} bytes: doubled, at most the limit. */
    private byte[] fit(byte[] line, int needed) {
        if (line != null && line.length >= needed) {
            return line;
        }
        long doubled = line == null ? 2L * buffer.length : 2L * line.length;
        int capacity = (int) Math.min(Math.max(needed, doubled), maxLineBytes);
        return line == null ? new byte[capacity] : Arrays.copyOf(line, capacity);
    }
}
