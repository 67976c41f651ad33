package org.harpd.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * The benchmark's client on BoringSSL, so that a call's client side costs about what an OpenSSL-based client's
 * does (the Python client's, through CPython's ssl): the JDK's TLS client alone spends more CPU per handshake
 * than the daemon does, and client and daemon share the two cores.
 */
final class OpenSslClient {
    private static final int MAX_LINE = 1 << 20;

    private final EventLoopGroup group = new NioEventLoopGroup(1, runnable -> {
        Thread thread = new Thread(runnable, "bench-client-io");
        thread.setDaemon(true);
        return thread;
    });
    private final SslContext tls;

    OpenSslClient() {
        if (!OpenSsl.isAvailable()) {
            throw new IllegalStateException("OpenSSL is not available: " + OpenSsl.unavailabilityCause());
        }
        try {
            tls = SslContextBuilder.forClient().sslProvider(SslProvider.OPENSSL)
                    .trustManager(InsecureTrustManagerFactory.INSTANCE).protocols("TLSv1.3", "TLSv1.2").build();
        } catch (SSLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Sends {@code request} over a new connection and returns the first line {@code verdict} says ends the call.
     *
     * @throws TimeoutException no such line within {@code timeoutMillis}
     * @throws ExecutionException the connection failed or closed first; the cause says how
     */
    String exchange(int port, byte[] request, int connectTimeoutMillis, int timeoutMillis)
            throws InterruptedException, ExecutionException, TimeoutException {
        CompletableFuture<String> answer = new CompletableFuture<>();
        Channel channel = bootstrap(connectTimeoutMillis)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        SslHandler handler = tls.newHandler(ch.alloc(), "127.0.0.1", port);
                        ch.pipeline().addLast(handler, new LineBasedFrameDecoder(MAX_LINE), new Reader(request, answer));
                    }
                })
                .connect("127.0.0.1", port)
                .addListener(connected -> {
                    if (!connected.isSuccess()) {
                        answer.completeExceptionally(connected.cause());
                    }
                }).channel();
        try {
            return answer.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } finally {
            channel.close();
        }
    }

    private Bootstrap bootstrap(int connectTimeoutMillis) {
        return new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis);
    }

    /** The protocol and cipher suite of a handshake with the daemon. */
    String negotiated(int port) throws Exception {
        CompletableFuture<String> session = new CompletableFuture<>();
        Channel channel = bootstrap(10_000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        SslHandler handler = tls.newHandler(ch.alloc(), "127.0.0.1", port);
                        handler.handshakeFuture().addListener(done -> {
                            if (done.isSuccess()) {
                                session.complete(handler.engine().getSession().getProtocol() + " "
                                        + handler.engine().getSession().getCipherSuite());
                            } else {
                                session.completeExceptionally(done.cause());
                            }
                        });
                        ch.pipeline().addLast(handler);
                    }
                })
                .connect("127.0.0.1", port).sync().channel();
        try {
            return session.get(10, TimeUnit.SECONDS);
        } finally {
            channel.close();
        }
    }

    private static final class Reader extends SimpleChannelInboundHandler<ByteBuf> {
        private final byte[] request;
        private final CompletableFuture<String> answer;

        Reader(byte[] request, CompletableFuture<String> answer) {
            this.request = request;
            this.answer = answer;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            // the TLS handler holds the line until its handshake is done, when a blocking client would send it
            ctx.writeAndFlush(Unpooled.wrappedBuffer(request));
            ctx.fireChannelActive();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf line) throws Exception {
            String text = line.toString(StandardCharsets.UTF_8);
            if (Call.verdict(Call.parse(text)) != null) {
                answer.complete(text);
                ctx.close();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            answer.completeExceptionally(new java.io.EOFException("closed before result"));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            answer.completeExceptionally(cause);
            ctx.close();
        }
    }
}
