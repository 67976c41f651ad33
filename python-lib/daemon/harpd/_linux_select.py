"""
select.select and select.poll on pipes, files and descriptor numbers, as CPython 2.7 on Linux offers them.

Jython's own select works on sockets only (its channels) and answers a pipe, such as a subprocess's stdout,
with EBADF. Calls that name only sockets still go to Jython's; any other call goes to the C library's poll(2)
on the descriptors behind the objects. A stream that holds data Java read ahead from its pipe counts as
readable. Sockets and other objects in one call are refused with an error saying so.
"""

from __future__ import absolute_import

import errno as _errno
import time as _time

from org.harpd.jython import LinuxCalls as _C

POLLIN = 1
POLLPRI = 2
POLLOUT = 4
POLLERR = 8
POLLHUP = 16
POLLNVAL = 32
POLLRDNORM = 64
POLLRDBAND = 128
POLLWRNORM = 256
POLLWRBAND = 512
POLLMSG = 1024

_READ = POLLIN | POLLPRI
_READY_READ = POLLIN | POLLPRI | POLLHUP | POLLERR
_READY_WRITE = POLLOUT | POLLERR


def _fileno(obj):
    # CPython's PyObject_AsFileDescriptor, texts included; Jython's objects may answer a Java object
    from harpd._linux._args import descriptor
    return descriptor(obj)


def _is_socket(key):
    # Jython's sockets answer fileno() with their own object, which holds a Java channel, not a descriptor
    return type(key).__name__ in ("_realsocket", "_socketobject", "ChildSocket")


def _descriptor(key):
    if isinstance(key, (int, long)):
        if key < 0:
            raise ValueError("file descriptor cannot be a negative integer (%d)" % key)
        return key, 0
    return _C.descriptor(key), _C.buffered(key)


def _replaced(key, fd):
    # Java closes a subprocess's pipe once the child has exited and it has read what was left: the stream
    # then reads from memory, and the descriptor looked up a moment ago is gone
    return not isinstance(key, (int, long)) and _C.descriptor(key) != fd


def _poll(entries, timeout_ms, error):
    """entries: [(fd, events, buffered)] -> revents per entry; fd -1 is a stream Java has finished reading."""
    deadline = None if timeout_ms is None or timeout_ms < 0 else _time.time() + timeout_ms / 1000.0
    ready_now = [(POLLIN if (fd < 0 or buffered > 0) and events & POLLIN else 0) for fd, events, buffered in entries]
    if any(ready_now):
        timeout_ms = 0
    while True:
        wait = -1 if deadline is None else max(0, int(round((deadline - _time.time()) * 1000)))
        if any(ready_now):
            wait = 0
        try:
            revents = _C.poll([max(fd, 0) if fd >= 0 else -1 for fd, _, _ in entries],
                              [events for _, events, _ in entries], wait)
        except OSError as e:
            raise error(e.errno, e.strerror)
        if revents is None:  # EINTR
            if deadline is not None and _time.time() >= deadline:
                revents = [0] * len(entries)
            else:
                continue
        return [int(r) | extra for r, extra in zip(revents, ready_now)]


def patch(select):
    original_select = select.select
    original_poll = select.poll
    error = select.error

    def select_(rlist, wlist, xlist, timeout=None):
        """select() of CPython 2.7 on Linux, for pipes and files as well as sockets."""
        if timeout is not None:
            try:
                timeout = float(timeout)
            except (TypeError, ValueError):
                raise TypeError("timeout must be a float or None")
            if timeout < 0:
                raise error(_errno.EINVAL, "Invalid argument")
        try:
            lists = (list(rlist), list(wlist), list(xlist))
        except TypeError:
            raise TypeError("arguments 1-3 must be sequences")
        keys = [[_fileno(o) for o in l] for l in lists]
        flat = [k for l in keys for k in l]
        sockets = [k for k in flat if _is_socket(k)]
        if sockets:
            if len(sockets) == len(flat):
                return original_select(rlist, wlist, xlist, timeout)
            raise error(_errno.EINVAL, "select() in harpd takes either sockets or other descriptors "
                                       "(pipes, files), not both in one call")
        while True:
            entries = []
            owners = []
            for which, (objects, ks) in enumerate(zip(lists, keys)):
                events = (_READ, POLLOUT, POLLPRI)[which]
                for obj, key in zip(objects, ks):
                    fd, buffered = _descriptor(key)
                    if fd < 0 and which != 0:
                        raise error(_errno.EBADF, "Bad file descriptor")
                    entries.append((fd, events, buffered))
                    owners.append((which, obj, key, fd))
            revents = _poll(entries, None if timeout is None else timeout * 1000, error)
            if not any(r & POLLNVAL and _replaced(key, fd) for (_, _, key, fd), r in zip(owners, revents)):
                break
        result = ([], [], [])
        for (which, obj, _, _), r in zip(owners, revents):
            if r & POLLNVAL:
                raise error(_errno.EBADF, "Bad file descriptor")
            wanted = (_READY_READ, _READY_WRITE, POLLPRI)[which]
            if r & wanted:
                result[which].append(obj)
        return result

    class Poll(object):
        """select.poll() of CPython 2.7 on Linux for pipes and files; sockets go to Jython's poll."""

        def __init__(self):
            self._registered = {}
            self._sockets = None

        def register(self, fd, eventmask=POLLIN | POLLPRI | POLLOUT):
            key = _fileno(fd)
            if _is_socket(key):
                if self._sockets is None:
                    self._sockets = original_poll()
                self._sockets.register(fd, eventmask)
            self._registered[key] = eventmask

        def modify(self, fd, eventmask):
            key = _fileno(fd)
            if key not in self._registered:
                raise IOError(_errno.ENOENT, "No such file or directory")
            self.register(fd, eventmask)

        def unregister(self, fd):
            key = _fileno(fd)
            del self._registered[key]
            if _is_socket(key):
                self._sockets.unregister(fd)

        def poll(self, timeout=None):
            if timeout is not None:
                if not isinstance(timeout, (int, long, float)):
                    raise TypeError("timeout must be an integer or None")
                timeout = int(timeout)
            keys = list(self._registered)
            if any(_is_socket(k) for k in keys):
                if all(_is_socket(k) for k in keys):
                    return self._sockets.poll(timeout)
                raise error(_errno.EINVAL, "poll() in harpd takes either sockets or other descriptors "
                                           "(pipes, files), not both in one poll object")
            while True:
                entries = []
                for key in keys:
                    fd, buffered = _descriptor(key)
                    entries.append((fd, self._registered[key], buffered))
                revents = _poll(entries, None if timeout is None else int(timeout), error)
                if not any(r & POLLNVAL and _replaced(key, fd) for key, (fd, _, _), r in zip(keys, entries, revents)):
                    break
            return [(key, r & (self._registered[key] | POLLERR | POLLHUP | POLLNVAL))
                    for key, r in zip(keys, revents) if r]

    select.select = select_
    select.cpython_compatible_select = select_
    select.poll = Poll
    for name, value in (("POLLIN", POLLIN), ("POLLPRI", POLLPRI), ("POLLOUT", POLLOUT), ("POLLERR", POLLERR),
                        ("POLLHUP", POLLHUP), ("POLLNVAL", POLLNVAL), ("POLLRDNORM", POLLRDNORM),
                        ("POLLRDBAND", POLLRDBAND), ("POLLWRNORM", POLLWRNORM), ("POLLWRBAND", POLLWRBAND),
                        ("POLLMSG", POLLMSG)):
        setattr(select, name, value)
