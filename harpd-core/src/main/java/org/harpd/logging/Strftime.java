package org.harpd.logging;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * A {@code time.strftime} pattern (C locale, as the daemon runs) compiled once; unknown directives are
 * refused when compiling so a bad {@code datefmt} is reported at startup rather than on every record.
 */
public final class Strftime {
    private static final DateTimeFormatter ZONE_NAME = DateTimeFormatter.ofPattern("zzz", Locale.ROOT);
    private static final DateTimeFormatter ZONE_OFFSET = DateTimeFormatter.ofPattern("xx", Locale.ROOT);

    private final List<Function<ZonedDateTime, String>> parts;

    private Strftime(List<Function<ZonedDateTime, String>> parts) {
        this.parts = parts;
    }

    /** @throws IllegalArgumentException naming the first unsupported directive */
    public static Strftime compile(String pattern) {
        List<Function<ZonedDateTime, String>> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c != '%') {
                literal.append(c);
                continue;
            }
            if (i + 1 >= pattern.length()) {
                throw new IllegalArgumentException("strftime format ends with a lone '%'");
            }
            char directive = pattern.charAt(++i);
            if (directive == '%') {
                literal.append('%');
                continue;
            }
            Function<ZonedDateTime, String> part = directive(directive);
            if (part == null) {
                throw new IllegalArgumentException("unsupported strftime directive '%" + directive + "'");
            }
            if (literal.length() > 0) {
                String text = literal.toString();
                parts.add(t -> text);
                literal.setLength(0);
            }
            parts.add(part);
        }
        if (literal.length() > 0) {
            String text = literal.toString();
            parts.add(t -> text);
        }
        return new Strftime(List.copyOf(parts));
    }

    public String format(ZonedDateTime time) {
        StringBuilder out = new StringBuilder();
        for (Function<ZonedDateTime, String> part : parts) {
            out.append(part.apply(time));
        }
        return out.toString();
    }

    private static Function<ZonedDateTime, String> directive(char c) {
        switch (c) {
            case 'Y': return t -> Integer.toString(t.getYear());
            case 'y': return t -> two(t.getYear() % 100);
            case 'm': return t -> two(t.getMonthValue());
            case 'd': return t -> two(t.getDayOfMonth());
            case 'e': return t -> String.format(Locale.ROOT, "%2d", t.getDayOfMonth());
            case 'H': return t -> two(t.getHour());
            case 'I': return t -> two(t.getHour() % 12 == 0 ? 12 : t.getHour() % 12);
            case 'M': return t -> two(t.getMinute());
            case 'S': return t -> two(t.getSecond());
            case 'p': return t -> t.getHour() < 12 ? "AM" : "PM";
            case 'j': return t -> String.format(Locale.ROOT, "%03d", t.getDayOfYear());
            case 'b': case 'h': return t -> t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
            case 'B': return t -> t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
            case 'a': return t -> t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
            case 'A': return t -> t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
            case 'w': return t -> Integer.toString(t.getDayOfWeek().getValue() % 7);
            case 'Z': return ZONE_NAME::format;
            case 'z': return ZONE_OFFSET::format;
            case 'n': return t -> "\n";
            case 't': return t -> "\t";
            // The C locale's composite forms.
            case 'c': return t -> compile("%a %b %e %H:%M:%S %Y").format(t);
            case 'x': case 'D': return t -> compile("%m/%d/%y").format(t);
            case 'X': case 'T': return t -> compile("%H:%M:%S").format(t);
            case 'F': return t -> compile("%Y-%m-%d").format(t);
            case 'R': return t -> compile("%H:%M").format(t);
            default: return null;
        }
    }

    private static String two(int value) {
        return value < 10 ? "0" + value : Integer.toString(value);
    }
}
