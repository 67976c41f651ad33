"""
subprocess.Popen as procedures written for CPython 2.7 on Linux use it, on top of Jython's.

``preexec_fn`` cannot run in the child, since a JVM cannot fork: it runs in the caller while the ``os``
functions it may call (setsid, setpgrp, setpgid(0, 0), setuid, setgid, setgroups, initgroups, umask, chdir,
nice) only record what they were asked, and the child is started through programs that do the same before
they execute it: ``/bin/sh`` (umask, cd), ``/usr/bin/nice``, ``/usr/bin/setsid`` and ``/usr/bin/setpriv``,
named by absolute path, none looked up in PATH. Each of them executes the next, so ``Popen.pid`` is the
program's own pid. Any other call of the recorded kind is refused.

A child killed by a signal this Popen (or os.kill, os.killpg of the procedure) sent reports ``-signal`` as
``returncode``, as in CPython. Java reports any killed child as 128 + signal, so a child killed by a signal
from elsewhere still reports 128 + signal.
"""

from __future__ import absolute_import

import os as _os

from harpd import _linux_os

SH = "/bin/sh"
NICE = "/usr/bin/nice"
SETSID = "/usr/bin/setsid"
SETPRIV = "/usr/bin/setpriv"

class PreexecError(ValueError):
    pass


class _Recorder(object):
    """What a preexec_fn asked for, collected by the os functions while it runs (see record())."""

    def __init__(self):
        self.setsid = False
        self.uid = None
        self.gid = None
        self.groups = None
        self.init_groups = False
        self.umask = None
        self.chdir = None
        self.nice = 0

    def record(self, name, *args):
        """Called by the os functions while the preexec_fn runs; returns what the function would return."""
        return _record(self, name, *args)


def _unsupported(name):
    raise PreexecError("preexec_fn called os.%s(), which harpd cannot apply to a child process: a Java VM "
                       "cannot run code between fork and exec; supported there are setsid, setpgrp, "
                       "setpgid(0, 0), setuid, setgid, setgroups, initgroups, umask, chdir and nice" % name)


def _record(r, name, *args):
    if name in ("setsid", "setpgrp"):
        r.setsid = True
    elif name == "setpgid":
        if tuple(args) != (0, 0):
            _unsupported("setpgid%r" % (tuple(args),))
        r.setsid = True
    elif name == "setuid":
        r.uid = int(args[0])
    elif name == "setgid":
        r.gid = int(args[0])
    elif name == "setgroups":
        r.groups = [int(g) for g in args[0]]
        r.init_groups = False
    elif name == "initgroups":
        r.init_groups = True
        r.groups = None
        if r.gid is None:
            r.gid = int(args[1])
    elif name == "umask":
        previous = r.umask if r.umask is not None else _current_umask()
        r.umask = int(args[0]) & 0o777
        return previous
    elif name == "chdir":
        r.chdir = args[0]
    elif name == "nice":
        r.nice += int(args[0])
        return r.nice
    else:
        _unsupported(name)
    return None


def _current_umask():
    from org.harpd.posix import Posix
    mask = Posix.umask(0o022)
    Posix.umask(mask)
    return mask


def _wrapper(r):
    """argv that applies what the preexec_fn asked for and then executes the rest of the command line."""
    prefix = []
    if r.umask is not None or r.chdir is not None:
        script = []
        if r.umask is not None:
            script.append("umask %03o" % r.umask)
        if r.chdir is not None:
            script.append('cd -- "$1" || exit 127')
        script.append("shift")
        script.append('exec "$@"')
        prefix += [SH, "-c", "; ".join(script), "sh", r.chdir if r.chdir is not None else "-"]
    if r.nice:
        prefix += [NICE, "-n", str(r.nice)]
    if r.setsid:
        prefix += [SETSID]
    if r.uid is not None or r.gid is not None or r.groups is not None or r.init_groups:
        prefix += [SETPRIV]
        if r.gid is not None:
            prefix.append("--regid=%d" % r.gid)
        if r.uid is not None:
            prefix.append("--reuid=%d" % r.uid)
        if r.init_groups:
            prefix.append("--init-groups")
        elif r.groups is not None:
            prefix.append("--groups=%s" % ",".join(str(g) for g in r.groups) if r.groups else "--clear-groups")
        prefix.append("--")
    for program in set(p for p in prefix if p.startswith("/")):
        if not _os.access(program, _os.X_OK):
            raise OSError(2, "preexec_fn needs %s, which is not installed" % program)
    return prefix


def _terminal(stream):
    """The path of the terminal stream (a descriptor or file object given as stdin/stdout/stderr) is open on,
    or None."""
    if stream is None or (isinstance(stream, (int, long)) and stream < 0):
        return None
    if not isinstance(stream, (int, long)) and hasattr(stream, "fileno"):
        try:
            stream = stream.fileno()
        except (IOError, OSError, ValueError):
            return None
    if not _linux_os.isatty(stream):
        return None
    return _linux_os.ttyname(stream)


def _terminal_redirections(stdin, stdout, stderr, stderr_is_stdout):
    """
    (argv prefix, stdin, stdout, stderr) giving the child the terminals among stdin/stdout/stderr as its own
    descriptors 0-2, as in CPython. Jython would copy them through pipes, and the child would see no terminal:
    instead /bin/sh opens each by its path in the child and executes the rest; the streams it opens are
    passed on as None.
    """
    paths = [_terminal(stdin), _terminal(stdout), None if stderr_is_stdout else _terminal(stderr)]
    if not any(paths):
        return [], stdin, stdout, stderr
    script = []
    arguments = []
    for fd, path in enumerate(paths):
        if path is not None:
            arguments.append(path)
            script.append('%d%s"$%d"' % (fd, "<" if fd == 0 else ">>", len(arguments)))
    if stderr_is_stdout and paths[1] is not None:
        script.append("2>&1")
        stderr = None
    prefix = [SH, "-c", "exec %s || exit 127; shift %d; exec \"$@\"" % (" ".join(script), len(arguments)),
              "sh"] + arguments
    return (prefix, None if paths[0] else stdin, None if paths[1] else stdout,
            None if paths[2] else stderr)


def _run_recording(preexec_fn):
    r = _Recorder()
    if preexec_fn in (_linux_os.setsid, _linux_os.setpgrp):
        r.setsid = True
        return r
    _linux_os._recording.current = r
    try:
        preexec_fn()
    finally:
        _linux_os._recording.current = None
    return r


def patch(subprocess):
    base = subprocess.Popen
    if getattr(base, "_harpd_linux", False):
        return

    class Popen(base):
        _harpd_linux = True

        def __init__(self, args, bufsize=0, executable=None, stdin=None, stdout=None, stderr=None,
                     preexec_fn=None, close_fds=False, shell=False, cwd=None, env=None,
                     universal_newlines=False, startupinfo=None, creationflags=0):
            self._signal_sent = None
            terminals, stdin, stdout, stderr = _terminal_redirections(
                stdin, stdout, stderr, stderr is not None and stderr == subprocess.STDOUT)
            if preexec_fn is not None or terminals:
                # the terminals are opened before a setsid() of preexec_fn takes effect, so that, as in CPython,
                # the child does not make one its controlling terminal
                prefix = terminals + (_wrapper(_run_recording(preexec_fn)) if preexec_fn is not None else [])
                if isinstance(args, basestring):
                    args = [SH, "-c", args] if shell else [args]
                else:
                    args = ([SH, "-c"] if shell else []) + list(args)
                if executable is not None:
                    args[0] = executable
                    executable = None
                args = prefix + args
                shell = False
            base.__init__(self, args, bufsize, executable, stdin, stdout, stderr, None, close_fds, shell, cwd,
                          env, universal_newlines, startupinfo, creationflags)
            _linux_os._register_popen(self)

        def send_signal(self, sig):
            self._signal_sent = sig
            base.send_signal(self, sig)

        def terminate(self):
            self._signal_sent = 15
            base.terminate(self)

        def kill(self):
            self._signal_sent = 9
            base.kill(self)

        def _signalled(self):
            # Java reports a child killed by signal s as exit value 128 + s
            code = self.returncode
            if code is not None and self._signal_sent is not None and code == 128 + self._signal_sent:
                self.returncode = -self._signal_sent
            if code is not None:
                # collected, as a reaped child in CPython: os.wait() no longer reports it
                _linux_os._popens.pop(int(self.pid), None)
            return self.returncode

        def poll(self, *args):
            base.poll(self, *args)
            return self._signalled()

        def _internal_poll(self, *args):
            base._internal_poll(self, *args)
            return self._signalled()

        def wait(self):
            base.wait(self)
            return self._signalled()

    Popen.__name__ = "Popen"
    Popen.__module__ = subprocess.__name__
    subprocess.Popen = Popen
