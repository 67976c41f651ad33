"""
syslog of CPython 2.7 on Linux for harpd's embedded Jython, which has none: the C library's openlog, syslog,
closelog and setlogmask, so messages reach the system log as a CPython procedure's did. Constants are Linux's.
"""

from __future__ import absolute_import


import sys as _sys

from harpd._linux import _args
from org.harpd.jython import LinuxCalls as _C

LOG_EMERG = 0
LOG_ALERT = 1
LOG_CRIT = 2
LOG_ERR = 3
LOG_WARNING = 4
LOG_NOTICE = 5
LOG_INFO = 6
LOG_DEBUG = 7
LOG_KERN = 0
LOG_USER = 8
LOG_MAIL = 16
LOG_DAEMON = 24
LOG_AUTH = 32
LOG_SYSLOG = 40
LOG_LPR = 48
LOG_NEWS = 56
LOG_UUCP = 64
LOG_CRON = 72
LOG_LOCAL0 = 128
LOG_LOCAL1 = 136
LOG_LOCAL2 = 144
LOG_LOCAL3 = 152
LOG_LOCAL4 = 160
LOG_LOCAL5 = 168
LOG_LOCAL6 = 176
LOG_LOCAL7 = 184
LOG_PID = 1
LOG_CONS = 2
LOG_ODELAY = 4
LOG_NDELAY = 8
LOG_NOWAIT = 16
LOG_PERROR = 32

_opened = [False]


def LOG_MASK(pri):
    return 1 << _args.c_long(pri)


def LOG_UPTO(pri):
    return (1 << (_args.c_long(pri) + 1)) - 1

_NO_IDENT = object()


def openlog(ident=_NO_IDENT, logoption=0, facility=LOG_USER):
    """As CPython: the identifier defaults to the base name of sys.argv[0]."""
    logoption, facility = _args.c_long(logoption), _args.c_long(facility)
    if ident is _NO_IDENT:
        argv0 = _sys.argv[0] if getattr(_sys, "argv", None) else ""
        ident = argv0.rsplit("/", 1)[-1] or None
    else:
        # CPython passes the C string, up to a NUL byte
        ident = _args.string("openlog", 1, ident.split("\0", 1)[0] if isinstance(ident, str) else ident)
    _C.openlog(ident, _args.signed32(logoption & 0xffffffff), _args.signed32(facility & 0xffffffff))
    _opened[0] = True


def syslog(*args):
    """syslog([priority,] message): priority defaults to LOG_INFO; opens the log first if nobody did."""
    if len(args) == 1:
        priority, message = LOG_INFO, args[0]
    elif len(args) == 2:
        priority, message = args
    else:
        raise TypeError("syslog() takes 1 or 2 arguments (%d given)" % len(args))
    try:
        if len(args) == 2:
            priority = _args.c_int(priority)
        message = _args.string("syslog", len(args), message)
    except (TypeError, OverflowError, UnicodeError):
        raise TypeError("[priority,] message string")
    if not _opened[0]:
        openlog()
    _C.syslog(_args.signed32(priority & 0xffffffff), message)


def closelog():
    if _opened[0]:
        _C.closelog()
        _opened[0] = False


def setlogmask(mask):
    return _C.setlogmask(_args.signed32(_args.c_long(mask) & 0xffffffff))
