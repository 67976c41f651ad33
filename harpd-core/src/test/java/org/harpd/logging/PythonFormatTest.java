package org.harpd.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Expected strings were produced by Python 2.7.18's logging.Formatter on the same record (TZ=UTC). */
class PythonFormatTest {
    static final PythonLogRecord RECORD = new PythonLogRecord("harpd.worker", 20, "hello",
            Instant.ofEpochSecond(1_700_000_000L, 123_456_000), 4242, 7, "MainThread", "lib/server.py", "serve",
            42, null);

    static Stream<Arguments> formats() {
        return Stream.of(
                Arguments.of("%(message)s", "hello"),
                Arguments.of("harpd[%(process)d]: %(message)s", "harpd[4242]: hello"),
                Arguments.of("%(asctime)s %(message)s", "2023-11-14 22:13:20,123 hello"),
                Arguments.of("%(levelname)-8s|%(message)s", "INFO    |hello"),
                Arguments.of("%(levelname)8s|", "    INFO|"),
                Arguments.of("%(levelno)s %(levelno)03d %(levelno)+d", "20 020 +20"),
                Arguments.of("%(created)f", "1700000000.123456"),
                Arguments.of("%(msecs)d", "123"),
                Arguments.of("%(msecs)03d", "123"),
                Arguments.of("%(name)s:%(lineno)d", "harpd.worker:42"),
                Arguments.of("%(filename)s %(module)s %(funcName)s", "server.py server serve"),
                Arguments.of("%(thread)d %(threadName)s", "7 MainThread"),
                Arguments.of("100%% %(name).5s", "100% harpd"),
                Arguments.of("%(name)-15s|", "harpd.worker   |"),
                Arguments.of("%(process)x %(process)#o %(process)X", "1092 010222 1092"),
                Arguments.of("%(created).2f %(created)e %(created)g", "1700000000.12 1.700000e+09 1.7e+09"),
                Arguments.of("%(msecs)s", "123.456"),
                Arguments.of("%(created)s", "1700000000.12"),
                Arguments.of("%(name)r", "'harpd.worker'"),
                Arguments.of("%(lineno)5d|%(lineno)-5d|%(lineno)05d", "   42|42   |00042"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("formats")
    void formatsLikePython(String format, String expected) {
        assertEquals(expected, PythonFormat.of(format, null, ZoneOffset.UTC).format(RECORD));
    }

    static Stream<Arguments> dateFormats() {
        return Stream.of(
                Arguments.of("%Y-%m-%d %H:%M:%S", "2023-11-14 22:13:20"),
                Arguments.of("%b %d %H:%M:%S", "Nov 14 22:13:20"),
                Arguments.of("%a %y %j %p %Z %z %%", "Tue 23 318 PM UTC +0000 %"),
                Arguments.of("%d/%m/%Y %I:%M %p", "14/11/2023 10:13 PM"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dateFormats")
    void translatesDatefmtLikeStrftime(String datefmt, String expected) {
        assertEquals(expected, PythonFormat.of("%(asctime)s", datefmt, ZoneId.of("UTC")).format(RECORD));
    }

    @Test
    void datefmtUsesTheZoneOffset() {
        assertEquals("23:13:20 +0100",
                PythonFormat.of("%(asctime)s", "%H:%M:%S %z", ZoneId.of("Europe/Paris")).format(RECORD));
    }

    @Test
    void levelNamesFollowPython() {
        PythonLogRecord critical = new PythonLogRecord("x", 50, "m", RECORD.created(), 1, 1, "t", "f", "g", 1, null);
        PythonLogRecord custom = new PythonLogRecord("x", 15, "m", RECORD.created(), 1, 1, "t", "f", "g", 1, null);
        PythonFormat format = PythonFormat.of("%(levelname)s");
        assertEquals("CRITICAL", format.format(critical));
        assertEquals("Level 15", format.format(custom));
    }

    @Test
    void exceptionTextFollowsOnNewLines() {
        PythonLogRecord failed = new PythonLogRecord("x", 40, "failed", RECORD.created(), 1, 1, "t", "f", "g", 1,
                "java.io.IOException: gone\n\tat X.y(X.java:1)");
        assertEquals("failed\njava.io.IOException: gone\n\tat X.y(X.java:1)", PythonFormat.of("%(message)s")
                .format(failed));
    }

    @Test
    void onlyFormatsNamingTheSourceNeedCallerData() {
        assertTrue(PythonFormat.of("%(lineno)d %(message)s").needsCallerData());
        assertFalse(PythonFormat.of("%(asctime)s %(message)s").needsCallerData());
    }

    @Test
    void refusesUnknownAttributesAndPositionalConversions() {
        assertEquals("unknown record attribute 'colour'",
                assertThrows(IllegalArgumentException.class, () -> PythonFormat.of("%(colour)s")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> PythonFormat.of("%s"));
        assertThrows(IllegalArgumentException.class, () -> PythonFormat.of("50%"));
    }

    @Test
    void refusesUnsupportedStrftimeDirectives() {
        assertEquals("unsupported strftime directive '%Q'",
                assertThrows(IllegalArgumentException.class, () -> Strftime.compile("%Y %Q")).getMessage());
    }
}
