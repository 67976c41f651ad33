"""
grp of CPython 2.7 on Linux for harpd's embedded Jython (see harpd._linux.pwd for why): CPython's argument
conversions and texts, ``grp.struct_group`` entries, and getgrall closing the database with endgrent.
"""

from __future__ import absolute_import

from os import _posix_impl

from harpd._linux import _args
from harpd._structseq import structseq as _structseq

__all__ = ["getgrgid", "getgrnam", "getgrall", "struct_group"]

struct_group = _structseq("grp.struct_group", ("gr_name", "gr_passwd", "gr_gid", "gr_mem"))


def _u32(number):
    # jnr-posix answers ids as signed Java ints; int() keeps a small one an int, as in CPython
    number = int(number)
    return int(number + 2 ** 32) if number < 0 else number


def _bytes(text):
    if text is None:
        return ""
    return unicode(text).encode("utf-8")


def _entry(g):
    return struct_group((_bytes(g.name), _bytes(g.password), _u32(g.GID),
                         [_bytes(m) for m in (g.members or ())]))


def getgrgid(id):
    """getgrgid(id) -> tuple"""
    # CPython 2.7 takes int(id) first, so "0" and 1.5 are accepted
    if not isinstance(id, (basestring, int, long, float)) and not hasattr(type(id), "__int__"):
        raise TypeError("int() argument must be a string or a number, not '%s'" % type(id).__name__)
    gid = _args.gid(int(id))
    entry = _posix_impl.getgrgid(gid if gid <= 0x7fffffff else gid - 2 ** 32)
    if not entry:
        raise KeyError("getgrgid(): gid not found: %d" % gid)
    return _entry(entry)


def getgrnam(name):
    """getgrnam(name) -> tuple"""
    # CPython 2.7 takes str(name) and the C string up to its first NUL byte
    if isinstance(name, unicode):
        name = name.encode("ascii")
    name = str(name).split("\0", 1)[0]
    entry = _posix_impl.getgrnam(name.decode("utf-8", "replace")) if name else None
    if not entry:
        raise KeyError("getgrnam(): name not found: %s" % name)
    return _entry(entry)


def getgrall():
    """getgrall() -> list of tuples"""
    return _args.every_entry(_posix_impl.setgrent, _posix_impl.getgrent, _posix_impl.endgrent, _entry)
