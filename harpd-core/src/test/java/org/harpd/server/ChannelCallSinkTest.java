package org.harpd.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.harpd.protocol.HarpError;
import org.harpd.protocol.Json;
import org.harpd.workerprotocol.WorkerProtocol;
import org.junit.jupiter.api.Test;

class ChannelCallSinkTest {
    private static final byte[] ITEM = WorkerProtocol.stream(Json.MAPPER.valueToTree("0123456789"));

    /** Plays a client that has stopped reading: writes never reach the socket, so they never complete. */
    private static final class StuckSocket extends ChannelOutboundHandlerAdapter {
        final List<ByteBuf> held = new ArrayList<>();
        final List<ChannelPromise> promises = new ArrayList<>();

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            held.add((ByteBuf) msg);
            promises.add(promise);
        }

        /** The client reads again: everything held reaches it. */
        List<String> drain() {
            List<String> lines = new ArrayList<>();
            held.forEach(b -> {
                lines.add(b.toString(StandardCharsets.UTF_8).strip());
                b.release();
            });
            promises.forEach(ChannelPromise::setSuccess);
            held.clear();
            promises.clear();
            return lines;
        }
    }

    private final List<HarpError> ends = new ArrayList<>();

    @Test
    void outputWaitingForAReadingClientIsCountedAndReleasedOnceWritten() {
        StuckSocket socket = new StuckSocket();
        EmbeddedChannel channel = new EmbeddedChannel(socket);
        ChannelCallSink sink = new ChannelCallSink(channel, (error, outcome) -> ends.add(error), 10 * ITEM.length);
        for (int i = 0; i < 5; i++) {
            sink.stream(ITEM);
        }
        channel.runPendingTasks();
        assertEquals(5L * ITEM.length, sink.pendingBytes());
        assertEquals(5, socket.drain().size());
        assertEquals(0, sink.pendingBytes());
        assertTrue(channel.isOpen());
    }

    @Test
    void clientThatStopsReadingGetsOverloadedAndTheCallIsEnded() {
        StuckSocket socket = new StuckSocket();
        List<Object> events = new ArrayList<>();
        EmbeddedChannel channel = new EmbeddedChannel(socket, new io.netty.channel.ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                events.add(evt);
            }
        });
        ChannelCallSink sink = new ChannelCallSink(channel, (error, outcome) -> ends.add(error), 10 * ITEM.length);
        for (int i = 0; i < 100_000; i++) {
            sink.stream(ITEM);
        }
        sink.completed(WorkerProtocol.result(Json.MAPPER.nullNode()));
        channel.runPendingTasks();

        assertTrue(sink.pendingBytes() <= 10L * ITEM.length, "memory held is bounded: " + sink.pendingBytes());
        List<String> delivered = socket.drain();
        assertEquals(11, delivered.size(), "10 items fit, then the error; the result is dropped");
        assertEquals(Outbound.error("overloaded", ChannelCallSink.SLOW_READER), delivered.get(10));
        assertEquals(List.of(ConnectionReply.FINISHED_EVENT), events, "the handler is told, so it cancels the call");
        channel.runPendingTasks();
        assertFalse(channel.isOpen());
    }

    /** What the metrics count a call's end as: the final line's kind, or its error type. */
    @Test
    void theOutcomeIsTheFinalLinesKindOrErrorType() {
        assertEquals("result", ChannelCallSink.outcome("{\"result\": {\"exception\": 1}}\n".getBytes(UTF_8)));
        assertEquals("exception", ChannelCallSink.outcome(("{\"exception\": {\"data\": {}, \"message\": \"x\", "
                + "\"type\": \"ValueError\"}}\n").getBytes(UTF_8)));
        assertEquals("invalid_argument_list", ChannelCallSink.outcome(("{\"error\": {\"message\": \"x\", "
                + "\"type\": \"invalid_argument_list\"}, \"harp\": 1}\n").getBytes(UTF_8)));
        assertEquals("system_error", ChannelCallSink.outcome("{\"error\": {\"type\": \"made_up\"}}\n".getBytes(UTF_8)));
        assertEquals("system_error", ChannelCallSink.outcome("not json\n".getBytes(UTF_8)));
    }
}
