"""
pwd of CPython 2.7 on Linux for harpd's embedded Jython, whose own passes its arguments unchecked to the C library
(``getpwnam(None)`` is a NULL pointer there: the worker JVM crashed) and answers with other texts and types.
Arguments are converted as CPython converts them (harpd._linux._args); lookups go through the C library's
getpwnam/getpwuid (NSS: files, LDAP, whatever nsswitch.conf names), as CPython's do; getpwall walks getpwent and
closes the database with endpwent, as CPython does, so no descriptor is left open.
"""

from __future__ import absolute_import

from os import _posix_impl

from harpd._linux import _args
from harpd._structseq import structseq as _structseq

__all__ = ["getpwuid", "getpwnam", "getpwall", "struct_passwd"]

struct_passwd = _structseq("pwd.struct_passwd", (
    "pw_name", "pw_passwd", "pw_uid", "pw_gid", "pw_gecos", "pw_dir", "pw_shell"))
struct_pwent = struct_passwd


def _u32(number):
    # jnr-posix answers ids as signed Java ints; int() keeps a small one an int, as in CPython
    number = int(number)
    return int(number + 2 ** 32) if number < 0 else number


def _bytes(text):
    # jnr-posix decodes C strings with the JVM's charset (UTF-8): back to CPython's bytes
    if text is None:
        return ""
    return unicode(text).encode("utf-8")


def _entry(p):
    return struct_passwd((_bytes(p.loginName), _bytes(p.password), _u32(p.UID),
                          _u32(p.GID), _bytes(p.GECOS), _bytes(p.home), _bytes(p.shell)))


def getpwuid(uid):
    """getpwuid(uid) -> (pw_name,pw_passwd,pw_uid,pw_gid,pw_gecos,pw_dir,pw_shell)"""
    try:
        uid = _args.uid(uid)
    except OverflowError:
        raise KeyError("getpwuid(): uid not found")
    entry = _posix_impl.getpwuid(uid if uid <= 0x7fffffff else uid - 2 ** 32)
    if not entry:
        raise KeyError("getpwuid(): uid not found: %d" % uid)
    return _entry(entry)


def getpwnam(name):
    """getpwnam(name) -> (pw_name,pw_passwd,pw_uid,pw_gid,pw_gecos,pw_dir,pw_shell)"""
    name = _args.string("getpwnam", 1, name)
    entry = _posix_impl.getpwnam(name.decode("utf-8", "replace")) if name else None
    if not entry:
        raise KeyError("getpwnam(): name not found: %s" % name)
    return _entry(entry)


def getpwall():
    """getpwall() -> list_of_entries"""
    return _args.every_entry(_posix_impl.setpwent, _posix_impl.getpwent, _posix_impl.endpwent, _entry)
