package org.harpd.jython;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.TimeZone;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code time.tzset()} answers what CPython 2.7.18 on glibc answers for the same {@code TZ}: each expected line
 * is its output of {@code (time.timezone, time.altzone, time.daylight, time.tzname,
 * time.strftime("%Z", time.localtime(1700000000)), time.localtime(1690000000)[3],
 * time.mktime((2023, 7, 1, 12, 0, 0, 0, 0, -1)))}.
 */
class TimeZonesTest {
    private TimeZone before;
    private String tzBefore;

    @BeforeEach
    void rememberZone() {
        tzBefore = Python.eval("import os", "os.environ.get('TZ')").toString();
        before = TimeZone.getDefault();
    }

    @AfterEach
    void restoreZone() {
        Python.exec("import os\nif " + (tzBefore.equals("None") ? "True" : "False") + ":\n    os.environ.pop('TZ', None)\n"
                + "else:\n    os.environ['TZ'] = '" + tzBefore + "'\n");
        TimeZones.restore();
        assertEquals(before, TimeZone.getDefault(), "the zone the JVM had is back");
        TimeZone.setDefault(before);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "UTC0 | (0, 0, 0, ('UTC', 'UTC'), 'UTC', 4, 1688212800.0)",
        "Nowhere/Land | (0, 0, 0, ('Nowhere', 'Nowhere'), 'Nowhere', 4, 1688212800.0)",
        "Foo | (0, 0, 0, ('Foo', 'Foo'), 'Foo', 4, 1688212800.0)",
        "EST5EDT | (18000, 14400, 1, ('EST', 'EDT'), 'EST', 0, 1688227200.0)",
        "CET-1CEST,M3.5.0,M10.5.0/3 | (-3600, -7200, 1, ('CET', 'CEST'), 'CET', 6, 1688205600.0)",
        "Asia/Tokyo | (-32400, -32400, 0, ('JST', 'JST'), 'JST', 13, 1688180400.0)",
        ":Europe/Paris | (-3600, -7200, 1, ('CET', 'CEST'), 'CET', 6, 1688205600.0)",
        "/usr/share/zoneinfo/Europe/Paris | (-3600, -7200, 1, ('CET', 'CEST'), 'CET', 6, 1688205600.0)",
        "Australia/Sydney | (-36000, -39600, 1, ('AEST', 'AEDT'), 'AEDT', 14, 1688176800.0)",
        "<+03>-3 | (-10800, -10800, 0, ('+03', '+03'), '+03', 7, 1688202000.0)",
        "JST-9 | (-32400, -32400, 0, ('JST', 'JST'), 'JST', 13, 1688180400.0)",
        "EST5EDT4 | (18000, 14400, 1, ('EST', 'EDT'), 'EST', 0, 1688227200.0)",
    })
    void tzsetAnswersAsCPython(String tz, String expected) {
        String got = Python.eval("import os, time\nos.environ['TZ'] = " + "'" + tz + "'" + "\ntime.tzset()",
                "repr((time.timezone, time.altzone, time.daylight, time.tzname, "
                        + "time.strftime('%Z', time.localtime(1700000000)), time.localtime(1690000000)[3], "
                        + "time.mktime((2023, 7, 1, 12, 0, 0, 0, 0, -1))))").toString();
        assertEquals(expected, got, "TZ=" + tz);
    }
}
