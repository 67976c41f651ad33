package org.harpd.jython;

import java.nio.charset.StandardCharsets;
import org.python.core.Py;
import org.python.core.PyException;
import org.python.core.PyObject;
import org.python.core.PyString;
import org.python.core.PyTraceback;
import org.python.core.PyUnicode;

/** Reading a Python exception the way harpd reports it: class name, class module, message. */
final class PythonErrors {
    private PythonErrors() {
    }

    /** {@code type(e).__name__} */
    static String typeName(PyException e) {
        e.normalize();
        PyObject name = e.type.__findattr__("__name__");
        return name != null ? name.toString() : e.type.toString();
    }

    /** {@code type(e).__module__}; builtins report {@code exceptions}, as in CPython 2. */
    static String moduleName(PyException e) {
        e.normalize();
        PyObject module = e.type.__findattr__("__module__");
        return module != null && module != Py.None ? module.toString() : "exceptions";
    }

    /**
     * {@code str(e)}, but never failing on non-ASCII: {@code unicode(e)} first, then the bytes of {@code str(e)}
     * as UTF-8.
     */
    static String message(PyException e) {
        e.normalize();
        PyObject value = e.value;
        if (value == null || value == Py.None) {
            return "";
        }
        try {
            PyUnicode text = value.__unicode__();
            return text.getString();
        } catch (PyException notUnicode) {
            // e.g. a str message with non-ASCII bytes: unicode() uses the ASCII codec
        }
        try {
            PyString bytes = value.__str__();
            if (bytes instanceof PyUnicode u) {
                return u.getString();
            }
            return new String(bytes.getString().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
        } catch (PyException unprintable) {
            return "<unprintable " + typeName(e) + " object>";
        }
    }

    /**
     * The text Python's {@code traceback.format_exception} gives: {@code Traceback (most recent call last):}, a
     * {@code File ..., line N, in f} entry per frame, then {@code ExcType: message}.
     */
    static String traceback(PyException e) {
        e.normalize();
        String frames = e.traceback != null ? e.traceback.dumpStack() : "Traceback (most recent call last):\n";
        return frames + summary(e) + "\n";
    }

    /** {@code "ExcType: message"}, or just the type when the message is empty, as a traceback's last line. */
    static String summary(PyException e) {
        String message = message(e);
        return message.isEmpty() ? typeName(e) : typeName(e) + ": " + message;
    }

    /**
     * The line in {@code filename} where the exception passed last (the innermost traceback frame of that file),
     * or -1 if it never passed there.
     */
    static int innermostLineIn(PyException e, String filename) {
        int line = -1;
        for (PyObject tb = e.traceback; tb instanceof PyTraceback t; tb = t.tb_next) {
            if (t.tb_frame != null && t.tb_frame.f_code != null
                    && filename.equals(t.tb_frame.f_code.co_filename)) {
                line = t.tb_lineno;
            }
        }
        return line;
    }

    /** An attribute of the exception value as int, or -1 (e.g. {@code lineno} of a SyntaxError). */
    static int intAttribute(PyException e, String name) {
        e.normalize();
        PyObject attr = e.value == null ? null : e.value.__findattr__(name);
        if (attr == null || attr == Py.None) {
            return -1;
        }
        try {
            return attr.asInt();
        } catch (PyException notInt) {
            return -1;
        }
    }

    static String stringAttribute(PyException e, String name) {
        e.normalize();
        PyObject attr = e.value == null ? null : e.value.__findattr__(name);
        return attr == null || attr == Py.None ? null : attr.toString();
    }
}
