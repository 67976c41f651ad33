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
    void keysAreSortedAtEveryLevelInCPythonsLayout() {
        Map<String, Object> arguments = new LinkedHashMap<>();
        arguments.put("zeta", List.of(1, 2));
        arguments.put("alpha", null);
        assertEquals("{\"arguments\": {\"alpha\": null, \"zeta\": [1, 2]}, \"client\": \"127.0.0.1:4000\", "
                        + "\"message\": \"call\", \"procedure\": \"ping\"}",
                EventLog.render("call", "procedure", "ping", "client", "127.0.0.1:4000", "arguments", arguments));
    }

    @Test
    void valuesOfEveryKindAreWrittenAsTheWireWritesThem() {
        String rendered = EventLog.render("m", "big", new BigInteger("123456789012345678901234567890"),
                "nan", Double.NaN, "text", "caf\u00e9 \"quoted\"\n", "empty", List.of(), "flag", true);
        assertEquals("{\"big\": 123456789012345678901234567890, \"empty\": [], \"flag\": true, \"message\": \"m\", "
                + "\"nan\": NaN, \"text\": \"caf\u00e9 \\\"quoted\\\"\\n\"}", rendered);
        // the same bytes the wire codec makes from a tree of the same values
        assertEquals(Json.toString(Json.MAPPER.valueToTree(Map.of("big",
                new BigInteger("123456789012345678901234567890"), "nan", Double.NaN, "text", "caf\u00e9 \"quoted\"\n",
                "empty", List.of(), "flag", true, "message", "m"))), rendered);
    }

    @Test
    void aLaterValueForTheSameKeyWins() {
        assertEquals("{\"message\": \"replaced\"}", EventLog.render("first", "message", "replaced"));
    }

    @Test
    void contextMustComeInPairs() {
        assertThrows(IllegalArgumentException.class, () -> EventLog.render("m", new Object[] {"k"}));
    }
}
