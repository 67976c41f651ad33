package org.harpd.jython;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Procedures see the platform CPython 2.7 on Linux reports, and Jython's own library still works. */
class PlatformValuesTest {
    @Test
    void sysAndOsReportCpythonOnLinux() {
        assertEquals("('linux2', True, 'posix')", Python.eval("import sys, os",
                "repr((sys.platform, sys.platform.startswith('linux'), os.name))").toString());
    }

    @Test
    void jythonsModulesThatBranchOnThePlatformStillWork() {
        assertEquals("True", Python.eval("""
                import subprocess, tempfile, os, datetime, inspect, collections, zipfile, locale, io
                out = subprocess.check_output(["echo", "hi"]).strip()
                fd, name = tempfile.mkstemp()
                os.close(fd)
                os.remove(name)
                tz = datetime.datetime(2020, 1, 2, 3, 4, 5).isoformat()
                spec = inspect.getargspec(lambda a, b=1: None).args
                od = collections.OrderedDict([("b", 1), ("a", 2)]).keys()
                buffer = io.BytesIO()
                with zipfile.ZipFile(buffer, "w") as z:
                    z.writestr("x", "y")
                locale.getdefaultlocale()
                """, "out == 'hi' and tz == '2020-01-02T03:04:05' and spec == ['a', 'b'] and od == ['b', 'a']")
                .toString());
    }
}
