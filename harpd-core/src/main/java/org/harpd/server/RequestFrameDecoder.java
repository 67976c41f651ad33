package org.harpd.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.harpd.protocol.ErrorType;
import org.harpd.protocol.Messages;

/**
 * Reads the one request line a connection carries and passes it on as a {@link RequestLine}.
 * Refuses a line longer than the bound, any byte after the newline (whether it came with the request or
 * later, while the call runs), and an end of input before the newline. {@link ByteToMessageDecoder} keeps the
 * part of the line received so far; once a request is refused, what the client still sends is dropped as it comes.
 */
final class RequestFrameDecoder extends ByteToMessageDecoder {
    /**
     * After a refusal, how long input may pause before the connection closes: until then what the client
     * still sends is read and dropped, so its unread answer is not destroyed by a reset (see
     * {@link ConnectionReply#finishKeepingOpen}).
     */
    static final long DRAIN_IDLE_MILLIS = 500;
    /** ... and how long draining may last in all, however much the client sends. */
    static final long DRAIN_MAX_MILLIS = 5_000;

    private final int maxRequestBytes;
    /** How many bytes of the line received so far have been searched for the newline (none had it). */
    private int searched;
    private boolean requestComplete;
    private ScheduledFuture<?> drainIdle;
    private ScheduledFuture<?> drainLimit;

    RequestFrameDecoder(int maxRequestBytes) {
        this.maxRequestBytes = maxRequestBytes;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (drainIdle != null) {
            in.skipBytes(in.readableBytes());
            keepDraining(ctx);
            return;
        }
        if (ConnectionReply.isFinished(ctx.channel())) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (requestComplete) {
            refuseWhileReceiving(ctx, in, "excessive data after request");
            return;
        }
        int newline = in.indexOf(in.readerIndex() + searched, in.writerIndex(), (byte) '\n');
        int lineBytes = newline < 0 ? in.readableBytes() : newline - in.readerIndex();
        if (lineBytes > maxRequestBytes) {
            refuseWhileReceiving(ctx, in, "request too long");
            return;
        }
        if (newline < 0) {
            searched = in.readableBytes();
            return;
        }
        if (newline + 1 < in.writerIndex()) {
            refuseWhileReceiving(ctx, in, "excessive data after request");
            return;
        }
        byte[] line = new byte[lineBytes];
        in.readBytes(line);
        in.skipBytes(1); // the newline
        requestComplete = true;
        out.add(new RequestLine(line));
    }

    /** A line cut off by the end of input is answered when the end is seen, in {@link #userEventTriggered}. */
    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        in.skipBytes(in.readableBytes());
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
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
        // then ByteToMessageDecoder decodes what is left of the input (dropped: the connection is finished or
        // closing) and passes the event on
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        super.channelInactive(ctx);
        stopDraining();
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        stopDraining();
    }

    /** A refusal while the rest of the request may still be on its way: answer, drain, then close. */
    private void refuseWhileReceiving(ChannelHandlerContext ctx, ByteBuf in, String message) {
        in.skipBytes(in.readableBytes());
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
        requestComplete = true;
        ConnectionReply.finish(ctx.channel(), Messages.error(ErrorType.INVALID_REQUEST, message));
    }
}
