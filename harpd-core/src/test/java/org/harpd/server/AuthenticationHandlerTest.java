package org.harpd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.harpd.auth.AccessPolicy;
import org.harpd.auth.Authenticator;
import org.harpd.config.AuthorizationConfig;
import org.junit.jupiter.api.Test;

/** The authentication stage alone: what it answers itself, and what it passes on to the call handler. */
class AuthenticationHandlerTest {
    private final List<AuthenticatedRequest> passedOn = new ArrayList<>();
    private final List<Runnable> authQueue = new ArrayList<>();
    private final Authenticator authenticator = (user, password) -> "u".equals(user) && "pw".equals(password);

    private EmbeddedChannel channel(AccessPolicy access) {
        CallServices services = new CallServices(authenticator, authQueue::add,
                FakeCalls.catalog(FakeCalls.procedure("answer", false), FakeCalls.procedure("add", false, "a", "b")),
                new FakeCalls.Executor(Map.of()), null, null).withAccess(access);
        return new EmbeddedChannel(new AuthenticationHandler(services), new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                passedOn.add((AuthenticatedRequest) msg);
            }
        });
    }

    private static RequestLine request(String procedure, String password) {
        return new RequestLine(("{\"harp\": 1, \"procedure\": \"" + procedure + "\", \"arguments\": [], "
                + "\"auth\": {\"user\": \"u\", \"password\": \"" + password + "\"}}").getBytes(StandardCharsets.UTF_8));
    }

    /** Runs what waits for an authentication thread, then what it hands back to the event loop. */
    private void authenticate(EmbeddedChannel channel) {
        authQueue.forEach(Runnable::run);
        authQueue.clear();
        channel.runPendingTasks();
    }

    @Test
    void anAuthenticatedRequestIsPassedOnWithTheVerdictAndNothingIsSent() {
        AccessPolicy onlyAdd = new AccessPolicy(new AuthorizationConfig(true, Map.of("u", List.of("add")), Map.of()),
                authenticator);
        EmbeddedChannel channel = channel(onlyAdd);
        channel.writeInbound(request("add", "pw"));
        assertTrue(passedOn.isEmpty(), "passed on before the module ran on its own thread");
        authenticate(channel);
        channel.writeInbound(request("answer", "pw"));
        authenticate(channel);

        assertEquals(List.of("add", "answer"), passedOn.stream().map(r -> r.request().procedure()).toList());
        assertEquals(List.of(true, false), passedOn.stream().map(AuthenticatedRequest::allowed).toList());
        assertNull(passedOn.get(0).builtIn());
        assertTrue(Outbound.lines(channel).isEmpty(), "the call handler answers authenticated requests");
    }

    @Test
    void aBuiltInProcedureIsPassedOnWithItsAnswerReady() {
        EmbeddedChannel channel = channel(AccessPolicy.ALLOW_ALL);
        channel.writeInbound(request("harpd.procedures", "pw"));
        authenticate(channel);
        assertEquals(1, passedOn.size());
        assertFalse(passedOn.get(0).builtIn().isEmpty());
    }

    @Test
    void aWrongPasswordIsAnsweredHereAndNothingIsPassedOn() {
        EmbeddedChannel channel = channel(AccessPolicy.ALLOW_ALL);
        channel.writeInbound(request("answer", "guess"));
        authenticate(channel);
        assertTrue(passedOn.isEmpty());
        assertEquals(List.of(Outbound.error("auth_error", AuthenticationHandler.AUTH_FAILED)), Outbound.lines(channel));
    }

    @Test
    void aRequestWhoseClientLeftWhileItWaitedIsNotPassedOn() {
        EmbeddedChannel channel = channel(AccessPolicy.ALLOW_ALL);
        channel.writeInbound(request("answer", "pw"));
        channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        authenticate(channel);
        assertTrue(passedOn.isEmpty());
    }
}
