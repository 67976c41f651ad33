package org.harpd.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import java.util.Optional;
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

/**
 * Takes an {@link AuthenticatedRequest} through the rest of the protocol's checks, in the original's order after
 * authentication — look up, check the arguments — then acknowledges it and hands the call to the executor; before
 * looking up, it sends a built-in procedure's answer ({@link Discovery}) or the refusal of a call the user may not
 * make. Any refusal is the connection's last message. A client closing before the end cancels the call: as soon as the
 * listener sees it go, whether by a TLS close_notify, a TCP FIN (a half-close, as the original's clients never
 * send more after the request) or a reset, not when the connection is finally closed, which after a FIN waits for
 * the client's close_notify (see {@link HarpChannelInitializer}).
 */
final class CallRequestHandler extends SimpleChannelInboundHandler<AuthenticatedRequest> {
    private static final EventLog LOG = EventLog.get("harpd");

    private final CallServices services;
    private ClientAddress client;
    private CallHandle call;
    private ProcedureInfo procedure;
    private boolean callEnded;
    /** When the call was acknowledged (nanoTime), for its duration. */
    private long startedNanos;

    CallRequestHandler(CallServices services) {
        this.services = services;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, AuthenticatedRequest authenticated) {
        Channel channel = ctx.channel();
        client = ClientAddress.of(channel);
        CallRequest request = authenticated.request();
        if (authenticated.builtIn() != null) {
            Discovery.send(channel, request, client, authenticated.builtIn());
            return;
        }
        if (!authenticated.allowed()) {
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
}
