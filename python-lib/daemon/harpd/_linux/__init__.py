"""
Modules of CPython 2.7 on Linux that Jython 2.7 lacks or has otherwise: fcntl, resource, syslog, spwd, termios,
struct (native order). harpd._jython_os makes
``import fcntl`` and the like load them in harpd's interpreters; they live here, not on sys.path under their
own names, so that a CPython given harpd's Python directory for the client library keeps its own.
"""
