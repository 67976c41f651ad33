package org.harpd.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.util.AttributeKey;

/**
 * The one place that writes to the client. A connection gets exactly one final message (result, exception
 * or error) and is then closed; whoever comes second (a late stream line, an excessive-data error racing a
 * result) is dropped, so the client never sees two endings. Call only on the channel's event loop.
 */
final class ConnectionReply {
    private static final AttributeKey<Boolean> FINISHED = AttributeKey.valueOf(ConnectionReply.class, "finished");

    /** Fired once, when the connection's last message has been written or the connection aborted. */
    static final Object FINISHED_EVENT = new Object() {
        @Override
        public String toString() {
            return "ConnectionReply.FINISHED_EVENT";
        }
    };

    private ConnectionReply() {
    }

    static boolean isFinished(Channel channel) {
        return Boolean.TRUE.equals(channel.attr(FINISHED).get());
    }

    /** A message that does not end the exchange: the acknowledgement or a stream line. */
    static void send(Channel channel, byte[] line) {
        if (!isFinished(channel)) {
            channel.writeAndFlush(Unpooled.wrappedBuffer(line), channel.voidPromise());
        }
    }

    /**
     * The last message: written, flushed, then the connection is closed. Handlers learn of it through
     * the {@link #FINISHED_EVENT} user event, as the close itself may wait for the client's TLS close_notify.
     */
    static void finish(Channel channel, byte[] line) {
        if (markFinished(channel)) {
            channel.writeAndFlush(Unpooled.wrappedBuffer(line)).addListener(ChannelFutureListener.CLOSE);
            channel.pipeline().fireUserEventTriggered(FINISHED_EVENT);
        }
    }

    /**
     * The last message, without closing: for a refusal while the client may still be sending. Closing a
     * socket with unread input makes the kernel send a reset, and a reset throws away what the client has
     * not read yet, this message included; the caller keeps reading (and discarding) and closes later.
     */
    static void finishKeepingOpen(Channel channel, byte[] line) {
        if (markFinished(channel)) {
            channel.writeAndFlush(Unpooled.wrappedBuffer(line), channel.voidPromise());
            channel.pipeline().fireUserEventTriggered(FINISHED_EVENT);
        }
    }

    /** End the exchange without a message (nothing can be delivered, e.g. the TLS handshake failed). */
    static void abort(Channel channel) {
        if (markFinished(channel)) {
            channel.pipeline().fireUserEventTriggered(FINISHED_EVENT);
        }
        channel.close();
    }

    private static boolean markFinished(Channel channel) {
        return channel.attr(FINISHED).compareAndSet(null, Boolean.TRUE);
    }
}
