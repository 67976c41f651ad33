# The standard library as procedures use it, where Jython's answers differ from CPython 2.7's on Linux: os.spawn*
# and exec* argument checks, the returncode of a child the procedure kills with os.kill, stat_result's Linux
# fields, the errno and file name of listdir/stat errors, math.pow's overflow, unichr of a surrogate, socket's
# getservbyport/inet_ntop and exception modules, zlib's and strptime's error texts, ioctl's interface requests
# on a socket. stdlib.expected is this file's output under CPython 2.7.18 on x86-64 Linux
# (python2.7 stdlib.py > stdlib.expected).
import os, math, time, socket, zlib, json, datetime, tempfile, shutil, fcntl, struct, subprocess
lines = []


def killed(sig):
    child = subprocess.Popen(["sleep", "30"])
    os.kill(child.pid, sig)
    return child.wait()


def probe(expression):
    try:
        value = eval(expression)
        line = "%s -> %r" % (expression, value)
    except Exception as e:
        line = "%s -> %s.%s: %s %r" % (expression, type(e).__module__, type(e).__name__, e, getattr(e, "args", None))
    # the temporary directory's name differs from run to run
    lines.append(line.replace(work, "WORK"))


work = tempfile.mkdtemp()
try:
    with open(os.path.join(work, "data"), "w") as f:
        f.write("x" * 10000)
    data = os.path.join(work, "data")
    handle = open(data)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    for expression in [
        # processes
        "os.spawnv(os.P_WAIT, '/bin/sh', ['sh', '-c', 'exit 3'])",
        "os.spawnvp(os.P_WAIT, 'sh', ['sh', '-c', 'kill -9 $$'])",
        "os.spawnl(os.P_WAIT, '/nonexistent', 'x')",
        "os.spawnv(os.P_WAIT, '/bin/true', [])",
        "os.spawnv(os.P_WAIT, '/bin/true', None)",
        "os.spawnv(os.P_WAIT, None, ['x'])",
        "os.waitpid(os.spawnlp(os.P_NOWAIT, 'sh', 'sh', '-c', 'exit 4'), 0)[1]",
        "os.spawnve(os.P_WAIT, '/bin/sh', ['sh', '-c', 'exit $X'], {'X': '5'})",
        "os.spawnlpe(os.P_WAIT, 'sh', 'sh', '-c', 'exit $X', {'X': '6', 'PATH': '/bin:/usr/bin'})",
        "os.spawnve(os.P_WAIT, '/bin/sh', ['sh', '-c', 'exit 7'], {'X': None})",
        "os.spawnvp(os.P_WAIT, 'no-such-program-here', ['x'])",
        "(os.P_WAIT, os.P_NOWAIT, os.P_NOWAITO)",
        "os.execv('/bin/true', [])",
        "os.execv('/bin/true', 'ab')",
        "os.execv('/bin/true', ['a', 1])",
        "os.execv(None, ['a'])",
        "os.execv('/bin/\\0true', ['a'])",
        "os.execve('/bin/true', ['a', 1], {})",
        "os.execve('/bin/true', ['a'], None)",
        "os.execve('/bin/true', ['a'], {1: 2})",
        "os.execve('/bin/true', ['a'], {'a': 2})",
        "os.popen('exit 3').close()",
        "killed(9)",
        "killed(15)",
        "__import__('commands').getstatusoutput('echo hi; exit 3')",
        # files
        "os.stat(data)[6]",
        "os.stat(data).st_size",
        "os.stat(data).st_blocks >= 16",
        "os.stat(data).st_blksize >= 512",
        "os.lstat('/dev/null').st_rdev",
        "(os.major(os.lstat('/dev/null').st_rdev), os.minor(os.lstat('/dev/null').st_rdev))",
        "os.fstat(handle.fileno()).st_size",
        "os.fstat(handle.fileno()).st_blocks >= 16",
        "type(os.stat(data).st_mtime).__name__",
        "type(os.stat(data)[8]).__name__",
        "(len(os.stat(data)), os.stat(data).n_fields, os.stat(data).n_sequence_fields, os.stat(data).n_unnamed_fields)",
        "type(os.stat(data)).__module__ + '.' + type(os.stat(data)).__name__",
        "repr(os.stat(data)).split('(')[0]",
        "os.stat(data) == tuple(os.stat(data))",
        "os.stat_result(tuple(range(10)))",
        "os.stat_result(tuple(range(10))).st_atime",
        "os.stat_result(tuple(range(16))).st_rdev",
        "os.stat_result((1, 2))",
        "os.stat(data + '/x')",
        "os.listdir(data + '/x')",
        "os.listdir(data)",
        "os.listdir(os.path.join(work, 'missing'))",
        "os.listdir(unicode(os.path.join(work, 'missing')))",
        "os.statvfs(os.path.join(work, 'missing'))",
        "open(os.path.join(work, 'missing', 'x'))",
        # numbers and text
        "math.pow(10, 400)",
        "math.pow(10.0, -400)",
        "math.pow(0.0, -1)",
        "math.pow(-1, 0.5)",
        "math.pow(float('inf'), 2)",
        "math.pow(2, 10)",
        "unichr(0xd800)",
        "len(unichr(0xdfff))",
        "unichr(0x1f600)",
        "unichr(0x110000)",
        "unichr(-1)",
        "unichr(None)",
        "zlib.decompress('abc')",
        "zlib.decompressobj().decompress('abc')",
        "zlib.decompress(zlib.compress('abc'))",
        "time.strptime('x', '%Y')",
        "time.strptime('2020-02-03', '%Y-%m-%d')[:3]",
        "datetime.datetime.strptime('x', '%Y')",
        "json.loads('x')",
        # socket
        "socket.getservbyport(22)",
        "socket.getservbyport(22, 'tcp')",
        "socket.getservbyport(99999)",
        "socket.inet_ntop(socket.AF_INET6, socket.inet_pton(socket.AF_INET6, '::1'))",
        "socket.inet_ntop(socket.AF_INET6, '\\0' * 16)",
        "socket.inet_ntop(socket.AF_INET6, '\\0' * 10 + '\\xff\\xff\\x01\\x02\\x03\\x04')",
        "socket.inet_ntop(socket.AF_INET6, '\\0' * 12 + '\\x01\\x02\\x03\\x04')",
        "socket.inet_ntop(socket.AF_INET6, '\\x20\\x01\\x0d\\xb8' + '\\0' * 4 + '\\0\\1\\0\\0\\0\\0\\0\\1')",
        "socket.inet_ntop(socket.AF_INET6, '\\x20\\x01\\x0d\\xb8\\0\\0\\0\\1\\0\\1\\0\\1\\0\\1\\0\\1')",
        "socket.inet_ntop(socket.AF_INET6, '\\xfe\\x80' + '\\0' * 13 + '\\1')",
        "socket.inet_ntop(socket.AF_INET6, '\\0\\1' + '\\0' * 14)",
        "socket.inet_ntop(socket.AF_INET6, '\\0\\0\\0\\1' + '\\0' * 4 + '\\0\\1' + '\\0' * 6)",
        "socket.inet_ntop(socket.AF_INET6, 'abc')",
        "socket.inet_ntop(socket.AF_INET, '\\x7f\\0\\0\\1')",
        "[c.__module__ + '.' + c.__name__ for c in (socket.error, socket.herror, socket.gaierror, socket.timeout)]",
        # network interfaces through a socket (SIOCGIFADDR, SIOCGIFNETMASK, SIOCGIFFLAGS, SIOCGIFMTU, SIOCGIFHWADDR)
        "socket.inet_ntoa(fcntl.ioctl(udp.fileno(), 0x8915, struct.pack('256s', 'lo'))[20:24])",
        "socket.inet_ntoa(fcntl.ioctl(udp, 0x891b, struct.pack('256s', 'lo'))[20:24])",
        "struct.unpack('H', fcntl.ioctl(tcp.fileno(), 0x8913, struct.pack('256s', 'lo'))[16:18])[0] & 0x9",
        "struct.unpack('i', fcntl.ioctl(udp.fileno(), 0x8921, struct.pack('256s', 'lo'))[16:20])[0] > 0",
        "fcntl.ioctl(udp.fileno(), 0x8927, struct.pack('256s', 'lo'))[16:24]",
        "fcntl.ioctl(udp.fileno(), 0x8915, struct.pack('256s', 'nosuch0'))",
        "fcntl.ioctl(udp.fileno(), 0x8915, struct.pack('256s', 'lo')[:40])[:2]",
    ]:
        probe(expression)
    handle.close()
    udp.close()
    tcp.close()
finally:
    shutil.rmtree(work)
if __name__ == "__main__":
    print "\n".join(lines)
