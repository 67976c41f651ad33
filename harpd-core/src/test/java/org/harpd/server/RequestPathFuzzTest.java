package org.harpd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.harpd.auth.Authenticator;
import org.harpd.procedure.IdRef;
import org.harpd.procedure.ProcedureInfo;
import org.harpd.procedure.Signature;
import org.harpd.protocol.CallRequest;
import org.harpd.protocol.ErrorType;
import org.harpd.protocol.HarpError;
import org.harpd.protocol.Json;
import org.harpd.protocol.Messages;
import org.harpd.protocol.RequestParser;
import org.harpd.workerprotocol.WorkerProtocol;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.slf4j.LoggerFactory;

/**
 * Fuzzes the request path from the client's bytes to the call: {@link RequestFrameDecoder},
 * {@link RequestTimeoutHandler}, {@link AuthenticationHandler} and {@link CallRequestHandler} on an
 * {@link EmbeddedChannel}, with in-memory authentication and workers, and {@link RequestParser} on its own.
 *
 * <p>In a plain {@code mvn verify} each {@code @FuzzTest} runs once per seed in
 * {@code src/test/resources/org/harpd/server/RequestPathFuzzTestInputs/<method>/} (regression mode).
 * With {@code JAZZER_FUZZ=1} Jazzer mutates those seeds, coverage-guided, for the time given by
 * {@code -Djazzer.max_duration} (see {@code harpd-core/fuzz.sh}); a failing input lands beside the seeds.
 */
class RequestPathFuzzTest {
    /** Small, so the fuzzer reaches the "too long" refusal with inputs of ordinary size. */
    private static final int MAX_REQUEST_BYTES = 4096;
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(10);
    private static final String USER = "u";
    private static final String PASSWORD = "p";

    private static final Set<String> ERROR_TYPES = EnumSet.allOf(ErrorType.class).stream()
            .map(ErrorType::wireName).collect(Collectors.toUnmodifiableSet());

    /** The parser's refusals come before authentication: only these types may come out of it. */
    private static final Set<ErrorType> PARSER_ERRORS =
            EnumSet.of(ErrorType.PARSE_ERROR, ErrorType.INVALID_PROTOCOL, ErrorType.INVALID_REQUEST);

    private static final Logger HARPD_LOG = (Logger) LoggerFactory.getLogger("harpd");
    private static final ListAppender<ILoggingEvent> LOG = new ListAppender<>();
    private static Level savedLevel;
    private static boolean savedAdditivity;

    /**
     * Handler failures are caught by {@link CallRequestHandler#exceptionCaught} and logged at debug as
     * "connection error"; an embedded channel has no I/O to fail, so any such line is an exception that
     * escaped a handler. The log stays in memory: a fuzzing run makes millions of lines.
     */
    @BeforeAll
    static void captureLog() {
        savedLevel = HARPD_LOG.getLevel();
        savedAdditivity = HARPD_LOG.isAdditive();
        HARPD_LOG.setLevel(Level.DEBUG);
        HARPD_LOG.setAdditive(false);
        LOG.start();
        HARPD_LOG.addAppender(LOG);
    }

    @AfterAll
    static void restoreLog() {
        HARPD_LOG.detachAppender(LOG);
        HARPD_LOG.setLevel(savedLevel);
        HARPD_LOG.setAdditive(savedAdditivity);
    }

    @FuzzTest
    void requestPath(byte[] input) {
        LOG.list.clear();
        FakeCalls.Executor executor = new FakeCalls.Executor(Map.of(
                "answer", (job, sink) -> sink.completed(WorkerProtocol.result(job.arguments())),
                "feed", (job, sink) -> {
                    for (JsonNode item : job.arguments()) {
                        sink.stream(WorkerProtocol.stream(item));
                    }
                    sink.completed(WorkerProtocol.result(Json.MAPPER.nullNode()));
                },
                "raise", (job, sink) -> sink.completed(WorkerProtocol.exception("ValueError", "bad", null)),
                "fail", (job, sink) -> sink.failed(new HarpError(ErrorType.SYSTEM_ERROR, "worker process died"))));
        EmbeddedChannel channel = channel(executor);

        for (byte[] chunk : chunks(input)) {
            if (!channel.isOpen()) {
                break;  // refused mid-stream: a real client's further bytes go nowhere
            }
            channel.writeInbound(Unpooled.wrappedBuffer(chunk));
            channel.runPendingTasks();
        }
        // The client then goes quiet past the read timeout, and finally half-closes.
        channel.advanceTimeBy(READ_TIMEOUT.toMillis() + 1, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        channel.runPendingTasks();
        if (channel.isOpen()) {
            channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
            channel.runPendingTasks();
        }
        channel.checkException();

        assertReplyIsWellFormed(Outbound.lines(channel));
        assertFalse(channel.isOpen(), "the connection is closed once the client is done");
        for (FakeCalls.Submitted call : executor.submitted) {
            boolean endedByWorker = !"hang".equals(call.job.procedure().name());
            assertTrue(endedByWorker || call.isCancelled(), "a call nobody waits for is cancelled: " + call.job);
        }
        List<String> escaped = LOG.list.stream().map(ILoggingEvent::getFormattedMessage)
                .filter(m -> m.startsWith("{\"message\": \"connection error\"")).toList(); // the record's own message, not a value
        assertEquals(List.of(), escaped, "exceptions escaped a handler");
        assertPasswordNotLogged(input);
    }

    @FuzzTest
    void requestParser(byte[] input) {
        CallRequest request;
        try {
            request = RequestParser.parse(input);
        } catch (HarpError e) {
            assertTrue(PARSER_ERRORS.contains(e.type()), () -> "unexpected error type " + e.type());
            assertNotNull(e.getMessage());
            assertFalse(e.getMessage().contains("\n"), "error messages are one line");
            assertTrue(e.getMessage().length() < 300, () -> "error message too long: " + e.getMessage());
            assertEquals(Messages.error(e).length - 1, indexOfNewline(Messages.error(e)),
                    "an error is one line on the wire");
            return;
        }
        // Accepted: the request is what the JSON said, and it survives the trip to a worker.
        assertTrue(request.arguments().isArray() || request.arguments().isObject());
        JsonNode tree = readTree(input);
        assertEquals(tree.get("procedure").textValue(), request.procedure());
        assertEquals(tree.get("auth").get("user").textValue(), request.user());
        assertTrue(request.toString().endsWith(", password=<hidden>]"), "toString never shows the password");
        Json.line(request.arguments());
    }

    /** A password distinctive enough to look for (one that is also the user name or procedure would be logged as such). */
    private static void assertPasswordNotLogged(byte[] input) {
        CallRequest request;
        try {
            request = RequestParser.parse(stripNewline(input));
        } catch (HarpError e) {
            return;
        }
        String password = request.password();
        if (password.length() < 6 || request.user().contains(password) || request.procedure().contains(password)) {
            return;
        }
        for (ILoggingEvent event : LOG.list) {
            assertFalse(event.getFormattedMessage().contains(password), () -> "password logged: " + event);
        }
    }

    private static byte[] stripNewline(byte[] input) {
        int newline = indexOfNewline(input);
        return newline < 0 ? input : Arrays.copyOf(input, newline);
    }

    private static EmbeddedChannel channel(FakeCalls.Executor executor) {
        Authenticator authenticator = (user, password) -> {
            if ("raise".equals(user)) {
                throw new IllegalStateException("authentication backend down");
            }
            return USER.equals(user) && PASSWORD.equals(password);
        };
        CallServices services = new CallServices(authenticator, Runnable::run,
                FakeCalls.catalog(procedure("answer", new Signature(List.of(), 0, "args", "kwargs"), false),
                        procedure("add", new Signature(List.of("a", "b"), 1, null, null), false),
                        procedure("feed", new Signature(List.of(), 0, "items", null), true),
                        procedure("raise", Signature.permissive(), false),
                        procedure("fail", Signature.permissive(), false),
                        procedure("hang", Signature.permissive(), true)),
                executor, IdRef.ofName("nobody"), null);
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.freezeTime();
        channel.pipeline().addLast(new RequestFrameDecoder(MAX_REQUEST_BYTES),
                new RequestTimeoutHandler(READ_TIMEOUT), new AuthenticationHandler(services),
                new CallRequestHandler(services));
        return channel;
    }

    private static ProcedureInfo procedure(String name, Signature signature, boolean streaming) {
        return new ProcedureInfo(name, streaming, signature, Duration.ofSeconds(5), null, List.of());
    }

    /**
     * TCP may cut the bytes anywhere: the input arrives in pieces whose size depends on the input, so the
     * fuzzer explores both whole and split lines.
     */
    private static List<byte[]> chunks(byte[] input) {
        List<byte[]> chunks = new ArrayList<>();
        int size = 1 + input.length % 251;
        for (int from = 0; from < input.length; from += size) {
            chunks.add(Arrays.copyOfRange(input, from, Math.min(input.length, from + size)));
        }
        return chunks;
    }

    /**
     * What a client may see: nothing, or an ack followed by stream lines (streaming calls only), or a single
     * final message (result, exception or error) — the final message last, at most one of it.
     */
    static void assertReplyIsWellFormed(List<String> lines) {
        Boolean streaming = null;
        Iterator<String> it = lines.iterator();
        int index = 0;
        while (it.hasNext()) {
            String line = it.next();
            JsonNode message = readTree(line.getBytes(StandardCharsets.UTF_8));
            assertTrue(message.isObject(), () -> "not a JSON object: " + line);
            Set<String> keys = fieldNames(message);
            if (keys.equals(Set.of("harp", "stream_result"))) {
                assertEquals(0, index, () -> "the ack comes first: " + lines);
                assertEquals(1, message.get("harp").intValue());
                assertTrue(message.get("stream_result").isBoolean());
                streaming = message.get("stream_result").booleanValue();
            } else if (keys.equals(Set.of("stream"))) {
                assertEquals(Boolean.TRUE, streaming, () -> "stream lines only after a streaming ack: " + lines);
            } else {
                assertFinal(message, line, streaming != null);
                assertFalse(it.hasNext(), () -> "nothing after the final message: " + lines);
            }
            index++;
        }
    }

    private static void assertFinal(JsonNode message, String line, boolean acknowledged) {
        Set<String> keys = fieldNames(message);
        if (keys.equals(Set.of("result"))) {
            assertTrue(acknowledged, () -> "a result without an ack: " + line);
        } else if (keys.equals(Set.of("exception"))) {
            assertTrue(acknowledged, () -> "an exception without an ack: " + line);
            assertTrue(message.get("exception").path("type").isTextual(), line);
            assertTrue(message.get("exception").path("message").isTextual(), line);
        } else if (keys.equals(Set.of("error", "harp"))) {
            assertEquals(1, message.get("harp").intValue(), line);
            JsonNode error = message.get("error");
            assertTrue(ERROR_TYPES.contains(error.path("type").asText(null)), () -> "unknown error type: " + line);
            assertTrue(error.path("message").isTextual(), line);
        } else {
            fail("not a harp message: " + line);
        }
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new java.util.HashSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static JsonNode readTree(byte[] bytes) {
        try {
            return Json.MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + new String(bytes, StandardCharsets.UTF_8), e);
        }
    }

    private static int indexOfNewline(byte[] line) {
        for (int i = 0; i < line.length; i++) {
            if (line[i] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
