package org.harpd.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.harpd.protocol.ErrorType;
import org.harpd.protocol.Messages;

/**
 * Reads the one request line a connection carries and passes it on as a {@link RequestLine}.
 * Refuses a line longer than the bound, any byte after the newline (whether it came with the request or
 * later, while the call runs), and an end of input before the newline.
 */
final class RequestFrameDecoder extends ChannelInboundHandlerAdapter {
    /**
     * After a refusal, how long input may pause before the connection closes: until then what the client
     * still sends is read and dropped, so its unread answer is not destroyed by a reset (see
     * {@link ConnectionReply#finishKeepingOpen}).
     */
    static final long DRAIN_IDLE_MILLIS = 500;
    /** ... and how long draining may last in all, however much the client sends. */
    static final long DRAIN_MAX_MILLIS = 5_000;

    private final int maxRequestBytes;
    private ByteBuf pending;
    private boolean requestComplete;
    private ScheduledFuture<?> drainIdle;
    private ScheduledFuture<?> drainLimit;

    RequestFrameDecoder(int maxRequestBytes) {
        this.maxRequestBytes = maxRequestBytes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            if (drainIdle != null) {
                keepDraining(ctx);
                return;
            }
            if (ConnectionReply.isFinished(ctx.channel()) || !in.isReadable()) {
                return;
            }
            if (requestComplete) {
                refuseWhileReceiving(ctx, "excessive data after request");
                return;
            }
            accept(ctx, in);
        } finally {
            ReferenceCountUtil.release(in);
        }
    }

    private void accept(ChannelHandlerContext ctx, ByteBuf in) {
        int buffered = pending == null ? 0 : pending.readableBytes();
        int newline = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
        int lineBytes = buffered + (newline < 0 ? in.readableBytes() : newline - in.readerIndex());
        if (lineBytes > maxRequestBytes) {
            refuseWhileReceiving(ctx, "request too long");
            return;
        }
        if (newline < 0) {
            if (pending == null) {
                pending = ctx.alloc().buffer(Math.min(in.readableBytes() * 2, maxRequestBytes));
            }
            pending.writeBytes(in);
            return;
        }
        if (newline + 1 < in.writerIndex()) {
            refuseWhileReceiving(ctx, "excessive data after request");
            return;
        }
        byte[] line = new byte[lineBytes];
        if (pending != null) {
            pending.readBytes(line, 0, buffered);
        }
        in.getBytes(in.readerIndex(), line, buffered, lineBytes - buffered);
        releasePending();
        requestComplete = true;
        ctx.fireChannelRead(new RequestLine(line));
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent || evt instanceof SslCloseCompletionEvent) {
            if (ConnectionReply.isFinished(ctx.channel())) {
                ctx.close();  // the client has read our last message and gone: nothing to wait for
            } else if (!requestComplete) {
                refuse(ctx, "request incomplete or too long");
            } else {
                // Closing the connection is how a client cancels its call; a half-close is no different.
                ctx.close();
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releasePending();
        stopDraining();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releasePending();
        stopDraining();
    }

    /** A refusal while the rest of the request may still be on its way: answer, drain, then close. */
    private void refuseWhileReceiving(ChannelHandlerContext ctx, String message) {
        releasePending();
        requestComplete = true;
        ConnectionReply.finishKeepingOpen(ctx.channel(), Messages.error(ErrorType.INVALID_REQUEST, message));
        drainLimit = ctx.executor().schedule(() -> ctx.close(), DRAIN_MAX_MILLIS, TimeUnit.MILLISECONDS);
        keepDraining(ctx);
    }

    private void keepDraining(ChannelHandlerContext ctx) {
        if (drainIdle != null) {
            drainIdle.cancel(false);
        }
        drainIdle = ctx.executor().schedule(() -> ctx.close(), DRAIN_IDLE_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void stopDraining() {
        for (ScheduledFuture<?> timer : new ScheduledFuture<?>[] {drainIdle, drainLimit}) {
            if (timer != null) {
                timer.cancel(false);
            }
        }
    }

    private void refuse(ChannelHandlerContext ctx, String message) {
        releasePending();
        requestComplete = true;
        ConnectionReply.finish(ctx.channel(), Messages.error(ErrorType.INVALID_REQUEST, message));
    }

    private void releasePending() {
        if (pending != null) {
            pending.release();
            pending = null;
        }
    }
}
