"""
Python's ``signal`` module for harpd's embedded Jython.

Jython 2.7's own ``signal`` runs a handler in the JVM's signal thread, where
an exception it raises only ends that thread, while the procedure carries on.
This module comes first on harpd's ``sys.path`` and shadows it; it behaves
like CPython 2's: a handler runs in the thread running the call, between two
lines of its code (``time.sleep`` and ``pause()`` end early for it), and an
exception it raises surfaces there.

A procedure's timeout arrives as ``SIGXCPU``, whose handler raises
``harpd._timeout.Timeout`` unless the procedure installed its own.
``alarm()`` and ``setitimer(ITIMER_REAL, ...)`` are timers of the worker,
for the running call only: they need no privilege, and the call's end
cancels them, as the original's process per call ended with its call.
"""

import sun.misc.Signal as _JavaSignal
import sun.misc.SignalHandler as _JavaSignalHandler
from java.lang import RuntimeException as _JavaRuntimeException

from org.harpd.jython import CallSignals as _calls

from harpd import _timeout

SIG_DFL = 0
SIG_IGN = 1

ITIMER_REAL = 0
ITIMER_VIRTUAL = 1
ITIMER_PROF = 2

# Linux's numbers, as CPython has them there
_NUMBERS = {
    "SIGHUP": 1, "SIGINT": 2, "SIGQUIT": 3, "SIGILL": 4, "SIGTRAP": 5,
    "SIGABRT": 6, "SIGIOT": 6, "SIGBUS": 7, "SIGFPE": 8, "SIGKILL": 9,
    "SIGUSR1": 10, "SIGSEGV": 11, "SIGUSR2": 12, "SIGPIPE": 13,
    "SIGALRM": 14, "SIGTERM": 15, "SIGCHLD": 17, "SIGCLD": 17,
    "SIGCONT": 18, "SIGSTOP": 19, "SIGTSTP": 20, "SIGTTIN": 21,
    "SIGTTOU": 22, "SIGURG": 23, "SIGXCPU": 24, "SIGXFSZ": 25,
    "SIGVTALRM": 26, "SIGPROF": 27, "SIGWINCH": 28, "SIGIO": 29,
    "SIGPOLL": 29, "SIGPWR": 30, "SIGSYS": 31, "SIGRTMIN": 34,
    "SIGRTMAX": 64,
}
globals().update(_NUMBERS)
NSIG = 65


class ItimerError(IOError):
    pass


def default_int_handler(signum, frame):
    """The default handler for SIGINT: raises KeyboardInterrupt."""
    raise KeyboardInterrupt


# What a procedure set, by signal number; the rest are SIG_DFL.
_handlers = {SIGINT: default_int_handler, SIGXCPU: _timeout.handle_timeout}


class _Forward(_JavaSignalHandler):
    """An operating system signal, passed to the thread running the call."""

    def __init__(self, signum):
        self.signum = signum

    def handle(self, signal):
        _calls.deliver(self.signum)


def _check(signum):
    if not isinstance(signum, (int, long)) or not 1 <= signum < NSIG:
        raise ValueError("signal number out of range")


def _os_name(signum):
    for name, number in _NUMBERS.items():
        if number == signum and name not in ("SIGIOT", "SIGCLD", "SIGPOLL"):
            return name[3:]
    return None


def _install(signum, action):
    """The operating system's disposition; the JVM keeps some signals for itself, then only harpd delivers."""
    if signum in (SIGXCPU, SIGALRM, SIGINT):
        # SIGXCPU is the listener's timeout and SIGALRM this module's timer; a worker gets no SIGINT.
        return
    name = _os_name(signum)
    if name is None:
        return
    if action == SIG_DFL:
        java_action = _JavaSignalHandler.SIG_DFL
    elif action == SIG_IGN:
        java_action = _JavaSignalHandler.SIG_IGN
    else:
        java_action = _Forward(signum)
    try:
        _JavaSignal.handle(_JavaSignal(name), java_action)
    except _JavaRuntimeException:
        pass  # reserved by the JVM (or KILL/STOP): harpd's own deliveries still reach the handler


def signal(signalnum, handler):
    """signal(sig, action) -> action

    Set the action for the given signal: SIG_DFL, SIG_IGN or a callable
    object called with the signal number and the interrupted frame. The
    previous action is returned.
    """
    _check(signalnum)
    if signalnum in (SIGKILL, SIGSTOP):
        raise RuntimeError(22, "Invalid argument")
    if not callable(handler) and handler not in (SIG_DFL, SIG_IGN):
        raise TypeError("signal handler must be signal.SIG_IGN, signal.SIG_DFL, or a callable object")
    previous = getsignal(signalnum)
    _install(signalnum, handler)
    _handlers[signalnum] = handler
    return previous


def getsignal(signalnum):
    """getsignal(sig) -> action

    Return the current action for the given signal: SIG_IGN, SIG_DFL or the
    callable object set with signal().
    """
    _check(signalnum)
    return _handlers.get(signalnum, SIG_DFL)


def siginterrupt(signalnum, flag):
    _check(signalnum)


def set_wakeup_fd(fd):
    return -1


def alarm(seconds):
    """alarm(seconds): SIGALRM after that many seconds (0 cancels); returns the seconds the previous alarm had left."""
    remaining, _interval = _calls.setAlarm(float(int(seconds)), 0.0)
    if remaining <= 0:
        return 0
    return int(remaining + 0.5) or 1


def _which(which):
    if which != ITIMER_REAL:
        raise ItimerError(22, "only ITIMER_REAL is supported in harpd")


def setitimer(which, seconds, interval=0.0):
    """setitimer(which, seconds[, interval]) -> (delay, interval) of the previous timer."""
    _which(which)
    if seconds < 0 or interval < 0:
        raise ItimerError(22, "Invalid argument")
    previous = _calls.setAlarm(float(seconds), float(interval))
    return (previous[0], previous[1])


def getitimer(which):
    """getitimer(which) -> (delay, interval) of the timer."""
    _which(which)
    current = _calls.getAlarm()
    return (current[0], current[1])


def pause():
    """Wait for a signal and run its handler."""
    _calls.pause()


def _deliver(signum, frame):
    """Runs the action for ``signum`` in the thread running the call (called by harpd)."""
    action = _handlers.get(signum, SIG_DFL)
    if action == SIG_DFL or action == SIG_IGN:
        # A default that would end the process leaves the call to run on; a timeout's grace still ends it.
        return
    action(signum, frame)


_calls.setDispatcher(_deliver)

import time as _time
_time.sleep = _calls.sleep
