package org.harpd.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** What a handler under test wrote to the client, as lines without newlines. */
final class Outbound {
    private Outbound() {
    }

    static List<String> lines(EmbeddedChannel channel) {
        StringBuilder text = new StringBuilder();
        for (Object msg = channel.readOutbound(); msg != null; msg = channel.readOutbound()) {
            ByteBuf buf = (ByteBuf) msg;
            text.append(buf.toString(StandardCharsets.UTF_8));
            buf.release();
        }
        List<String> lines = new ArrayList<>();
        int start = 0;
        for (int nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", start)) {
            lines.add(text.substring(start, nl));
            start = nl + 1;
        }
        if (start < text.length()) {
            throw new AssertionError("unterminated line written: " + text.substring(start));
        }
        return lines;
    }

    static String error(String type, String message) {
        return "{\"error\": {\"message\": \"" + message + "\", \"type\": \"" + type + "\"}, \"harp\": 1}";
    }
}
