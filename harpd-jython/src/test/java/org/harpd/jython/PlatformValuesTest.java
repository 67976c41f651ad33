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

    /** Native structures for ioctl/fcntl/setsockopt as x86-64 Linux lays them out; values from python2.7. */
    @Test
    void structPacksNativeFormatsAsCpythonOnX8664Linux() {
        assertEquals("('\\x01\\x00\\x00\\x00', '\\x01\\x00\\x00\\x00', '\\x01\\x00\\x00\\x00', "
                + "'\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\x00\\x00\\x00\\x00\\x00\\x00', "
                + "'\\x01\\x00\\x02\\x00\\x00\\x00', '\\x01\\x00\\x00\\x00\\x02\\x00\\x00\\x00', "
                + "'\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\xfe\\xff\\xff\\xff\\xff\\xff\\xff\\xff', "
                + "'\\x00\\x01\\x00\\x00\\x00\\x02', '\\x05\\x00\\x00\\x00\\x00\\x00\\x00\\x00', '\\x00\\x01')",
                Python.eval("import struct", "repr((struct.pack('I', 1), struct.pack('=I', 1), struct.pack('@I', 1), "
                        + "struct.pack('hl', 1, 2), struct.pack('=hl', 1, 2), struct.pack('@bi0l', 1, 2), "
                        + "struct.pack('bq', 1, -2), struct.pack('!hl', 1, 2), struct.pack('P', 5), "
                        + "struct.pack('2?', [], 3)))").toString());
        assertEquals("(16, 6, 32, 24, 8, (1, 2), (1, 0, 0, 0, 0), (False, True), 16, 'hl', (1, 2), 0)",
                Python.eval("import struct", "repr((struct.calcsize('hl'), struct.calcsize('=hl'), "
                        + "struct.calcsize('hh4xqqi4x'), struct.calcsize('iLl'), struct.calcsize('P'), "
                        + "struct.unpack('hl', struct.pack('hl', 1, 2)), "
                        + "struct.unpack('hh4xqqi4x', struct.pack('hh4xqqi4x', 1, 0, 0, 0, 0)), "
                        + "struct.unpack('2?', '\\x00\\x02'), struct.Struct('hl').size, struct.Struct('hl').format, "
                        + "struct.unpack_from('ii', struct.pack('iiii', 9, 1, 2, 3), 4), struct.calcsize('3')))")
                        .toString());
        assertEquals("('\\x00\\x00\\x01\\x00\\x00\\x00\\x02\\x00\\x00\\x00\\x00\\x00', 'bad char in struct format')",
                Python.eval("import struct\nbuf = bytearray(12)\nstruct.pack_into('hi', buf, 2, 1, 2)\n"
                        + "try:\n    struct.calcsize('=P')\nexcept struct.error as e:\n    message = str(e)\n",
                        "repr((str(buf), message))").toString());
    }

    /** sys.byteorder, the native UTF-16/32 codecs and what Jython's library builds on them agree, as in CPython. */
    @Test
    void nativeByteOrderIsLittleEverywhere() {
        assertEquals("('little', '\\xff\\xfea\\x00b\\x00', '\\xff\\xfe\\x00\\x00a\\x00\\x00\\x00b\\x00\\x00\\x00', "
                + "u'ab', u'a', '\\xff\\xfea\\x00b\\x00c\\x00d\\x00', "
                + "'\\xff\\xfe\\x00\\x00a\\x00\\x00\\x00b\\x00\\x00\\x00', '[nan, inf, -inf]', '\\xff\\xfe', True, 2147483647)",
                Python.eval("""
                        import sys, codecs, json, StringIO
                        f = StringIO.StringIO()
                        w = codecs.getwriter("utf-16")(f)
                        w.write(u"ab")
                        w.write(u"cd")
                        e = codecs.getincrementalencoder("utf-32")()
                        """, "repr((sys.byteorder, u'ab'.encode('utf-16'), u'ab'.encode('utf-32'), "
                        + "'a\\0b\\0'.decode('utf-16'), '\\xfe\\xff\\0a'.decode('utf-16'), f.getvalue(), "
                        + "e.encode(u'a') + e.encode(u'b'), str(json.loads('[NaN, Infinity, -Infinity]')), "
                        + "codecs.BOM, 'modules' in dir(sys) and 'byteorder' in vars(sys), sys.maxint))").toString());
    }
}
