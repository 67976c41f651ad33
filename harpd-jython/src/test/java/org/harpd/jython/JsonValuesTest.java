package org.harpd.jython;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import org.harpd.protocol.ErrorType;
import org.harpd.protocol.HarpError;
import org.harpd.protocol.Json;
import org.junit.jupiter.api.Test;
import org.python.core.PyObject;

class JsonValuesTest {
    private static String json(String expression) {
        PyObject value = Python.eval("", expression);
        return Json.toString(JsonValues.toJson(value));
    }

    private static HarpError refused(String setup, String expression) {
        PyObject value = Python.eval(setup, expression);
        return assertThrows(HarpError.class, () -> JsonValues.toJson(value));
    }

    private static JsonNode parse(String text) throws Exception {
        return Json.MAPPER.readTree(text);
    }

    @Test
    void scalarsConvertLikeCPythonJson() {
        assertEquals("null", json("None"));
        assertEquals("true", json("True"));
        assertEquals("false", json("False"));
        assertEquals("42", json("42"));
        assertEquals("-7", json("-7"));
        assertEquals("1.5", json("1.5"));
        assertEquals("NaN", json("float('nan')"));
        assertEquals("-Infinity", json("float('-inf')"));
    }

    @Test
    void longsOfAnySizeKeepEveryDigit() {
        assertEquals("123456789012345678901234567890", json("123456789012345678901234567890L"));
        assertEquals("5", json("5L"));
        assertEquals("-99999999999999999999", json("-99999999999999999999"));
    }

    @Test
    void strIsDecodedAsUtf8AndUnicodeKeptAsIs() {
        assertEquals("\"abc\"", json("'abc'"));
        assertEquals("\"za\\u017c\\u00f3\\u0142\\u0107\"", json("'za\\xc5\\xbc\\xc3\\xb3\\xc5\\x82\\xc4\\x87'"));
        assertEquals("\"za\\u017c\\u00f3\\u0142\\u0107 \\u2603\"", json("u'za\\u017c\\xf3\\u0142\\u0107 \\u2603'"));
    }

    @Test
    void strThatIsNotUtf8IsRefused() {
        HarpError e = refused("", "'\\xff\\xfe'");
        assertEquals(ErrorType.INVALID_MESSAGE, e.type());
    }

    @Test
    void nestedContainersAndTuplesBecomeObjectsAndArrays() {
        assertEquals("{\"a\": [1, 2, [3, {\"b\": null}]], \"c\": {\"d\": \"e\"}}",
                json("{'a': (1, 2, [3, {u'b': None}]), 'c': {'d': 'e'}}"));
    }

    @Test
    void numericAndConstantKeysAreWrittenAsJsonDumpsDoes() {
        // None sorts first in Python 2, as CPython's json.dumps(sort_keys=True) writes it
        assertEquals("{\"null\": \"d\", \"1\": \"a\", \"2.5\": \"b\", \"3\": \"e\"}",
                json("{1: 'a', 2.5: 'b', None: 'd', 3L: 'e'}"));
        assertEquals("{\"false\": 0, \"true\": 1}", json("{True: 1, False: 0}"));
    }

    /** json.dumps(sort_keys=True) of CPython 2.7 sorts the original keys, as Python 2 compares them. */
    @Test
    void keysAreInPython2sOrderOfTheOriginalKeys() {
        assertEquals("{\"null\": 3, \"-1\": 5, \"true\": 6, \"2.5\": 4, \"9\": \"b\", \"10\": \"a\", "
                + "\"100000000000000000000\": 10, \"Z\": 9, \"a\": 2, \"b\": 1, \"\\uffff\": 8, \"\\ud83d\\ude00\": 7}",
                json("{10: 'a', 9: 'b', 'b': 1, 'a': 2, None: 3, 2.5: 4, -1L: 5, True: 6, u'\\U0001f600': 7, "
                        + "u'\\uffff': 8, 'Z': 9, 10**20: 10}"));
    }

    /** Keys that become the same string are all written, as CPython's json.dumps writes them. */
    @Test
    void keysThatBecomeTheSameStringAreAllWritten() {
        assertEquals("{\"null\": \"n\", \"1\": \"a\", \"1\": \"b\", \"null\": \"x\"}",
                json("{1: 'a', '1': 'b', None: 'n', 'null': 'x'}"));
    }

    @Test
    void otherKeysAreRefusedAsInvalidMessage() {
        HarpError e = refused("", "{(1, 2): 'x'}");
        assertEquals(ErrorType.INVALID_MESSAGE, e.type());
        assertTrue(e.getMessage().contains("is not a string"), e.getMessage());
    }

    @Test
    void unserialisableValuesAreRefusedNamingThem() {
        HarpError set = refused("", "set([1])");
        assertEquals(ErrorType.INVALID_MESSAGE, set.type());
        assertEquals("set([1]) is not JSON serializable", set.getMessage());
        HarpError object = refused("class Thing(object):\n    def __repr__(self): return 'a thing'\n", "[Thing()]");
        assertEquals("a thing is not JSON serializable", object.getMessage());
    }

    @Test
    void circularStructuresAreRefused() {
        HarpError e = refused("x = []\nx.append(x)\n", "x");
        assertEquals(ErrorType.INVALID_MESSAGE, e.type());
    }

    @Test
    void absurdlyDeepValuesAreRefusedNotOverflowingTheStack() {
        HarpError e = refused("x = []\nfor i in xrange(100000):\n    x = [x]\n", "x");
        assertEquals("maximum nesting depth exceeded", e.getMessage());
    }

    @Test
    void sharedButAcyclicValuesAreFine() {
        PyObject value = Python.eval("x = [1]\n", "[x, x, {'a': x}]");
        assertEquals("[[1], [1], {\"a\": [1]}]", Json.toString(JsonValues.toJson(value)));
    }

    @Test
    void jsonToPythonGivesUnicodeIntsLongsFloats() throws Exception {
        PyObject value = JsonValues.toPython(parse(
                "{\"s\": \"zażółć\", \"i\": 7, \"l\": 123456789012345678901234567890, \"f\": 2.5, "
                        + " \"b\": true, \"n\": null, \"a\": [1, \"x\"], \"big\": 3000000000}"));
        PyObject types = Python.runtime().eval(() -> {
            PyObject globals = Python.exec("def types(d):\n"
                    + "    return dict((k, type(v).__name__) for (k, v) in d.items())\n");
            return globals.__finditem__("types").__call__(value);
        });
        assertEquals("{\"a\": \"list\", \"b\": \"bool\", \"big\": \"long\", \"f\": \"float\", \"i\": \"int\", "
                + "\"l\": \"long\", \"n\": \"NoneType\", \"s\": \"unicode\"}", Json.toString(JsonValues.toJson(types)));
        JsonNode back = JsonValues.toJson(value);
        assertEquals(new BigInteger("123456789012345678901234567890"), back.get("l").bigIntegerValue());
        assertEquals("zażółć", back.get("s").textValue());
    }

    @Test
    void roundTripKeepsTheDocument() throws Exception {
        JsonNode doc = parse("[{\"k\": [1, 2.25, \"\\u2603\", false, null, {}]}, [], -5]");
        assertEquals(Json.toString(doc), Json.toString(JsonValues.toJson(JsonValues.toPython(doc))));
    }

    /**
     * CPython 2 (wide build) gives u'\\ud800x' of length 2 and writes it back as "\\ud800x". (A key holding an
     * unpaired surrogate does not get this far: the listener's parser refuses it.)
     */
    @Test
    void unpairedSurrogatesReachPythonAndComeBackAsCPythonGivesThem() throws Exception {
        JsonNode doc = parse("[\"\\ud800x\", \"\\udc00\"]");
        // keys come from the listener's parser, which refuses unpaired surrogates in them; converted all the same
        ((com.fasterxml.jackson.databind.node.ArrayNode) doc).addObject().put("\udc01", "a\ud83d\ude00");
        PyObject value = JsonValues.toPython(doc);
        PyObject described = Python.runtime().eval(() -> {
            PyObject globals = Python.exec("def describe(v):\n"
                    + "    return [len(v[0]), repr(v[0]), len(v[1]), v[0] == v[0], len(v[2].keys()[0]), len(v[2].values()[0])]\n");
            return globals.__finditem__("describe").__call__(value);
        });
        assertEquals("[2, \"u'\\\\ud800x'\", 1, true, 1, 2]", Json.toString(JsonValues.toJson(described)));
        // as the worker writes it to the listener, which passes the line on
        assertEquals("[\"\\ud800x\", \"\\udc00\", {\"\\udc01\": \"a\\ud83d\\ude00\"}]\n",
                new String(Json.line(JsonValues.toJson(value)), java.nio.charset.StandardCharsets.UTF_8));
    }
}
