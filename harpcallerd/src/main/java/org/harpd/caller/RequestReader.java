package org.harpd.caller;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The front of a client connection, up to a parsed request: the connection limit, the whole-request deadline, the
 * bound on bytes held by incomplete request lines over all connections, line framing and
 * {@link ClientRequestParser}; refusals are answered here. The one request a connection carries goes to the
 * {@link Handler}, which answers it.
 */
final class RequestReader {
    /** How long a refused connection is drained after the reply before it is closed. */
    static final int LINGER_SECONDS = 2;

    /** What is done with a parsed request; a {@link RequestException} is answered as a refusal. */
    @FunctionalInterface
    interface Handler {
        void handle(ChannelHandlerContext ctx, ClientRequest request) throws RequestException;
    }

    private final Handler handler;
    private final CallerMetrics metrics;
    /** Client connections open now, for {@code limits.max_connections}. */
    private final AtomicInteger connections = new AtomicInteger();
    /** Bytes of request lines received but not yet complete, over every connection. */
    private final AtomicLong pendingBytes = new AtomicLong();

    RequestReader(Handler handler) {
        this(handler, CallerMetrics.NONE);
    }

    RequestReader(Handler handler, CallerMetrics metrics) {
        this.handler = handler;
        this.metrics = metrics;
    }

    /** Sets up a new connection's pipeline under the limits in force. */
    void init(Channel ch, CallerConfig.Limits limits) {
        Request request = new Request(limits);
        ch.pipeline().addLast(new PendingBytes(request),
                new LineBasedFrameDecoder(limits.maxRequestBytes(), true, true), request);
    }

    /** Connections open now. */
    int connections() {
        return connections.get();
    }

    /** Bytes of incomplete request lines held now. */
    long pendingBytes() {
        return pendingBytes.get();
    }

    static ByteBuf line(JsonNode message) {
        return line(message.toString());
    }

    static ByteBuf line(String json) {
        return Unpooled.wrappedBuffer((json + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Counts what a connection sends before its request line is complete, against
     * {@code limits.max_pending_bytes} over all connections: many slow clients with long partial lines must not
     * hold the heap. The count is given back when the line is complete or the connection closes.
     */
    private final class PendingBytes extends ChannelInboundHandlerAdapter {
        private final Request request;
        private long held;

        PendingBytes(Request request) {
            this.request = request;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (request.received) {
                ReferenceCountUtil.release(msg); // one request per connection: later bytes are not kept
                return;
            }
            int n = ((ByteBuf) msg).readableBytes();
            held += n;
            if (pendingBytes.addAndGet(n) > request.limits.maxPendingBytes()) {
                ReferenceCountUtil.release(msg);
                giveBack();
                request.refuse(ctx, "overloaded", "too many incomplete requests held; try again later");
                return;
            }
            ctx.fireChannelRead(msg);
            if (request.received) {
                giveBack();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            giveBack();
            ctx.fireChannelInactive();
        }

        private void giveBack() {
            pendingBytes.addAndGet(-held);
            held = 0;
        }
    }

    private final class Request extends SimpleChannelInboundHandler<ByteBuf> {
        private final CallerConfig.Limits limits;
        private boolean received;
        /** Answered without taking a request: the connection ends when the client closes its side. */
        private boolean refused;
        private ScheduledFuture<?> deadline;

        Request(CallerConfig.Limits limits) {
            this.limits = limits;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            metrics.clientConnected();
            if (connections.incrementAndGet() > limits.maxConnections()) {
                refuse(ctx, "overloaded", "too many connections; try again later");
            } else {
                // from the accept, not per silence: a byte every few seconds does not hold a connection open
                deadline = ctx.executor().schedule(() -> refuse(ctx, "invalid_request",
                        "no complete request within " + limits.requestSeconds() + " s"),
                        limits.requestSeconds(), TimeUnit.SECONDS);
            }
            ctx.fireChannelActive();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            connections.decrementAndGet();
            metrics.clientDisconnected();
            if (deadline != null) {
                deadline.cancel(false);
            }
            ctx.fireChannelInactive();
        }

        /**
         * Answers once and ends the connection, unless a request was already taken. Event loop only. The reply is
         * followed by a half-close, and what the client still sends is read and dropped until it closes too (or
         * {@link #LINGER_SECONDS}): closing with unread input would reset the connection, and the client could
         * lose the reply. Such a connection still counts against {@code max_connections}. One beyond that limit
         * is closed at once, as lingering would let a flood hold sockets.
         */
        void refuse(ChannelHandlerContext ctx, String type, String message) {
            if (received) {
                return;
            }
            received = true;
            refused = true;
            metrics.clientRejected(type);
            if (deadline != null) {
                deadline.cancel(false);
            }
            boolean overLimit = connections.get() > limits.maxConnections();
            ctx.writeAndFlush(line(Json.error(type, message))).addListener(f -> {
                if (!(ctx.channel() instanceof DuplexChannel ch) || overLimit || !f.isSuccess()
                        || ch.isInputShutdown()) {
                    ctx.close();
                    return;
                }
                ch.shutdownOutput();
                ctx.executor().schedule(() -> ctx.close(), LINGER_SECONDS, TimeUnit.SECONDS);
            });
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
            if (received) {
                return; // one request per connection
            }
            received = true;
            deadline.cancel(false);
            ctx.channel().config().setAutoRead(false);
            try {
                byte[] line = new byte[frame.readableBytes()];
                frame.readBytes(line);
                handler.handle(ctx, ClientRequestParser.parse(line));
            } catch (RequestException e) {
                metrics.clientRejected(e.type());
                reject(ctx, e.type(), e.getMessage());
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event instanceof ChannelInputShutdownEvent && refused) {
                ctx.close();
                return;
            }
            if (event instanceof ChannelInputShutdownEvent && !received) {
                refuse(ctx, "invalid_request", "connection closed before a complete request line");
                return;
            }
            super.userEventTriggered(ctx, event);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Throwable c = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
            if (c instanceof TooLongFrameException && !received) {
                refuse(ctx, "invalid_request", "request longer than " + limits.maxRequestBytes() + " bytes");
            } else {
                ctx.close();
            }
        }
    }

    static void reject(ChannelHandlerContext ctx, String type, String message) {
        ctx.writeAndFlush(line(Json.error(type, message))).addListener(ChannelFutureListener.CLOSE);
    }

}
