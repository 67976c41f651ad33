"""Exceptions raised by the harp client library.

Every exception this package raises on purpose is a :class:`HarpException`,
so a caller can catch that one class to handle any harp failure.
"""

from __future__ import absolute_import, division, print_function


def _native(text):
    """Return *text* as the interpreter's native ``str``.

    Python 2's ``str()`` of an exception must be a byte string; messages
    that came over the wire are ``unicode`` there, so they are UTF-8 encoded.
    """
    if str is bytes and not isinstance(text, bytes):
        return text.encode("utf-8")
    return text


class HarpException(Exception):
    """Base class for all exceptions thrown in this module."""


class CommunicationError(HarpException):
    """Error in communication with the server.

    Raised for failures to connect, TLS handshake or certificate
    verification failures, timeouts, malformed messages, and a connection
    closed before the call's result arrived.
    """


class CancelledException(HarpException):
    """Exception thrown when job has no return value due to being cancelled."""


class InvalidArgumentsError(HarpException, ValueError):
    """A procedure was called with both positional and keyword arguments.

    The harp protocol carries either a list or a mapping of arguments, never
    both. This is raised before anything is sent; it is also a ``ValueError``.
    """


class _RemoteProblem(HarpException):
    """Common shape of problems reported by the remote side."""

    def __init__(self, type, message, data=None):
        HarpException.__init__(self, type, message, data)
        #: identifier of the error type (unicode)
        self.type = type
        #: complete, human readable error message (unicode)
        self.message = message
        #: arbitrary JSON-serializable context; None if none was sent
        self.data = data

    def __str__(self):
        return _native(u"%s: %s" % (self.type, self.message))


class RemoteException(_RemoteProblem):
    """The remote procedure raised an exception.

    ``type`` is usually the exception's class name (e.g. ``u"ValueError"``),
    ``message`` its text and ``data`` extra context (harpd sends the class
    and module names).
    """


class RemoteError(_RemoteProblem):
    """The server reported a protocol-level or operational error.

    Examples of ``type``: ``auth_error``, ``forbidden``, ``no_such_procedure``,
    ``invalid_argument_list``, ``timeout``, ``shutdown``, ``parse_error``.
    """
