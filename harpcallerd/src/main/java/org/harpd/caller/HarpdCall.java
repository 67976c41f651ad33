package org.harpd.caller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import org.harpd.client.HarpClient;

/**
 * One job's call to harpd on the shared Netty event loops: no thread waits for harpd. The request line is the
 * project's client's ({@link HarpClient#requestLine}); the exchange is the harpd wire protocol: an
 * acknowledgement, stream packets, one end message. {@code timeout} bounds each wait for harpd (connecting,
 * the TLS handshake and every message); {@code max_exec_time} bounds the whole call from its start.
 */
final class HarpdCall {
    /** The longest line harpd may send (one stream packet or the result). */
    static final int MAX_LINE = 64 * 1024 * 1024;

    private final JobEvents events;
    private final Job job;
    private volatile Channel channel;
    private volatile boolean closeRequested;

    private HarpdCall(JobEvents events, Job job) {
        this.events = events;
        this.job = job;
    }

    /**
     * Starts the job's call; what harpd sends goes to {@code events}.
     *
     * @param trust the certificate policy for the handshake and the name check (one policy across a reload)
     */
    static HarpdCall start(JobEvents events, Job job, HostRegistry.Host host, TrustPolicy trust,
                           EventLoopGroup group) {
        HarpdCall call = new HarpdCall(events, job);
        call.connect(host, trust, group);
        return call;
    }

    private void connect(HostRegistry.Host host, TrustPolicy trust, EventLoopGroup group) {
        byte[] request = HarpClient.builder().host(host.address()).port(host.port()).user(host.user())
                .password(host.password()).trustAll().build().requestLine(job.procedure, job.arguments);
        SSLEngine engine = trust.context().createSSLEngine(host.address(), host.port());
        engine.setUseClientMode(true);
        long timeoutMs = TimeUnit.SECONDS.toMillis(job.timeoutSeconds);
        Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(timeoutMs, Integer.MAX_VALUE))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        SslHandler ssl = new SslHandler(engine);
                        ssl.setHandshakeTimeoutMillis(timeoutMs);
                        ch.pipeline().addLast(ssl,
                                new IdleStateHandler(job.timeoutSeconds, 0, 0),
                                new LineBasedFrameDecoder(MAX_LINE, true, true),
                                new Reply(ssl, request, host, trust));
                    }
                });
        ChannelFuture connecting = b.connect(host.address(), host.port());
        channel = connecting.channel();
        ScheduledFuture<?> deadline = channel.eventLoop().schedule(() -> fail("timeout",
                "maximum execution time exceeded"), job.maxExecSeconds, TimeUnit.SECONDS);
        channel.closeFuture().addListener(f -> deadline.cancel(false));
        connecting.addListener(f -> {
            if (!f.isSuccess()) {
                failWith(f.cause());
            } else if (closeRequested) {
                channel.close();
            }
        });
    }

    /** Closes the connection to harpd (which cancels the call there). */
    void close() {
        closeRequested = true;
        Channel c = channel;
        if (c != null) {
            c.close();
        }
    }

    private void fail(String type, String message) {
        events.end(job, Json.error(type, message));
        close();
    }

    private void failWith(Throwable cause) {
        Throwable c = cause;
        if (c instanceof DecoderException && c.getCause() != null) {
            c = c.getCause();
        }
        String message = c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
        if (c instanceof SSLException) {
            fail("ssl", message);
        } else if (c instanceof TooLongFrameException) {
            fail("protocol_error", "harpd sent a line longer than " + MAX_LINE + " bytes");
        } else if (c instanceof io.netty.channel.ConnectTimeoutException) {
            fail("timeout", "connecting timed out");
        } else if (c instanceof ConnectException) {
            fail(message.contains("refused") ? "econnrefused" : "network_error", message);
        } else if (c instanceof NoRouteToHostException) {
            fail("ehostunreach", message);
        } else if (c instanceof UnknownHostException) {
            fail("nxdomain", message);
        } else if (c instanceof IOException) {
            fail("network_error", message);
        } else {
            fail("unrecognized", message);
        }
    }

    private final class Reply extends SimpleChannelInboundHandler<ByteBuf> {
        private final SslHandler ssl;
        private final byte[] request;
        private final HostRegistry.Host host;
        private final TrustPolicy trust;
        private boolean acknowledged;

        Reply(SslHandler ssl, byte[] request, HostRegistry.Host host, TrustPolicy trust) {
            this.ssl = ssl;
            this.request = request;
            this.host = host;
            this.trust = trust;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ssl.handshakeFuture().addListener(f -> {
                if (f.isSuccess()) {
                    // the request carries the host's password: sent only to a certificate that names the host
                    String problem = trust.nameProblem(ssl.engine().getSession(), host);
                    if (problem != null) {
                        fail("ssl", problem);
                        return;
                    }
                    ctx.writeAndFlush(Unpooled.wrappedBuffer(request));
                } else {
                    failWith(f.cause());
                }
            });
            ctx.fireChannelActive();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf line) {
            JsonNode message;
            try {
                message = Json.MAPPER.readTree(line.toString(StandardCharsets.UTF_8));
            } catch (IOException e) {
                fail("protocol_error", "harpd sent a line that is not JSON");
                return;
            }
            if (message == null || !message.isObject()) {
                fail("protocol_error", "harpd sent a message that is not a JSON object");
                return;
            }
            if (message.has("error")) {
                JsonNode e = message.get("error");
                ObjectNode outcome = Json.MAPPER.createObjectNode();
                ObjectNode err = outcome.putObject("error");
                err.put("type", e.path("type").asText("unrecognized"));
                err.put("message", e.path("message").asText(""));
                if (e.has("data")) {
                    err.set("data", e.get("data"));
                }
                events.end(job, outcome);
                close();
            } else if (!acknowledged) {
                if (!message.has("stream_result")) {
                    fail("protocol_error", "harpd did not acknowledge the call");
                    return;
                }
                acknowledged = true;
            } else if (message.has("stream")) {
                events.packet(job, message.get("stream"));
            } else if (message.has("result")) {
                ObjectNode outcome = Json.MAPPER.createObjectNode();
                outcome.set("result", message.get("result"));
                events.end(job, outcome);
                close();
            } else if (message.has("exception")) {
                ObjectNode outcome = Json.MAPPER.createObjectNode();
                outcome.set("exception", message.get("exception"));
                events.end(job, outcome);
                close();
            } else {
                fail("protocol_error", "harpd sent an unexpected message");
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event instanceof IdleStateEvent) {
                fail("timeout", "reading result timed out");
            }
            super.userEventTriggered(ctx, event);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            fail("closed", "harpd closed the connection before the result");
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            failWith(cause);
        }
    }
}
