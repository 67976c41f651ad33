package org.harpd.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RequestFrameDecoderTest {
    private static final int MAX = 16;

    private void receive(String text) {
        channel.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    }

    private String requestLine() {
        RequestLine line = channel.readInbound();
        return line == null ? null : new String(line.bytes(), StandardCharsets.UTF_8);
    }

    private final EmbeddedChannel channel = frozen(new EmbeddedChannel(new RequestFrameDecoder(MAX)));

    private static EmbeddedChannel frozen(EmbeddedChannel channel) {
        channel.freezeTime();
        return channel;
    }

    /** The answer goes out at once; the connection stays open to drain the rest, then closes when input pauses. */
    private void assertRefusedWith(String message) {
        assertEquals(List.of(Outbound.error("invalid_request", message)), Outbound.lines(channel));
        assertTrue(channel.isOpen(), "open while the client may still be sending");
        receive("the rest of a long request");
        channel.advanceTimeBy(RequestFrameDecoder.DRAIN_IDLE_MILLIS - 1, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertTrue(channel.isOpen(), "input paused less than the drain's idle time");
        channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertFalse(channel.isOpen());
        assertNull(channel.readInbound(), "nothing drained is passed on");
        assertEquals(List.of(), Outbound.lines(channel), "and nothing more is said");
    }

    /** With the input at its end there is nothing to drain: answer and close. */
    private void assertClosedWith(String message) {
        assertEquals(List.of(Outbound.error("invalid_request", message)), Outbound.lines(channel));
        assertFalse(channel.isOpen());
    }

    @Test
    void drainingEndsAtItsLimitEvenIfTheClientKeepsSending() {
        receive("x".repeat(MAX + 1));
        assertEquals(List.of(Outbound.error("invalid_request", "request too long")), Outbound.lines(channel));
        long step = RequestFrameDecoder.DRAIN_IDLE_MILLIS / 2;
        for (long waited = 0; waited + step < RequestFrameDecoder.DRAIN_MAX_MILLIS; waited += step) {
            receive("more");
            channel.advanceTimeBy(step, TimeUnit.MILLISECONDS);
            channel.runScheduledPendingTasks();
            assertTrue(channel.isOpen(), "still draining after " + (waited + step) + " ms");
        }
        channel.advanceTimeBy(step, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertFalse(channel.isOpen());
    }

    @Test
    void endOfInputWhileDrainingClosesAtOnce() {
        receive("{}\n{}");
        assertEquals(List.of(Outbound.error("invalid_request", "excessive data after request")),
                Outbound.lines(channel));
        channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        assertFalse(channel.isOpen());
    }

    @Test
    void lineSplitOverReadsIsPassedOnWhole() {
        receive("{\"a\"");
        receive(": 1");
        assertNull(requestLine());
        receive("}\n");
        assertEquals("{\"a\": 1}", requestLine());
        assertTrue(channel.isOpen());
        assertEquals(List.of(), Outbound.lines(channel));
    }

    @Test
    void lineOfExactlyTheBoundIsAccepted() {
        receive("x".repeat(MAX) + "\n");
        assertEquals("x".repeat(MAX), requestLine());
    }

    @Test
    void bytesArePassedUntouched() {
        byte[] raw = {(byte) 0xff, 0, 'a', '\n'};
        channel.writeInbound(Unpooled.wrappedBuffer(raw));
        RequestLine line = channel.readInbound();
        assertArrayEquals(new byte[] {(byte) 0xff, 0, 'a'}, line.bytes());
    }

    @Test
    void overTheBoundWithoutNewlineIsTooLong() {
        receive("x".repeat(10));
        receive("x".repeat(7));
        assertRefusedWith("request too long");
    }

    @Test
    void newlineBeyondTheBoundIsTooLong() {
        receive("x".repeat(MAX + 1) + "\n");
        assertRefusedWith("request too long");
    }

    @Test
    void bytesAfterNewlineInTheSameReadAreExcessive() {
        receive("{}\n{}");
        assertRefusedWith("excessive data after request");
    }

    @Test
    void bytesArrivingAfterTheRequestAreExcessive() {
        receive("{}\n");
        assertEquals("{}", requestLine());
        receive("more");
        assertEquals(List.of(Outbound.error("invalid_request", "excessive data after request")),
                Outbound.lines(channel));
        assertTrue(channel.isOpen(), "drains whatever else the client is sending");
        channel.advanceTimeBy(RequestFrameDecoder.DRAIN_IDLE_MILLIS, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertFalse(channel.isOpen());
    }

    @Test
    void bytesAfterTheLastMessageAreIgnored() {
        // Over TLS the close waits for the client's close_notify, so bytes may still come in: play that part.
        EmbeddedChannel lingering = new EmbeddedChannel(new ChannelOutboundHandlerAdapter() {
            @Override
            public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
                promise.setSuccess();
            }
        }, new RequestFrameDecoder(MAX));
        lingering.writeInbound(Unpooled.copiedBuffer("{}\n", StandardCharsets.UTF_8));
        lingering.readInbound();
        ConnectionReply.finish(lingering, "{\"result\": 1}\n".getBytes(StandardCharsets.UTF_8));
        ByteBuf late = Unpooled.copiedBuffer("late", StandardCharsets.UTF_8);
        lingering.writeInbound(late);
        assertEquals(List.of("{\"result\": 1}"), Outbound.lines(lingering));
        assertEquals(0, late.refCnt());
    }

    @Test
    void endOfInputBeforeNewlineIsIncomplete() {
        receive("{\"harp\"");
        channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        assertClosedWith("request incomplete or too long");
    }

    @Test
    void endOfInputWithNothingSentIsIncomplete() {
        channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        assertClosedWith("request incomplete or too long");
    }

    @Test
    void endOfInputAfterTheRequestClosesWithoutMessage() {
        receive("{}\n");
        requestLine();
        channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        assertEquals(List.of(), Outbound.lines(channel));
        assertFalse(channel.isOpen());
    }
}
