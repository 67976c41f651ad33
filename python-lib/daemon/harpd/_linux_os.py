"""
The process functions of CPython 2.7's ``os`` on Linux that Jython 2.7 lacks or answers differently.

``os.system`` returns the wait status, the ``W*`` macros decode it, ``os.wait``/``waitpid``/``wait3``/``wait4``
wait for children, including the ones ``subprocess`` started (Java reaps those itself, so their status is
rebuilt from the ``Popen``), and the session, process group and identity calls are the C library's.
``os.openpty``, ``ttyname`` and ``isatty`` work on pseudo-terminals of the C library; ``os.read``, ``os.fstat``
and ``os.open`` (O_RDWR without O_TRUNC) go to the C library where Jython's would misreport or empty the file.
``os.fork`` and ``pty.fork`` cannot work in a JVM and say so. harpd._jython_os installs these at interpreter
creation.
"""

from __future__ import absolute_import

import errno as _errno
import os as _os
import threading as _threading
import time as _time
import weakref as _weakref

from harpd._linux import _args

from org.harpd.jython import LinuxCalls as _C
from org.harpd.posix import Posix as _Posix

WNOHANG = 1
WUNTRACED = 2
WCONTINUED = 8
_WEXITED = 4
_WSTOPPED = 2
_WNOWAIT = 0x01000000
_P_ALL = 0
_P_PID = 1
_P_PGID = 2


def WIFEXITED(status):
    return (status & 0x7f) == 0


def WEXITSTATUS(status):
    return (status >> 8) & 0xff


def WIFSIGNALED(status):
    low = ((status & 0x7f) + 1) & 0xff
    if low >= 0x80:
        low -= 0x100
    return (low >> 1) > 0


def WTERMSIG(status):
    return status & 0x7f


def WIFSTOPPED(status):
    return (status & 0xff) == 0x7f


def WSTOPSIG(status):
    return (status >> 8) & 0xff


def WCOREDUMP(status):
    return bool(status & 0x80)


def WIFCONTINUED(status):
    return status == 0xffff


# While subprocess runs a preexec_fn, the calls it may make are recorded here instead of performed
_recording = _threading.local()


def _recorder():
    return getattr(_recording, "current", None)


def _record_or_call(name, arguments, call):
    """Inside a preexec_fn the call is recorded for the child (see _recorder), answering what the function
    would; anywhere else call() makes it."""
    recorder = _recorder()
    if recorder is not None:
        return recorder.record(name, *arguments)
    return call()


# whether os.kill and os.killpg tell the Popen children they reach (install() runs once per interpreter)
_signals_noted = False

# Popen objects of subprocess by pid: their children are reaped by a JVM thread, not by os.waitpid
_popens = _weakref.WeakValueDictionary()


def _register_popen(popen):
    if popen.pid is not None:
        try:
            popen._harpd_pgid = _C.getpgid(int(popen.pid))
        except OSError:
            popen._harpd_pgid = None
        _popens[int(popen.pid)] = popen


def _status_of(returncode):
    if returncode < 0:
        return (-returncode) & 0x7f
    return (returncode & 0xff) << 8


def _wait_popen(popen, options):
    if options & WNOHANG:
        code = popen.poll()
        if code is None:
            return 0, 0
    else:
        code = popen.wait()
    _popens.pop(popen.pid, None)
    return int(popen.pid), _status_of(code)


def _rusage_of(fields):
    from harpd._linux import resource
    return resource._struct_rusage(fields)


def _finished_popen(pid):
    for popen in list(_popens.values()):
        if (pid == -1 or _pgid_of(popen) == (-pid if pid < 0 else _os.getpgrp())) and popen.poll() is not None:
            return _wait_popen(popen, WNOHANG)
    return None


def _note_signal(pid, sig):
    """Marks the Popen children a kill(pid, sig) reaches as signalled by the procedure, so that one it kills
    reports -sig as returncode, as in CPython (Java reports 128 + sig; see harpd._linux_subprocess)."""
    if not sig:
        return
    if pid > 0:
        targets = [_popens.get(pid)]
    elif pid == -1:
        targets = list(_popens.values())
    else:
        group = _os.getpgrp() if pid == 0 else -pid
        targets = [popen for popen in list(_popens.values()) if _pgid_of(popen) == group]
    for popen in targets:
        if popen is not None and popen.returncode is None and hasattr(popen, "_signal_sent"):
            popen._signal_sent = sig


def _noting_signals(name, jython_kill, group):
    def kill(pid, sig):
        jython_kill(pid, sig)
        pid, sig = _args.c_int(pid), _args.c_int(sig)
        _note_signal(-pid if group else pid, sig)
    kill.__name__ = name
    kill.__doc__ = jython_kill.__doc__
    return kill


def _pgid_of(popen):
    # the group it was started in: a reaped child has none to look up
    return getattr(popen, "_harpd_pgid", None)


def _wait_any(pid, options):
    """
    For a wait on any child (or a group): a finished subprocess child as (pid, status), or the pid of a child
    this module started that is ready, for waitpid to reap; None when WNOHANG finds none. A subprocess child
    is never reaped here, as the JVM thread that started it reaps it, perhaps before this looks.
    """
    idtype, ident = (_P_ALL, 0) if pid == -1 else (_P_PGID, -pid if pid < 0 else _os.getpgrp())
    flags = _WEXITED | _WNOWAIT | WNOHANG
    if options & WUNTRACED:
        flags |= _WSTOPPED
    if options & WCONTINUED:
        flags |= WCONTINUED
    delay = 0.001
    while True:
        finished = _finished_popen(pid)
        if finished is not None:
            return finished
        try:
            ready = _C.peekChild(idtype, ident, flags)
        except OSError as e:
            if e.errno != _errno.ECHILD or not _popens:
                raise
            ready = 0
        if ready and ready not in _popens and _C.spawned(ready):
            return ready
        # any other child is a java.lang.Process (of this interpreter's subprocess, answered above once its
        # JVM thread has reaped it, or of other code): never reaped here, or its Process would lose its status
        if options & WNOHANG:
            return None
        # a subprocess child or none is ready: look again soon (its JVM thread reaps it and its Popen tells)
        _time.sleep(delay)
        delay = min(delay * 2, 0.05)


def _wait(pid, options, usage=False):
    """waitpid/wait4 for pid (> 0: that child; -1: any; 0 or < -1: a process group)."""
    popen = _popens.get(pid) if pid > 0 else None
    if popen is not None:
        got, status = _wait_popen(popen, options)
        return (got, status, _rusage_of([0] * 16)) if usage else (got, status)
    if pid <= 0:
        ready = _wait_any(pid, options)
        if ready is None:
            return (0, 0, _rusage_of([0] * 16)) if usage else (0, 0)
        if isinstance(ready, tuple):
            return (ready + (_rusage_of([0] * 16),)) if usage else ready
        pid = ready
    if usage:
        fields = list(_C.wait4(pid, options))
        return int(fields[0]), int(fields[1]), _rusage_of(fields[2:])
    got, status = _C.waitpid(pid, options)
    return int(got), int(status)


def waitpid(pid, options):
    """Wait for a child as CPython's os.waitpid(): (pid, wait status)."""
    return _wait(_args.c_int(pid), _args.c_int(options))


def wait():
    return _wait(-1, 0)


def wait3(options):
    return _wait(-1, _args.c_int(options), usage=True)


def wait4(pid, options):
    return _wait(_args.c_int(pid), _args.c_int(options), usage=True)


def system(command):
    """Run command with /bin/sh -c, as CPython's os.system(): the wait status (exit code << 8, or the signal)."""
    cwd = _os.getcwd()
    if cwd == _Posix.getcwd():
        argv = ["/bin/sh", "-c", command]
    else:
        # Jython keeps its working directory to itself; the shell changes to it first
        argv = ["/bin/sh", "-c", 'cd -- "$1" || exit 127; exec /bin/sh -c "$2"', "sh", cwd, command]
    env = ["%s=%s" % (k, v) for k, v in _os.environ.items()]
    pid = _C.spawn(argv, env)
    return _C.waitpid(pid, 0)[1]


P_WAIT = 0
P_NOWAIT = 1
P_NOWAITO = 1


def _program(path, search, env):
    """The file execv (search false) or execvp would run for path, or None: Jython keeps its working directory to
    itself, so a relative name is made absolute here."""
    if "/" in path or not search:
        return _os.path.join(_os.getcwd(), path)
    for directory in (env.get("PATH") or _os.defpath).split(_os.pathsep):
        candidate = _os.path.join(_os.getcwd(), directory or ".", path)
        if _os.path.isfile(candidate) and _os.access(candidate, _os.X_OK):
            return candidate
    return None


def _spawn(mode, path, args, env, search, name):
    # CPython forks and lets the child exec: arguments exec refuses make the child exit 127, not raise here
    if env is None:
        env = _os.environ
    try:
        _exec_arguments("execve", path, args)
        argv = [_args.path("execve", 2, arg) for arg in args]
        environment = ["%s=%s" % (_args.string("execve", 3, k), _args.string("execve", 3, v)) for k, v in env.items()]
        program = _program(_args.path("execve", 1, path), search, env)
    except (TypeError, ValueError, AttributeError):
        argv, environment, program = [], [], None
    if _os.getcwd() != _Posix.getcwd() and program is not None:
        # the child starts in the JVM's directory: a shell changes to Jython's first (argv[0] is then the path)
        argv = ["/bin/sh", "-c", 'cd -- "$1" || exit 127; shift; exec "$@"', "sh", _os.getcwd(), program] + argv[1:]
        program = "/bin/sh"
    pid = None
    if program is not None:
        try:
            pid = _C.spawn(program, argv, environment)
        except OSError:
            pass
    if pid is None:
        # CPython's forked child exits 127 when the exec fails: one that does the same stands for it
        pid = _C.spawn("/bin/sh", ["sh", "-c", "exit 127"], environment)
    if mode == P_NOWAIT:
        return pid
    while True:
        status = _C.waitpid(pid, 0)[1]
        if WIFSTOPPED(status):
            continue
        if WIFSIGNALED(status):
            return -WTERMSIG(status)
        return WEXITSTATUS(status)


def spawnv(mode, file, args):
    """spawnv(mode, file, args) -> integer: run file with args; P_NOWAIT answers the pid, P_WAIT the exit code
    (or -signal), as CPython's os.spawnv()."""
    return _spawn(mode, file, args, None, False, "spawnv")


def spawnve(mode, file, args, env):
    """spawnve(mode, file, args, env) -> integer: spawnv with the environment env."""
    return _spawn(mode, file, args, env, False, "spawnve")


def spawnvp(mode, file, args):
    """spawnvp(mode, file, args) -> integer: spawnv looking file up in PATH."""
    return _spawn(mode, file, args, None, True, "spawnvp")


def spawnvpe(mode, file, args, env):
    """spawnvpe(mode, file, args, env) -> integer: spawnvp with the environment env."""
    return _spawn(mode, file, args, env, True, "spawnvpe")


def spawnl(mode, file, *args):
    """spawnl(mode, file, *args) -> integer: spawnv with the arguments given one by one."""
    return spawnv(mode, file, args)


def spawnle(mode, file, *args):
    """spawnle(mode, file, *args, env) -> integer: spawnve with the arguments given one by one."""
    return spawnve(mode, file, args[:-1], args[-1])


def spawnlp(mode, file, *args):
    """spawnlp(mode, file, *args) -> integer: spawnvp with the arguments given one by one."""
    return spawnvp(mode, file, args)


def spawnlpe(mode, file, *args):
    """spawnlpe(mode, file, *args, env) -> integer: spawnvpe with the arguments given one by one."""
    return spawnvpe(mode, file, args[:-1], args[-1])


_EXEC_MESSAGE = ("%s() cannot work in harpd: procedures run in a Java VM, which it would replace; start the "
                 "program with subprocess or os.spawnv instead")


def execv(path, args):
    """Checks the arguments as CPython's os.execv(), then fails: a JVM cannot replace itself."""
    _exec_arguments("execv", path, args)
    raise OSError(_errno.ENOSYS, _EXEC_MESSAGE % "execv")


def execve(path, args, env):
    """Checks the arguments as CPython's os.execve(), then fails: a JVM cannot replace itself."""
    _exec_arguments("execve", path, args)
    if not hasattr(env, "keys"):
        raise TypeError("execve() arg 3 must be a mapping object")
    for key, value in env.items():
        # CPython converts them with the "s" format: a NUL byte fails as a wrong type does
        if not isinstance(key, str) or "\0" in key:
            raise TypeError("execve() arg 3 contains a non-string key")
        if not isinstance(value, str) or "\0" in value:
            raise TypeError("execve() arg 3 contains a non-string value")
    raise OSError(_errno.ENOSYS, _EXEC_MESSAGE % "execve")


def _exec_arguments(name, path, args):
    _args.path(name, 1, path)
    if not isinstance(args, (list, tuple)):
        raise TypeError("%s() arg 2 must be a tuple or list" % name)
    if not args:
        raise ValueError("%s() arg 2 must not be empty" % name)
    for arg in args:
        if name == "execv" and not isinstance(arg, str):
            raise TypeError("execv() arg 2 must contain only strings")
        _args.path(name, 2, arg)


_FORK_MESSAGE = ("%s() cannot work in harpd: procedures run in a Java VM, which cannot fork; start a program "
                 "with subprocess.Popen(..., preexec_fn=os.setsid) or os.system('nohup ... &') instead")


def fork():
    raise OSError(_errno.ENOSYS, _FORK_MESSAGE % "fork")


def forkpty():
    raise OSError(_errno.ENOSYS, _FORK_MESSAGE % "forkpty")


_PTY_FORK_MESSAGE = ("%s() cannot work in harpd: procedures run in a Java VM, which cannot fork; open a terminal "
                     "with master, slave = pty.openpty() and start the program with subprocess.Popen(args, "
                     "stdin=slave, stdout=slave, stderr=slave, preexec_fn=os.setsid), then read and write master")


def patch_pty(pty):
    """pty.fork and pty.spawn, which need fork, fail saying what to do instead; pty.openpty uses os.openpty."""
    def fork():
        raise OSError(_errno.ENOSYS, _PTY_FORK_MESSAGE % "pty.fork")

    def spawn(argv, master_read=None, stdin_read=None):
        raise OSError(_errno.ENOSYS, _PTY_FORK_MESSAGE % "pty.spawn")

    fork.__doc__ = pty.fork.__doc__
    spawn.__doc__ = pty.spawn.__doc__
    pty.fork = fork
    pty.spawn = spawn


def openpty():
    """A new pseudo-terminal, as CPython's os.openpty(): (master, slave). Like everything Jython's os.open answers,
    they are file objects rather than numbers; os.read, os.write, os.close, os.fdopen, termios, fcntl, select
    and subprocess (stdin/stdout/stderr) take them."""
    master, slave = _C.openpty()
    try:
        name = _C.ptsname(master)
        master_file = _C.fileOf(master, "/dev/ptmx")
    except Exception:
        _C.close(slave)
        raise
    return master_file, _C.fileOf(slave, name)


def _read_with_errno(jython_read):
    def read(fd, buffersize):
        """Read at most buffersize bytes from fd, as CPython's os.read(); failures carry the C library's errno."""
        try:
            return jython_read(fd, buffersize)
        except OSError as e:
            # Jython reports every failure of a file object's read as EBADF; the descriptor tells the real one
            if e.errno != _errno.EBADF or isinstance(fd, (int, long)):
                raise
            number = _C.descriptor(fd)
            if number < 0:
                raise
            return _C.read(number, buffersize).tostring()
    read.__name__ = "read"
    return read


class stat_result(tuple):
    """stat_result: Result from stat or lstat, as CPython's on Linux: ten items (whole seconds), and as attributes
    also the times as floats, st_blksize, st_blocks and st_rdev."""
    n_sequence_fields = 10
    n_fields = 16
    n_unnamed_fields = 3
    _fields = ("st_mode", "st_ino", "st_dev", "st_nlink", "st_uid", "st_gid", "st_size", "st_atime", "st_mtime",
               "st_ctime")
    _extra = ("st_atime", "st_mtime", "st_ctime", "st_blksize", "st_blocks", "st_rdev")

    def __new__(cls, values, extras=None):
        values = tuple(values)
        if not 10 <= len(values) <= 16:
            if len(values) < 10:
                raise TypeError("posix.stat_result() takes an at least 10-sequence (%d-sequence given)" % len(values))
            raise TypeError("posix.stat_result() takes an at most 16-sequence (%d-sequence given)" % len(values))
        result = tuple.__new__(cls, values[:10])
        rest = list(values[10:]) + [None] * (16 - len(values))
        for index, name in enumerate(cls._extra):
            value = rest[index]
            if value is None and index < 3:
                value = values[7 + index]
            object.__setattr__(result, "_" + name, value)
        return result

    def __setattr__(self, name, value):
        raise TypeError("readonly attribute")

    def __repr__(self):
        return "posix.stat_result(%s)" % ", ".join("%s=%r" % pair for pair in zip(self._fields, self))

    def __reduce__(self):
        return (stat_result, (tuple(self) + tuple(getattr(self, "_" + name) for name in self._extra),))


for _i, _field in enumerate(stat_result._fields[:7]):
    setattr(stat_result, _field, property(lambda self, _i=_i: tuple.__getitem__(self, _i)))
for _field in stat_result._extra:
    setattr(stat_result, _field, property(lambda self, _field=_field: getattr(self, "_" + _field)))
stat_result.__module__ = "posix"


def _small(value):
    # Jython gives long for values that fit CPython's int (st_dev): the repr must not end in L
    return int(value) if -2 ** 31 <= value < 2 ** 31 else value


def _stat_result(jython_result, extras):
    values = [_small(v) for v in jython_result]
    blksize, blocks, rdev = [_small(v) for v in extras] if extras is not None else (0, 0, 0)
    return stat_result(values + [jython_result.st_atime, jython_result.st_mtime, jython_result.st_ctime,
                                 blksize, blocks, rdev])


def _stat_with_linux_fields(jython_stat, follow):
    def stat(path):
        name = path.encode("utf-8") if isinstance(path, unicode) else path
        try:
            result = jython_stat(path)
        except OSError as e:
            # Jython's guess (EBADF for a path through a file) where the kernel knows better (ENOTDIR)
            errno = _C.statErrno(_os.path.join(_os.getcwd(), name), follow)
            if errno and errno != e.errno:
                raise OSError(errno, _os.strerror(errno), name)
            raise
        return _stat_result(result, _C.statExtras(_os.path.join(_os.getcwd(), name), follow, -1))
    stat.__name__ = "stat" if follow else "lstat"
    stat.__doc__ = ("stat(path) -> stat result\n\nPerform a stat system call on the given path." if follow else
                    "lstat(path) -> stat result\n\nLike stat(path), but do not follow symbolic links.")
    return stat


def _fstat_with_linux_fields(fstat):
    def with_fields(fd):
        result = fstat(fd)
        number = fd if isinstance(fd, (int, long)) else _C.descriptor(fd)
        return _stat_result(result, _C.statExtras(None, True, number) if number >= 0 else None)
    with_fields.__name__ = "fstat"
    with_fields.__doc__ = "fstat(fd) -> stat result\n\nLike stat(), but for an open file descriptor."
    return with_fields


def _listdir_naming_the_error(jython_listdir):
    def listdir(path):
        """listdir(path) -> list_of_strings: the entries of the directory path, as CPython's os.listdir()."""
        try:
            return jython_listdir(path)
        except OSError as e:
            # Jython asks Java, which tells only that no list came back, and guesses ENOTDIR: the kernel says why
            if e.errno != _errno.ENOTDIR:
                raise
            name = path.encode("utf-8") if isinstance(path, unicode) else path
            try:
                mode = _os.stat(path).st_mode
            except OSError as real:
                raise OSError(real.errno, _os.strerror(real.errno), name)
            if mode & 0o170000 == 0o040000:
                raise OSError(_errno.EACCES, _os.strerror(_errno.EACCES), name)
            raise
    return listdir


def _fstat_of_any_file(jython_fstat):
    def fstat(fd):
        """Status of the file open on fd, as CPython's os.fstat()."""
        try:
            return jython_fstat(fd)
        except OSError as e:
            # Jython asks a file object for a Java stream, which one made around a descriptor (os.openpty's,
            # os.open's) has not: the kernel's link to the open file answers for it
            if e.errno != _errno.EBADF or isinstance(fd, (int, long)):
                raise
            number = _C.descriptor(fd)
            if number < 0:
                raise
            return _os.stat("/proc/self/fd/%d" % number)
    fstat.__name__ = "fstat"
    return fstat


# Jython's os.O_* flags (its own values, not Linux's) that os.open passes on to the C library, as Linux's
_LINUX_FLAGS = (("O_APPEND", 0o2000), ("O_CREAT", 0o100), ("O_EXCL", 0o200), ("O_SYNC", 0o4010000))


def _open_keeping_contents(jython_open):
    def open(path, flags, mode=0777):
        """Open a file as CPython's os.open() (a file object here, as Jython's os.open answers)."""
        known = 3
        linux = flags & 3
        for name, value in _LINUX_FLAGS:
            jython = getattr(_os, name, 0)
            known |= jython
            if flags & jython:
                linux |= value
        if flags & 3 != _os.O_RDWR or flags & ~known:
            return jython_open(path, flags, mode)
        # Jython opens O_RDWR as "w+", which empties the file: the C library opens it as asked
        try:
            number = _C.open(_os.path.abspath(path), linux, mode)
        except OSError as e:
            raise OSError(e.errno, e.strerror, path)
        return _C.fileOf(number, path)
    open.__name__ = "open"
    return open


def ttyname(fd):
    """The path of the terminal open on fd, as CPython's os.ttyname()."""
    return _C.ttyname(_fd(_args.c_int(fd) if not hasattr(fd, "fileno") else fd))


def isatty(fd):
    """Whether fd is open on a terminal, as CPython's os.isatty(); False for a descriptor that is not open."""
    try:
        return _C.isatty(_fd(_args.c_int(fd) if not hasattr(fd, "fileno") else fd))
    except OSError:
        return False


class statvfs_result(tuple):
    """os.statvfs's answer: a tuple of ten with the fields as attributes, as CPython's."""
    n_sequence_fields = 10
    n_fields = 10
    n_unnamed_fields = 0
    _fields = ("f_bsize", "f_frsize", "f_blocks", "f_bfree", "f_bavail", "f_files", "f_ffree", "f_favail",
               "f_flag", "f_namemax")

    def __new__(cls, values):
        return tuple.__new__(cls, values)

    def __repr__(self):
        return "posix.statvfs_result(%s)" % ", ".join("%s=%r" % pair for pair in zip(self._fields, self))

    def __reduce__(self):
        return (statvfs_result, (tuple(self),))


for _i, _field in enumerate(statvfs_result._fields):
    setattr(statvfs_result, _field, property(lambda self, _i=_i: tuple.__getitem__(self, _i)))


def _statvfs_of(raw):
    # C order: bsize frsize blocks bfree bavail files ffree favail fsid flag namemax; Python leaves out fsid
    values = [int(v) for v in raw]
    return statvfs_result(values[:8] + values[9:11])


def statvfs(path):
    path = _args.string("statvfs", 1, path)
    try:
        return _statvfs_of(_C.statvfs(path))
    except OSError as e:
        raise OSError(e.errno, e.strerror, path)


def fstatvfs(fd):
    return _statvfs_of(_C.fstatvfs(_fd(_args.c_int(fd) if not hasattr(fd, "fileno") else fd)))


def _fd(fd):
    if isinstance(fd, (int, long)):
        return fd
    number = _C.descriptor(fd)
    if number < 0:
        raise OSError(_errno.EBADF, _os.strerror(_errno.EBADF))
    return number


def getsid(pid):
    return _C.getsid(_args.c_int(pid))


def getpgid(pid):
    return _C.getpgid(_args.c_int(pid))


def setpgid(pid, pgrp):
    pid, pgrp = _args.c_int(pid), _args.c_int(pgrp)
    return _record_or_call('setpgid', (pid, pgrp), lambda: _C.setpgid(pid, pgrp))


def setsid():
    return _record_or_call('setsid', (), lambda: _C.setsid())


def setpgrp():
    return _record_or_call('setpgrp', (), lambda: _C.setpgid(0, 0))


def getpgrp():
    return _C.getpgid(0)


def setuid(uid):
    uid = _args.uid(uid)
    return _record_or_call('setuid', (uid,), lambda: _C.setuid(_args.signed32(uid)))


def setgid(gid):
    gid = _args.gid(gid)
    return _record_or_call('setgid', (gid,), lambda: _C.setgid(_args.signed32(gid)))


def seteuid(uid):
    uid = _args.uid(uid)
    return _record_or_call('seteuid', (uid,), lambda: _C.seteuid(_args.signed32(uid)))


def setegid(gid):
    gid = _args.gid(gid)
    return _record_or_call('setegid', (gid,), lambda: _C.setegid(_args.signed32(gid)))


def setreuid(ruid, euid):
    ruid, euid = _args.uid(ruid), _args.uid(euid)
    return _record_or_call('setreuid', (ruid, euid),
                           lambda: _C.setreuid(_args.signed32(ruid), _args.signed32(euid)))


def setregid(rgid, egid):
    rgid, egid = _args.gid(rgid), _args.gid(egid)
    return _record_or_call('setregid', (rgid, egid),
                           lambda: _C.setregid(_args.signed32(rgid), _args.signed32(egid)))


def setgroups(groups):
    if not hasattr(groups, "__len__") or not hasattr(groups, "__getitem__") or isinstance(groups, dict):
        raise TypeError("setgroups argument must be a sequence")
    checked = []
    for group in groups:
        if not isinstance(group, (int, long)):
            raise TypeError("groups must be integers")
        checked.append(_args.gid(group))
    groups = [g if g <= 0x7fffffff else g - 2 ** 32 for g in checked]
    return _record_or_call('setgroups', (groups,), lambda: _C.setgroups([int(g) for g in groups]))


def initgroups(username, gid):
    username, gid = _args.string("initgroups", 1, username), _args.c_int(gid)
    return _record_or_call('initgroups', (username, gid), lambda: _C.initgroups(username, gid))


def nice(increment):
    increment = _args.c_int(increment)
    return _record_or_call('nice', (increment,), lambda: _C.nice(increment))


FUNCTIONS = dict((name, globals()[name]) for name in (
    "WIFEXITED", "WEXITSTATUS", "WIFSIGNALED", "WTERMSIG", "WIFSTOPPED", "WSTOPSIG", "WCOREDUMP", "WIFCONTINUED",
    "waitpid", "wait", "wait3", "wait4", "system", "fork", "forkpty", "openpty", "ttyname", "isatty", "statvfs", "fstatvfs", "statvfs_result",
    "getsid", "getpgid", "setpgid", "setsid", "setpgrp", "getpgrp", "setuid", "setgid", "seteuid", "setegid",
    "setreuid", "setregid", "setgroups", "initgroups", "nice", "spawnv", "spawnve", "spawnvp", "spawnvpe", "spawnl",
    "spawnle", "spawnlp", "spawnlpe", "execv", "execve"))
CONSTANTS = {"WNOHANG": WNOHANG, "WUNTRACED": WUNTRACED, "WCONTINUED": WCONTINUED, "P_WAIT": P_WAIT,
             "P_NOWAIT": P_NOWAIT, "P_NOWAITO": P_NOWAITO}


def _recording_wrapper(name, function):
    def wrapper(*args):
        return _record_or_call(name, args, lambda: function(*args))
    wrapper.__name__ = name
    wrapper.__doc__ = function.__doc__
    wrapper._harpd_recording = function
    return wrapper


# CPython 2.7's conversions of the arguments of Jython's own os functions, by position: p a path (posixmodule's
# "et"), i a C int, l a C long, f a descriptor (also a file object: Jython's os.open answers those), U a uid, G a
# gid; arguments beyond the spec pass unchanged. Jython's would hand None to the C library or answer with Java's
# texts ("1st arg can't be coerced to int").
_CHECKED = {
    "stat": "p", "lstat": "p", "listdir": "p", "chmod": "pi", "chown": "pUG", "lchown": "pUG", "readlink": "p",
    "unlink": "p", "remove": "p", "rmdir": "p", "mkdir": "pi", "rename": "pp", "utime": "p", "access": "pi",
    "chdir": "p", "symlink": "pp", "link": "pp", "mkfifo": "pi", "chroot": "p", "open": "pii",
    "kill": "ii", "umask": "i", "strerror": "i", "close": "f", "dup": "f", "dup2": "ff", "lseek": "fli",
    "read": "fi", "write": "f", "fstat": "f", "fsync": "f", "fdatasync": "f", "ftruncate": "fl", "fchmod": "fi",
    "fchown": "fUG", "closerange": "ii", "fdopen": "f",
}


def _fd_argument(value):
    if value is None or isinstance(value, (basestring, float, int, long)):
        value = _args.c_int(value)
        if value < 0:
            # Jython refuses a negative number with its own text; the C library answers EBADF
            raise OSError(_errno.EBADF, _os.strerror(_errno.EBADF))
    return value


def major(device):
    """The major number of a device number (glibc's gnu_dev_major), as CPython's os.major()."""
    device = _device(device)
    return int(((device >> 8) & 0xfff) | ((device >> 32) & ~0xfff))


def minor(device):
    """The minor number of a device number (glibc's gnu_dev_minor), as CPython's os.minor()."""
    device = _device(device)
    return int((device & 0xff) | ((device >> 12) & ~0xff))


def makedev(major, minor):
    """A device number from its major and minor numbers (glibc's gnu_dev_makedev), as CPython's os.makedev()."""
    major, minor = _args.c_int(major) & 0xffffffff, _args.c_int(minor) & 0xffffffff
    return int((minor & 0xff) | ((major & 0xfff) << 8) | ((minor & ~0xff) << 12) | ((major & ~0xfff) << 32))


def _device(value):
    if not isinstance(value, (int, long)):
        raise TypeError("'%s' object cannot be interpreted as an index" % type(value).__name__)
    return value & 0xffffffffffffffff


_CONVERTERS = {"i": _args.c_int, "l": _args.c_long, "f": _fd_argument,
               "U": lambda v: _args.signed32(_args.uid(v)), "G": lambda v: _args.signed32(_args.gid(v))}


def _checked(name, function, spec):
    def checked(*args, **kwargs):
        converted = []
        for index, value in enumerate(args):
            kind = spec[index] if index < len(spec) else None
            if kind == "p":
                if isinstance(value, str) and "\0" in value:
                    raise TypeError("%s() argument %d must be encoded string without null bytes, not str"
                                    % (name, index + 1))
                if not isinstance(value, basestring):
                    raise TypeError("coercing to Unicode: need string or buffer, %s found" % type(value).__name__)
            elif kind is not None:
                value = _CONVERTERS[kind](value)
            converted.append(value)
        return function(*converted, **kwargs)
    checked.__name__ = name
    checked.__doc__ = function.__doc__
    checked._harpd_checked = True
    for attribute in ("_harpd_recording", "_harpd_jython"):
        if hasattr(function, attribute):
            setattr(checked, attribute, getattr(function, attribute))
    return checked


def _check_arguments():
    for name, spec in _CHECKED.items():
        function = getattr(_os, name, None)
        if function is not None and not getattr(function, "_harpd_checked", False):
            setattr(_os, name, _checked(name, function, spec))


def _popen_close_answers_the_wait_status():
    """os.popen(...).close() answers None for success, else the wait status as CPython's (768 for "exit 3"), not
    the exit code; commands.getstatusoutput builds on it."""
    wrap_close = getattr(_os, "_wrap_close", None)
    if wrap_close is None or getattr(wrap_close.close, "_harpd_status", False):
        return

    def close(self):
        self._stream.close()
        returncode = self._proc.wait()
        if returncode == 0:
            return None
        return _status_of(returncode)
    close._harpd_status = True
    wrap_close.close = close


def install():
    """Put these into os, replacing Jython's versions of the same names. Jython's posix module is a Java class
    shared by every interpreter of the JVM, so it is left alone."""
    _C.load()
    global _signals_noted
    if not _signals_noted:
        for name, group in (("kill", False), ("killpg", True)):
            if hasattr(_os, name):
                setattr(_os, name, _noting_signals(name, getattr(_os, name), group))
        _signals_noted = True
    # umask and chdir are recorded for the child; the others would act on the worker itself, so a
    # preexec_fn that calls them is refused instead
    for name in ("umask", "chdir", "close", "closerange", "dup", "dup2", "kill", "killpg", "putenv", "unsetenv",
                 "execv", "execve", "_exit"):
        if hasattr(_os, name) and name not in FUNCTIONS:
            function = getattr(_os, name)
            if getattr(function, "_harpd_recording", False):
                function = function._harpd_recording
            FUNCTIONS[name] = _recording_wrapper(name, function)
    for name, wrap in (("read", _read_with_errno), ("fstat", lambda f: _fstat_with_linux_fields(_fstat_of_any_file(f))),
                       ("open", _open_keeping_contents), ("stat", lambda f: _stat_with_linux_fields(f, True)),
                       ("lstat", lambda f: _stat_with_linux_fields(f, False)), ("listdir", _listdir_naming_the_error)):
        if not hasattr(getattr(_os, name), "_harpd_jython"):
            wrapped = wrap(getattr(_os, name))
            wrapped._harpd_jython = True
            FUNCTIONS[name] = wrapped
    for name, value in FUNCTIONS.items():
        setattr(_os, name, value)
    for name, value in CONSTANTS.items():
        setattr(_os, name, value)
    for name in ("major", "minor", "makedev", "stat_result"):
        setattr(_os, name, globals()[name])
    _popen_close_answers_the_wait_status()
    _check_arguments()
