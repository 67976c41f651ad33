package org.harpd.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.harpd.logging.EventLog;
import org.harpd.metrics.Metrics;
import org.harpd.pool.CallSink;
import org.harpd.protocol.ErrorType;
import org.harpd.protocol.HarpError;
import org.harpd.protocol.Json;
import org.harpd.protocol.Messages;

/**
 * Delivers a call's output to its connection. Worker threads call in; every write is handed to the
 * channel's event loop, whose task queue keeps the order in which the worker produced the lines.
 *
 * <p>Slow readers: stream lines the client has not taken yet (queued for the event loop or waiting in the
 * socket's outbound buffer) are counted. Beyond {@link #DEFAULT_MAX_PENDING_BYTES} the call is ended with
 * {@code overloaded} and its worker killed, so a client that stops reading while a procedure streams costs
 * the listener a bounded amount of memory. The worker is never paused instead: the sink is called under the
 * call's lock, and waiting there for the client would hold up cancellation and the pool's timers.
 */
final class ChannelCallSink implements CallSink {
    /** Unread output allowed per connection; a reading client stays far below it (the socket drains it). */
    static final long DEFAULT_MAX_PENDING_BYTES = 4L * 1024 * 1024;
    static final String SLOW_READER = "client is not reading the output fast enough";

    private static final EventLog LOG = EventLog.get("harpd");

    private final Channel channel;
    private final Ended onEnd;
    private final long maxPendingBytes;
    private final AtomicLong pendingBytes = new AtomicLong();
    private final AtomicBoolean overflowed = new AtomicBoolean();

    /** What {@link ChannelCallSink} tells of the call's end. */
    interface Ended {
        /**
         * @param failure the failure, or null when the worker sent the last line
         * @param outcome {@link Metrics#RESULT}, {@link Metrics#EXCEPTION}, or an error type's wire name
         */
        void ended(HarpError failure, String outcome);
    }

    /** @param onEnd run on the event loop when the call ends, before the last line */
    ChannelCallSink(Channel channel, Ended onEnd) {
        this(channel, onEnd, DEFAULT_MAX_PENDING_BYTES);
    }

    ChannelCallSink(Channel channel, Ended onEnd, long maxPendingBytes) {
        this.channel = channel;
        this.onEnd = onEnd;
        this.maxPendingBytes = maxPendingBytes;
    }

    @Override
    public void stream(byte[] line) {
        if (overflowed.get()) {
            return;
        }
        int size = line.length;
        if (pendingBytes.addAndGet(size) > maxPendingBytes) {
            pendingBytes.addAndGet(-size);
            if (overflowed.compareAndSet(false, true)) {
                onEventLoop(this::giveUpOnSlowReader);
            }
            return;
        }
        onEventLoop(() -> {
            if (ConnectionReply.isFinished(channel)) {
                pendingBytes.addAndGet(-size);
                return;
            }
            // the listener runs once the bytes are in the socket, or when the write fails (connection gone)
            channel.writeAndFlush(Unpooled.wrappedBuffer(line)).addListener(written -> pendingBytes.addAndGet(-size));
        });
    }

    /**
     * Ends the exchange without {@code onEnd}: for the handler the call is still running, so the
     * {@link ConnectionReply#FINISHED_EVENT} makes it cancel the call and kill the worker.
     */
    private void giveUpOnSlowReader() {
        if (ConnectionReply.isFinished(channel)) {
            return;
        }
        ClientAddress client = ClientAddress.of(channel);
        LOG.warn("client not reading, call cancelled", client.logContext("pending_bytes", pendingBytes.get()));
        ConnectionReply.finish(channel, Messages.error(ErrorType.OVERLOADED, SLOW_READER));
    }

    /** Unread output in bytes (for tests and diagnostics). */
    long pendingBytes() {
        return pendingBytes.get();
    }

    @Override
    public void completed(byte[] line) {
        onEventLoop(() -> {
            onEnd.ended(null, outcome(line));
            ConnectionReply.finish(channel, line);
        });
    }

    @Override
    public void failed(HarpError error) {
        onEventLoop(() -> {
            onEnd.ended(error, error.type().wireName());
            ConnectionReply.finish(channel, Messages.error(error));
        });
    }

    /**
     * The outcome a final line from the worker reports. Its one key comes first (the worker sorts keys): a
     * {@code result}, an {@code exception}, or an {@code error} whose type is read from the line.
     */
    static String outcome(byte[] line) {
        if (startsWith(line, "{\"result\"")) {
            return Metrics.RESULT;
        }
        if (startsWith(line, "{\"exception\"")) {
            return Metrics.EXCEPTION;
        }
        try {
            String type = Json.MAPPER.readTree(line).path("error").path("type").asText("");
            return ErrorType.fromWireName(type).wireName();
        } catch (IOException | IllegalArgumentException e) {
            return ErrorType.SYSTEM_ERROR.wireName(); // not a reply the protocol knows: harpd's failure
        }
    }

    private static boolean startsWith(byte[] line, String prefix) {
        byte[] bytes = prefix.getBytes(StandardCharsets.US_ASCII);
        return line.length >= bytes.length && Arrays.equals(line, 0, bytes.length, bytes, 0, bytes.length);
    }

    private void onEventLoop(Runnable task) {
        try {
            channel.eventLoop().execute(task);
        } catch (RejectedExecutionException e) {
            // the server has shut its event loops down; the connection is gone with them
        }
    }
}
