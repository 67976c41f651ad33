package org.harpd.jython;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.harpd.protocol.ErrorType;
import org.harpd.protocol.HarpError;
import org.python.core.Py;
import org.python.core.PyBoolean;
import org.python.core.PyDictionary;
import org.python.core.PyException;
import org.python.core.PyFloat;
import org.python.core.PyInteger;
import org.python.core.PyList;
import org.python.core.PyLong;
import org.python.core.PyObject;
import org.python.core.PySequenceList;
import org.python.core.PyString;
import org.python.core.PyTuple;
import org.python.core.PyUnicode;

/**
 * Conversion between Python values and JSON trees, with the rules of CPython 2's {@code json} module (which the
 * original harpd used): what it cannot serialise is refused with {@code invalid_message}.
 */
public final class JsonValues {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final BigInteger INT_MIN = BigInteger.valueOf(Integer.MIN_VALUE);
    private static final BigInteger INT_MAX = BigInteger.valueOf(Integer.MAX_VALUE);
    /** How much of an unserialisable value's repr goes into the error message. */
    private static final int REPR_LIMIT = 200;
    /** Deeper values are refused rather than risking the stack; CPython's json stops near 1000 too. */
    private static final int MAX_DEPTH = 1000;

    private JsonValues() {
    }

    /**
     * Python to JSON: dict (keys str, unicode, or — converted as {@code json.dumps} does — int, long, float,
     * bool, None), list, tuple, str (UTF-8), unicode, int, long, float (NaN and infinities too), bool, None.
     *
     * @throws HarpError {@code invalid_message} for anything else, undecodable str, or circular references
     */
    public static JsonNode toJson(PyObject value) {
        return new Encoder().encode(value);
    }

    /** JSON to Python, as CPython 2's {@code json.loads} gives it: strings are unicode, numbers int/long/float. */
    public static PyObject toPython(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return Py.None;
        }
        if (node.isTextual()) {
            return unicode(node.textValue());
        }
        if (node.isBoolean()) {
            return Py.newBoolean(node.booleanValue());
        }
        if (node.isIntegralNumber()) {
            BigInteger n = node.bigIntegerValue();
            if (n.compareTo(INT_MIN) >= 0 && n.compareTo(INT_MAX) <= 0) {
                return Py.newInteger(n.intValue());
            }
            return Py.newLong(n);
        }
        if (node.isNumber()) {
            return Py.newFloat(node.doubleValue());
        }
        if (node.isArray()) {
            List<PyObject> items = new ArrayList<>(node.size());
            for (JsonNode item : node) {
                items.add(toPython(item));
            }
            return new PyList(items);
        }
        if (node.isObject()) {
            PyDictionary dict = new PyDictionary();
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                dict.__setitem__(unicode(field.getKey()), toPython(field.getValue()));
            }
            return dict;
        }
        throw new IllegalArgumentException("not a JSON value: " + node.getNodeType());
    }

    /**
     * A JSON string as CPython 2's {@code json} gives it: {@code "\\ud800"} escapes an unpaired surrogate, which
     * CPython passes on as a one-character {@code unicode}. Jython's {@code unicode} refuses to index a string
     * holding one (ValueError), unless told that every UTF-16 unit is a character of its own, as it is for the
     * basic plane: such a string is made so, which gives every unit — the unpaired surrogate included — a
     * character, as CPython's wide build has it. A valid pair in the same string then counts as two characters,
     * as in a narrow build; Jython has no representation for both at once.
     */
    static PyUnicode unicode(String text) {
        return PyUnicode.fromString(text, hasUnpairedSurrogate(text));
    }

    /**
     * {@code unichr(codePoint)} for a surrogate code point, which CPython answers and Jython's {@code unichr}
     * refuses: a one-character {@code unicode}, made as {@link #unicode} makes a string holding one.
     */
    public static PyUnicode surrogate(int codePoint) {
        if (codePoint < Character.MIN_SURROGATE || codePoint > Character.MAX_SURROGATE) {
            throw Py.ValueError("not a surrogate: " + codePoint);
        }
        return PyUnicode.fromString(String.valueOf((char) codePoint), true);
    }

    static boolean hasUnpairedSurrogate(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    /** Keeps the containers on the current path, to refuse cycles as {@code json.dumps} does. */
    private static final class Encoder {
        private final Set<PyObject> open = Collections.newSetFromMap(new IdentityHashMap<>());

        JsonNode encode(PyObject value) {
            if (value == null || value == Py.None) {
                return NODES.nullNode();
            }
            // PyBoolean is a PyInteger and PyUnicode a PyString: the narrower types go first
            if (value instanceof PyBoolean b) {
                return NODES.booleanNode(b.getBooleanValue());
            }
            if (value instanceof PyInteger i) {
                return NODES.numberNode(i.getValue());
            }
            if (value instanceof PyLong l) {
                return NODES.numberNode(l.getValue());
            }
            if (value instanceof PyFloat f) {
                return NODES.numberNode(f.getValue());
            }
            if (value instanceof PyUnicode u) {
                return NODES.textNode(u.getString());
            }
            if (value instanceof PyString s) {
                return NODES.textNode(decodeUtf8(s));
            }
            if (value instanceof PyList || value instanceof PyTuple) {
                return encodeSequence((PySequenceList) value);
            }
            if (value instanceof PyDictionary d) {
                return encodeDict(d);
            }
            throw invalid(describe(value) + " is not JSON serializable");
        }

        private ArrayNode encodeSequence(PySequenceList sequence) {
            enter(sequence);
            ArrayNode array = NODES.arrayNode(sequence.size());
            for (int i = 0; i < sequence.size(); i++) {
                array.add(encode(sequence.pyget(i)));
            }
            open.remove(sequence);
            return array;
        }

        private ObjectNode encodeDict(PyDictionary dict) {
            enter(dict);
            List<Map.Entry<PyObject, PyObject>> entries = new ArrayList<>(dict.getMap().entrySet());
            // json.dumps(sort_keys=True) sorts the keys as Python 2 compares them, before it makes them strings
            entries.sort((a, b) -> comparePython2(a.getKey(), b.getKey()));
            OrderedObjectNode object = new OrderedObjectNode();
            for (Map.Entry<PyObject, PyObject> entry : entries) {
                object.add(key(entry.getKey()), encode(entry.getValue()));
            }
            open.remove(dict);
            return object;
        }

        private void enter(PyObject container) {
            if (open.size() >= MAX_DEPTH) {
                throw invalid("maximum nesting depth exceeded");
            }
            if (!open.add(container)) {
                throw invalid("Circular reference detected");
            }
        }
    }

    /**
     * A JSON object written in the order its members were added, whatever the mapper's sorting: a dict's keys are
     * put in Python 2's order of the original keys (None, then numbers by value, then strings by code point), which
     * sorting the strings they become would not give ({@code {9: a, 10: b}} is {@code {"9": a, "10": b}}). Two keys
     * that become the same string ({@code 1} and {@code "1"}) are both written, as {@code json.dumps} writes them;
     * reading the node by name sees the last.
     */
    // Jackson's ObjectNode narrows JsonNode's generic <T> deepCopy() to ObjectNode, an unchecked override that javac
    // reports at every subclass; nothing here calls or overrides deepCopy.
    @SuppressWarnings("unchecked")
    static final class OrderedObjectNode extends ObjectNode {
        private static final long serialVersionUID = 1L;
        private final List<Map.Entry<String, JsonNode>> members = new ArrayList<>();

        OrderedObjectNode() {
            super(NODES);
        }

        void add(String name, JsonNode value) {
            members.add(Map.entry(name, value));
            set(name, value);
        }

        @Override
        public void serialize(com.fasterxml.jackson.core.JsonGenerator generator,
                com.fasterxml.jackson.databind.SerializerProvider provider) throws java.io.IOException {
            generator.writeStartObject(this, members.size());
            for (Map.Entry<String, JsonNode> member : members) {
                generator.writeFieldName(member.getKey());
                ((com.fasterxml.jackson.databind.node.BaseJsonNode) member.getValue()).serialize(generator, provider);
            }
            generator.writeEndObject();
        }
    }

    /** Python 2's ordering of the keys json.dumps can write: None, numbers, then str and unicode. */
    static int comparePython2(PyObject a, PyObject b) {
        int rank = Integer.compare(rank(a), rank(b));
        if (rank != 0) {
            return rank;
        }
        if (a instanceof PyString) {
            return compareCodePoints(key(a), key(b));
        }
        return a == Py.None ? 0 : compareNumbers(a, b);
    }

    private static int rank(PyObject key) {
        if (key == Py.None) {
            return 0;
        }
        if (key instanceof PyString) {
            return 2;
        }
        return 1;
    }

    private static int compareNumbers(PyObject a, PyObject b) {
        double x = a.asDouble();
        double y = b.asDouble();
        if (Double.isInfinite(x) || Double.isInfinite(y) || Double.isNaN(x) || Double.isNaN(y)) {
            return Double.compare(x, y);
        }
        // exact, as Python 2 compares an int with a float
        return number(a).compareTo(number(b));
    }

    private static java.math.BigDecimal number(PyObject n) {
        if (n instanceof PyFloat f) {
            return new java.math.BigDecimal(f.getValue());
        }
        if (n instanceof PyLong l) {
            return new java.math.BigDecimal(l.getValue());
        }
        return java.math.BigDecimal.valueOf(((PyInteger) n).getValue());
    }

    private static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int x = a.codePointAt(i);
            int y = b.codePointAt(j);
            if (x != y) {
                return Integer.compare(x, y);
            }
            i += Character.charCount(x);
            j += Character.charCount(y);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    /** A dict key as {@code json.dumps} writes it. */
    private static String key(PyObject key) {
        if (key instanceof PyUnicode u) {
            return u.getString();
        }
        if (key instanceof PyString s) {
            return decodeUtf8(s);
        }
        if (key instanceof PyBoolean b) {
            return b.getBooleanValue() ? "true" : "false";
        }
        if (key instanceof PyInteger i) {
            return Integer.toString(i.getValue());
        }
        if (key instanceof PyLong l) {
            return l.getValue().toString();
        }
        if (key instanceof PyFloat f) {
            double d = f.getValue();
            if (Double.isNaN(d)) {
                return "NaN";
            }
            if (Double.isInfinite(d)) {
                return d > 0 ? "Infinity" : "-Infinity";
            }
            return f.__repr__().getString();
        }
        if (key == Py.None) {
            return "null";
        }
        throw invalid("key " + describe(key) + " is not a string");
    }

    /** A Python str holds bytes (one char per byte in Jython); CPython's json decodes them as UTF-8. */
    private static String decodeUtf8(PyString s) {
        String raw = s.getString();
        byte[] bytes = raw.getBytes(StandardCharsets.ISO_8859_1);
        try {
            CharBuffer decoded = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            return decoded.toString();
        } catch (CharacterCodingException e) {
            throw invalid("str " + describe(s) + " is not valid UTF-8");
        }
    }

    /** The value's repr, shortened; its type's name if even repr fails. */
    private static String describe(PyObject value) {
        String text;
        try {
            text = value.__repr__().toString();
        } catch (PyException | StackOverflowError e) {
            text = "<" + value.getType().getName() + " object>";
        }
        if (text.length() > REPR_LIMIT) {
            text = text.substring(0, REPR_LIMIT) + "...";
        }
        return text;
    }

    private static HarpError invalid(String message) {
        return new HarpError(ErrorType.INVALID_MESSAGE, message);
    }
}
