package org.harpd.jython;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.Date;
import java.util.Locale;
import java.util.Set;
import java.util.SimpleTimeZone;
import java.util.TimeZone;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.python.core.PyString;
import org.python.core.PyTuple;
import org.python.modules.time.Time;

/**
 * {@code time.tzset()} for procedures, and the zone values of Jython's {@code time} module ({@code timezone},
 * {@code altzone}, {@code daylight}, {@code tzname}) as CPython 2.7 computes them on Linux.
 *
 * <p>Jython's {@code time} converts with the JVM's default time zone, so {@link #tzset} makes the zone {@code TZ}
 * names the default, as glibc's {@code tzset()} makes it the C library's: a zoneinfo name (with or without a
 * leading colon, or an absolute path to a zoneinfo file), else a POSIX rule ({@code EST5EDT4},
 * {@code CET-1CEST,M3.5.0,M10.5.0/3}, {@code <+03>-3}), else Coordinated Universal Time named by the leading
 * letters; no {@code TZ} at all is {@code /etc/localtime}. The default is the worker's own too, so a worker puts
 * the zone it booted with back after every call ({@link #restore}), as a forked child's {@code tzset()} ends with
 * the child.
 *
 * <p>CPython 2.7 on glibc derives the four values from {@code localtime()} half a year apart (its
 * {@code inittimezone}): the offsets and abbreviations of the current year's January and July, swapped where
 * daylight saving time is in January. Jython takes them from Java's current rules, which differ for zones that
 * once had daylight saving time but have none now ({@code daylight} 1 in Jython, 0 in CPython).
 */
public final class TimeZones {
    private static final Path ZONEINFO = Path.of("/usr/share/zoneinfo");
    private static final Path LOCALTIME = Path.of("/etc/localtime");
    /** CPython's approximate year of 365.25 days, which it uses to find January and July. */
    private static final long YEAR = (365L * 24 + 6) * 3600;
    private static final int HOUR_MS = 3600_000;
    private static final String NAME = "(<[A-Za-z0-9+-]+>|[A-Za-z]{3,})";
    private static final String OFFSET = "([+-]?\\d{1,2}(?::\\d{1,2}(?::\\d{1,2})?)?)";
    private static final String RULE = "(M\\d{1,2}\\.\\d\\.\\d|J\\d{1,3}|\\d{1,3})(?:/([+-]?\\d{1,3}(?::\\d{1,2}(?::\\d{1,2})?)?))?";
    private static final Pattern POSIX = Pattern.compile(
            NAME + OFFSET + "(?:" + NAME + OFFSET + "?(?:," + RULE + "," + RULE + ")?)?");
    private static final Pattern LEADING_NAME = Pattern.compile("<([^>]*)>|[A-Za-z]*");
    private static final int[] MONTH_DAYS = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    private static TimeZone booted;
    private static int bootedTimezone;
    private static int bootedAltzone;
    private static int bootedDaylight;
    private static PyTuple bootedTzname;

    private TimeZones() {
    }

    /**
     * Sets {@code timezone}, {@code altzone}, {@code daylight} and {@code tzname} of {@code time} from the JVM's
     * default zone as CPython would, and remembers that zone as the one {@link #restore} puts back.
     */
    public static synchronized void initialise() {
        TimeZone zone = TimeZone.getDefault();
        setModuleValues(zone);
        if (booted == null) {
            remember(zone);
        }
    }

    private static void remember(TimeZone zone) {
        booted = zone;
        bootedTimezone = Time.timezone;
        bootedAltzone = Time.altzone;
        bootedDaylight = Time.daylight;
        bootedTzname = Time.tzname;
    }

    /**
     * {@code time.tzset()}: the zone {@code tz} (the value of {@code TZ}, or {@code null} when it is unset)
     * becomes the default of the JVM, and the module's values follow it.
     */
    public static synchronized void tzset(String tz) {
        if (booted == null) {
            initialise();
        }
        TimeZone zone = resolve(tz);
        TimeZone.setDefault(zone);
        setModuleValues(zone);
    }

    /**
     * Puts back the zone the worker booted with and the module's values as they were then, where a call changed
     * them ({@code tzset()}, or an assignment to {@code time.timezone}).
     */
    public static synchronized void restore() {
        if (booted == null) {
            return;
        }
        if (!TimeZone.getDefault().equals(booted)) {
            TimeZone.setDefault(booted);
        }
        Time.timezone = bootedTimezone;
        Time.altzone = bootedAltzone;
        Time.daylight = bootedDaylight;
        Time.tzname = bootedTzname;
    }

    /** The zone glibc would take for {@code TZ} set to {@code tz} ({@code null}: unset). */
    static TimeZone resolve(String tz) {
        if (tz == null) {
            TimeZone local = fromZoneinfoFile(LOCALTIME);
            return local != null ? local : new NamedZone(0, "UTC", null);
        }
        String name = tz.startsWith(":") ? tz.substring(1) : tz;
        if (name.isEmpty()) {
            return new NamedZone(0, "UTC", null);
        }
        TimeZone file = fromZoneinfoFile(name.startsWith("/") ? Path.of(name) : ZONEINFO.resolve(name));
        if (file != null) {
            return file;
        }
        TimeZone posix = fromPosixRule(name);
        if (posix != null) {
            return posix;
        }
        // glibc keeps what it could read of the name and counts from UTC
        Matcher leading = LEADING_NAME.matcher(name);
        String std = leading.lookingAt() ? (leading.group(1) != null ? leading.group(1) : leading.group()) : "";
        return new NamedZone(0, std.isEmpty() ? "UTC" : std, null);
    }

    /** The zone of a zoneinfo file, by the name Java's own zone database gives the same file. */
    private static TimeZone fromZoneinfoFile(Path file) {
        Path path = file.normalize();
        if (!Files.isRegularFile(path)) {
            return null;
        }
        Path real;
        try {
            real = path.toRealPath();
        } catch (java.io.IOException | SecurityException e) {
            return null;
        }
        Set<String> known = ZoneId.getAvailableZoneIds();
        for (Path candidate : new Path[] {path, real}) {
            if (candidate.startsWith(ZONEINFO) && candidate.getNameCount() > ZONEINFO.getNameCount()) {
                String id = ZONEINFO.relativize(candidate).toString();
                for (String prefix : new String[] {"", "posix/", "right/"}) {
                    if (id.startsWith(prefix) && known.contains(id.substring(prefix.length()))) {
                        return TimeZone.getTimeZone(id.substring(prefix.length()));
                    }
                }
            }
        }
        return null;
    }

    /** A POSIX {@code TZ} rule, {@code std offset [dst [offset] [,start[/time],end[/time]]]}; null if it is none. */
    static TimeZone fromPosixRule(String rule) {
        Matcher m = POSIX.matcher(rule);
        if (!m.matches()) {
            return null;
        }
        String std = unquote(m.group(1));
        // POSIX offsets are west of Greenwich, Java's east of it
        int raw = -seconds(m.group(2)) * 1000;
        if (m.group(3) == null) {
            return new NamedZone(raw, std, null);
        }
        String dst = unquote(m.group(3));
        int dstRaw = m.group(4) == null ? raw + HOUR_MS : -seconds(m.group(4)) * 1000;
        int savings = dstRaw - raw;
        if (savings <= 0) {
            return new NamedZone(raw, std, dst);
        }
        // without rules glibc takes the United States' (its posixrules file, or the same built in)
        String start = m.group(5) == null ? "M3.2.0" : m.group(5);
        String end = m.group(7) == null ? "M11.1.0" : m.group(7);
        int startTime = m.group(6) == null ? 2 * HOUR_MS : seconds(m.group(6)) * 1000;
        int endTime = m.group(8) == null ? 2 * HOUR_MS : seconds(m.group(8)) * 1000;
        int[] s = dayRule(start);
        int[] e = dayRule(end);
        if (s == null || e == null) {
            return null;
        }
        NamedZone zone = new NamedZone(raw, std, dst);
        zone.setStartRule(s[0], s[1], s[2], startTime);
        zone.setEndRule(e[0], e[1], e[2], endTime);
        zone.setDSTSavings(savings);
        return zone;
    }

    /** {@link SimpleTimeZone}'s month, day and day-of-week for a POSIX day rule; null if out of range. */
    private static int[] dayRule(String rule) {
        if (rule.startsWith("M")) {
            String[] parts = rule.substring(1).split("\\.");
            int month = Integer.parseInt(parts[0]);
            int week = Integer.parseInt(parts[1]);
            int day = Integer.parseInt(parts[2]);
            if (month < 1 || month > 12 || week < 1 || week > 5 || day > 6) {
                return null;
            }
            return new int[] {month - 1, week == 5 ? -1 : week, day + 1};
        }
        // Jn counts 1..365 without February 29th; n counts 0..365 with it (taken here as in a common year)
        int julian = rule.startsWith("J") ? Integer.parseInt(rule.substring(1)) : Integer.parseInt(rule) + 1;
        if (julian < 1 || julian > 365) {
            return null;
        }
        int month = 0;
        while (julian > MONTH_DAYS[month]) {
            julian -= MONTH_DAYS[month];
            month++;
        }
        return new int[] {month, julian, 0};
    }

    private static String unquote(String name) {
        return name.startsWith("<") ? name.substring(1, name.length() - 1) : name;
    }

    private static int seconds(String offset) {
        String[] parts = offset.split(":");
        int sign = parts[0].startsWith("-") ? -1 : 1;
        int total = Math.abs(Integer.parseInt(parts[0].replace("+", ""))) * 3600;
        if (parts.length > 1) {
            total += Integer.parseInt(parts[1]) * 60;
        }
        if (parts.length > 2) {
            total += Integer.parseInt(parts[2]);
        }
        return sign * total;
    }

    /** CPython's inittimezone: January's and July's offsets and abbreviations of the current year. */
    private static void setModuleValues(TimeZone zone) {
        long january = System.currentTimeMillis() / 1000 / YEAR * YEAR;
        long july = january + YEAR / 2;
        int janZone = -zone.getOffset(january * 1000) / 1000;
        int julyZone = -zone.getOffset(july * 1000) / 1000;
        String janName = abbreviation(zone, january);
        String julyName = abbreviation(zone, july);
        if (janZone < julyZone) {
            // daylight saving time in January: the southern hemisphere
            set(julyZone, janZone, julyName, janName);
        } else {
            set(janZone, julyZone, janName, julyName);
        }
    }

    private static void set(int timezone, int altzone, String std, String dst) {
        Time.timezone = timezone;
        Time.altzone = altzone;
        Time.daylight = timezone != altzone ? 1 : 0;
        Time.tzname = new PyTuple(new PyString(std), new PyString(dst));
    }

    /** The abbreviation in force at {@code epochSeconds}, as Jython's {@code strftime("%Z")} names it. */
    private static String abbreviation(TimeZone zone, long epochSeconds) {
        return zone.getDisplayName(zone.inDaylightTime(new Date(epochSeconds * 1000)), TimeZone.SHORT);
    }

    /**
     * A zone from a POSIX rule, named as the rule names it. Its ID is a GMT offset, which {@link ZoneId} accepts
     * (the JVM's default zone must have one: {@code ZoneId.systemDefault()} converts it); only the display names
     * carry the rule's own.
     */
    private static final class NamedZone extends SimpleTimeZone {
        private static final long serialVersionUID = 1L;
        private final String std;
        private final String dst;

        NamedZone(int rawOffset, String std, String dst) {
            super(rawOffset, offsetId(rawOffset));
            this.std = std;
            this.dst = dst == null ? std : dst;
        }

        private static String offsetId(int rawOffset) {
            if (rawOffset == 0) {
                return "GMT";
            }
            int minutes = Math.abs(rawOffset) / 60_000;
            return String.format(Locale.ROOT, "GMT%s%02d:%02d", rawOffset < 0 ? "-" : "+", minutes / 60, minutes % 60);
        }

        @Override
        public String getDisplayName(boolean daylight, int style, Locale locale) {
            return daylight && useDaylightTime() ? dst : std;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof NamedZone named && super.equals(other) && std.equals(named.std)
                    && dst.equals(named.dst);
        }

        @Override
        public int hashCode() {
            return super.hashCode() * 31 + std.hashCode();
        }

        @Override
        public Object clone() {
            return super.clone();
        }
    }
}
