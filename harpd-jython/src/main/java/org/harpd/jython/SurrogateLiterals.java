package org.harpd.jython;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;
import org.python.core.PyObject;
import org.python.core.PyUnicode;

/**
 * Unicode literals with surrogate escapes ({@code u"\ud83d\ude00"}, {@code u"\ud800"}) in procedures files and
 * the modules they import, which CPython 2.7 accepts (each escape one character) and Jython's parser refuses
 * ("illegal Unicode character"): the file would not load.
 *
 * <p>Jython decodes a literal's escapes while parsing, strictly, and builds the constant with a check that refuses
 * unpaired surrogates; neither can be asked otherwise. So the source is rewritten before it is compiled, and only
 * where such an escape occurs in a {@code unicode} literal: each surrogate escape becomes the escape of a
 * placeholder character (U+F0000 plus the surrogate's offset, in a private use plane), and the literal — with the
 * literals adjacent to it, which Python joins — becomes the argument of {@link #literal}, which puts the surrogates
 * back when the expression is evaluated, in a {@code unicode} that counts every UTF-16 unit as a character, as
 * CPython's UCS-4 build counts the escapes. Nothing else moves: the line numbers stay, a source without such an
 * escape is compiled as it is.
 *
 * <p>A docstring cannot be a call: in one, a pair becomes the character it encodes and an unpaired surrogate
 * U+FFFD. Literals that already hold characters of the placeholder range are left as they are.
 */
public final class SurrogateLiterals {
    /** The built-in name the rewritten source calls; harpd._jython_os binds it to {@link #literal}. */
    public static final String FUNCTION = "__harpd_surrogates__";
    private static final int PLACEHOLDER = 0xF0000;
    private static final Pattern ESCAPE = Pattern.compile(
            "\\\\(u[dD][89a-fA-F][0-9a-fA-F]{2}|U0000[dD][89a-fA-F][0-9a-fA-F]{2})");
    private static final Pattern PLACEHOLDER_TEXT = Pattern.compile(
            "\\\\U000[fF]0[0-7]|\u00f3\u00b0[\u0080-\u009f]");
    private static final Pattern UNICODE_LITERALS = Pattern.compile(
            "(?m)^[ \\t]*from[ \\t]+__future__[ \\t]+import[ \\t(\\\\\\r\\n\\w,]*\\bunicode_literals\\b");

    private SurrogateLiterals() {
    }

    /** {@code source} with its surrogate escapes in unicode literals rewritten; the same array when it has none. */
    public static byte[] rewrite(byte[] source) {
        // bytes as ISO-8859-1 characters: escapes, quotes and brackets are ASCII, other bytes pass through
        String text = new String(source, StandardCharsets.ISO_8859_1);
        if (!ESCAPE.matcher(text).find()) {
            return source;
        }
        String rewritten = new Rewriter(text, UNICODE_LITERALS.matcher(text).find()).run();
        return rewritten == null ? source : rewritten.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The value of a rewritten literal: its placeholders back to the surrogates they stand for. */
    public static PyUnicode literal(PyObject value) {
        String text = value.toString();
        StringBuilder out = new StringBuilder(text.length());
        boolean supplementary = false;
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            i += Character.charCount(c);
            if (c >= PLACEHOLDER && c < PLACEHOLDER + 0x800) {
                out.append((char) (Character.MIN_SURROGATE + c - PLACEHOLDER));
            } else {
                supplementary |= c > 0xFFFF;
                out.appendCodePoint(c);
            }
        }
        String result = out.toString();
        // one character per unit, as CPython's escapes are; a literal that also holds characters above the basic
        // plane keeps them whole unless an unpaired surrogate leaves no choice
        boolean perUnit = !supplementary || JsonValues.hasUnpairedSurrogate(result);
        return PyUnicode.fromString(result, perUnit);
    }

    /** One pass over the source: strings, comments, brackets and logical lines, as Python 2's tokenizer sees them. */
    private static final class Rewriter {
        private final String src;
        private final boolean unicodeLiterals;
        private final StringBuilder out = new StringBuilder();
        private int copied;
        private int depth;
        /** Where the current logical line's first token starts. */
        private int lineStart = -1;
        /** The last character of the previous token outside strings: ':' matters, for docstrings. */
        private char previous;
        private int previousPosition = -1;
        /** Where the logical line of that token starts. */
        private int previousLineStart = -1;
        private boolean changed;

        Rewriter(String src, boolean unicodeLiterals) {
            this.src = src;
            this.unicodeLiterals = unicodeLiterals;
        }

        /** The rewritten source, or null when nothing was rewritten or the source cannot be tokenised here. */
        String run() {
            int i = 0;
            int n = src.length();
            while (i < n) {
                char c = src.charAt(i);
                if (c == '#') {
                    i = endOfLine(i);
                } else if (c == '\\' && i + 1 < n && (src.charAt(i + 1) == '\n' || src.charAt(i + 1) == '\r')) {
                    i += 2;
                } else if (c == '\n' || c == '\r') {
                    if (depth == 0) {
                        lineStart = -1;
                    }
                    i++;
                } else if (c == ' ' || c == '\t' || c == '\f') {
                    i++;
                } else if (startsString(i)) {
                    int end = group(i);
                    if (end < 0) {
                        return null;
                    }
                    i = end;
                } else {
                    if (lineStart < 0) {
                        lineStart = i;
                    }
                    if (c == '(' || c == '[' || c == '{') {
                        depth++;
                    } else if ((c == ')' || c == ']' || c == '}') && depth > 0) {
                        depth--;
                    }
                    previous = c;
                    previousPosition = i;
                    previousLineStart = lineStart;
                    i++;
                    // the rest of a name or number: a string prefix only starts a token
                    while (isNameCharacter(c) && i < n && isNameCharacter(src.charAt(i))) {
                        previous = src.charAt(i);
                        i++;
                    }
                }
            }
            if (!changed) {
                return null;
            }
            out.append(src, copied, n);
            return out.toString();
        }

        private static boolean isNameCharacter(char c) {
            return Character.isLetterOrDigit(c) || c == '_';
        }

        private int endOfLine(int i) {
            while (i < src.length() && src.charAt(i) != '\n' && src.charAt(i) != '\r') {
                i++;
            }
            return i;
        }

        /** Whether a string literal (with its prefix) starts at {@code i}. */
        private boolean startsString(int i) {
            int j = i;
            while (j < src.length() && j - i < 2 && "uUbBrR".indexOf(src.charAt(j)) >= 0) {
                j++;
            }
            return j < src.length() && (src.charAt(j) == '"' || src.charAt(j) == '\'');
        }

        /**
         * The literals from {@code start} that Python joins into one, rewritten if one of them is unicode with a
         * surrogate escape; the index after the last, or -1 for an unterminated literal.
         */
        private int group(int start) {
            boolean docstring = isDocstringPosition(start);
            if (lineStart < 0) {
                lineStart = start;
            }
            StringBuilder rewritten = new StringBuilder();
            boolean hasEscape = false;
            boolean hasPlaceholder = false;
            boolean unpaired = false;
            int i = start;
            int last;
            while (true) {
                int end = literalEnd(i);
                if (end < 0) {
                    return -1;
                }
                String token = src.substring(i, end);
                if (isUnicode(token) && ESCAPE.matcher(token).find()) {
                    hasEscape = true;
                    hasPlaceholder |= PLACEHOLDER_TEXT.matcher(token).find();
                    String replaced = replaceEscapes(token, docstring);
                    unpaired |= !docstring && PLACEHOLDER_TEXT.matcher(replaced).find();
                    rewritten.append(replaced);
                } else {
                    rewritten.append(token);
                }
                last = end;
                int next = skipBetweenLiterals(end);
                if (next < src.length() && startsString(next)) {
                    rewritten.append(src, end, next);
                    i = next;
                } else {
                    break;
                }
            }
            if (hasEscape && !hasPlaceholder) {
                out.append(src, copied, start);
                out.append(unpaired ? FUNCTION + "(" + rewritten + ")" : rewritten);
                copied = last;
                changed = true;
            }
            previous = '"';
            previousPosition = last - 1;
            previousLineStart = lineStart;
            return last;
        }

        /** Whitespace, comments and line continuations; newlines only inside brackets. */
        private int skipBetweenLiterals(int i) {
            while (i < src.length()) {
                char c = src.charAt(i);
                if (c == ' ' || c == '\t' || c == '\f') {
                    i++;
                } else if (c == '\\' && i + 1 < src.length() && (src.charAt(i + 1) == '\n' || src.charAt(i + 1) == '\r')) {
                    i += 2;
                } else if ((c == '\n' || c == '\r') && depth > 0) {
                    i++;
                } else if (c == '#' && depth > 0) {
                    i = endOfLine(i);
                } else {
                    return i;
                }
            }
            return i;
        }

        private int literalEnd(int i) {
            while ("uUbBrR".indexOf(src.charAt(i)) >= 0) {
                i++;
            }
            char quote = src.charAt(i);
            boolean triple = src.startsWith(String.valueOf(quote).repeat(3), i);
            int j = i + (triple ? 3 : 1);
            while (j < src.length()) {
                char c = src.charAt(j);
                if (c == '\\') {
                    j += 2;
                } else if (triple ? src.startsWith(String.valueOf(quote).repeat(3), j) : c == quote) {
                    return j + (triple ? 3 : 1);
                } else if (!triple && (c == '\n' || c == '\r')) {
                    return -1;
                } else {
                    j++;
                }
            }
            return -1;
        }

        private boolean isUnicode(String token) {
            int quote = 0;
            while (token.charAt(quote) != '"' && token.charAt(quote) != '\'') {
                quote++;
            }
            String prefix = token.substring(0, quote).toLowerCase(Locale.ROOT);
            return prefix.contains("u") || (unicodeLiterals && !prefix.contains("b"));
        }

        /**
         * A docstring is the first statement of the file or of a {@code def}/{@code class} body: the literal comes
         * first in the file, or right after the colon ending such a header.
         */
        private boolean isDocstringPosition(int start) {
            return previousPosition < 0
                    || previous == ':' && depth == 0 && previousLineStart >= 0 && headerIsDefOrClass(previousLineStart);
        }

        private boolean headerIsDefOrClass(int position) {
            return src.startsWith("def", position) && position + 3 < src.length()
                    && !Character.isLetterOrDigit(src.charAt(position + 3)) && src.charAt(position + 3) != '_'
                    || src.startsWith("class", position) && position + 5 < src.length()
                    && !Character.isLetterOrDigit(src.charAt(position + 5)) && src.charAt(position + 5) != '_';
        }

        /**
         * The token with the escapes of a valid pair replaced by the escape of the character they encode, and
         * with an unpaired surrogate's escape replaced by its placeholder's (by U+FFFD's in a docstring).
         */
        private static String replaceEscapes(String token, boolean docstring) {
            StringBuilder b = new StringBuilder(token.length() + 16);
            int i = 0;
            while (i < token.length()) {
                char c = token.charAt(i);
                if (c != '\\' || i + 1 >= token.length()) {
                    b.append(c);
                    i++;
                    continue;
                }
                int unit = surrogateAt(token, i);
                if (unit < 0) {
                    b.append(token, i, i + 2);
                    i += 2;
                    continue;
                }
                int length = token.charAt(i + 1) == 'u' ? 6 : 10;
                int low = Character.isHighSurrogate((char) unit) ? surrogateAt(token, i + length) : -1;
                if (low >= 0 && Character.isLowSurrogate((char) low)) {
                    int lowLength = token.charAt(i + length + 1) == 'u' ? 6 : 10;
                    b.append(String.format(Locale.ROOT, "\\U%08x", Character.toCodePoint((char) unit, (char) low)));
                    i += length + lowLength;
                } else {
                    b.append(docstring ? "\\ufffd"
                            : String.format(Locale.ROOT, "\\U%08x", PLACEHOLDER + unit - Character.MIN_SURROGATE));
                    i += length;
                }
            }
            return b.toString();
        }

        /** The surrogate a {@code \\uXXXX} or {@code \\UXXXXXXXX} escape at {@code i} gives, or -1. */
        private static int surrogateAt(String token, int i) {
            if (i + 1 >= token.length() || token.charAt(i) != '\\') {
                return -1;
            }
            int digits = token.charAt(i + 1) == 'u' ? 4 : token.charAt(i + 1) == 'U' ? 8 : 0;
            if (digits == 0 || i + 2 + digits > token.length()) {
                return -1;
            }
            int value = 0;
            for (int j = i + 2; j < i + 2 + digits; j++) {
                int digit = Character.digit(token.charAt(j), 16);
                if (digit < 0) {
                    return -1;
                }
                value = value * 16 + digit;
            }
            return value >= Character.MIN_SURROGATE && value <= Character.MAX_SURROGATE ? value : -1;
        }
    }
}
