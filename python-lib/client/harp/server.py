"""Synchronous calls to harpd(8): :class:`HarpServer` and friends."""

from __future__ import absolute_import, division, print_function

from harp.caller import RemoteProcedure, RemoteServer
from harp.connection import JSONSSLConnection
from harp.errors import CommunicationError, InvalidArgumentsError, RemoteError, RemoteException
from harp.result import Result

PROTOCOL_VERSION = 1
DEFAULT_PORT = 4306


class HarpServer(object):
    """harpd(8) server representation.

    Any attribute is a :class:`HarpProcedure`, so remote procedures are
    called like methods::

        server = HarpServer(
            host = "example.net",
            user = "username",
            password = "some password",
            ca_file = "trusted_ca.cert.pem",
        )
        result = server.some_method("arg1", "arg2")

    :param host: address of harpd(8)
    :param user: username to authenticate as
    :param password: password for the username
    :param port: port of harpd(8)
    :param ca_file: file with CA certificates to verify the server's
        certificate against, or ``None`` for no verification: the connection
        is then encrypted but the server is not authenticated (the original
        library's behaviour), so the password could be given to an impostor
    :param check_hostname: with *ca_file*, also require the certificate to
        name *host*; pass ``False`` e.g. for an IP address the certificate
        does not list
    :param timeout: seconds to wait for connecting and for each message
        (``None``: forever). A slow procedure needs a large enough value.

    Each call opens its own TLS connection (TLS 1.2 or newer).
    """

    def __init__(self, host, user, password, port=DEFAULT_PORT, ca_file=None,
                 check_hostname=True, timeout=None):
        self._host = host
        self._port = port
        self._user = user
        self._password = password
        self._ca_file = ca_file
        self._check_hostname = check_hostname
        self._timeout = timeout

    def __getattr__(self, procedure):
        # special names are Python's protocols (copy, pickle...), not procedures
        if procedure.startswith("__") and procedure.endswith("__"):
            raise AttributeError(procedure)
        return HarpProcedure(self, procedure)

    def __repr__(self):
        return "<HarpServer %s:%s as %r>" % (self._host, self._port, self._user)

    def _connect(self):
        return JSONSSLConnection(self._host, self._port, ca_file=self._ca_file,
                                 check_hostname=self._check_hostname, timeout=self._timeout)

    def _request(self, procedure, arguments):
        return {
            "harp": PROTOCOL_VERSION,
            "procedure": procedure,
            "arguments": arguments,
            "auth": {"user": self._user, "password": self._password},
        }


class HarpProcedure(object):
    """Procedure on a harpd(8) server; instances are callable.

    :param server: :class:`HarpServer` where the procedure is to be executed
    :param name: procedure name
    """

    def __init__(self, server, name):
        self.server = server
        self.name = name

    def __repr__(self):
        return "<HarpProcedure %s on %r>" % (self.name, self.server)

    def __call__(self, *args, **kwargs):
        """Execute the procedure and get its result.

        Pass either positional or keyword arguments, not both
        (:class:`harp.InvalidArgumentsError`, a ``ValueError``).

        A single result is returned as is. A streamed result is returned as
        a :class:`HarpStreamIterator` yielding the stream's values, the last
        one always a :class:`harp.Result`; errors arriving mid-stream are
        raised from the iteration. Closing the iterator (or dropping it)
        before the end closes the connection, which cancels the call.

        :raises harp.RemoteException: the procedure raised an exception
        :raises harp.RemoteError: harpd reported an error (authentication,
            unknown procedure, wrong arguments, timeout...)
        :raises harp.CommunicationError: connection or TLS failure, malformed
            message, or connection closed before the result
        """
        if args and kwargs:
            raise InvalidArgumentsError(
                "procedure %s called with both positional and keyword arguments" % (self.name,))
        arguments = kwargs if kwargs else list(args)
        conn = self.server._connect()
        streamed = False
        try:
            conn.send(self.server._request(self.name, arguments))
            streamed = _acknowledgement(conn)
            if streamed:
                return HarpStreamIterator(_stream(conn))
            return _end_value(_next_message(conn))
        finally:
            if not streamed:
                conn.close()


def list_procedures(server):
    """The procedures of a :class:`HarpServer` that its user may call.

    Answered by harpd itself (the built-in ``harpd.procedures``; a harpd
    without it reports ``no_such_procedure``).

    *server* may also be a :class:`harp.RemoteServer` (``HarpCaller(...).host(
    "web01")``): the question is then submitted to the dispatcher as an
    ordinary job, answered for the user the dispatcher's hosts registry
    names, and waited for; the job's failures are raised as
    :meth:`harp.RemoteCall.get` raises them.

    :return: a list, sorted by name, of descriptions as
        :func:`describe_procedure` returns them
    """
    return _ask(server, "harpd.procedures")


def describe_procedure(server, name):
    """Describe one procedure of a :class:`HarpServer` that its user may call.

    *server* may also be a :class:`harp.RemoteServer`, as for
    :func:`list_procedures`.

    :return: a dict: ``name``, ``kind`` (``"plain"`` or ``"streaming"``),
        ``signature`` (e.g. ``"add(a, b=..., *rest)"``), ``parameters``,
        ``defaults`` (how many trailing parameters have a default),
        ``varargs`` and ``varkw`` (names or None), ``doc`` (or None),
        ``timeout`` (seconds or None), ``uid`` (or None) and ``gid`` (a list)
    :raises harp.RemoteError: ``no_such_procedure`` for a procedure that does
        not exist or that the user may not call
    """
    return _ask(server, "harpd.describe", name)


def _ask(server, procedure, *args):
    """Call a discovery procedure on harpd directly, or through the dispatcher as a job waited for."""
    if isinstance(server, RemoteServer):
        return RemoteProcedure(server._dispatcher, server, procedure)(*args).get(wait=True)
    return HarpProcedure(server, procedure)(*args)


class HarpStreamIterator(object):
    """Iterator wrapper telling streamed results apart from single results.

    :param orig_iterator: iterator producing the stream's values
    """

    def __init__(self, orig_iterator):
        self._iterator = iter(orig_iterator)

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._iterator)

    next = __next__  # Python 2

    def close(self):
        """Stop reading; for a call still running this cancels it."""
        close = getattr(self._iterator, "close", None)
        if close is not None:
            close()


def _next_message(conn):
    message = conn.receive()
    if message is None:
        raise CommunicationError("connection closed before the call's result arrived")
    if not isinstance(message, dict):
        raise CommunicationError("unexpected message from server: %r" % (message,))
    if "error" in message:
        raise RemoteError(*_problem(message["error"]))
    return message


def _acknowledgement(conn):
    ack = _next_message(conn)
    streamed = ack.get("stream_result")
    if ack.get("harp") != PROTOCOL_VERSION or not isinstance(streamed, bool):
        raise CommunicationError("unexpected acknowledgement from server: %r" % (ack,))
    return streamed


def _end_value(message):
    """The value of a call's final message, or the exception it reports."""
    if "result" in message:
        return message["result"]
    if "exception" in message:
        raise RemoteException(*_problem(message["exception"]))
    raise CommunicationError("unexpected message from server: %r" % (message,))


def _problem(body):
    """(type, message, data) of an error or exception message body."""
    if not isinstance(body, dict):
        raise CommunicationError("malformed error report from server: %r" % (body,))
    return body.get("type"), body.get("message"), body.get("data")


def _stream(conn):
    try:
        while True:
            message = _next_message(conn)
            if "stream" in message:
                yield message["stream"]
            else:
                yield Result(_end_value(message))
                return
    finally:
        conn.close()
