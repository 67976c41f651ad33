"""
spwd of CPython 2.7 on Linux for harpd's embedded Jython, which has none: the shadow password database as
/etc/shadow holds it (the "files" source of nsswitch, what CPython's getspnam reads on a usual system).
Reading it needs root, as with CPython; a procedure that may not read it finds no entry (KeyError) from
getspnam, as CPython 2.7 answers, and an empty list from getspall.
"""

from __future__ import absolute_import


from harpd._linux import _args
from harpd._structseq import structseq as _structseq

SHADOW = "/etc/shadow"

struct_spwd = _structseq("spwd.struct_spwd", (
    "sp_nam", "sp_pwd", "sp_lstchg", "sp_min", "sp_max", "sp_warn", "sp_inact", "sp_expire", "sp_flag"))
# CPython's names for the first two fields are also sp_namp/sp_pwdp in Python 3; 2.7 has sp_nam/sp_pwd only


def _number(text):
    # an empty field is -1 in struct spwd, as glibc's parser gives it
    text = text.strip()
    if not text:
        return -1
    try:
        return int(text)
    except ValueError:
        return -1


def _entries():
    try:
        with open(SHADOW) as f:
            lines = f.read().splitlines()
    except (IOError, OSError):
        return
    for line in lines:
        if not line or line.startswith(("#", "+", "-")):
            continue
        fields = line.split(":")
        if len(fields) < 9:
            fields += [""] * (9 - len(fields))
        yield struct_spwd([fields[0], fields[1]] + [_number(f) for f in fields[2:9]])


def getspnam(name):
    """The entry of user name; KeyError("getspnam(): name not found") when there is none (or no access)."""
    name = _args.string("getspnam", 1, name)
    for entry in _entries():
        if entry.sp_nam == name:
            return entry
    raise KeyError("getspnam(): name not found")


def getspall():
    return list(_entries())
