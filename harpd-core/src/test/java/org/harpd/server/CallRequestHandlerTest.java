package org.harpd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import org.harpd.procedure.IdRef;
import org.harpd.protocol.ErrorType;
import org.harpd.protocol.HarpError;
import org.harpd.protocol.Messages;
import org.harpd.protocol.Json;
import org.harpd.workerprotocol.WorkerProtocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class CallRequestHandlerTest {
    private static final String PASSWORD = "pa55-word";

    private final FakeCalls.Executor executor = new FakeCalls.Executor(Map.of(
            "answer", (job, sink) -> sink.completed(WorkerProtocol.result(Json.MAPPER.valueToTree(42))),
            "broken", (job, sink) -> sink.failed(new org.harpd.protocol.HarpError(ErrorType.SYSTEM_ERROR,
                    "worker process died", Json.MAPPER.createObjectNode().put("pid", 123)))));
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger harpdLogger = (Logger) LoggerFactory.getLogger("harpd");

    private java.util.concurrent.Executor authExecutor = Runnable::run;
    private org.harpd.auth.Authenticator authenticator = (user, password) -> "u".equals(user) && PASSWORD.equals(password);
    private org.harpd.auth.AccessPolicy access = org.harpd.auth.AccessPolicy.ALLOW_ALL;

    @BeforeEach
    void captureLog() {
        log.start();
        harpdLogger.addAppender(log);
    }

    @AfterEach
    void releaseLog() {
        harpdLogger.detachAppender(log);
    }

    private EmbeddedChannel channel() {
        CallServices services = new CallServices(authenticator, authExecutor,
                FakeCalls.catalog(FakeCalls.procedure("answer", false), FakeCalls.procedure("broken", false),
                        FakeCalls.procedure("add", false, "a", "b"),
                        FakeCalls.procedure("feed", true)),
                executor, IdRef.ofName("nobody"), IdRef.ofId(65534)).withAccess(access);
        return new EmbeddedChannel(new AuthenticationHandler(services), new CallRequestHandler(services));
    }

    private static String request(String procedure, String arguments, String password) {
        return "{\"harp\": 1, \"procedure\": \"" + procedure + "\", \"arguments\": " + arguments
                + ", \"auth\": {\"user\": \"u\", \"password\": \"" + password + "\"}}";
    }

    private List<String> exchange(EmbeddedChannel channel, String line) {
        channel.writeInbound(new RequestLine(line.getBytes(StandardCharsets.UTF_8)));
        channel.runPendingTasks();
        return Outbound.lines(channel);
    }

    private List<String> cancelLines() {
        return logMessages().stream().filter(m -> m.contains("\"client closed the connection, call cancelled\"")).toList();
    }

    private List<String> logMessages() {
        return log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void callIsAcknowledgedThenAnswered() {
        EmbeddedChannel channel = channel();
        assertEquals(List.of("{\"harp\": 1, \"stream_result\": false}", "{\"result\": 42}"),
                exchange(channel, request("answer", "[]", PASSWORD)));
        assertFalse(channel.isOpen());
        assertFalse(executor.last().isCancelled());
    }

    @Test
    void jobCarriesArgumentsIdentityAndClient() {
        exchange(channel(), request("add", "{\"a\": 1, \"b\": 2}", PASSWORD));
        var job = executor.last().job;
        assertEquals("add", job.procedure().name());
        assertEquals("{\"a\": 1, \"b\": 2}", Json.toString(job.arguments()));
        assertEquals(IdRef.ofName("nobody"), job.identity().user());
        assertEquals(List.of(IdRef.ofId(65534)), job.identity().groups());
        assertEquals("u", job.requestUser());
    }

    @Test
    void streamLinesComeBetweenAckAndResultInOrder() {
        EmbeddedChannel channel = channel();
        assertEquals(List.of("{\"harp\": 1, \"stream_result\": true}"), exchange(channel, request("feed", "[]", PASSWORD)));
        var sink = executor.last().sink;
        for (int i = 1; i <= 3; i++) {
            sink.stream(WorkerProtocol.stream(Json.MAPPER.valueToTree(i)));
        }
        sink.completed(WorkerProtocol.result(Json.MAPPER.nullNode()));
        channel.runPendingTasks();
        assertEquals(List.of("{\"stream\": 1}", "{\"stream\": 2}",
                "{\"stream\": 3}", "{\"result\": null}"), Outbound.lines(channel));
        assertFalse(channel.isOpen());
    }

    @Test
    void wrongPasswordIsAuthErrorWithoutAckAndLoggedWithoutPassword() {
        EmbeddedChannel channel = channel();
        assertEquals(List.of(Outbound.error("auth_error", "unknown user or wrong password")),
                exchange(channel, request("answer", "[]", "guess-" + PASSWORD)));
        assertFalse(channel.isOpen());
        assertTrue(executor.submitted.isEmpty());
        assertTrue(logMessages().stream().anyMatch(m -> m.contains("\"authentication error\"")), logMessages()::toString);
        assertTrue(logMessages().stream().noneMatch(m -> m.contains(PASSWORD)));
    }

    @Test
    void failingAuthenticatorIsAuthErrorAndOneLogLineWithoutPassword() {
        authenticator = (user, password) -> {
            throw new IllegalStateException("module broke on " + password);
        };
        assertEquals(List.of(Outbound.error("auth_error", "unknown user or wrong password")),
                exchange(channel(), request("answer", "[]", PASSWORD)));
        assertEquals(1, logMessages().size());
        assertTrue(logMessages().get(0).contains("java.lang.IllegalStateException at "), logMessages().get(0));
        assertFalse(logMessages().get(0).contains("module broke"), "an exception's message may quote the password");
        assertFalse(logMessages().get(0).contains(PASSWORD));
        assertFalse(logMessages().get(0).contains("<hidden>"));
    }

    @Test
    void authenticationRunsOnItsExecutorNotInline() {
        List<Runnable> queued = new java.util.ArrayList<>();
        authExecutor = queued::add;
        EmbeddedChannel channel = channel();
        assertEquals(List.of(), exchange(channel, request("answer", "[]", PASSWORD)));
        assertEquals(1, queued.size());
        queued.get(0).run();
        channel.runPendingTasks();
        assertEquals(List.of("{\"harp\": 1, \"stream_result\": false}", "{\"result\": 42}"), Outbound.lines(channel));
    }

    @Test
    void fullAuthenticationQueueIsOverloaded() {
        authExecutor = task -> {
            throw new RejectedExecutionException("full");
        };
        assertEquals(List.of(Outbound.error("overloaded", "too many requests waiting for authentication")),
                exchange(channel(), request("answer", "[]", PASSWORD)));
    }

    @Test
    void unauthorizedCallIsForbiddenBeforeAnyWorkerWithOneLogLine() {
        access = new org.harpd.auth.AccessPolicy(new org.harpd.config.AuthorizationConfig(true,
                Map.of("u", List.of("add")), Map.of()), authenticator);
        EmbeddedChannel channel = channel();
        assertEquals(List.of("{\"error\": {\"data\": {\"procedure\": \"answer\"}, \"message\": "
                        + "\"not authorized to call this procedure\", \"type\": \"forbidden\"}, \"harp\": 1}"),
                exchange(channel, request("answer", "[]", PASSWORD)));
        assertFalse(channel.isOpen());
        assertTrue(executor.submitted.isEmpty());
        List<String> refusals = logMessages().stream().filter(m -> m.contains("\"call refused: not authorized\"")).toList();
        assertEquals(1, refusals.size(), logMessages()::toString);
        assertTrue(refusals.get(0).contains("\"user\": \"u\"") && refusals.get(0).contains("\"procedure\": \"answer\"")
                && refusals.get(0).contains("client_address"), refusals.get(0));
        assertEquals("{\"harp\": 1, \"stream_result\": false}",
                exchange(channel(), request("add", "[1, 2]", PASSWORD)).get(0));
    }

    @Test
    void unauthorizedUserLearnsNothingOfWhichProceduresExist() {
        access = new org.harpd.auth.AccessPolicy(new org.harpd.config.AuthorizationConfig(true, Map.of(), Map.of()),
                authenticator);
        assertTrue(exchange(channel(), request("nope", "[]", PASSWORD)).get(0).contains("\"forbidden\""));
    }

    @Test
    void wrongPasswordIsAnAuthErrorEvenWhereTheCallWouldBeForbidden() {
        access = new org.harpd.auth.AccessPolicy(new org.harpd.config.AuthorizationConfig(true, Map.of(), Map.of()),
                authenticator);
        assertEquals(List.of(Outbound.error("auth_error", "unknown user or wrong password")),
                exchange(channel(), request("answer", "[]", "guess-" + PASSWORD)));
    }

    @Test
    void discoveryListsWhatTheCallerMayCallWithoutAWorker() {
        access = new org.harpd.auth.AccessPolicy(new org.harpd.config.AuthorizationConfig(true,
                Map.of("u", List.of("a*", "feed")), Map.of()), authenticator);
        List<String> lines = exchange(channel(), request("harpd.procedures", "[]", PASSWORD));
        assertEquals("{\"harp\": 1, \"stream_result\": false}", lines.get(0));
        assertEquals("{\"result\": [{\"defaults\": 0, \"doc\": null, \"gid\": [], \"kind\": \"plain\", "
                + "\"name\": \"add\", \"parameters\": [\"a\", \"b\"], \"signature\": \"add(a, b)\", \"timeout\": 5.0, "
                + "\"uid\": null, \"varargs\": null, \"varkw\": null}, "
                + "{\"defaults\": 0, \"doc\": null, \"gid\": [], \"kind\": \"plain\", \"name\": \"answer\", "
                + "\"parameters\": [], \"signature\": \"answer()\", \"timeout\": 5.0, \"uid\": null, \"varargs\": null, "
                + "\"varkw\": null}, "
                + "{\"defaults\": 0, \"doc\": null, \"gid\": [], \"kind\": \"streaming\", \"name\": \"feed\", "
                + "\"parameters\": [], \"signature\": \"feed()\", \"timeout\": 5.0, \"uid\": null, \"varargs\": null, "
                + "\"varkw\": null}]}", lines.get(1));
        assertEquals(2, lines.size());
        assertTrue(executor.submitted.isEmpty());
    }

    @Test
    void describeTellsOfOneProcedureTheCallerMayCallAndOfNoOther() {
        access = new org.harpd.auth.AccessPolicy(new org.harpd.config.AuthorizationConfig(true,
                Map.of("u", List.of("add")), Map.of()), authenticator);
        List<String> lines = exchange(channel(), request("harpd.describe", "{\"name\": \"add\"}", PASSWORD));
        assertTrue(lines.get(1).startsWith("{\"result\": {\"defaults\": 0, "), lines.toString());
        assertTrue(lines.get(1).contains("\"signature\": \"add(a, b)\""), lines.toString());
        String hidden = "{\"error\": {\"data\": {\"procedure\": \"answer\"}, \"message\": \"no such procedure\", "
                + "\"type\": \"no_such_procedure\"}, \"harp\": 1}";
        assertEquals(List.of(hidden), exchange(channel(), request("harpd.describe", "[\"answer\"]", PASSWORD)));
        assertEquals(List.of(hidden.replace("answer", "nope")),
                exchange(channel(), request("harpd.describe", "[\"nope\"]", PASSWORD)));
        assertTrue(exchange(channel(), request("harpd.describe", "[]", PASSWORD)).get(0)
                .contains("\"invalid_argument_list\""));
        assertTrue(executor.submitted.isEmpty());
    }

    @Test
    void discoveryNeedsAuthentication() {
        assertEquals(List.of(Outbound.error("auth_error", "unknown user or wrong password")),
                exchange(channel(), request("harpd.procedures", "[]", "guess-" + PASSWORD)));
    }

    @Test
    void unknownProcedureNamesIt() {
        assertEquals(List.of("{\"error\": {\"data\": {\"procedure\": \"nope\"}, \"message\": \"no such procedure\", "
                        + "\"type\": \"no_such_procedure\"}, \"harp\": 1}"),
                exchange(channel(), request("nope", "[]", PASSWORD)));
        assertTrue(logMessages().stream().anyMatch(m -> m.contains("\"no such procedure\"")));
    }

    @Test
    void mismatchingArgumentsAreRefusedBeforeAnyWorker() throws Exception {
        List<String> lines = exchange(channel(), request("add", "[1]", PASSWORD));
        assertEquals(1, lines.size());
        var error = Json.MAPPER.readTree(lines.get(0).getBytes(StandardCharsets.UTF_8)).get("error");
        assertEquals("invalid_argument_list", error.get("type").asText());
        assertEquals("add", error.get("data").get("procedure").asText());
        assertEquals("(a, b)", error.get("data").get("signature").asText());
        assertTrue(executor.submitted.isEmpty());
    }

    @Test
    void parseErrorsAreAnsweredWithoutAuthentication() {
        authenticator = (user, password) -> {
            throw new AssertionError("must not authenticate");
        };
        List<String> lines = exchange(channel(), "{nope");
        assertTrue(lines.get(0).contains("\"type\": \"parse_error\""), lines::toString);
        assertEquals(1, lines.size());
    }

    @Test
    void clientClosingBeforeTheEndCancelsTheCall() {
        EmbeddedChannel channel = channel();
        exchange(channel, request("feed", "[]", PASSWORD));
        channel.close();
        assertTrue(executor.last().isCancelled());
    }

    @Test
    void endOfTheClientsInputCancelsTheCallBeforeTheConnectionCloses() {
        EmbeddedChannel channel = channel();
        exchange(channel, request("feed", "[]", PASSWORD));
        channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        assertTrue(executor.last().isCancelled());
        assertEquals(1, cancelLines().size(), logMessages()::toString);
        assertTrue(cancelLines().get(0).contains("\"procedure\": \"feed\""), cancelLines()::toString);
        channel.close();
        assertEquals(1, cancelLines().size(), "one line per cancelled call: " + logMessages());
    }

    @Test
    void tlsCloseNotifyCancelsTheCallBeforeTheConnectionCloses() {
        EmbeddedChannel channel = channel();
        exchange(channel, request("feed", "[]", PASSWORD));
        channel.pipeline().fireUserEventTriggered(SslCloseCompletionEvent.SUCCESS);
        assertTrue(executor.last().isCancelled());
        assertEquals(1, cancelLines().size(), logMessages()::toString);
    }

    @Test
    void connectionResetCancelsTheCall() {
        EmbeddedChannel channel = channel();
        exchange(channel, request("feed", "[]", PASSWORD));
        channel.pipeline().fireExceptionCaught(new java.net.SocketException("Connection reset"));
        assertTrue(executor.last().isCancelled());
        assertEquals(1, cancelLines().size(), logMessages()::toString);
    }

    @Test
    void clientLeavingWhileAuthenticatingStartsNoCall() {
        java.util.List<Runnable> queued = new java.util.ArrayList<>();
        authExecutor = queued::add;
        EmbeddedChannel channel = channel();
        exchange(channel, request("feed", "[]", PASSWORD));
        channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        queued.forEach(Runnable::run);
        channel.runPendingTasks();
        assertTrue(executor.submitted.isEmpty(), "a call started for a client that left");
        assertTrue(cancelLines().isEmpty(), logMessages()::toString);
    }

    @Test
    void aSystemErrorAnswerIsLoggedForTheOperator() {
        EmbeddedChannel channel = channel();
        List<String> answer = exchange(channel, request("broken", "[]", PASSWORD));
        assertTrue(answer.get(answer.size() - 1).contains("system_error"), answer::toString);
        List<String> lines = logMessages().stream().filter(m -> m.contains("\"call failed: system error\"")).toList();
        assertEquals(1, lines.size(), logMessages()::toString);
        assertTrue(lines.get(0).contains("\"procedure\": \"broken\"") && lines.get(0).contains("worker process died")
                && lines.get(0).contains("\"data\": {\"pid\": 123}"), lines::toString);
        assertFalse(lines.get(0).contains(PASSWORD));
    }

    @Test
    void completedCallIsNotCancelledByTheClientsClose() {
        EmbeddedChannel channel = channel();
        exchange(channel, request("answer", "[]", PASSWORD));
        channel.pipeline().fireUserEventTriggered(SslCloseCompletionEvent.SUCCESS);
        assertFalse(executor.last().isCancelled());
        assertTrue(cancelLines().isEmpty(), logMessages()::toString);
    }

    @Test
    void connectionFinishedElsewhereCancelsTheCall() {
        EmbeddedChannel channel = channel();
        exchange(channel, request("feed", "[]", PASSWORD));
        ConnectionReply.finish(channel, Messages.error(ErrorType.INVALID_REQUEST, "excessive data after request"));
        assertTrue(executor.last().isCancelled());
    }

    @Test
    void completedCallIsNotCancelledByTheClose() {
        EmbeddedChannel channel = channel();
        exchange(channel, request("answer", "[]", PASSWORD));
        channel.close();
        assertFalse(executor.last().isCancelled());
    }

    @Test
    void timeoutIsSentAfterTheAckAndLogged() {
        EmbeddedChannel channel = channel();
        assertEquals(List.of("{\"harp\": 1, \"stream_result\": true}"), exchange(channel, request("feed", "[]", PASSWORD)));
        executor.last().sink.failed(new HarpError(ErrorType.TIMEOUT, "maximum execution time exceeded"));
        channel.runPendingTasks();
        assertEquals(List.of(Outbound.error("timeout", "maximum execution time exceeded")), Outbound.lines(channel));
        assertTrue(logMessages().stream().anyMatch(m -> m.contains("\"execution timeout exceeded\"")));
    }

    @Test
    void linesAfterTheEndAreDropped() {
        EmbeddedChannel channel = channel();
        exchange(channel, request("feed", "[]", PASSWORD));
        var sink = executor.last().sink;
        sink.completed(WorkerProtocol.result(Json.MAPPER.nullNode()));
        sink.stream(WorkerProtocol.stream(Json.MAPPER.nullNode()));
        channel.runPendingTasks();
        assertEquals(List.of("{\"result\": null}"), Outbound.lines(channel));
    }

    @Test
    void callingIsLoggedWithProcedureAndUser() {
        exchange(channel(), request("answer", "[]", PASSWORD));
        String calling = logMessages().stream().filter(m -> m.contains("\"calling procedure\"")).findFirst().orElseThrow();
        assertTrue(calling.contains("\"procedure\": \"answer\""), calling);
        assertTrue(calling.contains("\"user\": \"u\""), calling);
        assertTrue(calling.contains("\"streaming\": false"), calling);
    }
}
