package org.harpd.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TimedRotatingFileHandlerTest {
    @TempDir
    Path dir;

    /** 2026-12-07 (a Monday) 13:00:00 UTC. */
    private static final long MONDAY_1300 = ZonedDateTime.of(2026, 12, 7, 13, 0, 0, 0, ZoneOffset.UTC).toEpochSecond();

    private final AtomicLong now = new AtomicLong(MONDAY_1300);

    private TimedRotatingFileHandler handler(String when, long interval, int backupCount) throws Exception {
        // delay: as in Python, a file opened at construction counts from its mtime, which is the real clock's
        return new TimedRotatingFileHandler(dir.resolve("harpd.log"), StandardCharsets.UTF_8, true, when, interval,
                backupCount, true, now::get);
    }

    private static void write(TimedRotatingFileHandler handler, String line) throws Exception {
        handler.emit(null, line);
    }

    @Test
    void hourlyRenamesAfterThePeriodAndKeepsBackupCount() throws Exception {
        TimedRotatingFileHandler handler = handler("h", 1, 2);
        write(handler, "at 13:00");
        for (int hour = 14; hour <= 17; hour++) {
            now.addAndGet(3600);
            write(handler, "at " + hour + ":00");
        }
        handler.close();
        assertEquals("at 17:00\n", Files.readString(dir.resolve("harpd.log")));
        assertEquals("at 16:00\n", Files.readString(dir.resolve("harpd.log.2026-12-07_16")));
        assertEquals("at 15:00\n", Files.readString(dir.resolve("harpd.log.2026-12-07_15")));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(3, files.count(), "backupCount 2: the two newest rotated files and the current one");
        }
    }

    @Test
    void noRolloverWithinTheInterval() throws Exception {
        TimedRotatingFileHandler handler = handler("M", 5, 0);
        write(handler, "one");
        now.addAndGet(299);
        write(handler, "two");
        handler.close();
        assertEquals("one\ntwo\n", Files.readString(dir.resolve("harpd.log")));
    }

    @Test
    void midnightRollsOverAtTheNextMidnightAndNamesTheDay() throws Exception {
        TimedRotatingFileHandler handler = handler("midnight", 1, 0);
        long midnight = ZonedDateTime.of(2026, 12, 8, 0, 0, 0, 0, ZoneOffset.UTC).toEpochSecond();
        assertEquals(midnight, handler.rolloverAt());
        write(handler, "monday");
        now.set(midnight + 5);
        write(handler, "tuesday");
        handler.close();
        assertEquals("monday\n", Files.readString(dir.resolve("harpd.log.2026-12-07")));
        assertEquals("tuesday\n", Files.readString(dir.resolve("harpd.log")));
        assertEquals(midnight + 86400, handler.rolloverAt());
    }

    @Test
    void weeklyRollsOverAtTheEndOfTheNamedDay() throws Exception {
        // W2 (Wednesday) from a Monday: at Thursday 00:00, as Python 2.7 computes it
        assertEquals(ZonedDateTime.of(2026, 12, 10, 0, 0, 0, 0, ZoneOffset.UTC).toEpochSecond(),
                handler("W2", 1, 0).rolloverAt());
        // W0 on a Monday: at the midnight that ends it
        assertEquals(ZonedDateTime.of(2026, 12, 8, 0, 0, 0, 0, ZoneOffset.UTC).toEpochSecond(),
                handler("w0", 1, 0).rolloverAt());
        // W6 (Sunday) from a Monday: the next Monday 00:00
        assertEquals(ZonedDateTime.of(2026, 12, 14, 0, 0, 0, 0, ZoneOffset.UTC).toEpochSecond(),
                handler("W6", 1, 0).rolloverAt());
    }

    @Test
    void anExistingFileCountsFromItsLastChange() throws Exception {
        Path file = Files.writeString(dir.resolve("harpd.log"), "earlier\n");
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.from(MONDAY_1300 - 7200,
                java.util.concurrent.TimeUnit.SECONDS));
        TimedRotatingFileHandler handler = handler("H", 1, 0);
        write(handler, "now");
        handler.close();
        assertEquals("earlier\n", Files.readString(dir.resolve("harpd.log.2026-12-07_11")));
        assertEquals("now\n", Files.readString(file));
    }

    @Test
    void whenIsCheckedWithPythonsWording() {
        assertEquals("Invalid rollover interval specified: fortnight", assertThrows(IllegalArgumentException.class,
                () -> TimedRotatingFileHandler.checkWhen("fortnight")).getMessage());
        assertEquals("Invalid day specified for weekly rollover: W7", assertThrows(IllegalArgumentException.class,
                () -> TimedRotatingFileHandler.checkWhen("W7")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TimedRotatingFileHandler.checkWhen("W"))
                .getMessage().startsWith("You must specify a day for weekly rollover"));
        assertFalse(Files.exists(dir.resolve("harpd.log")));
    }
}
