"""
fcntl of CPython 2.7 on Linux for harpd's embedded Jython, which has none: fcntl, ioctl, flock and lockf
on descriptor numbers and on file objects (their C descriptor), through the C library. Constants are
x86-64 Linux's. A Jython socket (or its fileno(), the socket itself) has no C descriptor: ioctl answers the
network interface requests (SIOCGIFADDR, SIOCGIFNETMASK, SIOCGIFFLAGS, SIOCGIFMTU, SIOCGIFHWADDR, ...) on
one of the C library's for it, which is what procedures ask sockets; other requests on a socket fail EBADF.
"""

from __future__ import absolute_import


import array as _array
import struct as _struct

from harpd._linux import _args
from harpd._linux_os import _fd as _os_fd
from org.harpd.jython import LinuxCalls as _C

DN_ACCESS = 1
DN_MODIFY = 2
DN_CREATE = 4
DN_DELETE = 8
DN_RENAME = 16
DN_ATTRIB = 32
DN_MULTISHOT = 2147483648
FASYNC = 8192
FD_CLOEXEC = 1
F_DUPFD = 0
F_GETFD = 1
F_SETFD = 2
F_GETFL = 3
F_SETFL = 4
F_GETLK = 5
F_GETLK64 = 5
F_SETLK = 6
F_SETLK64 = 6
F_SETLKW = 7
F_SETLKW64 = 7
F_SETOWN = 8
F_GETOWN = 9
F_SETSIG = 10
F_GETSIG = 11
F_RDLCK = 0
F_WRLCK = 1
F_UNLCK = 2
F_EXLCK = 4
F_SHLCK = 8
F_SETLEASE = 1024
F_GETLEASE = 1025
F_NOTIFY = 1026
LOCK_SH = 1
LOCK_EX = 2
LOCK_NB = 4
LOCK_UN = 8
LOCK_MAND = 32
LOCK_READ = 64
LOCK_WRITE = 128
LOCK_RW = 192


def _buffer(data):
    # a Java byte[] for LinuxCalls
    return _array.array("b", str(data))


def _fd(obj):
    obj = _args.descriptor(obj)
    try:
        return _os_fd(obj)
    except OSError as e:
        raise IOError(e.errno, e.strerror)


def _io(call, *args):
    # CPython's fcntl module raises IOError, not OSError
    try:
        return call(*args)
    except OSError as e:
        raise IOError(e.errno, e.strerror)


def fcntl(fd, op, arg=0):
    """fcntl(fd, op, arg=0): an int argument answers an int; a str argument is a buffer, answered as a str."""
    fd = _fd(fd)
    op = _args.c_int(op)
    if isinstance(arg, str):
        if len(arg) > 1024:
            raise ValueError("fcntl string arg too long")
        return _io(_C.fcntlBuffer, fd, op, _buffer(arg)).tostring()
    return _io(_C.fcntl, fd, op, _args.c_int(arg))


# The interface requests that only read (SIOCGIFNAME ... SIOCGIFTXQLEN, not SIOCGIFCONF, whose buffer holds a
# pointer): they answer the same on any socket
_INTERFACE_REQUESTS = frozenset((0x8910, 0x8913, 0x8915, 0x8917, 0x8919, 0x891b, 0x891d, 0x8921, 0x8927, 0x8933,
                                 0x8942))


def _is_socket(obj):
    import sys
    _socket = sys.modules.get("_socket")
    if _socket is None:
        return False
    return isinstance(obj, _socket._realsocket) or isinstance(getattr(obj, "_sock", None), _socket._realsocket)


def ioctl(fd, op, arg=0, mutate_flag=True):
    """ioctl(fd, op, arg=0): as fcntl(); a mutable buffer (bytearray, array) is updated in place."""
    sock = _is_socket(fd)
    fd = None if sock else _fd(fd)
    # the "I" format: any integer, cut to 32 bits without an overflow check
    op = (op if isinstance(op, (int, long)) else _args.c_long(op)) & 0xffffffff
    if isinstance(arg, unicode):
        # a read-only buffer argument ("s#") takes unicode in the default encoding
        arg = arg.encode("ascii")

    def call(data):
        if not sock:
            return _io(_C.ioctlBuffer, fd, op, _buffer(data))
        if op not in _INTERFACE_REQUESTS:
            raise IOError(9, "Bad file descriptor")
        return _io(_C.interfaceIoctl, op, _buffer(data))

    if not isinstance(arg, (str, bytearray, _array.array, buffer)):
        number = _args.c_int(arg)
        if sock:
            raise IOError(9, "Bad file descriptor")
        return _io(_C.ioctl, fd, op, number)
    if isinstance(arg, str):
        if len(arg) > 1024:
            raise ValueError("ioctl string arg too long")
        return call(arg).tostring()
    # Jython's arrays convert to and from strings big-endian; the C side wants x86-64's little-endian
    swap = isinstance(arg, _array.array) and arg.itemsize > 1
    if isinstance(arg, _array.array):
        native = _array.array(arg.typecode, arg)
        if swap:
            native.byteswap()
        data = native.tostring()
    else:
        data = str(arg)
    out = call(data).tostring()
    if mutate_flag:
        if isinstance(arg, _array.array):
            updated = _array.array(arg.typecode)
            updated.fromstring(out)
            if swap:
                updated.byteswap()
            arg[:] = updated
        else:
            arg[:] = bytearray(out)
        return 0
    return out


def flock(fd, op):
    """flock(fd, operation): LOCK_SH, LOCK_EX or LOCK_UN, with LOCK_NB not to wait (IOError EWOULDBLOCK)."""
    fd = _fd(fd)
    _io(_C.flock, fd, _args.c_int(op))


def lockf(fd, operation, length=0, start=0, whence=0):
    """lockf(fd, operation, length=0, start=0, whence=0): fcntl record locks, as CPython's: LOCK_SH a read lock,
    LOCK_EX a write lock, LOCK_UN unlocks; with LOCK_NB it does not wait (IOError EAGAIN/EACCES)."""
    fd = _fd(fd)
    operation = _args.c_int(operation)
    length, start, whence = _args.c_long(length), _args.c_long(start), _args.c_int(whence)
    if operation == LOCK_UN:
        kind = F_UNLCK
    elif operation & LOCK_SH:
        kind = F_RDLCK
    elif operation & LOCK_EX:
        kind = F_WRLCK
    else:
        raise ValueError("unrecognized lockf argument")
    command = F_SETLK if operation & LOCK_NB or kind == F_UNLCK else F_SETLKW
    # struct flock of x86-64 Linux (little-endian, spelt out: Jython packs "=" big-endian): short l_type, short l_whence, off_t l_start, off_t l_len, pid_t l_pid
    lock = _struct.pack("<hh4xqqi4x", kind, whence, start, length, 0)
    _io(_C.fcntlBuffer, fd, command, _buffer(lock))
