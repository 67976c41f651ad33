package org.harpd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.harpd.client.CallResult;
import org.harpd.client.CallStream;
import org.harpd.client.HarpClient;
import org.harpd.client.RemoteError;
import org.harpd.client.RemoteException;
import org.harpd.pool.CallJob;
import org.harpd.pool.CallSink;
import org.harpd.procedure.ProcedureInfo;
import org.harpd.procedure.Signature;
import org.harpd.protocol.ErrorType;
import org.harpd.protocol.HarpError;
import org.harpd.protocol.Json;
import org.harpd.workerprotocol.WorkerProtocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A real listener on loopback, over TLS, talked to by the Java client; the worker pool is faked. */
class HarpServerLoopbackTest {
    @RegisterExtension
    static final LoopbackServers SERVERS = new LoopbackServers();

    private final FakeCalls.Executor executor = new FakeCalls.Executor(Map.of(
            "echo", async((job, sink) -> sink.completed(WorkerProtocol.result(job.arguments()))),
            "count", async((job, sink) -> {
                for (int i = 1; i <= 3; i++) {
                    sink.stream(WorkerProtocol.stream(Json.MAPPER.valueToTree(i)));
                }
                sink.completed(WorkerProtocol.result(Json.MAPPER.valueToTree("done")));
            }),
            "fail", async((job, sink) -> sink.completed(WorkerProtocol.exception("ValueError", "bad value",
                    Json.MAPPER.createObjectNode().put("class", "ValueError").put("module", "exceptions")))),
            "slow", async((job, sink) -> sink.stream(WorkerProtocol.stream(Json.MAPPER.valueToTree("first")))),
            "late", async((job, sink) -> sink.failed(new HarpError(ErrorType.TIMEOUT, "maximum execution time exceeded")))));
    private int port;

    private static BiConsumer<CallJob, CallSink> async(BiConsumer<CallJob, CallSink> worker) {
        return (job, sink) -> CompletableFuture.runAsync(() -> worker.accept(job, sink));
    }

    private static ProcedureInfo anyArguments(String name, boolean streaming) {
        return new ProcedureInfo(name, streaming, Signature.permissive(), null, null, List.of());
    }

    private HarpClient start(ServerSettings settings) throws Exception {
        port = SERVERS.start(settings, (user, password) -> "alice".equals(user) && "secret".equals(password),
                FakeCalls.catalog(anyArguments("echo", false), anyArguments("count", true),
                        anyArguments("fail", false), anyArguments("slow", true), anyArguments("late", false),
                        FakeCalls.procedure("pair", false, "a", "b")),
                executor);
        return HarpClient.builder().host("127.0.0.1").port(port).user("alice").password("secret")
                .trustAll().timeout(Duration.ofSeconds(20)).build();
    }

    private HarpClient start() throws Exception {
        return start(ServerSettings.defaults("127.0.0.1", 0));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String errorType(JsonNode message) {
        return message.get("error").get("type").asText();
    }

    private static String errorMessage(JsonNode message) {
        return message.get("error").get("message").asText();
    }

    @Test
    void positionalCallReturnsTheResult() throws Exception {
        assertEquals("[1, \"a\"]", Json.toString(start().call("echo", 1, "a")));
    }

    @Test
    void keywordCallReturnsTheResult() throws Exception {
        assertEquals("{\"k\": true}", Json.toString(start().callKw("echo", Map.of("k", true))));
    }

    @Test
    void wireLinesAreAckThenResultWithSortedKeys() throws Exception {
        CallResult result = start().callRaw("echo", Json.MAPPER.readTree("[{\"z\": 1, \"a\": 2}]"));
        assertEquals(List.of("{\"harp\": 1, \"stream_result\": false}", "{\"result\": [{\"a\": 2, \"z\": 1}]}"),
                result.lines());
    }

    @Test
    void streamedValuesArriveInOrderBeforeTheResult() throws Exception {
        CallResult result = start().callRaw("count", Json.MAPPER.createArrayNode());
        assertEquals(List.of("{\"harp\": 1, \"stream_result\": true}", "{\"stream\": 1}", "{\"stream\": 2}",
                "{\"stream\": 3}", "{\"result\": \"done\"}"), result.lines());
    }

    @Test
    void streamIteratorYieldsValuesThenResult() throws Exception {
        try (CallStream stream = start().stream("count", Json.MAPPER.createArrayNode())) {
            assertTrue(stream.streaming());
            List<Integer> values = new ArrayList<>();
            stream.forEachRemaining(v -> values.add(v.asInt()));
            assertEquals(List.of(1, 2, 3), values);
            assertEquals("done", stream.result().asText());
        }
    }

    @Test
    void procedureExceptionIsRemoteException() throws Exception {
        RemoteException e = assertThrows(RemoteException.class, () -> start().call("fail"));
        assertEquals("ValueError", e.type());
        assertEquals("bad value", e.remoteMessage());
        assertEquals("exceptions", e.data().get("module").asText());
    }

    @Test
    void wrongPasswordIsAuthErrorWithoutAck() throws Exception {
        start();
        CallResult result = client("wrong").callRaw("echo", Json.MAPPER.createArrayNode());
        assertEquals(1, result.messages().size());
        assertEquals("auth_error", errorType(result.last()));
        assertEquals("unknown user or wrong password", errorMessage(result.last()));
        RemoteError e = assertThrows(RemoteError.class, result::value);
        assertEquals("auth_error", e.type());
    }

    @Test
    void unknownProcedureIsNamedInData() throws Exception {
        RemoteError e = assertThrows(RemoteError.class, () -> start().call("missing"));
        assertEquals("no_such_procedure", e.type());
        assertEquals("missing", e.data().get("procedure").asText());
    }

    @Test
    void wrongArgumentCountIsInvalidArgumentList() throws Exception {
        RemoteError e = assertThrows(RemoteError.class, () -> start().call("pair", 1, 2, 3));
        assertEquals("invalid_argument_list", e.type());
        assertEquals("(a, b)", e.data().get("signature").asText());
        assertTrue(executor.submitted.isEmpty());
    }

    @Test
    void timeoutComesAfterTheAck() throws Exception {
        CallResult result = start().callRaw("late", Json.MAPPER.createArrayNode());
        assertEquals(List.of("{\"harp\": 1, \"stream_result\": false}",
                "{\"error\": {\"message\": \"maximum execution time exceeded\", \"type\": \"timeout\"}, \"harp\": 1}"),
                result.lines());
    }

    @Test
    void garbageIsParseError() throws Exception {
        List<JsonNode> replies = start().sendRaw(bytes("hello there\n"));
        assertEquals(1, replies.size());
        assertEquals("parse_error", errorType(replies.get(0)));
    }

    @Test
    void notAnObjectIsInvalidRequestDataType() throws Exception {
        List<JsonNode> replies = start().sendRaw(bytes("[1, 2]\n"));
        assertEquals("invalid request data type", errorMessage(replies.get(0)));
    }

    @Test
    void missingVersionIsInvalidProtocol() throws Exception {
        List<JsonNode> replies = start().sendRaw(bytes("{\"procedure\": \"echo\"}\n"));
        assertEquals("invalid_protocol", errorType(replies.get(0)));
    }

    @Test
    void dataAfterTheRequestIsExcessive() throws Exception {
        HarpClient client = start();
        byte[] request = client.requestLine("echo", Json.MAPPER.createArrayNode());
        byte[] withExtra = new byte[request.length + 5];
        System.arraycopy(request, 0, withExtra, 0, request.length);
        System.arraycopy(bytes("extra"), 0, withExtra, request.length, 5);
        List<String> lines = client.sendRawLines(withExtra, false);
        assertEquals(List.of(Outbound.error("invalid_request", "excessive data after request")), lines);
        assertTrue(executor.submitted.isEmpty());
    }

    @Test
    void overlongRequestIsRefusedAndTheClientStillReadsWhy() throws Exception {
        HarpClient client = start(ServerSettings.defaults("127.0.0.1", 0).toBuilder().maxRequestBytes(64).build());
        // far beyond socket buffers: the client is still writing when the server refuses
        List<String> lines = client.sendRawLines(bytes("x".repeat(2_000_000)), false);
        assertEquals(List.of(Outbound.error("invalid_request", "request too long")), lines);
    }

    @Test
    void endOfInputBeforeNewlineIsIncomplete() throws Exception {
        List<String> lines = start().sendRawLines(bytes("{\"harp\": 1"), true);
        assertEquals(List.of(Outbound.error("invalid_request", "request incomplete or too long")), lines);
    }

    @Test
    void silentClientIsTimedOut() throws Exception {
        HarpClient client = start(ServerSettings.defaults("127.0.0.1", 0).toBuilder()
                .readTimeout(Duration.ofMillis(1500)).build());
        List<String> lines = client.sendRawLines(bytes("{\"harp\""), false);
        assertEquals(List.of(Outbound.error("invalid_request", "request read timeout")), lines);
    }

    @Test
    void closingBeforeTheResultCancelsTheCall() throws Exception {
        try (CallStream stream = start().stream("slow", Json.MAPPER.createArrayNode())) {
            assertEquals("first", stream.next().asText());
        }
        assertTrue(executor.last().cancelled.await(10, TimeUnit.SECONDS), "call not cancelled");
    }

    @Test
    void connectionsBeyondTheLimitAreOverloaded() throws Exception {
        HarpClient client = start(ServerSettings.defaults("127.0.0.1", 0).toBuilder().maxConnections(1).build());
        try (CallStream held = client.stream("slow", Json.MAPPER.createArrayNode())) {
            assertEquals("first", held.next().asText());
            CallResult refused = client.callRaw("echo", Json.MAPPER.createArrayNode());
            assertEquals(List.of(Outbound.error("overloaded", "too many connections")), refused.lines());
        }
        assertEquals(1, executor.submitted.size());
    }

    @Test
    void caFileTrustsTheServerCertificate() throws Exception {
        start();
        HarpClient verified = HarpClient.builder().host("127.0.0.1").port(port).user("alice").password("secret")
                .caFile(SERVERS.certificate().certificate().toPath()).build();
        assertEquals("[]", Json.toString(verified.call("echo")));
    }

    @Test
    void untrustedServerIsACommunicationError() throws Exception {
        start();
        HarpClient strict = HarpClient.builder().host("127.0.0.1").port(port).user("alice").password("secret")
                .timeout(Duration.ofSeconds(20)).build();
        assertThrows(org.harpd.client.CommunicationError.class, () -> strict.call("echo"));
    }

    @Test
    void stoppedServerRefusesNewConnections() throws Exception {
        HarpClient client = start();
        SERVERS.running().get(0).stopAccepting();
        assertThrows(org.harpd.client.CommunicationError.class, () -> client.call("echo"));
        assertFalse(executor.submitted.size() > 0);
    }

    private HarpClient client(String password) {
        return HarpClient.builder().host("127.0.0.1").port(port).user("alice").password(password)
                .trustAll().timeout(Duration.ofSeconds(20)).build();
    }
}
