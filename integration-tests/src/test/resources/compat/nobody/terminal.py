# termios and pty.openpty on a fresh pseudo-terminal, and a child given the slave as stdin, stdout and stderr
# (what replaces pty.fork), as a procedure running as nobody does them.
import errno
import fcntl
import os
import pty
import select
import struct
import subprocess
import termios
import tty
from harpd.proc import procedure


@procedure(uid="nobody")
def attributes():
    master, slave = pty.openpty()
    try:
        before = termios.tcgetattr(slave)
        quiet = termios.tcgetattr(slave)
        quiet[3] &= ~termios.ECHO
        termios.tcsetattr(slave, termios.TCSADRAIN, quiet)
        echo = bool(termios.tcgetattr(slave)[3] & termios.ECHO)
        tty.setraw(slave, termios.TCSANOW)
        raw = termios.tcgetattr(slave)
        termios.tcflush(slave, termios.TCIOFLUSH)
        termios.tcdrain(slave)
        termios.tcflow(slave, termios.TCOON)
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))
        size = struct.unpack("HHHH", fcntl.ioctl(slave, termios.TIOCGWINSZ, "\0" * 8))
        return {"tty": [os.isatty(master), os.isatty(slave), os.ttyname(slave).startswith("/dev/pts/")],
                "mine": os.fstat(slave).st_uid == os.getuid(),
                "fields": len(before), "cc": len(before[6]), "echo_before": bool(before[3] & termios.ECHO),
                "echo_after": echo, "canonical": bool(raw[3] & termios.ICANON),
                "vmin": raw[6][termios.VMIN], "vtime": raw[6][termios.VTIME], "size": list(size)}
    finally:
        os.close(slave)
        os.close(master)


@procedure(uid="nobody")
def not_a_terminal():
    with open("/etc/passwd") as f:
        try:
            termios.tcgetattr(f)
        except termios.error as e:
            return list(e.args)


@procedure(uid="nobody")
def child_on_terminal():
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))
    # no echo of what is written to the master, which could come before or after the child's first output
    quiet = termios.tcgetattr(slave)
    quiet[3] &= ~termios.ECHO
    termios.tcsetattr(slave, termios.TCSANOW, quiet)
    script = ("test -t 0 && test -t 1 && test -t 2 && stty size; echo err >&2; tty >/dev/null && echo tty; "
              "test \"$(cut -d' ' -f6 /proc/$$/stat)\" -eq $$ && echo session; read line; echo \"got $line\"")
    p = subprocess.Popen(["sh", "-c", script], stdin=slave, stdout=slave, stderr=slave, preexec_fn=os.setsid)
    os.close(slave)
    os.write(master, "hello\n")
    out = ""
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
    return {"returncode": p.wait(), "output": out}
