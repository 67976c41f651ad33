package org.harpd.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.harpd.protocol.ErrorType;
import org.harpd.protocol.Messages;

/**
 * Gives a client a fixed time, from the moment it connects, to deliver its whole request line, so a silent
 * or trickling client cannot hold a connection forever. Sits after {@link RequestFrameDecoder}.
 */
final class RequestTimeoutHandler extends ChannelInboundHandlerAdapter {
    private final Duration timeout;
    private ScheduledFuture<?> timer;
    private boolean requestArrived;

    RequestTimeoutHandler(Duration timeout) {
        this.timeout = timeout;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            start(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof RequestLine) {
            requestArrived = true;
            stop();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        stop();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stop();
    }

    private void start(ChannelHandlerContext ctx) {
        if (timer == null && !requestArrived) {
            timer = ctx.executor().schedule(() -> expire(ctx), timeout.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private void expire(ChannelHandlerContext ctx) {
        if (!requestArrived) {
            ConnectionReply.finish(ctx.channel(), Messages.error(ErrorType.INVALID_REQUEST, "request read timeout"));
        }
    }

    private void stop() {
        if (timer != null) {
            timer.cancel(false);
        }
    }
}
