package org.harpd.logging;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * {@code logging.handlers.TimedRotatingFileHandler} as in Python 2.7: {@code when} is {@code S}, {@code M},
 * {@code H}, {@code D} (every {@code interval} seconds, minutes, hours, days from the file's last change or the
 * start), {@code MIDNIGHT} (at each local midnight), or {@code W0}..{@code W6} (at the midnight that ends that
 * weekday, 0 = Monday); {@code utc} takes midnight and the names in UTC. At a rollover the file is renamed to
 * {@code FILE.SUFFIX} after the period it holds ({@code %Y-%m-%d_%H-%M-%S}, {@code %Y-%m-%d_%H-%M},
 * {@code %Y-%m-%d_%H} or {@code %Y-%m-%d}) and, with {@code backupCount} above 0, the oldest of the files so
 * named are deleted down to that many. The check is made before each record is written, as in Python: a quiet
 * log is rotated by its next record. Midnights are computed in the local time zone by java.time, so a day
 * that has 23 or 25 hours ends at its real midnight (Python 2.7 approximates the shift).
 */
public final class TimedRotatingFileHandler extends FileHandler {
    private static final long DAY = 24 * 60 * 60;

    private final String when;
    private final long interval;
    private final int backupCount;
    private final ZoneId zone;
    private final int dayOfWeek;
    private final DateTimeFormatter suffix;
    private final Pattern suffixPattern;
    private final LongSupplier clock;
    private long rolloverAt;

    public TimedRotatingFileHandler(Path path, Charset charset, boolean delay, String when, long interval,
                                    int backupCount, boolean utc) throws IOException {
        this(path, charset, delay, when, interval, backupCount, utc,
                () -> TimeUnit.MILLISECONDS.toSeconds(System.currentTimeMillis()));
    }

    /** @param clock the time in seconds since the epoch (tests move it) */
    TimedRotatingFileHandler(Path path, Charset charset, boolean delay, String when, long interval,
                             int backupCount, boolean utc, LongSupplier clock) throws IOException {
        super(path, false, charset, delay);
        this.when = checkWhen(when);
        this.backupCount = backupCount;
        this.zone = utc ? ZoneOffset.UTC : ZoneId.systemDefault();
        this.clock = clock;
        long unit;
        String format;
        String regex;
        switch (this.when.substring(0, 1)) {
            case "S" -> {
                unit = 1;
                format = "yyyy-MM-dd_HH-mm-ss";
                regex = "\\d{4}-\\d{2}-\\d{2}_\\d{2}-\\d{2}-\\d{2}";
            }
            case "M" -> {
                unit = this.when.equals("MIDNIGHT") ? DAY : 60;
                format = this.when.equals("MIDNIGHT") ? "yyyy-MM-dd" : "yyyy-MM-dd_HH-mm";
                regex = this.when.equals("MIDNIGHT") ? "\\d{4}-\\d{2}-\\d{2}" : "\\d{4}-\\d{2}-\\d{2}_\\d{2}-\\d{2}";
            }
            case "H" -> {
                unit = 60 * 60;
                format = "yyyy-MM-dd_HH";
                regex = "\\d{4}-\\d{2}-\\d{2}_\\d{2}";
            }
            case "D" -> {
                unit = DAY;
                format = "yyyy-MM-dd";
                regex = "\\d{4}-\\d{2}-\\d{2}";
            }
            default -> { // W0..W6
                unit = 7 * DAY;
                format = "yyyy-MM-dd";
                regex = "\\d{4}-\\d{2}-\\d{2}";
            }
        }
        this.dayOfWeek = this.when.startsWith("W") ? this.when.charAt(1) - '0' : -1;
        this.interval = unit * interval;
        this.suffix = DateTimeFormatter.ofPattern(format, Locale.ROOT).withZone(zone);
        this.suffixPattern = Pattern.compile(regex);
        long start = Files.exists(this.path)
                ? Files.getLastModifiedTime(this.path).to(TimeUnit.SECONDS) : clock.getAsLong();
        rolloverAt = computeRollover(start);
    }

    /**
     * {@code when} in upper case, as Python 2.7 takes it.
     *
     * @throws IllegalArgumentException with Python's wording when it names no rollover interval
     */
    public static String checkWhen(String when) {
        String upper = when.toUpperCase(Locale.ROOT);
        switch (upper) {
            case "S", "M", "H", "D", "MIDNIGHT":
                return upper;
            default:
                if (upper.startsWith("W")) {
                    if (upper.length() != 2) {
                        throw new IllegalArgumentException(
                                "You must specify a day for weekly rollover from 0 to 6 (0 is Monday): " + when);
                    }
                    if (upper.charAt(1) < '0' || upper.charAt(1) > '6') {
                        throw new IllegalArgumentException("Invalid day specified for weekly rollover: " + when);
                    }
                    return upper;
                }
                throw new IllegalArgumentException("Invalid rollover interval specified: " + when);
        }
    }

    /** When a record written at {@code now} (seconds) would first go to a new file. */
    long computeRollover(long now) {
        if (!when.equals("MIDNIGHT") && !when.startsWith("W")) {
            return now + interval;
        }
        LocalDate today = Instant.ofEpochSecond(now).atZone(zone).toLocalDate();
        LocalDate end = today.plusDays(1);
        if (dayOfWeek >= 0) {
            int day = today.getDayOfWeek().getValue() - 1; // 0 is Monday, as Python's tm_wday
            if (day != dayOfWeek) {
                end = end.plusDays(day < dayOfWeek ? dayOfWeek - day : 6 - day + dayOfWeek + 1);
            }
        }
        return end.atStartOfDay(zone).toEpochSecond();
    }

    long rolloverAt() {
        return rolloverAt;
    }

    @Override
    protected void beforeWrite(int bytes) throws IOException {
        long now = clock.getAsLong();
        if (now >= rolloverAt) {
            rollOver(now);
        }
    }

    private void rollOver(long now) throws IOException {
        closeStream();
        // the period the file holds started one interval before the rollover time
        Path target = path.resolveSibling(path.getFileName() + "." + suffix.format(Instant.ofEpochSecond(
                periodStart())));
        Files.deleteIfExists(target);
        if (Files.exists(path)) {
            Files.move(path, target, StandardCopyOption.REPLACE_EXISTING);
        }
        if (backupCount > 0) {
            for (Path old : filesToDelete()) {
                Files.deleteIfExists(old);
            }
        }
        long next = computeRollover(now);
        while (next <= now) {
            next += interval;
        }
        rolloverAt = next;
        // the caller (emit) opens a fresh file for the record
    }

    private long periodStart() {
        if (when.equals("MIDNIGHT") || when.startsWith("W")) {
            // the local day (or week) that ended at rolloverAt, however long its days were
            ZonedDateTime end = Instant.ofEpochSecond(rolloverAt).atZone(zone);
            return end.minusDays(when.equals("MIDNIGHT") ? 1 : 7).toEpochSecond();
        }
        return rolloverAt - interval;
    }

    /** The oldest {@code FILE.SUFFIX} files beyond {@code backupCount}, as Python's getFilesToDelete. */
    private List<Path> filesToDelete() throws IOException {
        Path directory = path.getParent();
        if (directory == null) {
            return List.of(); // "/" itself: not a log file
        }
        String prefix = path.getFileName() + ".";
        List<Path> rotated = new ArrayList<>();
        try (DirectoryStream<Path> siblings = Files.newDirectoryStream(directory)) {
            for (Path sibling : siblings) {
                String name = String.valueOf(sibling.getFileName());
                if (name.startsWith(prefix) && suffixPattern.matcher(name.substring(prefix.length())).matches()) {
                    rotated.add(sibling);
                }
            }
        }
        rotated.sort(null);
        return rotated.size() <= backupCount ? List.of() : rotated.subList(0, rotated.size() - backupCount);
    }
}
