package org.harpd.jython;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * termios, pty.openpty and the terminal calls of os that harpd adds to Jython (python-lib/daemon/harpd/_linux/termios.py,
 * _linux_os.py, _linux_subprocess.py): each answers as CPython 2.7 on x86-64 Linux does for the same code; the
 * expected values are python2.7's. Every terminal here is a fresh pseudo-terminal, never the test JVM's own.
 */
class LinuxTtyTest {
    @TempDir
    Path dir;

    private static String run(String code) {
        return Python.exec("import os, sys, errno, termios, pty\n" + code).__finditem__("result").toString();
    }

    @Test
    void openptyGivesATerminalPair() {
        assertEquals("(True, True, True, False)", run("""
                master, slave = pty.openpty()
                # a descriptor number certainly closed: the test JVM's descriptors vary with its agents and tests
                closed = max(int(fd) for fd in os.listdir('/proc/self/fd')) + 1000
                result = (os.isatty(master), os.isatty(slave), os.ttyname(slave).startswith('/dev/pts/'),
                          os.isatty(closed))
                os.close(slave)
                os.close(master)
                """));
    }

    @Test
    void tcgetattrAndTcsetattrChangeTheTerminal() {
        assertEquals("(7, 32, 'str', True, False, False, 1, 0)", run("""
                import tty
                master, slave = pty.openpty()
                a = termios.tcgetattr(slave)
                b = termios.tcgetattr(slave)
                b[3] &= ~termios.ECHO
                termios.tcsetattr(slave, termios.TCSANOW, b)
                echo = bool(termios.tcgetattr(slave)[3] & termios.ECHO)
                tty.setraw(slave)
                c = termios.tcgetattr(slave)
                result = (len(a), len(a[6]), type(a[6][termios.VMIN]).__name__, bool(a[3] & termios.ECHO), echo,
                          bool(c[3] & termios.ICANON), c[6][termios.VMIN], c[6][termios.VTIME])
                os.close(slave)
                os.close(master)
                """));
    }

    @Test
    void theOtherTermiosCallsAndWindowSizeIoctlsWork() {
        assertEquals("(None, None, None, None, (40, 100, 0, 0))", run("""
                import fcntl, struct
                master, slave = pty.openpty()
                calls = (termios.tcflush(slave, termios.TCIOFLUSH), termios.tcdrain(slave),
                         termios.tcflow(slave, termios.TCOON), termios.tcsendbreak(master, 0))
                fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack('HHHH', 40, 100, 0, 0))
                result = calls + (struct.unpack('HHHH', fcntl.ioctl(slave, termios.TIOCGWINSZ, '\\0' * 8)),)
                os.close(slave)
                os.close(master)
                """));
    }

    @Test
    void termiosFailsAsCPythonDoes() throws IOException {
        Path file = Files.writeString(dir.resolve("f"), "x");
        assertEquals("((25, 'Inappropriate ioctl for device'), 'tcsetattr, arg 3: must be 7 element list', "
                + "'tcsetattr: attributes[6] must be 32 element list', 9)", run("f = open('" + file + "')\n" + """
                try:
                    termios.tcgetattr(f)
                except termios.error as e:
                    notty = e.args
                master, slave = pty.openpty()
                messages = []
                for attributes in ([1], [0, 0, 0, 0, 0, 0, []]):
                    try:
                        termios.tcsetattr(slave, termios.TCSANOW, attributes)
                    except TypeError as e:
                        messages.append(str(e))
                os.close(slave)
                try:
                    termios.tcgetattr(slave)
                except termios.error as e:
                    closed = e.args[0]
                os.close(master)
                f.close()
                result = (notty,) + tuple(messages) + (closed,)
                """));
    }

    @Test
    void termiosConstantsAreLinuxs() {
        assertEquals("(21523, 21524, 0, 1, 2, 13, 4098, 32, 2, 8, 6, 5, 220)", run("""
                result = (termios.TIOCGWINSZ, termios.TIOCSWINSZ, termios.TCSANOW, termios.TCSADRAIN,
                          termios.TCSAFLUSH, termios.B9600, termios.B115200, termios.NCCS, termios.ICANON,
                          termios.ECHO, termios.VMIN, termios.VTIME,
                          len([n for n in dir(termios) if not n.startswith('_') and isinstance(getattr(termios, n), (int, long))]))
                """));
    }

    /** The replacement pty.fork's error names: the child gets the terminal as its own stdin, stdout and stderr. */
    @Test
    void subprocessOnTheSlaveSeesATerminal() {
        assertEquals("(0, '40 100\\r\\nerr\\r\\ntty\\r\\nsession\\r\\n')", run("""
                import subprocess, select, fcntl, struct
                master, slave = pty.openpty()
                fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack('HHHH', 40, 100, 0, 0))
                script = ('test -t 0 && test -t 1 && test -t 2 && stty size; echo err >&2; tty >/dev/null && echo tty;'
                          ' test "$(cut -d" " -f6 /proc/$$/stat)" -eq $$ && echo session')
                p = subprocess.Popen(['sh', '-c', script], stdin=slave, stdout=slave, stderr=slave,
                                     preexec_fn=os.setsid)
                code = p.wait()
                os.close(slave)
                out = ''
                while True:
                    if not select.select([master], [], [], 30)[0]:
                        break
                    try:
                        data = os.read(master, 1024)
                    except OSError as e:
                        if e.errno == errno.EIO:
                            break
                        raise
                    if not data:
                        break
                    out += data
                os.close(master)
                result = (code, out)
                """));
    }

    @Test
    void forkAndSpawnOfPtySayWhyNotAndWhatInstead() {
        assertEquals("(38, True, 38, True)", run("""
                try:
                    pty.fork()
                except OSError as e:
                    fork = e
                try:
                    pty.spawn(['true'])
                except OSError as e:
                    spawn = e
                result = (fork.errno, 'preexec_fn=os.setsid' in fork.strerror and 'pty.openpty()' in fork.strerror,
                          spawn.errno, 'pty.spawn' in spawn.strerror)
                """));
    }
}
