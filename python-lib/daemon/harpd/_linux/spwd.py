"""
spwd of CPython 2.7 on Linux for harpd's embedded Jython, which has none: the shadow password database through
the C library's getspnam/getspent (NSS: /etc/shadow, LDAP, whatever nsswitch.conf names), as CPython's spwd
asks it. Reading it needs root, as with CPython; a procedure that may not read it finds no entry (KeyError)
from getspnam, as CPython 2.7 answers, and an empty list from getspall.
"""

from __future__ import absolute_import


from harpd._linux import _args
from harpd._structseq import structseq as _structseq

from org.harpd.jython import LinuxCalls as _C

struct_spwd = _structseq("spwd.struct_spwd", (
    "sp_nam", "sp_pwd", "sp_lstchg", "sp_min", "sp_max", "sp_warn", "sp_inact", "sp_expire", "sp_flag"))
# CPython's names for the first two fields are also sp_namp/sp_pwdp in Python 3; 2.7 has sp_nam/sp_pwd only


def _entry(fields):
    return struct_spwd([str(fields[0]), str(fields[1])] + [int(n) for n in fields[2:]])


def getspnam(name):
    """The entry of user name; KeyError("getspnam(): name not found") when there is none (or no access)."""
    name = _args.string("getspnam", 1, name)
    fields = _C.getspnam(name)
    if fields is None:
        raise KeyError("getspnam(): name not found")
    return _entry(fields)


def getspall():
    """Every entry of the shadow password database (none without access)."""
    return [_entry(fields) for fields in _C.getspall()]
