package org.harpd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** harpd's wire protocol, byte for byte where the original's replies are known exactly. */
class ProtocolIT {
    static Daemon daemon;

    @BeforeAll
    static void start() throws Exception {
        daemon = Daemon.builder().procedures("""
                from harpd.proc import procedure, streaming_procedure, Result

                @procedure
                def add(a, b):
                    return a + b

                @procedure
                def kinds(x):
                    return {"type": type(x).__name__, "value": x}

                @streaming_procedure
                def three():
                    yield 1
                    yield "two"
                    yield Result({"b": 2, "a": 1})

                @streaming_procedure
                def no_result():
                    yield 1

                @procedure
                def raises():
                    raise TypeError("bad type")

                @procedure
                def not_json():
                    return object()

                def helper():
                    return "not exposed"
                """).start();
    }

    @AfterAll
    static void stop() throws Exception {
        daemon.close();
    }

    private static List<String> send(String text) throws Exception {
        return Wire.exchange(daemon.port(), text);
    }

    @Test
    void resultIsAckThenResultInTheOriginalsLayout() throws Exception {
        assertEquals(List.of("{\"harp\": 1, \"stream_result\": false}", "{\"result\": 5}"),
                send(Wire.request("add", "[2, 3]")));
    }

    @Test
    void keywordArgumentsAreAccepted() throws Exception {
        assertEquals("{\"result\":\"ab\"}", compact(send(Wire.request("add", "{\"b\": \"b\", \"a\": \"a\"}"))).get(1));
    }

    @Test
    void missingArgumentsMeanNoArguments() throws Exception {
        List<String> lines = send("{\"harp\": 1, \"procedure\": \"raises\", \"auth\": {\"user\": \"test\", \"password\": \"secret\"}}\n");
        assertEquals("TypeError", Wire.parse(lines.get(1)).at("/exception/type").asText());
    }

    @Test
    void streamingSendsEachValueThenTheResult() throws Exception {
        assertEquals(List.of("{\"harp\":1,\"stream_result\":true}", "{\"stream\":1}", "{\"stream\":\"two\"}",
                "{\"result\":{\"a\":1,\"b\":2}}"), compact(send(Wire.request("three", "[]"))));
        assertEquals(List.of("{\"harp\":1,\"stream_result\":true}", "{\"stream\":1}", "{\"result\":null}"),
                compact(send(Wire.request("no_result", "[]"))));
    }

    @Test
    void procedureExceptionCarriesClassAndModule() throws Exception {
        JsonNode exception = Wire.parse(send(Wire.request("raises", "[]")).get(1)).get("exception");
        assertEquals("TypeError", exception.get("type").asText());
        assertEquals("bad type", exception.get("message").asText());
        assertEquals("TypeError", exception.at("/data/class").asText());
        assertEquals("exceptions", exception.at("/data/module").asText());
    }

    @Test
    void stringsArriveAsUnicodeAndBigIntegersSurvive() throws Exception {
        JsonNode s = Wire.parse(send(Wire.request("kinds", "[\"zażółć\"]")).get(1)).get("result");
        assertEquals("unicode", s.get("type").asText());
        assertEquals("zażółć", s.get("value").asText());
        JsonNode big = Wire.parse(send(Wire.request("kinds", "[123456789012345678901234567890]")).get(1)).get("result");
        assertEquals("long", big.get("type").asText());
        assertEquals("123456789012345678901234567890", big.get("value").bigIntegerValue().toString());
    }

    @Test
    void unserialisableResultIsInvalidMessage() throws Exception {
        List<String> lines = send(Wire.request("not_json", "[]"));
        assertEquals("{\"harp\":1,\"stream_result\":false}", compact(lines).get(0));
        assertError(lines.get(1), "invalid_message", null);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "not JSON                 | this is not json\\n                                             | parse_error      |",
        "JSON array               | [1, 2]\\n                                                       | invalid_request  | invalid request data type",
        "no harp field            | {\"procedure\": \"add\", \"arguments\": [], \"auth\": {\"user\": \"test\", \"password\": \"secret\"}}\\n | invalid_protocol | unsupported protocol version",
        "harp 2                   | {\"harp\": 2, \"procedure\": \"add\", \"arguments\": [], \"auth\": {\"user\": \"test\", \"password\": \"secret\"}}\\n | invalid_protocol | unsupported protocol version",
        "no auth                  | {\"harp\": 1, \"procedure\": \"add\", \"arguments\": []}\\n     | invalid_request  | malformed credentials data",
        "password not a string    | {\"harp\": 1, \"procedure\": \"add\", \"arguments\": [], \"auth\": {\"user\": \"test\", \"password\": 1}}\\n | invalid_request | malformed credentials data",
        "procedure not a string   | {\"harp\": 1, \"procedure\": 7, \"arguments\": [], \"auth\": {\"user\": \"test\", \"password\": \"secret\"}}\\n | invalid_request | invalid request",
        "arguments a string       | {\"harp\": 1, \"procedure\": \"add\", \"arguments\": \"x\", \"auth\": {\"user\": \"test\", \"password\": \"secret\"}}\\n | invalid_request | invalid request",
        "wrong password           | {\"harp\": 1, \"procedure\": \"add\", \"arguments\": [], \"auth\": {\"user\": \"test\", \"password\": \"nope\"}}\\n | auth_error | unknown user or wrong password",
        "unknown user             | {\"harp\": 1, \"procedure\": \"add\", \"arguments\": [], \"auth\": {\"user\": \"who\", \"password\": \"secret\"}}\\n | auth_error | unknown user or wrong password",
        "excessive data           | {\"harp\": 1, \"procedure\": \"add\", \"arguments\": [1, 2], \"auth\": {\"user\": \"test\", \"password\": \"secret\"}}\\nmore | invalid_request | excessive data after request",
        "EOF before newline       | {\"harp\": 1                                                  | invalid_request  | request incomplete or too long",
    })
    void malformedRequestsGetTheReferenceError(String name, String request, String type, String message) throws Exception {
        List<String> lines = sendHalfClosed(request.replace("\\n", "\n"));
        assertEquals(1, lines.size(), "exactly one error line, no ack: " + lines);
        assertError(lines.get(0), type, message);
    }

    @Test
    void unknownProcedureNamesIt() throws Exception {
        List<String> lines = send(Wire.request("helper", "[]"));
        assertEquals(1, lines.size());
        JsonNode error = assertError(lines.get(0), "no_such_procedure", "no such procedure");
        assertEquals("helper", error.at("/error/data/procedure").asText());
    }

    @Test
    void argumentMismatchIsRefusedBeforeTheCall() throws Exception {
        for (String args : List.of("[1]", "[1, 2, 3]", "{\"a\": 1}", "{\"a\": 1, \"b\": 2, \"c\": 3}")) {
            List<String> lines = send(Wire.request("add", args));
            assertEquals(1, lines.size(), args + " -> " + lines);
            JsonNode error = assertError(lines.get(0), "invalid_argument_list", null);
            assertEquals("(a, b)", error.at("/error/data/signature").asText());
        }
    }

    @Test
    void oversizedRequestIsRefusedWithoutReadingItAll() throws Exception {
        byte[] big = new byte[2 * 1024 * 1024];
        java.util.Arrays.fill(big, (byte) ' ');
        List<String> lines;
        try (var socket = Wire.connect(daemon.port())) {
            try {
                socket.getOutputStream().write(big);
            } catch (java.io.IOException closedEarly) {
                // the daemon may close before reading everything: that is the point
            }
            lines = Wire.readAll(socket);
        }
        assertEquals(1, lines.size(), lines.toString());
        assertError(lines.get(0), "invalid_request", null);
    }

    @Test
    void invalidUtf8IsAParseError() throws Exception {
        byte[] prefix = "{\"harp\": 1, \"procedure\": \"".getBytes(StandardCharsets.UTF_8);
        byte[] rest = "\", \"arguments\": [], \"auth\": {\"user\": \"test\", \"password\": \"secret\"}}\n".getBytes(StandardCharsets.UTF_8);
        byte[] request = new byte[prefix.length + 2 + rest.length];
        System.arraycopy(prefix, 0, request, 0, prefix.length);
        request[prefix.length] = (byte) 0xC3;
        request[prefix.length + 1] = (byte) 0x28;
        System.arraycopy(rest, 0, request, prefix.length + 2, rest.length);
        List<String> lines = Wire.exchange(daemon.port(), request);
        assertEquals(1, lines.size());
        assertError(lines.get(0), "parse_error", null);
    }

    @Test
    void passwordsNeverReachTheLog() throws Exception {
        send("{\"harp\": 1, \"procedure\": \"add\", \"arguments\": [], \"auth\": {\"user\": \"test\", \"password\": \"hunter2-wrong\"}}\n");
        send(Wire.request("add", "[1, 1]"));
        daemon.awaitLog(l -> l.contains("authentication error"), java.time.Duration.ofSeconds(10));
        for (String line : daemon.log()) {
            assertTrue(!line.contains("hunter2-wrong") && !line.contains(Daemon.PASSWORD), "password in log: " + line);
        }
    }

    /** Sends and shuts the write side so "EOF before newline" is observable. */
    private static List<String> sendHalfClosed(String text) throws Exception {
        try (var plain = new java.net.Socket("127.0.0.1", daemon.port());
             var socket = (javax.net.ssl.SSLSocket) Wire.trustAll().getSocketFactory()
                     .createSocket(plain, "127.0.0.1", daemon.port(), true)) {
            socket.setSoTimeout(60_000);
            socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            if (!text.endsWith("\n") && !text.contains("\n")) {
                // End of the request stream as a client that shuts down its socket's sending side shows it: a
                // TCP FIN with no TLS close_notify (Python's SSLSocket.shutdown(SHUT_WR) does just that). After a
                // close_notify, BoringSSL, unlike the JDK, closes both directions, leaving no way to answer.
                plain.shutdownOutput();
            }
            return Wire.readAll(socket);
        }
    }

    static JsonNode assertError(String line, String type, String message) throws Exception {
        JsonNode node = Wire.parse(line);
        assertEquals(1, node.get("harp").asInt(), line);
        assertEquals(type, node.at("/error/type").asText(), line);
        if (message != null) {
            assertEquals(message, node.at("/error/message").asText(), line);
        } else {
            assertTrue(node.at("/error/message").isTextual(), line);
        }
        return node;
    }

    /** Re-serialise compactly so assertions don't depend on the separators the server chose. */
    static List<String> compact(List<String> lines) throws Exception {
        return lines.stream().map(l -> {
            try {
                return Wire.JSON.writeValueAsString(Wire.parse(l));
            } catch (Exception e) {
                throw new AssertionError(l, e);
            }
        }).toList();
    }
}
