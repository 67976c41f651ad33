package org.harpd.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestParserTest {
    private static final String AUTH = "\"auth\": {\"user\": \"u\", \"password\": \"pw\"}";

    private static CallRequest parse(String text) {
        return RequestParser.parse(text.getBytes(StandardCharsets.UTF_8));
    }

    private static HarpError refusal(String text) {
        return assertThrows(HarpError.class, () -> parse(text));
    }

    private static void assertRefused(String text, ErrorType type, String message) {
        HarpError e = refusal(text);
        assertEquals(type, e.type());
        assertEquals(message, e.getMessage());
    }

    @Test
    void positionalCallIsParsed() {
        CallRequest r = parse("{\"harp\": 1, \"procedure\": \"add\", \"arguments\": [1, 2], " + AUTH + "}");
        assertEquals("add", r.procedure());
        assertEquals("[1, 2]", Json.toString(r.arguments()));
        assertEquals("u", r.user());
        assertEquals("pw", r.password());
        assertFalse(r.keywordArguments());
    }

    @Test
    void keywordCallIsParsed() {
        CallRequest r = parse("{\"harp\": 1, \"procedure\": \"add\", \"arguments\": {\"a\": 1}, " + AUTH + "}");
        assertTrue(r.keywordArguments());
        assertEquals(1, r.arguments().get("a").asInt());
    }

    @Test
    void missingArgumentsMeanNoArguments() {
        CallRequest r = parse("{\"harp\": 1, \"procedure\": \"p\", " + AUTH + "}");
        assertTrue(r.arguments().isArray());
        assertEquals(0, r.arguments().size());
    }

    @Test
    void harpOnePointZeroIsVersionOne() {
        assertEquals("p", parse("{\"harp\": 1.0, \"procedure\": \"p\", " + AUTH + "}").procedure());
    }

    @Test
    void toStringHidesThePassword() {
        CallRequest r = parse("{\"harp\": 1, \"procedure\": \"p\", \"auth\": {\"user\": \"u\", \"password\": \"s3cr3t\"}}");
        assertFalse(r.toString().contains("s3cr3t"));
        assertTrue(r.toString().contains("p"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"not json", "{\"harp\": 1", "", "   ", "{} {}", "{\"harp\": 1, \"harp\": 1}"})
    void malformedJsonIsParseErrorOnOneShortLine(String text) {
        HarpError e = refusal(text);
        assertEquals(ErrorType.PARSE_ERROR, e.type());
        assertFalse(e.getMessage().contains("\n"));
        assertTrue(e.getMessage().length() < 300, e.getMessage());
        assertFalse(e.getMessage().matches("(?i).*(source|jackson|`|feature).*"), e.getMessage());
    }

    @Test
    void duplicateKeysInsideArgumentsAreParseErrors() {
        assertEquals(ErrorType.PARSE_ERROR,
                refusal("{\"harp\": 1, \"procedure\": \"p\", \"arguments\": {\"a\": 1, \"a\": 2}, " + AUTH + "}").type());
    }

    @Test
    void invalidUtf8IsParseError() {
        byte[] bytes = {'{', '"', 'a', '"', ':', '"', (byte) 0xff, '"', '}'};
        HarpError e = assertThrows(HarpError.class, () -> RequestParser.parse(bytes));
        assertEquals(ErrorType.PARSE_ERROR, e.type());
    }

    @Test
    void absurdNestingIsParseError() {
        String deep = "[".repeat(10_000) + "]".repeat(10_000);
        assertEquals(ErrorType.PARSE_ERROR, refusal(deep).type());
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "1", "\"text\"", "null", "true"})
    void nonObjectIsInvalidRequestDataType(String text) {
        assertRefused(text, ErrorType.INVALID_REQUEST, "invalid request data type");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "{\"harp\": 2}", "{\"harp\": \"1\"}", "{\"harp\": null}", "{\"harp\": true}"})
    void wrongOrMissingVersionIsInvalidProtocol(String text) {
        assertRefused(text, ErrorType.INVALID_PROTOCOL, "unsupported protocol version");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"harp\": 1, \"procedure\": \"p\"}",
        "{\"harp\": 1, \"procedure\": \"p\", \"auth\": [\"u\", \"pw\"]}",
        "{\"harp\": 1, \"procedure\": \"p\", \"auth\": {\"user\": 1, \"password\": \"pw\"}}",
        "{\"harp\": 1, \"procedure\": \"p\", \"auth\": {\"user\": \"u\"}}",
        "{\"harp\": 1, \"procedure\": \"p\", \"auth\": {\"user\": \"u\", \"password\": null}}",
    })
    void badCredentialsAreMalformed(String text) {
        assertRefused(text, ErrorType.INVALID_REQUEST, "malformed credentials data");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"harp\": 1, " + AUTH + "}",
        "{\"harp\": 1, \"procedure\": 7, " + AUTH + "}",
        "{\"harp\": 1, \"procedure\": \"p\", \"arguments\": \"x\", " + AUTH + "}",
        "{\"harp\": 1, \"procedure\": \"p\", \"arguments\": null, " + AUTH + "}",
    })
    void badProcedureOrArgumentsAreInvalidRequest(String text) {
        assertRefused(text, ErrorType.INVALID_REQUEST, "invalid request");
    }

    @Test
    void versionIsCheckedBeforeCredentials() {
        assertRefused("{\"procedure\": 7}", ErrorType.INVALID_PROTOCOL, "unsupported protocol version");
    }

    @Test
    void credentialsAreCheckedBeforeProcedure() {
        assertRefused("{\"harp\": 1, \"procedure\": 7}", ErrorType.INVALID_REQUEST, "malformed credentials data");
    }
}
