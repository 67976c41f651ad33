package org.harpd.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.harpd.protocol.Json;
import org.junit.jupiter.api.Test;

/** The one-line JSON objects harpd logs. */
class EventLogTest {
    @Test
    void messageComesFirstThenTheContextSortedAtEveryLevelInCPythonsLayout() {
        Map<String, Object> arguments = new LinkedHashMap<>();
        arguments.put("zeta", List.of(1, 2));
        arguments.put("alpha", null);
        assertEquals("{\"message\": \"call\", \"arguments\": {\"alpha\": null, \"zeta\": [1, 2]}, "
                        + "\"client\": \"127.0.0.1:4000\", \"procedure\": \"ping\"}",
                EventLog.render("call", "procedure", "ping", "client", "127.0.0.1:4000", "arguments", arguments));
    }

    @Test
    void valuesOfEveryKindAreWrittenAsTheWireWritesThem() {
        String rendered = EventLog.render("m", "big", new BigInteger("123456789012345678901234567890"),
                "nan", Double.NaN, "text", "caf\u00e9 \"quoted\"\n", "empty", List.of(), "flag", true);
        assertEquals("{\"message\": \"m\", \"big\": 123456789012345678901234567890, \"empty\": [], \"flag\": true, "
                + "\"nan\": NaN, \"text\": \"caf\\u00e9 \\\"quoted\\\"\\n\"}", rendered);
        // the context is the bytes the wire codec makes from a tree of the same values
        assertEquals(Json.toString(Json.MAPPER.valueToTree(Map.of("big",
                new BigInteger("123456789012345678901234567890"), "nan", Double.NaN, "text", "caf\u00e9 \"quoted\"\n",
                "empty", List.of(), "flag", true))).substring(1), rendered.substring(rendered.indexOf(", ") + 2));
    }

    @Test
    void aLaterValueForTheSameKeyWins() {
        assertEquals("{\"message\": \"replaced\"}", EventLog.render("first", "message", "replaced"));
        assertEquals("{\"message\": \"replaced\", \"a\": 1}", EventLog.render("first", "a", 1, "message", "replaced"));
    }

    @Test
    void contextMustComeInPairs() {
        assertThrows(IllegalArgumentException.class, () -> EventLog.render("m", new Object[] {"k"}));
    }
}
