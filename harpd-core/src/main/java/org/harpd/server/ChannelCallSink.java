package org.harpd.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.harpd.logging.EventLog;
import org.harpd.pool.CallSink;
import org.harpd.protocol.ErrorType;
import org.harpd.protocol.HarpError;
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
    private final Consumer<HarpError> onEnd;
    private final long maxPendingBytes;
    private final AtomicLong pendingBytes = new AtomicLong();
    private final AtomicBoolean overflowed = new AtomicBoolean();

    /** @param onEnd run on the event loop when the call ends, with the failure or null, before the last line */
    ChannelCallSink(Channel channel, Consumer<HarpError> onEnd) {
        this(channel, onEnd, DEFAULT_MAX_PENDING_BYTES);
    }

    ChannelCallSink(Channel channel, Consumer<HarpError> onEnd, long maxPendingBytes) {
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
            onEnd.accept(null);
            ConnectionReply.finish(channel, line);
        });
    }

    @Override
    public void failed(HarpError error) {
        onEventLoop(() -> {
            onEnd.accept(error);
            ConnectionReply.finish(channel, Messages.error(error));
        });
    }

    private void onEventLoop(Runnable task) {
        try {
            channel.eventLoop().execute(task);
        } catch (RejectedExecutionException e) {
            // the server has shut its event loops down; the connection is gone with them
        }
    }
}
