package org.harpd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

class OverloadedRejecterTest {
    private final EmbeddedChannel channel = new EmbeddedChannel(new OverloadedRejecter());

    @Test
    void saysOverloadedOnceTlsIsUp() {
        assertTrue(channel.isOpen());
        channel.pipeline().fireUserEventTriggered(SslHandshakeCompletionEvent.SUCCESS);
        assertEquals(List.of(Outbound.error("overloaded", "too many connections")), Outbound.lines(channel));
        assertFalse(channel.isOpen());
    }

    @Test
    void failedHandshakeClosesSilently() {
        channel.pipeline().fireUserEventTriggered(new SslHandshakeCompletionEvent(new Exception("bad")));
        assertEquals(List.of(), Outbound.lines(channel));
        assertFalse(channel.isOpen());
    }

    @Test
    void requestBytesAreDiscarded() {
        ByteBuf request = Unpooled.wrappedBuffer(new byte[] {'{', '}', '\n'});
        channel.writeInbound(request);
        Object passedOn = channel.readInbound();
        assertNull(passedOn);
        assertEquals(0, request.refCnt());
    }
}
