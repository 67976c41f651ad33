# Bad arguments to every native binding a procedure reaches (pwd, grp, spwd, crypt, os, fcntl, resource, termios,
# syslog, select, struct): None, wrong types, empty strings, NUL bytes, values too wide. Each line is what the call
# answers; natives.expected is this file's output under CPython 2.7.18 on x86-64 Linux (python2.7 natives.py), and
# NativeArgumentsTest runs it in harpd's Jython. Nothing here may succeed in changing the process (ids, limits).
# Left out: os.dup/dup2 (Jython has none), os.statvfs('') and select with a negative timeout (the same error, but
# Jython's EnvironmentError omits an empty file name, and select.error is socket.error there).
import os, sys, pwd, grp, spwd, crypt, fcntl, resource, termios, syslog, select, struct, socket
BIG = 2 ** 64
HUGE = 10 ** 30
SOCK = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
probes = [
 "pwd.getpwnam(None)", "pwd.getpwnam(1)", "pwd.getpwnam('')", "pwd.getpwnam('ro\\0ot')", "pwd.getpwnam('ghost')",
 "pwd.getpwnam(u'ghost')", "pwd.getpwnam('x' * 5000)",
 "pwd.getpwuid(None)", "pwd.getpwuid('0')", "pwd.getpwuid(-1)", "pwd.getpwuid(2**32-1)", "pwd.getpwuid(2**32)", "pwd.getpwuid(BIG)", "pwd.getpwuid(1.5)", "pwd.getpwuid(4242)",
 "repr(pwd.getpwnam('root')).split(', pw_gecos')[0]", "repr(pwd.getpwuid(0)).split(', pw_gecos')[0]", "repr(pwd.getpwuid(0L)).split(', pw_gecos')[0]", "pwd.getpwnam('root').pw_dir", "len(pwd.getpwall()) > 1", "type(pwd.getpwall()[0]).__name__",
 "grp.getgrnam(None)", "grp.getgrnam(1)", "grp.getgrnam('')", "grp.getgrnam('ro\\0ot')", "grp.getgrnam('ghost')",
 "grp.getgrgid(None)", "grp.getgrgid('0')[:3]", "grp.getgrgid(-1)", "grp.getgrgid(2**32)", "grp.getgrgid(BIG)", "grp.getgrgid(1.5).gr_gid", "grp.getgrgid(4242)",
 "repr(grp.getgrnam('root')).split(', gr_mem')[0]", "repr(grp.getgrgid(0)).split(', gr_mem')[0]", "len(grp.getgrall()) > 1",
 "spwd.getspnam(None)", "spwd.getspnam(1)", "spwd.getspnam('')", "spwd.getspnam('ro\\0ot')", "spwd.getspnam('ghost')",
 "crypt.crypt(None, 'ab')", "crypt.crypt('x', None)", "crypt.crypt('x\\0y', 'ab')", "crypt.crypt('x', 'a\\0b')", "crypt.crypt(1, 'ab')", "crypt.crypt('x', 'ab')",
 "os.statvfs(None)", "os.statvfs(1)", "os.statvfs('/\\0x')", "os.statvfs('/nonexistent')", "os.fstatvfs(None)", "os.fstatvfs(-1)", "os.fstatvfs(BIG)",
 "os.getsid(None)", "os.getsid('1')", "os.getsid(BIG)", "os.getsid(-5)", "os.getpgid(None)", "os.getpgid(BIG)", "os.getpgid(999999)",
 "os.setpgid(None, 0)", "os.setpgid(BIG, 0)", "os.setuid(None)", "os.setuid('0')", "os.setuid(BIG)", "os.setuid(-5)", "os.setgid(None)", "os.setgid(BIG)",
 "os.seteuid(None)", "os.setegid(None)", "os.setreuid(None, 0)", "os.setregid(0, None)", "os.setgroups(None)", "os.setgroups([None])", "os.setgroups(['a'])", "os.setgroups([BIG])",
 "os.initgroups(None, 0)", "os.initgroups('root', None)", "os.initgroups('ro\\0ot', 0)", "os.nice(None)", "os.nice('1')", "os.killpg(None, 0)", "os.killpg(1, None)", "os.killpg(BIG, 0)",
 "os.waitpid(None, 0)", "os.waitpid(0, None)", "os.waitpid(BIG, 0)", "os.wait4(None, 0)", "os.wait3(None)",
 "os.ttyname(None)", "os.ttyname(-1)", "os.ttyname(BIG)", "os.isatty(None)", "os.isatty(-1)", "os.isatty(BIG)",
 "os.kill(None, 0)", "os.kill(0, None)", "os.kill(BIG, 0)", "os.chmod(None, 0)", "os.chown(None, 0, 0)", "os.chown('/nonexistent', None, 0)", "os.stat(None)", "os.lstat(None)", "os.stat('/\\0x')",
 "os.readlink(None)", "os.listdir(None)", "os.listdir('/\\0')", "os.open(None, 0)", "os.unlink(None)", "os.rmdir(None)", "os.mkdir(None)", "os.rename(None, 'x')", "os.utime(None, None)", "os.access(None, 0)",
 "os.umask(None)", "os.getcwdu() and 1", "os.chdir(None)", "os.strerror(None)", "os.strerror(BIG)", "os.read(None, 1)", "os.close(None)", "os.close(-1)", "os.lseek(None, 0, 0)",
 "os.major(None)", "os.minor(None)", "os.makedev(None, 1)",
 "fcntl.fcntl(None, 1)", "fcntl.fcntl(0, None)", "fcntl.fcntl(-1, 1)", "fcntl.fcntl(BIG, 1)", "fcntl.fcntl(0, BIG)", "fcntl.fcntl(0, 1, None)", "fcntl.fcntl(0, 1, 'x' * 2000)",
 "fcntl.ioctl(None, 1)", "fcntl.ioctl(-1, 1)", "fcntl.ioctl(0, None)", "fcntl.ioctl(0, 1, None)", "fcntl.ioctl(0, 1, 'x' * 2000)", "fcntl.ioctl(BIG, 1)",
 "fcntl.flock(None, 1)", "fcntl.flock(-1, 1)", "fcntl.flock(0, None)", "fcntl.lockf(None, 1)", "fcntl.lockf(-1, 1)", "fcntl.lockf(0, None)", "fcntl.lockf(0, 1, None)",
 "resource.getrlimit(None)", "resource.getrlimit(-1)", "resource.getrlimit(BIG)", "resource.getrlimit(99)", "resource.setrlimit(None, (1, 1))", "resource.setrlimit(0, None)", "resource.setrlimit(0, (1,))", "resource.setrlimit(0, (None, 1))", "resource.setrlimit(0, (HUGE, HUGE))", "resource.setrlimit(99, (1, 1))",
 "resource.getrusage(None)", "resource.getrusage(99)", "resource.getrusage(BIG)",
 "termios.tcgetattr(None)", "termios.tcgetattr(-1)", "termios.tcgetattr(BIG)", "termios.tcsetattr(None, 0, [])", "termios.tcsetattr(0, 0, None)", "termios.tcsetattr(0, 0, [1])", "termios.tcsendbreak(None, 0)", "termios.tcdrain(None)", "termios.tcflush(None, 0)", "termios.tcflow(None, 0)", "termios.tcdrain(-1)",
 "syslog.openlog(None)", "syslog.openlog('x\\0y')", "syslog.openlog('x', None)", "syslog.syslog(None)", "syslog.syslog(1)", "syslog.syslog('x\\0y')", "syslog.syslog(None, 'x')", "syslog.setlogmask(None)", "syslog.setlogmask(BIG)", "syslog.LOG_MASK(None)", "syslog.LOG_UPTO(None)",
 "select.select(None, [], [], 0)", "select.select([None], [], [], 0)", "select.select([-1], [], [], 0)", "select.select([BIG], [], [], 0)", "select.select([], [], [], None) if False else 0", "select.select([], [], [], 'x')",
 "select.poll().register(None)", "select.poll().register(-1)", "select.poll().poll('x')",
 "spwd.getspnam('x' * 100000)", "spwd.getspall() is not None",
 "fcntl.ioctl(SOCK, 0x8915, None)", "fcntl.ioctl(SOCK, 0x8915, '')", "fcntl.ioctl(SOCK, 0x8915, 'lo\\0')", "fcntl.ioctl(SOCK, 0x8915, 'x' * 2000)",
 "fcntl.ioctl(SOCK, None, 'lo')", "fcntl.ioctl(SOCK, 0x8915, u'lo' + u'\\0' * 40)[:2]", "fcntl.ioctl(SOCK, 0x8915, 'x' * 40)",
 "socket.getservbyport(None)", "socket.getservbyport('22')", "socket.getservbyport(22, None)", "socket.getservbyport(22, 'x\\0')", "socket.getservbyport(BIG)",
 "socket.getservbyport(-1)", "socket.getservbyport(22, 'nosuchproto')", "socket.getservbyport(22, '')",
 "socket.inet_ntop(socket.AF_INET6, None)", "socket.inet_ntop(None, '\\0' * 16)", "socket.inet_ntop(socket.AF_INET6, u'\\0' * 16)", "socket.inet_ntop(socket.AF_INET6, '')",
 "socket.inet_ntop(BIG, '\\0' * 16)",
 "os.spawnv(None, None, None)", "os.spawnv(os.P_WAIT, '/bin/true\\0', ['x'])", "os.spawnv(os.P_WAIT, '', [''])", "os.spawnv(BIG, '/bin/true', ['x'])",
 "os.lstat('\\0')", "os.lstat(BIG)", "os.stat('x' * 5000)", "os.listdir('x' * 5000)", "os.execv('/bin/true', [None])", "os.execve('/bin/true', ['x'], {'a\\0': 'b'})",
 "struct.pack(None)", "struct.pack('i', None)", "struct.unpack('i', None)", "struct.unpack('i', 'abc')",
]
lines = []
for p in probes:
    try:
        r = eval(p)
        lines.append("%s -> %r" % (p, r))
    except BaseException as e:
        lines.append("%s -> %s.%s: %s %r" % (p, type(e).__module__, type(e).__name__, e, getattr(e, "args", None)))
if __name__ == "__main__":
    print "\n".join(lines)
