"""
Fills the gaps in Jython's ``os`` that procedures written for CPython 2 on Linux use.

Jython 2.7's ``os`` has no ``getgroups``, ``killpg`` or ``getloadavg``. harpd imports this module when
it creates an interpreter, so a procedures file that calls ``os.getgroups()`` works unchanged.
harpd._linux_os adds the process functions (wait status, waitpid, statvfs, sessions, identity calls) and
patches ``subprocess``, ``select`` and ``pty`` when they are first imported (harpd._linux_subprocess,
harpd._linux_select, harpd._linux_os.patch_pty); the modules Jython lacks (fcntl, resource, syslog, spwd,
termios, mmap) and CPython's native ``struct`` come from harpd._linux.
A call that changes the worker's identity makes the worker unfit for another call; the worker checks that.
"""

from __future__ import absolute_import

import os as _os
import sys as _sys

from org.harpd.posix import Posix as _Posix


def getgroups():
    """Supplementary group ids of the process, as CPython's os.getgroups()."""
    return list(_Posix.getgroups())


def killpg(pgid, sig):
    """Send a signal to a process group, as CPython's os.killpg()."""
    from harpd._linux._args import c_int
    pgid, sig = c_int(pgid), c_int(sig)
    if pgid <= 0:
        raise OSError(22, "Invalid argument")
    if not _Posix.kill(-pgid, sig):
        raise OSError(3, "No such process")


def getloadavg():
    """The 1, 5 and 15 minute load averages, as CPython's os.getloadavg()."""
    with open("/proc/loadavg") as f:
        fields = f.read().split()
    return tuple(float(x) for x in fields[:3])


for _name, _function in (("getgroups", getgroups), ("killpg", killpg), ("getloadavg", getloadavg)):
    if not hasattr(_os, _name):
        setattr(_os, _name, _function)


from harpd import _linux_os

_linux_os.install()


def _cpython_random_and_hash():
    # random.Random's sequences and hash() as CPython 2.7 computes them (see harpd._linux._random and
    # org.harpd.jython.CPythonHash); before anything imports random, whose Random subclasses _random.Random
    import __builtin__
    from harpd._linux import _random
    from org.harpd.jython import CPythonHash
    _sys.modules["_random"] = _random
    if "random" in _sys.modules:
        reload(_sys.modules["random"])

    def hash(obj):
        """hash(object) -> integer

Return a hash value for the object.  Two objects with the same value have
the same hash value.  The reverse is not necessarily true, but likely."""
        return CPythonHash.hash(obj)
    __builtin__.hash = hash


_cpython_random_and_hash()


def _files_written_at_once():
    # CPython closes a file object, flushing it, when its last reference goes: open(p, "w").write(x) has the data
    # on disk at once, and procedures rely on it (a later open(p) or a child process reads it). A JVM collects
    # the object much later, so a file opened for writing without a buffering argument is unbuffered instead:
    # every write() is one write(2), about 5 us more per call (docs/procedures.md, "What differs"). An explicit buffering
    # argument (-1, 1, a size) keeps Jython's buffer, for code that writes much and closes its files.
    import __builtin__
    jython_open = __builtin__.open
    default = object()

    def open(name, mode="r", buffering=default):
        """open(name[, mode[, buffering]]) -> file object

Open a file using the file() type, returns a file object.  This is the
preferred way to open a file.  See file.__doc__ for further information."""
        if buffering is not default:
            return jython_open(name, mode, buffering)
        if isinstance(mode, basestring) and ("w" in mode or "a" in mode) and "+" not in mode:
            return jython_open(name, mode, 0)
        return jython_open(name, mode)
    __builtin__.open = open


_files_written_at_once()


def _pow_overflow():
    # CPython's float pow reports a finite base and exponent whose result overflows as libm's ERANGE; Jython's
    # answers inf. Only the built-in pow() is changed: the ** operator is Jython's own float code (docs/procedures.md).
    import __builtin__
    jython_pow = __builtin__.pow
    infinite = (float("inf"), float("-inf"))

    def pow(x, y, z=None):
        """pow(x, y[, z]) -> number

With two arguments, equivalent to x**y.  With three arguments,
equivalent to (x**y) % z, but may be more efficient (e.g. for longs)."""
        if z is not None:
            return jython_pow(x, y, z)
        result = jython_pow(x, y)
        if (isinstance(result, float) and result in infinite and isinstance(x, (int, long, float))
                and isinstance(y, (int, long, float)) and x not in infinite and y not in infinite):
            raise OverflowError(34, "Numerical result out of range")
        return result
    __builtin__.pow = pow


_pow_overflow()


def _cpython_answers():
    # CPython's answers where Jython's own code differs: math.pow raising on overflow, unichr of a surrogate,
    # surrogate escapes in unicode literals.
    # Jython's math is a Java class shared by every interpreter of the JVM: this interpreter's sys.modules gets a
    # module of its own with the same functions.
    import __builtin__
    import math
    import types
    from org.harpd.jython import JsonValues

    own_math = types.ModuleType("math", math.__doc__)
    for name in math.__dict__.keys():
        if not name.startswith("__") and name != "classDictInit":
            setattr(own_math, name, getattr(math, name))
    _sys.modules["math"] = own_math

    jython_math_pow = math.pow
    infinite = (float("inf"), float("-inf"))

    def pow(x, y):
        """pow(x, y)

Return x**y (x to the power of y)."""
        result = jython_math_pow(x, y)
        if result in infinite and float(x) not in infinite and float(y) not in infinite:
            raise OverflowError("math range error")
        return result
    own_math.pow = pow

    jython_unichr = __builtin__.unichr

    def unichr(i):
        """unichr(i) -> Unicode character

Return a Unicode string of one character with ordinal i; 0 <= i <= 0x10ffff."""
        if isinstance(i, (int, long)) and 0xd800 <= i <= 0xdfff:
            return JsonValues.surrogate(i)
        try:
            return jython_unichr(i)
        except ValueError:
            raise ValueError("unichr() arg not in range(0x110000) (wide Python build)")
    __builtin__.unichr = unichr
    # unicode literals with surrogate escapes, which harpd rewrites into calls of this before compiling a file
    # (org.harpd.jython.SurrogateLiterals)
    from org.harpd.jython import SurrogateLiterals
    setattr(__builtin__, SurrogateLiterals.FUNCTION, SurrogateLiterals.literal)


_cpython_answers()


def _patch_zlib(zlib):
    # Jython's zlib reports Java's exception ("java.util.zip.DataFormatException: incorrect header check");
    # CPython reports zlib's code and text ("Error -3 while decompressing data: incorrect header check")
    prefix = "java.util.zip.DataFormatException: "

    def cpython_error(e, where):
        text = str(e)
        if text.startswith(prefix):
            return zlib.error("Error -3 while %s: %s" % (where, text[len(prefix):]))
        return e

    jython_decompress = zlib.decompress

    def decompress(*args):
        """decompress(string[, wbits[, bufsize]]) -- Return decompressed string."""
        try:
            return jython_decompress(*args)
        except zlib.error as e:
            raise cpython_error(e, "decompressing data")
    zlib.decompress = decompress

    jython_decompressobj = zlib.decompressobj
    if isinstance(jython_decompressobj, type):
        class decompressobj(jython_decompressobj):
            def decompress(self, *args):
                try:
                    return jython_decompressobj.decompress(self, *args)
                except zlib.error as e:
                    raise cpython_error(e, "decompressing")
        decompressobj.__name__ = "decompressobj"
        decompressobj.__module__ = "zlib"
        zlib.decompressobj = decompressobj


def _patch_strptime(_strptime):
    # Jython's time.strptime hands its arguments to _strptime._strptime_time as unicode, so the error names them
    # u'...'; CPython's hands them on as given, and they are str
    jython_strptime_time = _strptime._strptime_time

    def _strptime_time(data_string, format="%a %b %d %H:%M:%S %Y"):
        try:
            return jython_strptime_time(data_string, format)
        except ValueError as e:
            if not (isinstance(data_string, unicode) and isinstance(format, unicode)):
                raise
            try:
                data, fmt = data_string.encode("ascii"), format.encode("ascii")
            except UnicodeError:
                raise e
            text = str(e)
            if text == "time data %r does not match format %r" % (data_string, format):
                raise ValueError("time data %r does not match format %r" % (data, fmt))
            raise
    _strptime._strptime_time = _strptime_time


def _patch(name, module):
    if name == "subprocess":
        from harpd import _linux_subprocess
        _linux_subprocess.patch(module)
    elif name == "select":
        from harpd import _linux_select
        _linux_select.patch(module)
    elif name == "pty":
        _linux_os.patch_pty(module)
    elif name == "socket":
        from harpd import _linux_socket
        _linux_socket.patch(module)
    elif name == "zlib":
        _patch_zlib(module)
    elif name == "_strptime":
        _patch_strptime(module)


class _PatchOnImport(object):
    """
    Patches subprocess, select, pty, socket, zlib and _strptime when first imported (importing them here would slow every
    interpreter),
    and imports fcntl, resource, syslog, spwd, termios, mmap, struct, pwd and grp from harpd._linux.
    """
    names = ("subprocess", "select", "pty", "socket", "zlib", "_strptime")
    added = ("fcntl", "resource", "syslog", "spwd", "termios", "mmap", "struct", "pwd", "grp")

    def __init__(self):
        self.loading = set()

    def find_module(self, fullname, path=None):
        if (fullname in self.names or fullname in self.added) and fullname not in self.loading:
            return self
        return None

    def load_module(self, fullname):
        if fullname in _sys.modules:
            return _sys.modules[fullname]
        if fullname in self.added:
            module = __import__("harpd._linux." + fullname, fromlist=["*"])
            _sys.modules[fullname] = module
            return module
        self.loading.add(fullname)
        try:
            module = __import__(fullname)
        finally:
            self.loading.discard(fullname)
        _patch(fullname, module)
        return module


for _name in ("pwd", "grp"):
    # Jython's own, if something imported them already: replaced, they pass arguments unchecked to the C library
    if _name in _sys.modules:
        _sys.modules[_name] = __import__("harpd._linux." + _name, fromlist=["*"])
for _name in _PatchOnImport.names:
    if _name in _sys.modules:
        _patch(_name, _sys.modules[_name])
_sys.meta_path.insert(0, _PatchOnImport())
