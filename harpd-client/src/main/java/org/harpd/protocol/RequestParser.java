package org.harpd.protocol;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Turns one request line into a {@link CallRequest}, checking it in the order the original harpd does:
 * JSON syntax, then the top-level type, then the protocol version, then the credentials, then procedure
 * and arguments. The first failing check decides the error the client sees.
 */
public final class RequestParser {
    private static final int MAX_PARSER_MESSAGE = 200;

    /** Duplicate keys are refused: a request meaning two things at once is an error, not a guess. */
    private static final ObjectReader READER = Json.MAPPER.reader()
            .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION);

    private RequestParser() {
    }

    /** @param line the request without its terminating newline */
    public static CallRequest parse(byte[] line) throws HarpError {
        JsonNode request = readJson(decodeUtf8(line));
        if (!request.isObject()) {
            throw invalidRequest("invalid request data type");
        }
        if (!isVersionOne(request.get("harp"))) {
            throw new HarpError(ErrorType.INVALID_PROTOCOL, "unsupported protocol version");
        }
        JsonNode auth = request.get("auth");
        if (auth == null || !auth.isObject() || !isString(auth.get("user")) || !isString(auth.get("password"))) {
            throw invalidRequest("malformed credentials data");
        }
        JsonNode procedure = request.get("procedure");
        JsonNode arguments = request.has("arguments") ? request.get("arguments") : Json.MAPPER.createArrayNode();
        if (!isString(procedure) || !(arguments.isArray() || arguments.isObject())) {
            throw invalidRequest("invalid request");
        }
        return new CallRequest(procedure.textValue(), arguments,
                auth.get("user").textValue(), auth.get("password").textValue());
    }

    private static String decodeUtf8(byte[] line) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(line))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new HarpError(ErrorType.PARSE_ERROR, "request is not valid UTF-8");
        }
    }

    private static JsonNode readJson(String text) {
        JsonNode node;
        try {
            node = READER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new HarpError(ErrorType.PARSE_ERROR, describe(e));
        }
        if (node == null || node.isMissingNode()) {
            throw new HarpError(ErrorType.PARSE_ERROR, "No JSON object could be decoded");
        }
        return node;
    }

    /** The parser's own message on one short line, without Java internals, positioned as Python's json does. */
    static String describe(JsonProcessingException e) {
        String message = e.getOriginalMessage() == null ? "invalid JSON" : e.getOriginalMessage();
        message = message.replaceAll("\\s+", " ")
                .replaceAll(" \\(start marker at \\[Source:.*?\\]\\)", "")
                .replaceAll(": was expecting \\(JSON String.*", ": expecting a JSON value")
                .replaceAll("^Trailing token .*", "Extra data after the JSON value")
                .replaceAll("^Document nesting depth \\((\\d+)\\) exceeds the maximum allowed \\((\\d+).*",
                        "Nesting deeper than $2 levels")
                .trim();
        if (message.length() > MAX_PARSER_MESSAGE) {
            message = message.substring(0, MAX_PARSER_MESSAGE) + "...";
        }
        JsonLocation location = e.getLocation();
        if (location != null && location.getLineNr() > 0) {
            message += ": line " + location.getLineNr() + " column " + location.getColumnNr();
        }
        return message;
    }

    /** Python compares {@code harp != 1}, so 1 and 1.0 are both version one. */
    private static boolean isVersionOne(JsonNode harp) {
        if (harp == null || !harp.isNumber()) {
            return false;
        }
        if (harp.isIntegralNumber()) {
            return harp.bigIntegerValue().equals(BigInteger.ONE);
        }
        return harp.doubleValue() == 1.0;
    }

    private static boolean isString(JsonNode node) {
        return node != null && node.isTextual();
    }

    private static HarpError invalidRequest(String message) {
        return new HarpError(ErrorType.INVALID_REQUEST, message);
    }
}
