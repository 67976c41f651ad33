package org.harpd.protocol;

import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.util.JsonGeneratorDelegate;
import java.io.IOException;
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
 * What is written is byte for byte what CPython 2.7's {@code json.dumps(value, sort_keys=True)} writes, as the
 * original harpd sent it: keys sorted, NaN/Infinity written bare (and accepted), floats as Python's {@code repr}
 * ({@link PythonFloat}), and everything outside printable ASCII as {@code \\uXXXX} escapes in lower-case hex
 * (characters above the basic plane as their surrogate pair, DEL too), so an unpaired surrogate (which CPython 2
 * accepts and gives back) can be written as well.
 */
public final class Json {
    public static final JsonMapper MAPPER = JsonMapper.builder(new JsonFactoryBuilder()
                    .characterEscapes(new AsciiEscapes())
                    .addDecorator((factory, generator) -> new PythonNumbers(generator))
                    .build())
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(JsonNodeFeature.WRITE_PROPERTIES_SORTED)
            .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
            // escapes in lower-case hex, as CPython's json writes them ("\\ud800" for an unpaired surrogate)
            .disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE)
            .enable(JsonWriteFeature.ESCAPE_NON_ASCII)
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

    /**
     * CPython's {@code ensure_ascii} escapes all but {@code ' '..'~'}: Jackson's standard table already covers the
     * control characters (with the same short forms, {@code \\n} etc.), {@code "} and {@code \\}; DEL is added.
     */
    private static final class AsciiEscapes extends CharacterEscapes {
        private static final int[] ASCII;

        static {
            ASCII = standardAsciiEscapesForJSON();
            ASCII[0x7f] = ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ASCII;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return null;
        }
    }

    /** Floats as CPython's {@code repr}, not Java's {@code 1.0E100}. */
    private static final class PythonNumbers extends JsonGeneratorDelegate {
        PythonNumbers(JsonGenerator delegate) {
            super(delegate, true);
        }

        @Override
        public void writeNumber(double v) throws IOException {
            delegate.writeNumber(PythonFloat.repr(v));
        }

        @Override
        public void writeNumber(float v) throws IOException {
            delegate.writeNumber(PythonFloat.repr(v));
        }
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
