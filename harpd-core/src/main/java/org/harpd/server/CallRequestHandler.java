package org.harpd.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.Future;
import org.harpd.auth.AuthThrottle;
import org.harpd.auth.AuthenticationFailure;
import org.harpd.logging.EventLog;
import org.harpd.metrics.Metrics;
import org.harpd.pool.CallHandle;
import org.harpd.pool.CallJob;
import org.harpd.procedure.Identity;
import org.harpd.procedure.ProcedureInfo;
import org.harpd.protocol.CallRequest;
import org.harpd.protocol.ErrorType;
import org.harpd.protocol.HarpError;
import org.harpd.protocol.Json;
import org.harpd.protocol.Messages;
import org.harpd.protocol.RequestParser;

/**
 * Takes the request line through the checks of the protocol, in the original's order — parse,
 * authenticate, look up, check the arguments — then acknowledges it and hands the call to the executor; between
 * authenticating and looking up, {@link org.harpd.auth.AccessPolicy} may refuse the call, and {@link Discovery}
 * answers its built-in procedures.
 * Any refusal is the connection's last message. A client closing before the end cancels the call: as soon as the
 * listener sees it go, whether by a TLS close_notify, a TCP FIN (a half-close, as the original's clients never
 * send more after the request) or a reset, not when the connection is finally closed, which after a FIN waits for
 * the client's close_notify (see {@link HarpChannelInitializer}).
 */
final class CallRequestHandler extends ChannelInboundHandlerAdapter {
    static final String AUTH_FAILED = "unknown user or wrong password";
    static final String AUTH_QUEUE_FULL = "too many requests waiting for authentication";
    static final String BACKED_OFF = "too many failed authentications from this address";

    private static final EventLog LOG = EventLog.get("harpd");

    private final CallServices services;
    private ClientAddress client;
    private CallHandle call;
    private ProcedureInfo procedure;
    private boolean callEnded;
    /** When the call was acknowledged (nanoTime), for its duration. */
    private long startedNanos;
    /** The client closed its side: a call still authenticating is not started. */
    private boolean clientLeft;

    CallRequestHandler(CallServices services) {
        this.services = services;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof RequestLine line)) {
            ReferenceCountUtil.release(msg);
            return;
        }
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
                    authenticate(channel, request, peer);
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
    private void authenticate(Channel channel, CallRequest request, InetAddress peer) {
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
            channel.eventLoop().execute(() -> authenticated(channel, request, peer, authenticated, moduleFailure,
                    allowed, builtIn));
        } catch (RejectedExecutionException e) {
            // the server is shutting down; the connection goes with it
        }
    }

    /** Back on the event loop. */
    private void authenticated(Channel channel, CallRequest request, InetAddress peer, boolean valid,
                               Exception moduleFailure, boolean allowed, List<byte[]> builtIn) {
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
        if (builtIn != null) {
            Discovery.send(channel, request, client, builtIn);
            return;
        }
        if (!allowed) {
            // a name the client made up must not become a label of its own
            services.metrics().forbidden(services.catalog().find(request.procedure()).isPresent()
                    ? request.procedure() : Metrics.UNKNOWN_PROCEDURE);
            ConnectionReply.finish(channel, Messages.error(services.access().refuse(request.user(),
                    request.procedure(), client.address(), client.port())));
            return;
        }
        Optional<ProcedureInfo> found = services.catalog().find(request.procedure());
        if (found.isEmpty()) {
            LOG.info("no such procedure",
                    client.logContext("procedure", request.procedure(), "user", request.user()));
            ObjectNode data = Json.MAPPER.createObjectNode().put("procedure", request.procedure());
            ConnectionReply.finish(channel,
                    Messages.error(new HarpError(ErrorType.NO_SUCH_PROCEDURE, "no such procedure", data)));
            return;
        }
        ProcedureInfo procedure = found.get();
        Optional<String> mismatch = procedure.signature().mismatch(request.arguments());
        if (mismatch.isPresent()) {
            ObjectNode data = Json.MAPPER.createObjectNode()
                    .put("procedure", procedure.name())
                    .put("signature", procedure.signature().describe());
            ConnectionReply.finish(channel,
                    Messages.error(new HarpError(ErrorType.INVALID_ARGUMENT_LIST, mismatch.get(), data)));
            return;
        }
        start(channel, request, procedure);
    }

    private void start(Channel channel, CallRequest request, ProcedureInfo procedure) {
        ConnectionReply.send(channel, Messages.ack(procedure.streaming()));
        LOG.info("calling procedure", client.logContext("procedure", procedure.name(),
                "streaming", procedure.streaming(), "user", request.user()));
        Identity identity = Identity.of(procedure, services.defaultUser(), services.defaultGroup());
        CallJob job = new CallJob(procedure, request.arguments(), identity, request.user(), client.toString());
        this.procedure = procedure;
        startedNanos = System.nanoTime();
        try {
            call = services.executor().submit(job, new ChannelCallSink(channel,
                    (error, outcome) -> ended(procedure, error, outcome)));
        } catch (HarpError e) {
            callEnded = true;
            measureEnd(e.type().wireName());
            ConnectionReply.finish(channel, Messages.error(e));
        } catch (RuntimeException e) {
            callEnded = true;
            measureEnd(ErrorType.SYSTEM_ERROR.wireName());
            LOG.error("cannot start call",
                    client.logContext("procedure", procedure.name(), "error", e.toString()));
            ConnectionReply.finish(channel, Messages.error(ErrorType.SYSTEM_ERROR, "cannot start the call"));
        }
    }

    private void ended(ProcedureInfo procedure, HarpError failure, String outcome) {
        if (!callEnded) {
            measureEnd(outcome); // else already counted as cancelled: the client left as the answer came
        }
        callEnded = true;
        if (failure != null && failure.type() == ErrorType.TIMEOUT) {
            LOG.info("execution timeout exceeded", client.logContext("procedure", procedure.name()));
        } else if (failure != null && failure.type() == ErrorType.SYSTEM_ERROR) {
            // harpd's own failure, not the procedure's: the operator must learn of it from the log, not from a
            // client (a failed identity switch, a worker that died or broke the protocol, a result too large)
            LOG.error("call failed: system error", client.logContext("procedure", procedure.name(),
                    "error", failure.getMessage(), "data", failure.data()));
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        clientClosed();
        ctx.fireChannelInactive();
    }

    /**
     * The client's end of input (a FIN, or its TLS close_notify) is its close: the call is cancelled then, not when
     * the connection is closed. Someone else ending the exchange (e.g. excessive data from the client, a client not
     * reading) cancels it too: the call has nobody to answer; that one says why itself.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent || evt instanceof SslCloseCompletionEvent) {
            clientClosed();
        } else if (evt == ConnectionReply.FINISHED_EVENT) {
            cancelRunningCall();
        }
        ctx.fireUserEventTriggered(evt);
    }

    /** The client is gone; a call still running is cancelled, with one log line. */
    private void clientClosed() {
        clientLeft = true;
        if (cancelRunningCall()) {
            LOG.info("client closed the connection, call cancelled",
                    client.logContext("procedure", procedure.name()));
        }
    }

    private void measureEnd(String outcome) {
        services.metrics().callEnded(procedure.name(), outcome, System.nanoTime() - startedNanos);
    }

    /** @return whether this stopped a running call */
    private boolean cancelRunningCall() {
        if (call != null && !callEnded) {
            callEnded = true;
            measureEnd(Metrics.CANCELLED);
            return call.cancel();
        }
        return false;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // I/O errors (reset by peer, TLS failures) end the connection; there is nobody left to tell. A reset is
        // how a client closes with our output still unread: its call is cancelled like at any other close.
        LOG.debug("connection error", "error", String.valueOf(cause));
        clientClosed();
        ConnectionReply.abort(ctx.channel());
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
