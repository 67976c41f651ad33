package org.harpd.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.harpd.auth.AuthThrottle;
import org.harpd.auth.AuthenticationFailure;
import org.harpd.logging.EventLog;
import org.harpd.protocol.CallRequest;
import org.harpd.protocol.ErrorType;
import org.harpd.protocol.HarpError;
import org.harpd.protocol.Messages;
import org.harpd.protocol.RequestParser;

/**
 * Who is calling: parses the request line, refuses an address in back-off without the module, runs the
 * authentication module on its executor (a request that waits for it longer than the deadline is told
 * {@code overloaded}), and, on the same thread since a module may take part in it, asks {@link
 * org.harpd.auth.AccessPolicy} whether the user may call the procedure and has {@link Discovery} answer a built-in
 * one. Passes an {@link AuthenticatedRequest} on to {@link CallRequestHandler}; any refusal here is the
 * connection's last message.
 */
final class AuthenticationHandler extends SimpleChannelInboundHandler<RequestLine> {
    static final String AUTH_FAILED = "unknown user or wrong password";
    static final String AUTH_QUEUE_FULL = "too many requests waiting for authentication";
    static final String BACKED_OFF = "too many failed authentications from this address";

    private static final EventLog LOG = EventLog.get("harpd");

    private final CallServices services;
    private ClientAddress client;
    /** The client closed its side: a request still authenticating goes no further. */
    private boolean clientLeft;

    AuthenticationHandler(CallServices services) {
        this.services = services;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, RequestLine line) {
        Channel channel = ctx.channel();
        client = ClientAddress.of(channel);
        CallRequest request;
        try {
            request = RequestParser.parse(line.bytes());
        } catch (HarpError e) {
            ConnectionReply.finish(channel, Messages.error(e));
            return;
        }
        InetAddress peer = peerAddress(channel);
        if (refusedByBackOff(channel, peer)) {
            return;
        }
        // Whichever comes first, an authentication thread or the deadline, answers the request; the other does
        // nothing. So a queue that moves slower than its clients wait ends in an answer, not a hang.
        AtomicBoolean claimed = new AtomicBoolean();
        long deadlineMillis = services.authQueueDeadline().toMillis();
        Future<?> deadline = channel.eventLoop().schedule(() -> {
            if (claimed.compareAndSet(false, true)) {
                ConnectionReply.finish(channel, Messages.error(ErrorType.OVERLOADED,
                        AUTH_QUEUE_FULL + ": authentication did not start within " + deadlineMillis + " ms"));
            }
        }, deadlineMillis, TimeUnit.MILLISECONDS);
        try {
            services.authExecutor().execute(() -> {
                if (claimed.compareAndSet(false, true)) {
                    deadline.cancel(false);
                    authenticate(ctx, request, peer);
                }
            });
        } catch (RejectedExecutionException e) {
            deadline.cancel(false);
            if (claimed.compareAndSet(false, true)) {
                ConnectionReply.finish(channel, Messages.error(ErrorType.OVERLOADED, AUTH_QUEUE_FULL));
            }
        }
    }

    /**
     * Answers a request from a backed-off address without the module, so that it costs no hashing. Asked again
     * when an authentication thread takes the request: what an address queued before its back-off began is
     * refused then rather than hashed.
     */
    private boolean refusedByBackOff(Channel channel, InetAddress peer) {
        if (peer == null) {
            return false;
        }
        Duration blocked = services.authThrottle().blockedFor(peer);
        if (blocked.isZero()) {
            return false;
        }
        long seconds = Math.max(1, (blocked.toMillis() + 999) / 1000);
        services.metrics().backedOffRequest();
        Runnable answer = () -> ConnectionReply.finish(channel, Messages.error(ErrorType.AUTH_ERROR,
                BACKED_OFF + ": try again in " + seconds + " s"));
        if (channel.eventLoop().inEventLoop()) {
            answer.run();
        } else {
            try {
                channel.eventLoop().execute(answer);
            } catch (RejectedExecutionException e) {
                // the server is shutting down; the connection goes with it
            }
        }
        return true;
    }

    private static InetAddress peerAddress(Channel channel) {
        return channel.remoteAddress() instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }

    /** Runs on the authentication executor. */
    private void authenticate(ChannelHandlerContext ctx, CallRequest request, InetAddress peer) {
        Channel channel = ctx.channel();
        if (!channel.isActive()) {
            return;  // the client left while queued: spare the authentication module
        }
        if (refusedByBackOff(channel, peer)) {
            return;
        }
        boolean valid = false;
        Exception failure = null;
        try {
            valid = services.authenticator().authenticate(request.user(), request.password());
        } catch (Exception e) {
            failure = e;
        }
        boolean authenticated = valid;
        Exception moduleFailure = failure;
        List<byte[]> builtIn = valid && Discovery.isBuiltIn(request.procedure())
                ? Discovery.answer(request, services.catalog(), services.access()) : null;
        boolean allowed = builtIn != null || (valid && services.access().allows(request.user(), request.procedure()));
        try {
            channel.eventLoop().execute(() -> authenticated(ctx, request, peer, authenticated, moduleFailure,
                    allowed, builtIn));
        } catch (RejectedExecutionException e) {
            // the server is shutting down; the connection goes with it
        }
    }

    /** Back on the event loop. */
    private void authenticated(ChannelHandlerContext ctx, CallRequest request, InetAddress peer, boolean valid,
                               Exception moduleFailure, boolean allowed, List<byte[]> builtIn) {
        Channel channel = ctx.channel();
        if (!valid) {
            services.metrics().authenticationFailed();
        }
        if (moduleFailure == null && !valid && peer != null && services.authThrottle().failed(peer)) {
            services.metrics().backOffStarted();
            AuthThrottle.Policy policy = services.authThrottle().policy();
            LOG.warn("authentication back-off: refusing the address", "client_address", client.address(),
                    "failures", policy.maxFailures(), "within_s", policy.window().toSeconds(),
                    "backoff_s", policy.backoff().toSeconds());
        }
        if (!channel.isActive() || clientLeft || ConnectionReply.isFinished(channel)) {
            return;
        }
        if (moduleFailure != null) {
            LOG.error("authentication module failed", client.logContext("user", request.user(),
                    "error", describe(moduleFailure)));
            ConnectionReply.finish(channel, Messages.error(ErrorType.AUTH_ERROR, AUTH_FAILED));
            return;
        }
        if (!valid) {
            LOG.info("authentication error", client.logContext("user", request.user()));
            ConnectionReply.finish(channel, Messages.error(ErrorType.AUTH_ERROR, AUTH_FAILED));
            return;
        }
        ctx.fireChannelRead(new AuthenticatedRequest(request, allowed, builtIn));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        clientLeft = true;
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent || evt instanceof SslCloseCompletionEvent) {
            clientLeft = true;
        }
        ctx.fireUserEventTriggered(evt);
    }

    /**
     * A module's exception for the log. Only an {@link AuthenticationFailure} promises a message free of the
     * password; of anything else the class and where it was thrown are logged, never the message, which may hold
     * the password in a form no search for it would find (quoted, upper-cased, truncated).
     */
    static String describe(Exception e) {
        if (e instanceof AuthenticationFailure) {
            return e.getMessage();
        }
        StackTraceElement[] trace = e.getStackTrace();
        return trace.length == 0 ? e.getClass().getName() : e.getClass().getName() + " at " + trace[0];
    }
}
