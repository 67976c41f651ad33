package org.harpd.caller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ClientRequestParserTest {
    private static ClientRequest parse(String line) throws RequestException {
        return ClientRequestParser.parse(line.getBytes(StandardCharsets.UTF_8));
    }

    private static String refusal(String line) {
        RequestException e = assertThrows(RequestException.class, () -> parse(line));
        return e.type() + ": " + e.getMessage();
    }

    private static String invalid(String line) throws RequestException {
        return assertInstanceOf(ClientRequest.Invalid.class, parse(line).operation()).message();
    }

    @Test
    void notARequestIsRefusedAtOnce() {
        assertEquals("invalid_json: request is not valid JSON", refusal("{\"harpcaller\": 1"));
        assertEquals("invalid_request: request is not a JSON object", refusal("[1]"));
        assertEquals("invalid_request: request is not a JSON object", refusal(""));
        assertEquals("invalid_request: unsupported or missing protocol version (\"harpcaller\": 1)",
                refusal("{\"harpcaller\": 2, \"get_status\": \"x\"}"));
        assertEquals("invalid_request: unsupported or missing protocol version (\"harpcaller\": 1)",
                refusal("{\"harpcaller\": \"1\"}"));
        assertEquals("invalid_request: unsupported or missing protocol version (\"harpcaller\": 1)",
                refusal("{\"harpcaller\": 4294967297}"), "a big number does not wrap round to 1");
    }

    @Test
    void bigNumbersDoNotWrapRound() throws Exception {
        assertEquals("queue \"concurrency\" must be a positive integer", invalid("{\"harpcaller\": 1, \"host\": "
                + "\"h\", \"procedure\": \"p\", \"queue\": {\"name\": 1, \"concurrency\": 4294967297}}"));
        assertEquals("\"since\" must be a non-negative integer",
                invalid("{\"harpcaller\": 1, \"read_stream\": \"j\", \"since\": 18446744073709551617}"));
    }

    @Test
    void submissionWithDefaults() throws Exception {
        ClientRequest r = parse("{\"harpcaller\": 1, \"host\": \"h\", \"procedure\": \"p\"}");
        ClientRequest.Submit s = assertInstanceOf(ClientRequest.Submit.class, r.operation());
        assertEquals("h", s.host());
        assertEquals("p", s.procedure());
        assertEquals("[]", s.argumentsText());
        assertNull(s.timeout());
        assertNull(s.maxExec());
        assertNull(s.queueKey());
        assertEquals(1, s.concurrency());
        assertNull(s.infoText());
        assertNull(r.token());
        assertFalse(r.tokenSent());
    }

    @Test
    void submissionWithEverything() throws Exception {
        ClientRequest r = parse("{\"harpcaller\": 1, \"token\": \"t\", \"host\": \"h\", \"procedure\": \"p\", "
                + "\"arguments\": {\"a\": [1, 2]}, \"timeout\": 1.5, \"max_exec_time\": 60, "
                + "\"queue\": {\"name\": {\"z\": 1, \"a\": 2}, \"concurrency\": 3}, \"info\": {\"k\": \"v\"}}");
        ClientRequest.Submit s = assertInstanceOf(ClientRequest.Submit.class, r.operation());
        assertEquals("{\"a\":[1,2]}", s.argumentsText());
        assertEquals(2, s.timeout(), "seconds rounded up");
        assertEquals(60, s.maxExec());
        assertEquals("{\"a\":2,\"z\":1}", s.queueKey(), "queue names compared by canonical JSON");
        assertEquals(3, s.concurrency());
        assertEquals("{\"k\":\"v\"}", s.infoText());
        assertEquals(s.argumentsText().length() + s.infoText().length(), s.size());
        assertEquals("t", r.token());
        assertTrue(r.tokenSent());
    }

    @Test
    void badSubmissionsParseAsInvalidForAfterAuthentication() throws Exception {
        assertEquals("a call needs \"host\" and \"procedure\" strings",
                invalid("{\"harpcaller\": 1, \"host\": 1, \"procedure\": \"p\"}"));
        assertEquals("\"arguments\" must be a list or an object",
                invalid("{\"harpcaller\": 1, \"host\": \"h\", \"procedure\": \"p\", \"arguments\": 3}"));
        assertEquals("\"timeout\" must be a positive number of seconds",
                invalid("{\"harpcaller\": 1, \"host\": \"h\", \"procedure\": \"p\", \"timeout\": 0}"));
        assertEquals("\"queue\" must be an object with \"name\"",
                invalid("{\"harpcaller\": 1, \"host\": \"h\", \"procedure\": \"p\", \"queue\": {}}"));
        assertEquals("queue \"concurrency\" must be a positive integer", invalid("{\"harpcaller\": 1, \"host\": "
                + "\"h\", \"procedure\": \"p\", \"queue\": {\"name\": 1, \"concurrency\": 1.5}}"));
        assertEquals("unrecognized request", invalid("{\"harpcaller\": 1}"));
        ClientRequest r = parse("{\"harpcaller\": 1, \"token\": 5, \"get_status\": 7}");
        assertNull(r.token(), "a token that is not a string is no token");
        assertTrue(r.tokenSent());
        assertEquals("\"get_status\" must be a job id string", invalid("{\"harpcaller\": 1, \"get_status\": 7}"));
    }

    @Test
    void readers() throws Exception {
        assertEquals(new ClientRequest.GetResult("j", true),
                parse("{\"harpcaller\": 1, \"get_result\": \"j\"}").operation());
        assertEquals(new ClientRequest.GetResult("j", false),
                parse("{\"harpcaller\": 1, \"get_result\": \"j\", \"wait\": false}").operation());
        assertEquals("\"wait\" must be true or false",
                invalid("{\"harpcaller\": 1, \"get_result\": \"j\", \"wait\": 0}"));
        assertEquals(new ClientRequest.Status("j"), parse("{\"harpcaller\": 1, \"get_status\": \"j\"}").operation());
        assertEquals(new ClientRequest.Cancel("j"), parse("{\"harpcaller\": 1, \"cancel\": \"j\"}").operation());
        assertEquals(new ClientRequest.ReadStream("j", true, -1, 0),
                parse("{\"harpcaller\": 1, \"follow_stream\": \"j\"}").operation(), "follow: new packets only");
        assertEquals(new ClientRequest.ReadStream("j", false, 0, -1),
                parse("{\"harpcaller\": 1, \"read_stream\": \"j\"}").operation(), "read: from the first");
        assertEquals(new ClientRequest.ReadStream("j", false, -1, 5),
                parse("{\"harpcaller\": 1, \"read_stream\": \"j\", \"recent\": 5}").operation());
        assertEquals(new ClientRequest.ReadStream("j", true, 3, -1),
                parse("{\"harpcaller\": 1, \"follow_stream\": \"j\", \"since\": 3}").operation());
        assertEquals("\"since\" and \"recent\" are mutually exclusive",
                invalid("{\"harpcaller\": 1, \"read_stream\": \"j\", \"since\": 1, \"recent\": 1}"));
        assertEquals("\"since\" must be a non-negative integer",
                invalid("{\"harpcaller\": 1, \"read_stream\": \"j\", \"since\": -1}"));
    }

    @Test
    void cancelTakesPrecedenceOverOtherKeys() throws Exception {
        assertEquals(new ClientRequest.Cancel("j"),
                parse("{\"harpcaller\": 1, \"cancel\": \"j\", \"host\": \"h\", \"procedure\": \"p\"}").operation());
    }
}
