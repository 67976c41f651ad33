"""
resource of CPython 2.7 on Linux for harpd's embedded Jython, which has none: getrlimit, setrlimit, getrusage
and getpagesize through the C library, constants as x86-64 Linux's.
"""

from __future__ import absolute_import


from harpd._linux import _args
from harpd._structseq import structseq as _structseq
from org.harpd.jython import LinuxCalls as _C
from org.harpd.posix import Posix as _Posix
from org.harpd.posix import PosixException as _PosixException

RLIMIT_CPU = 0
RLIMIT_FSIZE = 1
RLIMIT_DATA = 2
RLIMIT_STACK = 3
RLIMIT_CORE = 4
RLIMIT_RSS = 5
RLIMIT_NPROC = 6
RLIMIT_NOFILE = 7
RLIMIT_OFILE = 7
RLIMIT_MEMLOCK = 8
RLIMIT_AS = 9
RLIM_INFINITY = -1
RUSAGE_SELF = 0
RUSAGE_CHILDREN = -1
_RLIMITS = 16


class error(EnvironmentError):
    pass


struct_rusage = _structseq("resource.struct_rusage", (
    "ru_utime", "ru_stime", "ru_maxrss", "ru_ixrss", "ru_idrss", "ru_isrss", "ru_minflt", "ru_majflt", "ru_nswap",
    "ru_inblock", "ru_oublock", "ru_msgsnd", "ru_msgrcv", "ru_nsignals", "ru_nvcsw", "ru_nivcsw"))


def _struct_rusage(fields):
    """struct_rusage from LinuxCalls' fields: the two times in microseconds, then the 14 counters."""
    fields = [int(f) for f in fields]
    return struct_rusage([fields[0] / 1e6, fields[1] / 1e6] + fields[2:])


def _check_resource(resource):
    resource = _args.c_int(resource)
    if not 0 <= resource < _RLIMITS:
        raise ValueError("invalid resource specified")
    return resource


def getrlimit(resource):
    resource = _check_resource(resource)
    try:
        soft, hard = _Posix.getrlimit(resource)
    except _PosixException as e:
        raise error(e.errno(), str(e))
    return int(soft), int(hard)


def setrlimit(resource, limits):
    """setrlimit(resource, (soft, hard)): ValueError for a limit not allowed, as CPython 2.7."""
    resource = _check_resource(resource)
    limits = tuple(limits)
    if len(limits) != 2:
        raise ValueError("expected a tuple of 2 integers")
    # rlim_t is unsigned: -1 is RLIM_INFINITY, as in CPython
    soft, hard = [_args.c_long(v) for v in limits]
    try:
        _Posix.setrlimit(resource, soft, hard)
    except _PosixException as e:
        if e.errno() == 22:
            raise ValueError("current limit exceeds maximum limit")
        if e.errno() == 1:
            raise ValueError("not allowed to raise maximum limit")
        raise error(e.errno(), str(e))


def getrusage(who):
    who = _args.c_int(who)
    if who not in (RUSAGE_SELF, RUSAGE_CHILDREN, 1):
        raise ValueError("invalid who parameter")
    try:
        return _struct_rusage(_C.getrusage(who))
    except OSError as e:
        raise error(e.errno, e.strerror)


def getpagesize():
    return _C.getpagesize()
