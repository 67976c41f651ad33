package org.harpd.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import org.harpd.protocol.ErrorType;
import org.harpd.protocol.Messages;

/**
 * The whole pipeline of a connection beyond the limit: once TLS is up (so the client can read it), say
 * {@code overloaded} and close, without reading the request.
 */
final class OverloadedRejecter extends ChannelInboundHandlerAdapter {
    static final String MESSAGE = "too many connections";

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent handshake) {
            if (handshake.isSuccess()) {
                ConnectionReply.finish(ctx.channel(), Messages.error(ErrorType.OVERLOADED, MESSAGE));
            } else {
                ConnectionReply.abort(ctx.channel());
            }
        } else if (evt instanceof ChannelInputShutdownEvent || evt instanceof SslCloseCompletionEvent) {
            ctx.close();
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ConnectionReply.abort(ctx.channel());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
    }
}
