package org.harpd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RequestTimeoutHandlerTest {
    private final EmbeddedChannel channel = new EmbeddedChannel(new RequestTimeoutHandler(Duration.ofSeconds(10)));

    @Test
    void silentClientIsToldAndDisconnected() {
        channel.advanceTimeBy(10, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertEquals(List.of(Outbound.error("invalid_request", "request read timeout")), Outbound.lines(channel));
        assertFalse(channel.isOpen());
    }

    @Test
    void clientIsNotCutOffEarly() {
        channel.advanceTimeBy(9, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertEquals(List.of(), Outbound.lines(channel));
        assertTrue(channel.isOpen());
    }

    @Test
    void completeRequestStopsTheClock() {
        channel.writeInbound(new RequestLine(new byte[] {'{', '}'}));
        channel.advanceTimeBy(60, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertEquals(List.of(), Outbound.lines(channel));
        assertTrue(channel.isOpen());
        assertEquals(RequestLine.class, channel.readInbound().getClass());
    }
}
