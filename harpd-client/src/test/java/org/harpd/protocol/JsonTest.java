package org.harpd.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
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
    void bigIntegersSurviveAndNonAsciiIsEscapedAsCpythonDoes() throws Exception {
        assertEquals("{\"result\": [123456789012345678901234567890, \"za\\u017c\\u00f3\\u0142\\u0107\"]}\n",
                line("{\"result\":[123456789012345678901234567890,\"zażółć\"]}"));
    }

    /** Expected text is CPython 2.7.18's {@code json.dumps(values, sort_keys=True)} for the same doubles. */
    @Test
    void floatsAreWrittenAsCpythonRepr() {
        ArrayNode values = Json.MAPPER.createArrayNode();
        for (double d : new double[] {1e100, 123456789.12345679, 3e-05, 1.0, -0.0, 0.0, 1e16, 1e15,
                1234567890123456.0, 0.0001, 0.1, 5e-324, 1.7976931348623157e308, 2.82879384806159e17, 1e23,
                Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN, 100.0, -1.5e-07, 0.3, 2.0 / 3}) {
            values.add(d);
        }
        assertEquals("[1e+100, 123456789.12345679, 3e-05, 1.0, -0.0, 0.0, 1e+16, 1000000000000000.0, "
                        + "1234567890123456.0, 0.0001, 0.1, 5e-324, 1.7976931348623157e+308, 2.82879384806159e+17, "
                        + "1e+23, Infinity, -Infinity, NaN, 100.0, -1.5e-07, 0.3, 0.6666666666666666]\n",
                new String(Json.line(values), StandardCharsets.US_ASCII));
    }

    /** CPython 2.7.18: {@code json.dumps(u'za\\u017c\\xf3\\u0142\\u0107 \\U0001f600 \\x7f \\x00\\x01\\x08\\t\\n\\x0c\\r\\x1f "\\\\/ ~ \\ud800')}. */
    @Test
    void stringsAreEscapedAsCpythonEnsureAscii() {
        String text = "za\u017c\u00f3\u0142\u0107 \ud83d\ude00 \u007f \u0000\u0001\b\t\n\f\r\u001f \"\\/ ~ \ud800";
        assertEquals("\"za\\u017c\\u00f3\\u0142\\u0107 \\ud83d\\ude00 \\u007f \\u0000\\u0001\\b\\t\\n\\f\\r\\u001f "
                        + "\\\"\\\\/ ~ \\ud800\"\n",
                new String(Json.line(Json.MAPPER.getNodeFactory().textNode(text)), StandardCharsets.US_ASCII));
    }

    @Test
    void nonAsciiKeysAreEscapedAndSorted() throws Exception {
        assertEquals("{\"a\": {}, \"b\": [], \"\\u00e9\": 1}\n", line("{\"\u00e9\":1,\"b\":[],\"a\":{}}"));
    }
}
