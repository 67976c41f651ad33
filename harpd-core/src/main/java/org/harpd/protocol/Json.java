package org.harpd.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The one JSON configuration used on the wire and between listener and workers.
 * Keys are written sorted, as the original harpd does, and NaN/Infinity are written bare and accepted,
 * as CPython's {@code json} module does. Surrogates are written as {@code \\uXXXX} escapes, so a string holding
 * an unpaired one (which CPython 2 accepts and gives back) can be written at all.
 */
public final class Json {
    public static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(JsonNodeFeature.WRITE_PROPERTIES_SORTED)
            .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
            // escapes in lower-case hex, as CPython's json writes them ("\\ud800" for an unpaired surrogate)
            .disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE)
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    static {
        // Deeply nested or huge documents are refused by the parser instead of exhausting the stack.
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(500)
                .maxNumberLength(10_000)
                .build());
    }

    /**
     * CPython's {@code json.dumps} layout: one line, {@code ", "} between items and {@code ": "} after keys,
     * so our bytes match the original daemon's, not only its meaning.
     */
    private static final ObjectWriter LINE_WRITER = MAPPER.writer(new DefaultPrettyPrinter(Separators.createDefaultInstance()
            .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
            .withObjectEntrySpacing(Separators.Spacing.AFTER)
            .withArrayValueSpacing(Separators.Spacing.AFTER)
            .withObjectEmptySeparator("")
            .withArrayEmptySeparator(""))
            .withObjectIndenter(new DefaultIndenter("", ""))
            .withArrayIndenter(new DefaultPrettyPrinter.NopIndenter()));

    private Json() {
    }

    /** One message as one line, newline included. */
    public static byte[] line(JsonNode message) {
        try {
            byte[] body = LINE_WRITER.writeValueAsBytes(message);
            byte[] line = new byte[body.length + 1];
            System.arraycopy(body, 0, line, 0, body.length);
            line[body.length] = '\n';
            return line;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JsonNode tree is always serialisable", e);
        }
    }

    /**
     * Any value Jackson can write (maps with their keys sorted), as {@link #line} lays it out, without the
     * newline; written directly rather than through a tree.
     */
    public static String toLineString(Object value) {
        try {
            return LINE_WRITER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not writable as JSON: " + e.getOriginalMessage(), e);
        }
    }

    public static String toString(JsonNode node) {
        return toLineString(node);
    }
}
