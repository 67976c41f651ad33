"""
The names procedures written for the Python harpd import from ``harpd.daemon``.

In the Python harpd this module held the network server; here the daemon runs on the JVM, and this
module keeps the classes procedures refer to: :class:`RequestHandler` with its nested
:class:`RequestHandler.RequestError` and :class:`RequestHandler.Timeout` (e.g. to catch the timeout,
``except RequestHandler.Timeout:``), and :meth:`RequestHandler.log`. Importing it starts nothing.
"""

from __future__ import absolute_import

from harpd import log as _log
from harpd._timeout import Timeout as _Timeout

__all__ = ["RequestHandler"]


class _RequestError(Exception):
    """
    Request processing error. Note that this is a different thing than exception raised in called
    procedure's code.

    :param type: error type, as on the wire (``"invalid_request"``, ``"timeout"``, ...)
    :param message: human-readable description
    :param data: any JSON-serialisable value that helps troubleshooting, or ``None``
    """

    def __init__(self, type, message, data=None):
        Exception.__init__(self, type, message, data)
        self.type = type
        self.message = message
        self.data = data

    def __str__(self):
        return str(self.message)

    def struct(self):
        """The error as a dict suitable for transmitting to the client."""
        error = {"type": self.type, "message": self.message}
        if self.data is not None:
            error["data"] = self.data
        return error


_RequestError.__name__ = "RequestError"


class RequestHandler(object):
    """
    The Python harpd's per-connection request handler. Only its nested exception classes and
    :meth:`log` are of use to procedures; the JVM daemon handles requests itself.
    """

    RequestError = _RequestError
    Timeout = _Timeout

    def log(self, message, **context):
        """Log a message (INFO) as harpd logs its own: ``{"message": ..., <context>}``."""
        _log.log(message, **context)
