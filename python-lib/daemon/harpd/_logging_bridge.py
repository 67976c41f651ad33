"""
Connects Python's ``logging`` to harpd's log configuration (``-l``, ``--syslog``).

harpd installs one handler on the interpreter's root logger when it creates an interpreter, and gives the
root logger and every logger the configuration names their configured levels (the root logger INFO without
``-l``), as the original's configuration set them in the process it forked: ``getEffectiveLevel()`` and
``isEnabledFor()`` answer as there. Every record a logger lets through goes to the Java side, which applies
the configured loggers and handlers, so ``logging.getLogger("procs").warning(...)`` in a procedure or an
authentication module behaves as it would under the Python harpd. In a worker process the records travel
over the worker's pipe to the listener, so a procedure running as ``nobody`` still logs.
"""

from __future__ import absolute_import

import logging

from org.harpd.logging import PythonLogBridge as _Bridge


class BridgeHandler(logging.Handler):
    """Hands each record, formatted as ``record.getMessage()`` (plus a traceback, if any), to harpd."""

    def __init__(self):
        logging.Handler.__init__(self, logging.NOTSET)
        self._traceback = logging.Formatter()

    def emit(self, record):
        try:
            message = record.getMessage()
            if record.exc_info:
                message = message + "\n" + self._traceback.formatException(record.exc_info)
            if isinstance(message, str):
                # a byte string, as CPython 2 code logs: show it as the UTF-8 it most likely is
                message = message.decode("utf-8", "replace")
            _Bridge.record(record.name, record.levelno, message, record.created, record.process or 0)
        except (KeyboardInterrupt, SystemExit):
            raise
        except Exception:
            self.handleError(record)


def install():
    """Makes the bridge the root logger's only handler of its kind; idempotent."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, BridgeHandler):
            root.removeHandler(handler)
    root.addHandler(BridgeHandler())
    for entry in _Bridge.levels().entrySet():
        logger = logging.getLogger(entry.getKey()) if entry.getKey() else root
        logger.setLevel(int(entry.getValue()))
