package org.harpd.jython;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * mmap as harpd adds it to Jython (python-lib/daemon/harpd/_linux/mmap.py): each answer is what python2.7 gives for the
 * same code on x86-64 Linux.
 */
class LinuxMmapTest {
    @TempDir
    Path dir;

    private String run(String code) throws IOException {
        return runWith("import os, mmap\n", code);
    }

    private String runWith(String imports, String code) throws IOException {
        Path file = Files.writeString(dir.resolve("f"), "hello world\nsecond line\n");
        return Python.exec(imports + "name = '" + file + "'\n" + code).__finditem__("result").toString();
    }

    @Test
    void readsFindsAndSlicesAFile() throws IOException {
        assertEquals("(24, 24, 4, 'hel', 4, 3, 15, 'lo world\\n', 0, 'h', '\\n', 'ell', 'h doi', 'h', 1)", run("""
                fd = os.open(name, os.O_RDWR)
                m = mmap.mmap(fd, 0)
                values = (m.size(), len(m), m.find('o'), m.read(3), m.find('o'), m.tell(), m.rfind('o'),
                          m.readline(), m.flush(), m[0], m[-1], m[1:4], m[::5])
                m.seek(0)
                result = values + (m.read_byte(), m.tell())
                m.close()
                os.close(fd)
                """));
    }

    @Test
    void writesReachTheFileUnlessCopyOnWrite() throws IOException {
        assertEquals("('HELlo', 'JELLO', 'XELLO', 'JELLO', 30, 30, '\\x00\\x00\\x00\\x00\\x00\\x00', 'world world', "
                + "'abc\\x00', 10)", run("""
                fd = os.open(name, os.O_RDWR)
                m = mmap.mmap(fd, 0)
                m[0] = 'H'
                m[1:3] = 'EL'
                first = m[:5]
                m.seek(0)
                m.write('JELLO')
                m.flush()
                with open(name) as f:
                    written = f.read(5)
                c = mmap.mmap(fd, 5, access=mmap.ACCESS_COPY)
                c[0] = 'X'
                with open(name) as f:
                    after_copy = f.read(5)
                m.resize(30)
                grown = (len(m), os.path.getsize(name), m[24:])
                m.move(0, 6, 5)
                a = mmap.mmap(-1, 10)
                a.write('abc')
                result = (first, written, c[:5], after_copy) + grown + (m[:11], a[:4], len(a))
                m.close()
                os.close(fd)
                """));
    }

    @Test
    void failsAsCPythonDoes() throws IOException {
        assertEquals("['ValueError: seek out of range', 'IndexError: mmap slice assignment is wrong size', "
                + "'IndexError: mmap index out of range', 'ValueError: data out of range', "
                + "'ValueError: mmap length is greater than file size', 'error: [Errno 22] Invalid argument', "
                + "\"TypeError: mmap can't modify a readonly memory map.\", 'error: [Errno 13] Permission denied', "
                + "'ValueError: mmap closed or invalid', 'error: [Errno 9] Bad file descriptor']", run("""
                fd = os.open(name, os.O_RDWR)
                readonly = os.open(name, os.O_RDONLY)
                null = os.open('/dev/null', os.O_RDONLY)
                m = mmap.mmap(fd, 0)
                closed = mmap.mmap(fd, 0)
                closed.close()
                result = []
                for call in (lambda: m.seek(100), lambda: m.__setitem__(slice(0, 2), 'x'), lambda: m[100],
                             lambda: m.write('x' * 100), lambda: mmap.mmap(fd, 1000), lambda: mmap.mmap(null, 0),
                             lambda: mmap.mmap(fd, 0, access=mmap.ACCESS_READ).write('x'),
                             lambda: mmap.mmap(readonly, 0), lambda: closed.read(1),
                             lambda: mmap.mmap(-1, 10).size()):
                    try:
                        call()
                    except Exception as e:
                        result.append('%s: %s' % (type(e).__name__, e))
                m.close()
                for d in (fd, readonly, null):
                    os.close(d)
                """));
    }

    /** Jython's own os.open empties a file opened O_RDWR; CPython's, and harpd's, keep it. */
    @Test
    void osOpenForReadingAndWritingKeepsTheFile() throws IOException {
        assertEquals("(24, 'hello', 24, 'Jello world')", runWith("import os\n", """
                fd = os.open(name, os.O_RDWR)
                size = os.path.getsize(name)
                head = os.read(fd, 5)
                st = os.fstat(fd).st_size
                os.lseek(fd, 0, 0)
                os.write(fd, 'J')
                os.close(fd)
                with open(name) as f:
                    result = (size, head, st, f.read(11))
                """));
    }
}
