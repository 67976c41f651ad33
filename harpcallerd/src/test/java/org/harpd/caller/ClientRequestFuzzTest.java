package org.harpd.caller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Fuzzes the dispatcher's client request path: {@link RequestReader} (connection and pending-bytes accounting,
 * deadline, line framing, refusals) on an {@link EmbeddedChannel} with a handler that answers every request, and
 * {@link ClientRequestParser} on its own.
 *
 * <p>In a plain {@code mvn verify} each {@code @FuzzTest} runs once per seed in
 * {@code src/test/resources/org/harpd/caller/ClientRequestFuzzTestInputs/<method>/}; {@code harpcallerd/fuzz.sh}
 * mutates them (see harpd-core's {@code fuzz.sh}, the same harness).
 */
class ClientRequestFuzzTest {
    /** Small, so the fuzzer reaches the "too long" and "overloaded" refusals with inputs of ordinary size. */
    private static final CallerConfig.Limits LIMITS = new CallerConfig.Limits(4, 30, 512, 2048, 4096, 0);
    private static final Set<String> REFUSALS = Set.of("invalid_json", "invalid_request", "overloaded");

    @FuzzTest
    void requestReader(byte[] input) {
        RequestReader reader = new RequestReader((ctx, request) -> {
            if (request.operation() instanceof ClientRequest.Invalid invalid) {
                throw new RequestException(invalid.message());
            }
            ctx.writeAndFlush(RequestReader.line(Json.object().put("handled",
                    request.operation().getClass().getSimpleName()))).addListener(ChannelFutureListener.CLOSE);
        });
        EmbeddedChannel channel = new EmbeddedChannel(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                reader.init(ch, LIMITS);
            }
        });
        channel.freezeTime();
        for (byte[] chunk : chunks(input)) {
            if (!channel.isOpen()) {
                break; // answered: a real client's further bytes go nowhere
            }
            channel.writeInbound(Unpooled.wrappedBuffer(chunk));
            channel.runPendingTasks();
        }
        // The client then goes quiet past the request deadline, and finally half-closes.
        channel.advanceTimeBy(LIMITS.requestSeconds() + 1, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        channel.runPendingTasks();
        if (channel.isOpen()) {
            channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
            channel.runPendingTasks();
        }
        channel.checkException();

        List<String> lines = lines(channel);
        assertEquals(1, lines.size(), () -> "one answer per connection: " + lines);
        JsonNode reply = readTree(lines.get(0).getBytes(StandardCharsets.UTF_8));
        if (reply.has("error")) {
            assertTrue(REFUSALS.contains(reply.path("error").path("type").asText()), () -> "refusal: " + lines);
            assertOneLine(reply.path("error").path("message").asText());
        } else {
            assertTrue(reply.path("handled").isTextual(), () -> "not an answer: " + lines);
        }
        assertFalse(channel.isOpen(), "the connection is closed once the client is done");
        assertEquals(0, reader.connections(), "a closed connection no longer counts");
        assertEquals(0, reader.pendingBytes(), "an incomplete request's bytes are given back");
    }

    @FuzzTest
    void requestParser(byte[] input) {
        ClientRequest request;
        try {
            request = ClientRequestParser.parse(input);
        } catch (RequestException e) {
            assertTrue(Set.of("invalid_json", "invalid_request").contains(e.type()), e::type);
            assertOneLine(e.getMessage());
            return;
        }
        JsonNode tree = readTree(new String(input, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8));
        assertEquals(1, tree.get("harpcaller").bigIntegerValue().intValueExact());
        ClientRequest.Operation op = request.operation();
        if (op instanceof ClientRequest.Invalid invalid) {
            assertOneLine(invalid.message());
        } else if (op instanceof ClientRequest.Submit s) {
            assertEquals(tree.get("host").textValue(), s.host());
            assertEquals(tree.get("procedure").textValue(), s.procedure());
            JsonNode arguments = tree.has("arguments") ? tree.get("arguments") : Json.MAPPER.createArrayNode();
            assertEquals(arguments, readTree(s.argumentsText().getBytes(StandardCharsets.UTF_8)),
                    "arguments stored as given");
            JsonNode queue = tree.get("queue");
            if (queue == null || queue.isNull()) {
                assertEquals(null, s.queueKey());
            } else {
                assertNotNull(s.queueKey());
                JsonNode c = queue.get("concurrency");
                assertEquals(c == null ? 1 : c.bigIntegerValue().intValueExact(), s.concurrency());
            }
            assertTrue(s.timeout() == null || s.timeout() > 0);
            assertTrue(s.maxExec() == null || s.maxExec() > 0);
        } else if (op instanceof ClientRequest.ReadStream r) {
            assertTrue(r.since() >= 0 != r.recent() >= 0, "exactly one of since and recent: " + r);
        }
    }

    private static void assertOneLine(String message) {
        assertNotNull(message);
        assertFalse(message.contains("\n"), "messages are one line");
        assertTrue(message.length() < 300, () -> "message too long: " + message);
    }

    /** TCP may cut the bytes anywhere: pieces whose size depends on the input. */
    private static List<byte[]> chunks(byte[] input) {
        List<byte[]> chunks = new ArrayList<>();
        int size = 1 + input.length % 251;
        for (int from = 0; from < input.length; from += size) {
            chunks.add(Arrays.copyOfRange(input, from, Math.min(input.length, from + size)));
        }
        return chunks;
    }

    private static List<String> lines(EmbeddedChannel channel) {
        StringBuilder out = new StringBuilder();
        for (Object o; (o = channel.readOutbound()) != null; ) {
            ByteBuf b = (ByteBuf) o;
            out.append(b.toString(StandardCharsets.UTF_8));
            b.release();
        }
        String text = out.toString();
        assertTrue(text.isEmpty() || text.endsWith("\n"), () -> "replies are whole lines: " + text);
        return text.isEmpty() ? List.of() : List.of(text.split("\n", -1)).subList(0, text.split("\n", -1).length - 1);
    }

    private static JsonNode readTree(byte[] bytes) {
        try {
            return Json.MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + new String(bytes, StandardCharsets.UTF_8), e);
        }
    }
}
