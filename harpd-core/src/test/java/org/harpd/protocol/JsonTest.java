package org.harpd.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonTest {
    private static String line(String json) throws Exception {
        JsonNode node = Json.MAPPER.readTree(json);
        return new String(Json.line(node), StandardCharsets.UTF_8);
    }

    @Test
    void linesLookLikeCpythonJsonDumpsWithSortedKeys() throws Exception {
        assertEquals("{\"harp\": 1, \"stream_result\": false}\n", line("{\"stream_result\":false,\"harp\":1}"));
        assertEquals("{\"result\": [1, \"a\", {\"x\": [], \"y\": {}}]}\n", line("{\"result\":[1,\"a\",{\"y\":{},\"x\":[]}]}"));
    }

    @Test
    void nestedKeysAreSortedToo() throws Exception {
        assertEquals("{\"error\": {\"message\": \"m\", \"type\": \"t\"}, \"harp\": 1}\n",
                line("{\"harp\":1,\"error\":{\"type\":\"t\",\"message\":\"m\"}}"));
    }

    @Test
    void errorMessageHasTheReferenceShape() {
        HarpError e = new HarpError(ErrorType.INVALID_REQUEST, "excessive data after request");
        assertEquals("{\"error\": {\"message\": \"excessive data after request\", \"type\": \"invalid_request\"}, \"harp\": 1}\n",
                new String(Json.line(e.toMessage()), StandardCharsets.UTF_8));
    }

    @Test
    void bigIntegersAndNonAsciiSurvive() throws Exception {
        assertEquals("{\"result\": [123456789012345678901234567890, \"zażółć\"]}\n",
                line("{\"result\":[123456789012345678901234567890,\"zażółć\"]}"));
    }
}
