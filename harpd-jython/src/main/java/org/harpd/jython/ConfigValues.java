package org.harpd.jython;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.python.core.Py;
import org.python.core.PyDictionary;
import org.python.core.PyList;
import org.python.core.PyObject;

/** Values read from the YAML configuration, given to Python as CPython 2's PyYAML would have given them. */
final class ConfigValues {
    private ConfigValues() {
    }

    /** Maps, lists, strings (ASCII as str, others as unicode, like PyYAML), numbers, booleans, null. */
    static PyObject toPython(Object value) {
        if (value == null) {
            return Py.None;
        }
        if (value instanceof String s) {
            return Py.newStringOrUnicode(s);
        }
        if (value instanceof Boolean b) {
            return Py.newBoolean(b);
        }
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return Py.newInteger(((Number) value).intValue());
        }
        if (value instanceof Long l) {
            return Py.newInteger(l);
        }
        if (value instanceof BigInteger b) {
            return Py.newLong(b);
        }
        if (value instanceof Double || value instanceof Float) {
            return Py.newFloat(((Number) value).doubleValue());
        }
        if (value instanceof Map<?, ?> map) {
            PyDictionary dict = new PyDictionary();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                dict.__setitem__(toPython(entry.getKey()), toPython(entry.getValue()));
            }
            return dict;
        }
        if (value instanceof List<?> list) {
            List<PyObject> items = new ArrayList<>(list.size());
            for (Object item : list) {
                items.add(toPython(item));
            }
            return new PyList(items);
        }
        return Py.java2py(value);
    }
}
