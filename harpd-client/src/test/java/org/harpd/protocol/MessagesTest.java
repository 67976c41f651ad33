package org.harpd.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MessagesTest {
    private static String text(byte[] line) {
        return new String(line, StandardCharsets.UTF_8);
    }

    @Test
    void ackIsOneSortedLine() {
        assertEquals("{\"harp\": 1, \"stream_result\": true}\n", text(Messages.ack(true)));
        assertEquals("{\"harp\": 1, \"stream_result\": false}\n", text(Messages.ack(false)));
    }

    @Test
    void errorHasSortedKeys() {
        assertEquals("{\"error\": {\"message\": \"request too long\", \"type\": \"invalid_request\"}, \"harp\": 1}\n",
                text(Messages.error(ErrorType.INVALID_REQUEST, "request too long")));
    }
}
