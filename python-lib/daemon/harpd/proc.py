"""
Interface for published procedures.

Mark a function with :func:`procedure` or :func:`streaming_procedure` (or
create an instance of a subclass of :class:`Procedure` or
:class:`StreamingProcedure`) and store it in a global variable of the
procedures file: the daemon exposes it under the variable's name.
"""

from __future__ import absolute_import

__all__ = [
    "Result", "Procedure", "StreamingProcedure",
    "procedure", "streaming_procedure", "caller", "Caller",
]


class Caller(object):
    """
    Who made the running call, as the daemon authenticated it.

    .. attribute:: user

       the authenticated harpd user name (unicode)

    .. attribute:: address

       the client's IP address (unicode)

    .. attribute:: port

       the client's TCP port

    .. attribute:: id

       the call's id (unicode, 16 hex digits), unique to the call, e.g. to
       tie log lines of one call together
    """

    __slots__ = ("user", "address", "port", "id")

    def __init__(self, user, address, port, id):
        self.user = user
        self.address = address
        self.port = port
        self.id = id

    def __repr__(self):
        return "Caller(user=%r, address=%r, port=%r, id=%r)" % (
            self.user, self.address, self.port, self.id)


# Set by the daemon for the length of each call.
_caller = None


def caller():
    """
    :return: the :class:`Caller` of the running call, or None outside a call
        (e.g. while the procedures file is being loaded)
    """
    return _caller


class Result(object):
    """
    Yield a message to be resulting value from :class:`StreamingProcedure`.

    :param value: value to be returned
    """

    def __init__(self, value):
        self.value = value

    def __repr__(self):
        return "Result(%r)" % (self.value,)


class Procedure(object):
    """
    Simple callable wrapper over a function.

    :param function: function to wrap
    :param timeout: seconds after which SIGXCPU is delivered to the running
        function (its default handler raises ``Timeout``)
    :param uid: user to run the function as
    :param gid: group or list of groups to run the function as

    .. attribute:: function

       function to call

    .. attribute:: timeout

       seconds after which the function gets ``Timeout``; if it still runs
       ``workers.timeout_grace`` later, its worker is killed

    .. attribute:: uid

       UID or username to run the function as

    .. attribute:: gid

       GID or group name to run the function as; can also be a list of
       names/GIDs to set supplementary groups (the first group will be the
       primary one)
    """

    # Class-level defaults, so that a subclass that overrides __init__()
    # without calling ours still has every attribute the daemon reads.
    function = None
    timeout = None
    uid = None
    gid = None

    def __init__(self, function, timeout=None, uid=None, gid=None):
        self.function = function
        self.timeout = timeout
        self.uid = uid
        self.gid = gid
        doc = getattr(function, "__doc__", None)
        if doc is not None:
            self.__doc__ = doc

    def __call__(self, *args, **kwargs):
        """
        :return: call result

        Execute the procedure and return its result.
        """
        return self.function(*args, **kwargs)


class StreamingProcedure(Procedure):
    """
    Callable wrapper over a function that produces streamed response using
    ``yield``.

    Parameters and attributes are the same as for :class:`Procedure`.
    """

    _result = None

    def __call__(self, *args, **kwargs):
        """
        :return: stream result
        :rtype: iterator

        Execute the procedure and return its streamed result as an iterator.
        To report returned value, use :meth:`result`.
        """
        self._result = None
        return self._stream(self.function(*args, **kwargs))

    def _stream(self, messages):
        for message in messages:
            if isinstance(message, Result):
                self._result = message.value
                return
            yield message

    def result(self):
        """
        :return: call result

        Return the result that the procedure was supposed to return.
        """
        return self._result


def _decorator(cls, function, timeout, uid, gid):
    if function is None:
        # used with options: @procedure(timeout = ..., uid = ..., gid = ...)
        def decorate(function):
            return cls(function, timeout=timeout, uid=uid, gid=gid)
        return decorate
    return cls(function, timeout=timeout, uid=uid, gid=gid)


def procedure(function=None, timeout=None, uid=None, gid=None):
    """
    Mark the function as a remote callable procedure.

    Usable bare (``@procedure``) or with options
    (``@procedure(timeout = ..., uid = ..., gid = ...)``).

    Whatever the function returns, it will be sent as a result.
    """
    return _decorator(Procedure, function, timeout, uid, gid)


def streaming_procedure(function=None, timeout=None, uid=None, gid=None):
    """
    Mark the function as a remote callable procedure that returns streamed
    result.

    Function produces the stream by using ``yield msg``. To return a value,
    function should yield :class:`Result` object, which will be the last
    object consumed. If function does not yield :class:`Result`, reported
    returned value will be simply ``None``.

    Unlike the original harpd, the options are honoured here too.
    """
    return _decorator(StreamingProcedure, function, timeout, uid, gid)
