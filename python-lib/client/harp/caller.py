"""Asynchronous calls through the harpcallerd dispatcher: :class:`HarpCaller`.

The dispatcher takes a call request, answers at once with a job id, runs the
call against harpd(8) and keeps everything it returned, so results and
streams can be read later, by another process, also after a restart::

    import harp

    rpc = harp.HarpCaller("dispatcher.example.net")
    job = rpc.web01(queue={"service": "nginx"}, max_exec_time=60).restart_nginx()
    print(job.id())
    for msg in job.follow():
        print(msg)
    print(job.get())

Every request opens its own plain TCP connection to the dispatcher and sends
one JSON line (the dispatcher's protocol serves one request per connection).
"""

from __future__ import absolute_import, division, print_function

from harp.connection import JSONConnection
from harp.errors import (CancelledException, CommunicationError, HarpException,
                         InvalidArgumentsError, RemoteError, RemoteException)
from harp.result import CALL_CANCELLED, CALL_NOT_FINISHED

PROTOCOL_VERSION = 1
DEFAULT_PORT = 3502

_UNSET = object()


class HarpCaller(object):
    """Dispatcher server representation.

    Any attribute not defined here is a :class:`RemoteServer` for the host of
    that name (``rpc.web01``), without job options.

    :param host: address of the dispatcher
    :param port: port of the dispatcher
    :param timeout: seconds to wait for connecting and for each reply line
        (``None``, the default, waits forever, as ``get()`` and ``follow()``
        of a long job need)
    """

    def __init__(self, host, port=DEFAULT_PORT, timeout=None):
        self._host = host
        self._port = port
        self._timeout = timeout

    def __getattr__(self, host):
        # special names are Python's protocols (copy, pickle...), not hosts
        if host.startswith("__") and host.endswith("__"):
            raise AttributeError(host)
        return self.host(host)

    def __repr__(self):
        return "<HarpCaller %s:%s>" % (self._host, self._port)

    def __call__(self, host, **kwargs):
        """The same as :meth:`host`: ``rpc("web01").uptime()``."""
        return self.host(host, **kwargs)

    def host(self, host, **kwargs):
        """Prepare the target and job options for calling a procedure on *host*.

        Takes the options of :meth:`RemoteServer.__call__` (``queue``,
        ``concurrency``, ``timeout``, ``max_exec_time``, ``info``).

        :rtype: :class:`RemoteServer`
        """
        return RemoteServer(self, host)(**kwargs)

    def job(self, job_id):
        """A job, known by its id, to read its result, stream and status.

        :rtype: :class:`RemoteCall`
        """
        return RemoteCall(self, job_id)

    def connect(self):
        """A new connection to the dispatcher, to send a request and read replies.

        :rtype: :class:`harp.JSONConnection`
        :raises harp.CommunicationError: the dispatcher cannot be reached
        """
        return JSONConnection(self._host, self._port, timeout=self._timeout)

    def request(self, req):
        """Send one request and return the dispatcher's one-line reply.

        :param req: request (a dict; ``"harpcaller": 1`` is the caller's to add)
        :rtype: dict
        :raises harp.CommunicationError: connection failure, a reply that is
            not a JSON object, or the connection closed without a reply
        """
        with self.connect() as conn:
            conn.send(req)
            reply = conn.receive()
        if reply is None:
            raise CommunicationError("dispatcher %s port %s closed the connection without a reply"
                                     % (self._host, self._port))
        if not isinstance(reply, dict):
            raise CommunicationError("unexpected reply from dispatcher: %r" % (reply,))
        return reply


class RemoteServer(object):
    """Target host of calls, with the job options to call its procedures with.

    Any attribute is a :class:`RemoteProcedure`; calling it submits a job::

        host = rpc.host("web01", queue={"service": "nginx"})
        job = host.restart_nginx()

    :param dispatcher: :class:`HarpCaller` instance
    :param hostname: name of the target host, as the dispatcher's hosts
        registry knows it
    """

    def __init__(self, dispatcher, hostname):
        self._dispatcher = dispatcher
        self._hostname = hostname
        self._queue = None
        self._concurrency = None
        self._timeout = None
        self._max_exec_time = None
        self._info = _UNSET

    def __call__(self, **kwargs):
        """Adjust job options for this host; returns this same object.

        :param queue: name of a queue to wait in (any JSON object; equal
            objects name the same queue)
        :param concurrency: how many jobs of the queue run at once
            (only sent with *queue*; the dispatcher's default is 1)
        :param timeout: longest time in seconds between consecutive messages
            from the procedure
        :param max_exec_time: longest time in seconds the job may take
        :param info: any JSON-serializable data, stored with the job and
            returned by :meth:`RemoteCall.info`
        :raises TypeError: an option not listed here
        """
        unknown = set(kwargs) - set(["queue", "concurrency", "timeout", "max_exec_time", "info"])
        if unknown:
            raise TypeError("unknown job option(s): %s" % (", ".join(sorted(unknown)),))
        if "queue" in kwargs:
            self._queue = kwargs["queue"]
        if "concurrency" in kwargs:
            self._concurrency = kwargs["concurrency"]
        if "timeout" in kwargs:
            self._timeout = kwargs["timeout"]
        if "max_exec_time" in kwargs:
            self._max_exec_time = kwargs["max_exec_time"]
        if "info" in kwargs:
            self._info = kwargs["info"]
        return self

    def __getattr__(self, procedure):
        if procedure.startswith("__") and procedure.endswith("__"):
            raise AttributeError(procedure)
        return RemoteProcedure(self._dispatcher, self, procedure)

    def __str__(self):
        """The target host's name."""
        return self._hostname

    def __repr__(self):
        return "<RemoteServer %s>" % (self._hostname,)

    def _call_options(self):
        """The job options of a call request; options never set are left out."""
        options = {}
        if self._queue is not None:
            options["queue"] = {"name": self._queue}
            if self._concurrency is not None:
                options["queue"]["concurrency"] = self._concurrency
        if self._timeout is not None:
            options["timeout"] = self._timeout
        if self._max_exec_time is not None:
            options["max_exec_time"] = self._max_exec_time
        if self._info is not _UNSET:
            options["info"] = self._info
        return options


class RemoteProcedure(object):
    """Callable representation of a procedure on a target host.

    :param dispatcher: :class:`HarpCaller` instance
    :param server: :class:`RemoteServer` carrying the host and job options
    :param procedure: name of the procedure
    """

    def __init__(self, dispatcher, server, procedure):
        self._dispatcher = dispatcher
        self._server = server
        self._procedure = procedure

    def host(self):
        """Name of the host this procedure will be called on."""
        return str(self._server)

    def procedure(self):
        """Name of the procedure that will be called."""
        return self._procedure

    def __repr__(self):
        return "<RemoteProcedure %s:%s()>" % (self.host(), self._procedure)

    def __call__(self, *args, **kwargs):
        """Submit a call of this procedure to the dispatcher.

        Pass either positional or keyword arguments, not both
        (:class:`harp.InvalidArgumentsError`, a ``ValueError``).

        :rtype: :class:`RemoteCall`
        :raises harp.RemoteError: the dispatcher refused the request
        :raises harp.CommunicationError: the dispatcher could not be reached
            or sent no job id
        """
        if args and kwargs:
            raise InvalidArgumentsError(
                "procedure %s called with both positional and keyword arguments" % (self._procedure,))
        request = {
            "harpcaller": PROTOCOL_VERSION,
            "host": self.host(),
            "procedure": self._procedure,
            "arguments": kwargs if kwargs else list(args),
        }
        request.update(self._server._call_options())
        reply = self._dispatcher.request(request)
        if "error" in reply:
            raise _error(reply["error"])
        job_id = reply.get("job_id")
        if not isinstance(job_id, _TEXT_TYPES):
            raise CommunicationError("dispatcher sent no job id: %r" % (reply,))
        return RemoteCall(self._dispatcher, job_id)


class RemoteCall(object):
    """A job: its result, streamed result, status and cancellation.

    The end result is asked of the dispatcher once it is known to be final
    and then kept; a job's metadata is kept once the job has ended (until
    then every metadata call asks again, as start and end times change).

    :param dispatcher: :class:`HarpCaller` instance
    :param job_id: the job's id
    """

    class StreamIterator(object):
        """Iterator over a job's streamed result, as the dispatcher sends it.

        Yields each packet's data (or ``(packet_number, data)`` pairs when
        *numbered*). The message that ends the stream is remembered as the
        job's result when it is one (a result, exception, error or
        cancellation); ``{"continue": true}`` of :meth:`RemoteCall.stream`
        just ends the iteration. Closing the iterator (or leaving a ``with``
        block) closes the connection. ``job_ended`` tells, after the
        iteration, whether the stream ended with the job's end.

        :param remote_call: :class:`RemoteCall` to iterate through
        :param conn: connection the request was sent on
        :param numbered: yield ``(packet_number, data)`` pairs
        :raises harp.CommunicationError: from iteration, when the connection
            fails or closes before the message that ends the stream
        """

        def __init__(self, remote_call, conn, numbered=False):
            self.remote_call = remote_call
            self.conn = conn
            self.numbered = numbered
            self.job_ended = False
            self._done = False

        def __iter__(self):
            return self

        def __enter__(self):
            return self

        def __exit__(self, exc_type, exc_value, traceback):
            self.close()
            return False

        def __next__(self):
            if self._done:
                raise StopIteration()
            try:
                message = self.conn.receive()
            except BaseException:
                self.close()
                raise
            if isinstance(message, dict) and "packet" in message:
                if self.numbered:
                    return (message["packet"], message.get("data"))
                return message.get("data")
            self.close()
            if message is None:
                raise CommunicationError("connection closed before the end of the stream")
            if not isinstance(message, dict) or not (_is_end_message(message)
                                                     or message.get("continue") is True):
                raise CommunicationError("unexpected message in stream: %r" % (message,))
            if _is_end_message(message):
                self.job_ended = True
                self.remote_call._remember(_end_value(message))
            raise StopIteration()

        next = __next__  # Python 2

        def all(self):
            """All the packets this iterator would yield, in one list."""
            return list(self)

        def close(self):
            """Stop reading and close the connection."""
            self._done = True
            self.conn.close()

    def __init__(self, dispatcher, job_id):
        self.dispatcher = dispatcher
        self.job_id = job_id
        self._result = _UNSET
        self._status = None

    def __repr__(self):
        return "<RemoteCall %s>" % (self.job_id,)

    def id(self):
        """This job's id, to recall its data later."""
        return self.job_id

    # -- results ----------------------------------------------------------

    def result(self, wait=False):
        """The job's end result, however the job ended.

        :param wait: wait for the job to end
        :returns: the value the procedure returned; :data:`harp.CALL_NOT_FINISHED`
            (only without *wait*) while the job is queued or running;
            :data:`harp.CALL_CANCELLED`; or, *returned* rather than raised, a
            :class:`harp.RemoteException` (the procedure raised),
            :class:`harp.RemoteError` (the dispatcher or harpd reported an
            error, e.g. ``unknown_host``, ``timeout``, ``invalid_jobid``) or
            :class:`harp.CommunicationError` (the dispatcher could not be
            asked)
        """
        if self._result is not _UNSET:
            return self._result
        try:
            reply = self.dispatcher.request({
                "harpcaller": PROTOCOL_VERSION,
                "get_result": self.job_id,
                "wait": bool(wait),
            })
        except CommunicationError as e:
            return e
        if reply.get("no_result") is True:
            return CALL_NOT_FINISHED
        if not _is_end_message(reply):
            return CommunicationError("unexpected reply from dispatcher: %r" % (reply,))
        return self._remember(_end_value(reply))

    def get(self, wait=True):
        """The value the procedure returned, waiting for the job to end.

        :param wait: wait for the job to end; without it a running job gives
            :data:`harp.CALL_NOT_FINISHED`
        :raises harp.RemoteException: the procedure raised an exception
        :raises harp.RemoteError: the dispatcher or harpd reported an error
        :raises harp.CancelledException: the job was cancelled
        :raises harp.CommunicationError: the dispatcher could not be asked
        """
        result = self.result(wait=wait)
        if isinstance(result, HarpException):
            raise result
        if result is CALL_CANCELLED:
            raise CancelledException("job %s was cancelled" % (self.job_id,))
        return result

    def follow(self, since=None, recent=None, numbered=False):
        """Follow the job's streamed result, until the job ends.

        Yields the packets collected so far (from packet *since*, or the
        *recent* last ones; neither means ``recent=0``: only what comes
        next), then the rest as they arrive.

        :rtype: :class:`RemoteCall.StreamIterator`
        :raises ValueError: both *since* and *recent*
        """
        return self._stream_request("follow_stream", since, recent, numbered)

    def stream(self, since=None, recent=None, numbered=False):
        """The job's streamed result collected so far, without waiting.

        From packet *since*, or the *recent* last ones; neither means
        ``since=0``: all of it.

        :rtype: :class:`RemoteCall.StreamIterator`
        :raises ValueError: both *since* and *recent*
        """
        return self._stream_request("read_stream", since, recent, numbered)

    def cancel(self):
        """Stop the job.

        :returns: ``True`` if it was queued or running and is now stopped,
            ``False`` if it had ended already or does not exist
        :raises harp.RemoteError: the dispatcher reported an error
        :raises harp.CommunicationError: the dispatcher could not be asked
        """
        reply = self.dispatcher.request({"harpcaller": PROTOCOL_VERSION, "cancel": self.job_id})
        if "error" in reply:
            raise _error(reply["error"])
        cancelled = reply.get("cancelled")
        if not isinstance(cancelled, bool):
            raise CommunicationError("unexpected reply from dispatcher: %r" % (reply,))
        if cancelled:
            self._status = None
        return cancelled

    # -- metadata ---------------------------------------------------------

    def host(self):
        """Target host of this job."""
        return self._metadata()["call"]["host"]

    def procedure(self):
        """Name of the procedure called in this job."""
        return self._metadata()["call"]["procedure"]

    def args(self):
        """Arguments of this job's call (a list, or a dict of keyword arguments)."""
        return self._metadata()["call"]["arguments"]

    def info(self):
        """The ``info`` job option given at submission (``None`` if none was)."""
        return self._metadata().get("info")

    def submit_time(self):
        """Unix time the job was submitted."""
        return self._metadata()["time"]["submit"]

    def start_time(self):
        """Unix time the job started, or ``None`` while queued (or if cancelled in the queue)."""
        return self._metadata()["time"]["start"]

    def end_time(self):
        """Unix time the job ended (returned, failed or was cancelled), or ``None`` before."""
        return self._metadata()["time"]["end"]

    def _metadata(self):
        """The job's ``get_status`` reply, kept once the job has ended.

        :raises harp.RemoteError: e.g. ``invalid_jobid`` for an unknown job
        :raises harp.CommunicationError: the dispatcher could not be asked,
            or the reply lacks the call or its times
        """
        if self._status is not None:
            return self._status
        reply = self.dispatcher.request({"harpcaller": PROTOCOL_VERSION, "get_status": self.job_id})
        if "error" in reply:
            raise _error(reply["error"])
        call, times = reply.get("call"), reply.get("time")
        if (not isinstance(call, dict) or not isinstance(times, dict)
                or not all(k in call for k in ("host", "procedure", "arguments"))
                or not all(k in times for k in ("submit", "start", "end"))):
            raise CommunicationError("unexpected status reply from dispatcher: %r" % (reply,))
        if times["end"] is not None:
            self._status = reply
        return reply

    # -- helpers ----------------------------------------------------------

    def _stream_request(self, kind, since, recent, numbered):
        if since is not None and recent is not None:
            raise ValueError("since and recent are mutually exclusive")
        request = {"harpcaller": PROTOCOL_VERSION, kind: self.job_id}
        if since is not None:
            request["since"] = since
        if recent is not None:
            request["recent"] = recent
        conn = self.dispatcher.connect()
        try:
            conn.send(request)
        except BaseException:
            conn.close()
            raise
        return RemoteCall.StreamIterator(self, conn, numbered)

    def _remember(self, result):
        """Keep a final result; a communication failure is not one."""
        if not isinstance(result, CommunicationError):
            self._result = result
        return result


try:
    _TEXT_TYPES = (str, unicode)  # noqa: F821 (Python 2)
except NameError:
    _TEXT_TYPES = (str,)


def _is_end_message(message):
    """Whether *message* is one of the replies that carry a job's end."""
    return ("result" in message or "exception" in message or "error" in message
            or message.get("cancelled") is True)


def _end_value(message):
    """What :meth:`RemoteCall.result` gives for an end message."""
    if "result" in message:
        return message["result"]
    if message.get("cancelled") is True:
        return CALL_CANCELLED
    if "exception" in message:
        return _problem(RemoteException, message["exception"])
    return _error(message["error"])


def _error(body):
    return _problem(RemoteError, body)


def _problem(kind, body):
    if not isinstance(body, dict):
        return CommunicationError("malformed error report from dispatcher: %r" % (body,))
    return kind(body.get("type"), body.get("message"), body.get("data"))
