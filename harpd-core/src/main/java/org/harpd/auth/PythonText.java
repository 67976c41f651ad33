package org.harpd.auth;

import org.harpd.protocol.PythonFloat;

/**
 * Python 2's {@code repr} of the few values the shipped authentication modules put in their error messages, so
 * that the Java modules' messages read as the Python modules' did.
 */
final class PythonText {
    private PythonText() {
    }

    /** {@code repr} of a value of harpd.conf that is no string: a boolean, null, a number. */
    static String repr(Object value) {
        if (value == null) {
            return "None";
        }
        if (value instanceof Boolean b) {
            return b ? "True" : "False";
        }
        if (value instanceof Double || value instanceof Float) {
            return reprFloat(((Number) value).doubleValue());
        }
        if (value instanceof String s) {
            return reprUnicode(s);
        }
        return String.valueOf(value);
    }

    /** {@code repr} of a Python 2 {@code unicode}: {@code u'...'}. */
    static String reprUnicode(String text) {
        return "u" + quote(text, true);
    }

    /** {@code repr} of a Python 2 {@code str} of ASCII characters: {@code '...'}. */
    static String reprBytes(String text) {
        return quote(text, false);
    }

    private static String quote(String text, boolean unicode) {
        char quote = text.indexOf('\'') >= 0 && text.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder out = new StringBuilder(text.length() + 2).append(quote);
        text.codePoints().forEach(cp -> {
            if (cp == quote || cp == '\\') {
                out.append('\\').appendCodePoint(cp);
            } else if (cp == '\t') {
                out.append("\\t");
            } else if (cp == '\n') {
                out.append("\\n");
            } else if (cp == '\r') {
                out.append("\\r");
            } else if (cp < 0x20 || cp >= 0x7f && cp < 0x100) {
                out.append(String.format("\\x%02x", cp));
            } else if (cp < 0x7f) {
                out.appendCodePoint(cp);
            } else if (unicode && cp < 0x10000) {
                out.append(String.format("\\u%04x", cp));
            } else {
                out.append(String.format("\\U%08x", cp));
            }
        });
        return out.append(quote).toString();
    }

    /** Python 2.7's {@code repr} of a float ({@link PythonFloat} writes json's, which names NaN differently). */
    private static String reprFloat(double value) {
        if (Double.isNaN(value)) {
            return "nan";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "inf" : "-inf";
        }
        return PythonFloat.repr(value);
    }

    /** The index of the first character outside ASCII, or -1. */
    static int firstNonAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) {
                return i;
            }
        }
        return -1;
    }

    /** The message of Python 2's {@code str(text)} failing at {@code index}, a character outside ASCII. */
    static String asciiEncodeError(String text, int index) {
        int end = index + 1;
        while (end < text.length() && text.charAt(end) >= 0x80) {
            end++;
        }
        String where = end - index == 1
                ? "character " + reprUnicode(text.substring(index, end)) + " in position " + index
                : "characters in position " + index + "-" + (end - 1);
        return "UnicodeEncodeError: 'ascii' codec can't encode " + where + ": ordinal not in range(128)";
    }
}
