package org.harpd.logging;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Python's {@code logging.Formatter}: a %-style format over the record's attributes
 * (e.g. {@code "%(asctime)s %(levelname)-8s %(message)s"}) and an optional strftime {@code datefmt}.
 * The format is compiled once; unknown attributes and conversions are refused when compiling.
 */
public final class PythonFormat {
    public static final String DEFAULT = "%(message)s";
    private static final Strftime DEFAULT_DATE = Strftime.compile("%Y-%m-%d %H:%M:%S");
    private static final Pattern CONVERSION =
            Pattern.compile("%\\(([^)]*)\\)([#0\\- +]*)(\\d+)?(?:\\.(\\d+))?([diouxXeEfFgGcrs])");
    private static final Set<String> CALLER_FIELDS = Set.of("pathname", "filename", "module", "funcName", "lineno");

    private final List<Function<PythonLogRecord, String>> parts;
    private final boolean needsCaller;

    private PythonFormat(List<Function<PythonLogRecord, String>> parts, boolean needsCaller) {
        this.parts = parts;
        this.needsCaller = needsCaller;
    }

    public static PythonFormat of(String format) {
        return of(format, null);
    }

    /**
     * @param datefmt strftime pattern for {@code %(asctime)s}, or null for Python's "2003-07-08 16:49:45,896"
     * @throws IllegalArgumentException with a one-line reason
     */
    public static PythonFormat of(String format, String datefmt) {
        return of(format, datefmt, ZoneId.systemDefault());
    }

    static PythonFormat of(String format, String datefmt, ZoneId zone) {
        Strftime date = datefmt == null ? null : Strftime.compile(datefmt);
        List<Function<PythonLogRecord, String>> parts = new ArrayList<>();
        boolean needsCaller = false;
        Matcher m = CONVERSION.matcher(format);
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < format.length()) {
            char c = format.charAt(i);
            if (c != '%') {
                literal.append(c);
                i++;
                continue;
            }
            if (format.startsWith("%%", i)) {
                literal.append('%');
                i += 2;
                continue;
            }
            if (!m.find(i) || m.start() != i) {
                throw new IllegalArgumentException("unsupported conversion at '" + abbreviate(format.substring(i))
                        + "' (expected %(name)s style)");
            }
            String field = m.group(1);
            if (!Field.exists(field)) {
                throw new IllegalArgumentException("unknown record attribute '" + field + "'");
            }
            needsCaller |= CALLER_FIELDS.contains(field);
            if (literal.length() > 0) {
                String text = literal.toString();
                parts.add(r -> text);
                literal.setLength(0);
            }
            Spec spec = new Spec(m.group(2), m.group(3) == null ? -1 : Integer.parseInt(m.group(3)),
                    m.group(4) == null ? -1 : Integer.parseInt(m.group(4)), m.group(5).charAt(0));
            if (field.equals("asctime")) {
                parts.add(r -> spec.render(asctime(date, zone, r)));
            } else {
                parts.add(r -> spec.render(Field.value(field, r)));
            }
            i = m.end();
        }
        if (literal.length() > 0) {
            String text = literal.toString();
            parts.add(r -> text);
        }
        return new PythonFormat(List.copyOf(parts), needsCaller);
    }

    /** Whether records must carry their source location (file, function, line). */
    public boolean needsCallerData() {
        return needsCaller;
    }

    /** The formatted record without a line terminator; an exception's traceback follows on new lines. */
    public String format(PythonLogRecord record) {
        StringBuilder out = new StringBuilder();
        for (Function<PythonLogRecord, String> part : parts) {
            out.append(part.apply(record));
        }
        if (record.excText() != null) {
            if (out.length() > 0 && out.charAt(out.length() - 1) != '\n') {
                out.append('\n');
            }
            out.append(record.excText());
        }
        return out.toString();
    }

    /** As {@code Formatter.formatTime}. */
    static String asctime(Strftime datefmt, ZoneId zone, PythonLogRecord record) {
        ZonedDateTime time = record.created().atZone(zone);
        if (datefmt != null) {
            return datefmt.format(time);
        }
        return DEFAULT_DATE.format(time) + String.format(Locale.ROOT, ",%03d", (int) record.msecs());
    }

    private static String abbreviate(String text) {
        return text.length() > 20 ? text.substring(0, 20) + "..." : text;
    }

    /** The record attributes and their Python types. */
    private static final class Field {
        static boolean exists(String name) {
            switch (name) {
                case "name": case "levelno": case "levelname": case "message": case "msg": case "asctime":
                case "created": case "msecs": case "relativeCreated": case "process": case "processName":
                case "thread": case "threadName": case "pathname": case "filename": case "module":
                case "funcName": case "lineno":
                    return true;
                default:
                    return false;
            }
        }

        static Object value(String name, PythonLogRecord r) {
            switch (name) {
                case "name": return r.name();
                case "levelno": return (long) r.levelno();
                case "levelname": return r.levelname();
                case "message": case "msg": return r.message();
                case "created": return r.createdSeconds();
                case "msecs": return r.msecs();
                case "relativeCreated": return r.relativeCreated();
                case "process": return r.process();
                case "processName": return "MainProcess";
                case "thread": return r.thread();
                case "threadName": return r.threadName();
                case "pathname": return r.pathname();
                case "filename": return r.filename();
                case "module": return r.module();
                case "funcName": return r.funcName();
                case "lineno": return (long) r.lineno();
                default: throw new IllegalStateException(name);
            }
        }
    }

    /** One conversion specifier: flags, width, precision and type, applied the way Python's % operator does. */
    private record Spec(String flags, int width, int precision, char type) {
        String render(Object value) {
            String body;
            String sign = "";
            boolean numeric = true;
            switch (type) {
                case 's':
                    body = str(value);
                    numeric = false;
                    break;
                case 'r':
                    body = value instanceof String ? "'" + value + "'" : str(value);
                    numeric = false;
                    break;
                case 'c':
                    body = value instanceof String ? (String) value : String.valueOf((char) asLong(value));
                    numeric = false;
                    break;
                case 'd': case 'i': case 'u': {
                    long v = asLong(value);
                    sign = sign(v < 0);
                    body = Long.toString(Math.abs(v));
                    body = precision > body.length() ? "0".repeat(precision - body.length()) + body : body;
                    break;
                }
                case 'x': case 'X': case 'o': {
                    long v = asLong(value);
                    sign = sign(v < 0);
                    long abs = Math.abs(v);
                    body = type == 'o' ? Long.toOctalString(abs) : Long.toHexString(abs);
                    body = precision > body.length() ? "0".repeat(precision - body.length()) + body : body;
                    if (flags.contains("#")) {
                        body = (type == 'o' ? "0" : "0x") + body;
                    }
                    if (type == 'X') {
                        body = body.toUpperCase(Locale.ROOT);
                    }
                    break;
                }
                default: {
                    double v = asDouble(value);
                    sign = sign(v < 0 || (v == 0 && 1 / v < 0));
                    body = floating(Math.abs(v));
                    break;
                }
            }
            if (!numeric && precision >= 0 && type != 'c' && body.length() > precision) {
                body = body.substring(0, precision);
            }
            int pad = width - sign.length() - body.length();
            if (pad <= 0) {
                return sign + body;
            }
            if (flags.contains("-")) {
                return sign + body + " ".repeat(pad);
            }
            if (numeric && flags.contains("0")) {
                return sign + "0".repeat(pad) + body;
            }
            return " ".repeat(pad) + sign + body;
        }

        private String sign(boolean negative) {
            if (negative) {
                return "-";
            }
            return flags.contains("+") ? "+" : flags.contains(" ") ? " " : "";
        }

        private String floating(double v) {
            int p = precision < 0 ? 6 : precision;
            if (Double.isNaN(v)) {
                return "nan";
            }
            if (Double.isInfinite(v)) {
                return "inf";
            }
            switch (type) {
                case 'f': case 'F':
                    return String.format(Locale.ROOT, "%." + p + "f", v);
                case 'e': case 'E': {
                    String s = String.format(Locale.ROOT, "%." + p + "e", v);
                    return type == 'E' ? s.toUpperCase(Locale.ROOT) : s;
                }
                default: {
                    String s = general(v, p == 0 ? 1 : p, flags.contains("#"));
                    return type == 'G' ? s.toUpperCase(Locale.ROOT) : s;
                }
            }
        }

        /** C's %g: fixed or exponent notation by magnitude, trailing zeros dropped. */
        private static String general(double v, int p, boolean keepZeros) {
            if (v == 0) {
                return keepZeros ? String.format(Locale.ROOT, "%." + (p - 1) + "f", 0.0) : "0";
            }
            BigDecimal rounded = new BigDecimal(v).round(new MathContext(p));
            int exponent = rounded.precision() - rounded.scale() - 1;
            String s;
            if (exponent >= -4 && exponent < p) {
                s = String.format(Locale.ROOT, "%." + Math.max(0, p - 1 - exponent) + "f", v);
                return keepZeros ? s : stripZeros(s);
            }
            s = String.format(Locale.ROOT, "%." + (p - 1) + "e", v);
            if (keepZeros) {
                return s;
            }
            int e = s.indexOf('e');
            return stripZeros(s.substring(0, e)) + s.substring(e);
        }

        private static String stripZeros(String s) {
            if (!s.contains(".")) {
                return s;
            }
            s = s.replaceAll("0+$", "");
            return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
        }

        private static long asLong(Object value) {
            if (value instanceof Number) {
                return ((Number) value).longValue();
            }
            throw new IllegalArgumentException("%" + "d format: a number is required, not str");
        }

        private static double asDouble(Object value) {
            if (value instanceof Number) {
                return ((Number) value).doubleValue();
            }
            throw new IllegalArgumentException("float argument required, not str");
        }

        /** Python 2.7's str(): floats with 12 significant digits. */
        private static String str(Object value) {
            if (value instanceof Double) {
                double d = (Double) value;
                if (d == Math.rint(d) && Math.abs(d) < 1e12) {
                    return (long) d + ".0";
                }
                String g = general(d, 12, false);
                return g.contains(".") || g.contains("e") ? g : g + ".0";
            }
            return String.valueOf(value);
        }
    }
}
