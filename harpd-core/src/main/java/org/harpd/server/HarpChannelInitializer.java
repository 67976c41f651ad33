package org.harpd.server;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import org.harpd.logging.EventLog;

/**
 * Builds each connection's pipeline: TLS, then either the overload refusal or
 * request framing, read timeout and the call itself.
 */
final class HarpChannelInitializer extends ChannelInitializer<SocketChannel> {
    private static final EventLog LOG = EventLog.get("harpd");
    private static final long CLOSE_LINGER_MILLIS = 2000;

    private final ServerSettings settings;
    private final SslContext sslContext;
    private final ConnectionLimit limit;
    private final CallServices services;

    HarpChannelInitializer(ServerSettings settings, SslContext sslContext, ConnectionLimit limit,
                           CallServices services) {
        this.settings = settings;
        this.sslContext = sslContext;
        this.limit = limit;
        this.services = services;
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        ClientAddress client = ClientAddress.of(channel);
        LOG.info("new client connected", client.logContext());
        services.metrics().connectionOpened();
        channel.closeFuture().addListener(closed -> services.metrics().connectionClosed());

        SslHandler tls = sslContext.newHandler(channel.alloc());
        // a client stalling the handshake gets no more time than one stalling its request
        tls.setHandshakeTimeoutMillis(settings.readTimeout().toMillis());
        // After our last message, wait a little for the client's close_notify instead of closing at once:
        // closing with the client's bytes still unread would reset the connection, and a reset can make
        // the client's TCP stack drop our answer before the client has read it.
        tls.setCloseNotifyReadTimeoutMillis(Math.min(settings.readTimeout().toMillis(), CLOSE_LINGER_MILLIS));
        ChannelPipeline pipeline = channel.pipeline();
        pipeline.addLast("tls", tls);

        if (!limit.tryAcquire()) {
            LOG.warn("too many connections", client.logContext());
            pipeline.addLast("overloaded", new OverloadedRejecter());
            return;
        }
        channel.closeFuture().addListener(closed -> limit.release());
        pipeline.addLast("request-frame", new RequestFrameDecoder(settings.maxRequestBytes()));
        pipeline.addLast("request-timeout", new RequestTimeoutHandler(settings.readTimeout()));
        pipeline.addLast("authentication", new AuthenticationHandler(services));
        pipeline.addLast("call", new CallRequestHandler(services));
    }
}
