"""
Fills the gaps in Jython's ``os`` that procedures written for CPython 2 on Linux use.

Jython 2.7's ``os`` has no ``getgroups``, ``killpg`` or ``getloadavg``. harpd imports this module when
it creates an interpreter, so a procedures file that calls ``os.getgroups()`` works unchanged.
Only functions that are safe to offer are added: nothing that changes the process's identity, which
is the worker's job before user code runs.
"""

from __future__ import absolute_import

import os as _os

from org.harpd.posix import Posix as _Posix


def getgroups():
    """Supplementary group ids of the process, as CPython's os.getgroups()."""
    return list(_Posix.getgroups())


def killpg(pgid, sig):
    """Send a signal to a process group, as CPython's os.killpg()."""
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
