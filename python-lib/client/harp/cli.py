"""Command line: ``python -m harp COMMAND [options] ...``.

``call`` calls a procedure on harpd(8) directly, ``list`` and ``describe``
show the procedures its user may call (directly, or through the dispatcher
with ``--via-dispatcher``); ``submit``, ``result``,
``follow``, ``cancel`` and ``status`` work through the harpcallerd dispatcher.

Exit status: 0 success, 1 usage error, 2 the procedure raised an exception,
3 harpd or the dispatcher reported an error (protocol, authentication,
unknown procedure, unknown host or job, timeout...), 4 communication error,
5 the job is not in the state asked for (``result --no-wait`` and
``follow --no-wait``: not finished yet; ``cancel``: not queued or running),
6 the job was cancelled.
"""

from __future__ import absolute_import, division, print_function

import argparse
import getpass
import json
import locale
import os
import re
import sys

from harp.caller import DEFAULT_PORT as DISPATCHER_PORT
from harp.caller import HarpCaller, RemoteCall, RemoteProcedure
from harp.errors import CancelledException, CommunicationError, RemoteError, RemoteException
from harp.result import CALL_CANCELLED, CALL_NOT_FINISHED, Result
from harp.server import (DEFAULT_PORT, HarpProcedure, HarpServer, HarpStreamIterator,
                         describe_procedure, list_procedures)

EXIT_OK = 0
EXIT_USAGE = 1
EXIT_EXCEPTION = 2
EXIT_ERROR = 3
EXIT_COMMUNICATION = 4
EXIT_NOT_IN_STATE = 5
EXIT_CANCELLED = 6

_KEYWORD_ARG = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$", re.DOTALL)

_DESCRIPTION = """\
Call a procedure on harpd(8) and print its result as JSON. A streamed
result is printed one JSON value per line as it arrives, followed by the
end result."""

_CALL_EPILOG = """\
Each ARG is a JSON value (words that are not valid JSON are taken as strings:
`a b` are "a" and "b", `1 true null` are JSON). NAME=JSON passes a keyword
argument instead; positional and keyword arguments cannot be mixed. Put `--`
before arguments that start with a dash.

The password is read from the first line of --password-file, else from the
HARP_PASSWORD environment variable, else asked on the terminal.

Without --ca-file the connection is encrypted but the server's certificate
is NOT verified.

exit status: 0 result, 1 usage error, 2 the procedure raised an exception,
3 harpd reported an error, 4 communication error."""

_DISCOVERY_EPILOG = """\
The password and --ca-file work as for `call`.

With --via-dispatcher ADDRESS[:PORT] the question goes to harpd as a job of
the dispatcher (harpcallerd) at ADDRESS (port 3502 unless given), which
answers with the credentials of its hosts registry: --host then names the
target as that registry does, and --port, --password-file, --ca-file and
--no-check-hostname do not apply.

exit status: 0 success, 1 usage error, 3 harpd or the dispatcher reported an
error (e.g. no_such_procedure: unknown, or not the user's to call;
unknown_host), 4 communication error, 6 the job was cancelled."""

_DISPATCHER_EPILOG = """\
The dispatcher (harpcallerd) is reached over plain TCP at --host/--port.

exit status: 0 success, 1 usage error, 2 the procedure raised an exception,
3 the dispatcher or harpd reported an error (unknown host, unknown job id,
timeout...), 4 communication error, 5 the job has not finished (result and
follow with --no-wait) or was not queued or running (cancel), 6 the job was
cancelled."""

_SUBMIT_EPILOG = """\
Each ARG is a JSON value (words that are not valid JSON are taken as strings).
NAME=JSON passes a keyword argument instead; positional and keyword arguments
cannot be mixed. Put `--` before arguments that start with a dash.
Prints the job id.

""" + _DISPATCHER_EPILOG


def _version():
    from harp import __version__
    return __version__


class UsageError(Exception):
    """Bad command line; reported on stderr with exit status 1."""


class _ArgumentParser(argparse.ArgumentParser):
    """argparse exits with 2 on usage errors; here 2 means a remote exception."""

    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, "%s: error: %s\n" % (self.prog, message))


def _parser():
    parser = _ArgumentParser(prog="harp", description=_DESCRIPTION)
    parser.add_argument("--version", action="version", version="harp " + _version())
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    def harpd_command(name, help, description, epilog):
        command = commands.add_parser(name, help=help, description=description, epilog=epilog,
                                      formatter_class=argparse.RawDescriptionHelpFormatter)
        command.add_argument("--host", help="harpd address (default: localhost)")
        command.add_argument("--port", type=int, help="harpd port (default: %d)" % DEFAULT_PORT)
        command.add_argument("--user", default=os.environ.get("HARP_USER"),
                             help="user to authenticate as (default: $HARP_USER)")
        command.add_argument("--password-file", metavar="FILE",
                             help="file whose first line is the password (default: $HARP_PASSWORD)")
        command.add_argument("--ca-file", metavar="FILE",
                             help="CA certificates to verify harpd's certificate against")
        command.add_argument("--no-check-hostname", dest="check_hostname", action="store_false",
                             help="with --ca-file, do not require the certificate to name the host")
        command.add_argument("--timeout", type=float, metavar="SECONDS",
                             help="give up after this long without a message (default: wait forever)")
        return command

    call = harpd_command("call", "call a procedure", _DESCRIPTION, _CALL_EPILOG)
    call.add_argument("procedure", metavar="PROCEDURE")
    call.add_argument("arguments", metavar="ARG", nargs="*")
    listing = harpd_command("list", "list the procedures the user may call",
                            "List the procedures of harpd(8) that the user may call, one signature "
                            "a line.", _DISCOVERY_EPILOG)
    listing.add_argument("--json", action="store_true", help="print the descriptions as JSON")
    listing.add_argument("--via-dispatcher", metavar="ADDRESS[:PORT]",
                         help="ask through this dispatcher; --host names the target in its registry")
    describe = harpd_command("describe", "describe a procedure",
                             "Describe a procedure of harpd(8) that the user may call: its "
                             "signature, kind, options and docstring.", _DISCOVERY_EPILOG)
    describe.add_argument("--json", action="store_true", help="print the description as JSON")
    describe.add_argument("--via-dispatcher", metavar="ADDRESS[:PORT]",
                          help="ask through this dispatcher; --host names the target in its registry")
    describe.add_argument("procedure", metavar="PROCEDURE")

    def dispatcher_command(name, help, description, epilog=_DISPATCHER_EPILOG):
        command = commands.add_parser(name, help=help, description=description, epilog=epilog,
                                      formatter_class=argparse.RawDescriptionHelpFormatter)
        command.add_argument("--host", default="localhost",
                             help="dispatcher address (default: localhost)")
        command.add_argument("--port", type=int, default=DISPATCHER_PORT,
                             help="dispatcher port (default: %d)" % DISPATCHER_PORT)
        command.add_argument("--timeout", type=float, metavar="SECONDS",
                             help="give up after this long without a reply (default: wait forever)")
        return command

    submit = dispatcher_command(
        "submit", "submit a call to the dispatcher, print its job id",
        "Submit a call of PROCEDURE on TARGET (a host in the dispatcher's registry) and print the "
        "job id at once.", _SUBMIT_EPILOG)
    submit.add_argument("--queue", type=_json_object, metavar="JSON",
                        help="queue to wait in, named by a JSON object")
    submit.add_argument("--concurrency", type=_positive_int, metavar="N",
                        help="with --queue: how many of its jobs run at once (dispatcher's default: 1)")
    submit.add_argument("--job-timeout", type=_positive_int, metavar="SECONDS",
                        help="longest time between two messages from the procedure")
    submit.add_argument("--max-exec-time", type=_positive_int, metavar="SECONDS",
                        help="longest time the job may take")
    submit.add_argument("--info", type=_json_value, metavar="JSON",
                        help="any JSON value stored with the job (shown by status)")
    submit.add_argument("target", metavar="TARGET")
    submit.add_argument("procedure", metavar="PROCEDURE")
    submit.add_argument("arguments", metavar="ARG", nargs="*")

    result = dispatcher_command(
        "result", "print a job's result",
        "Wait for the job to end and print its result as JSON (an exception, error or "
        "cancellation goes to stderr and sets the exit status).")
    result.add_argument("--no-wait", dest="wait", action="store_false",
                        help="do not wait: exit 5 if the job has not finished")
    result.add_argument("job", metavar="JOB")

    follow = dispatcher_command(
        "follow", "print a job's streamed result, then its result",
        "Print the job's stream packets one JSON value per line as they arrive, then its end "
        "result as `result` does.")
    position = follow.add_mutually_exclusive_group()
    position.add_argument("--since", type=_non_negative_int, metavar="N",
                          help="start at packet N (0: the whole stream)")
    position.add_argument("--recent", type=_non_negative_int, metavar="N",
                          help="start N packets before the current one (default: 0, only new ones; "
                               "with --no-wait the default is the whole stream)")
    follow.add_argument("--numbered", action="store_true",
                        help="print each packet as [NUMBER, VALUE]")
    follow.add_argument("--no-wait", dest="wait", action="store_false",
                        help="print the packets collected so far and do not wait for more; "
                             "exit 5 if the job has not finished")
    follow.add_argument("job", metavar="JOB")

    cancel = dispatcher_command(
        "cancel", "cancel a queued or running job",
        "Stop the job; exit 0 if it was queued or running, 5 if it had ended or is unknown.")
    cancel.add_argument("job", metavar="JOB")

    status = dispatcher_command(
        "status", "print a job's call, times and info",
        "Print the job's status as one JSON object: "
        '{"call": {"host", "procedure", "arguments"}, "time": {"submit", "start", "end"}, "info"}.')
    status.add_argument("job", metavar="JOB")
    return parser


def _json_value(text):
    try:
        return json.loads(_text(text))
    except ValueError:
        raise argparse.ArgumentTypeError("not valid JSON: %s" % (text,))


def _json_object(text):
    value = _json_value(text)
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError("not a JSON object: %s" % (text,))
    return value


def _non_negative_int(text):
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError("not a non-negative integer: %s" % (text,))
    return value


def _positive_int(text):
    value = _non_negative_int(text)
    if value == 0:
        raise argparse.ArgumentTypeError("not a positive integer: %s" % (text,))
    return value


def _text(arg):
    """Command line arguments are bytes on Python 2; make them unicode."""
    if isinstance(arg, bytes):
        try:
            return arg.decode("utf-8")
        except UnicodeDecodeError:
            return arg.decode(locale.getpreferredencoding() or "latin-1", "replace")
    return arg


def _json_or_string(text):
    try:
        return json.loads(text)
    except ValueError:
        return text


def parse_call_arguments(words):
    """Turn ARG words into a list (positional) or a dict (keyword arguments).

    :raises UsageError: positional and keyword arguments mixed, or a keyword
        given twice
    """
    positional = []
    keywords = {}
    for word in (_text(w) for w in words):
        match = _KEYWORD_ARG.match(word)
        if match is None:
            positional.append(_json_or_string(word))
            continue
        name, value = match.groups()
        if name in keywords:
            raise UsageError("keyword argument %s given twice" % (name,))
        keywords[name] = _json_or_string(value)
    if positional and keywords:
        raise UsageError("positional and keyword (NAME=JSON) arguments cannot be mixed")
    return keywords if keywords else positional


def _password(options):
    if options.password_file is not None:
        try:
            with open(options.password_file, "rb") as f:
                line = f.readline()
        except EnvironmentError as e:
            raise UsageError("cannot read password file %s: %s"
                             % (options.password_file, e.strerror or e))
        return _text(line.rstrip(b"\r\n"))
    if "HARP_PASSWORD" in os.environ:
        return _text(os.environ["HARP_PASSWORD"])
    if sys.stdin is not None and sys.stdin.isatty():
        return _text(getpass.getpass("harp password for %s: " % (options.user,)))
    raise UsageError("no password: use --password-file or set HARP_PASSWORD")


def _print_json(value):
    sys.stdout.write(json.dumps(value, sort_keys=True) + "\n")
    sys.stdout.flush()


def _report(kind, problem):
    text = "harp: %s %s: %s" % (kind, problem.type, problem.message)
    if problem.data is not None:
        text += " " + json.dumps(problem.data, sort_keys=True)
    _err(text)


def _err(text):
    if str is bytes and not isinstance(text, bytes):  # Python 2 stderr wants bytes
        text = text.encode("utf-8")
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


# how a call to harpd may fail; a dispatcher's answers carry no procedure's exception
_CALL_FAILURES = (RemoteException, RemoteError, CommunicationError)
_DISPATCHER_FAILURES = (RemoteError, CommunicationError)


def _failed(problem):
    """Report a remote exception, error or communication failure; returns the exit status."""
    if isinstance(problem, RemoteException):
        _report("procedure raised", problem)
        return EXIT_EXCEPTION
    if isinstance(problem, RemoteError):
        _report("error", problem)
        return EXIT_ERROR
    _err("harp: communication error: %s" % (problem,))
    return EXIT_COMMUNICATION


def _server(options):
    if not options.user:
        raise UsageError("no user: use --user or set HARP_USER")
    return HarpServer(options.host or "localhost", _text(options.user), _password(options),
                      port=DEFAULT_PORT if options.port is None else options.port,
                      ca_file=options.ca_file, check_hostname=options.check_hostname,
                      timeout=options.timeout)


_DISPATCHER_ADDRESS = re.compile(r"^(?:\[([^\]]+)\]|([^:\[\]]+))(?::([0-9]{1,5}))?$")


def _dispatcher_address(text):
    """(host, port) of ``ADDRESS``, ``ADDRESS:PORT`` or ``[IPV6]:PORT``."""
    match = _DISPATCHER_ADDRESS.match(text)
    port = int(match.group(3)) if match is not None and match.group(3) else DISPATCHER_PORT
    if match is None or not 0 < port < 65536:
        raise UsageError("--via-dispatcher: expected ADDRESS, ADDRESS:PORT or [IPV6]:PORT (port 1 to "
                         "65535), got %s" % (text,))
    return match.group(1) or match.group(2), port


def _target(options):
    """What discovery asks: harpd directly, or a dispatcher's target host."""
    if options.via_dispatcher is None:
        return _server(options)
    direct = [name for name, value in (("--port", options.port), ("--password-file", options.password_file),
                                       ("--ca-file", options.ca_file),
                                       ("--no-check-hostname", not options.check_hostname or None))
              if value is not None]
    if direct:
        raise UsageError("%s: not with --via-dispatcher (the dispatcher calls harpd with its hosts "
                         "registry's credentials)" % (", ".join(direct),))
    if options.host is None:
        raise UsageError("--via-dispatcher needs --host: the target as the dispatcher's hosts registry "
                         "names it")
    host, port = _dispatcher_address(_text(options.via_dispatcher))
    return HarpCaller(host, port, timeout=options.timeout).host(_text(options.host))


def call(options):
    """Run the ``call`` command; returns the exit status."""
    if not options.user:
        raise UsageError("no user: use --user or set HARP_USER")
    arguments = parse_call_arguments(options.arguments)
    server = _server(options)
    procedure = HarpProcedure(server, _text(options.procedure))
    try:
        if isinstance(arguments, dict):
            result = procedure(**arguments)
        else:
            result = procedure(*arguments)
        if isinstance(result, HarpStreamIterator):
            for item in result:
                _print_json(item.value if isinstance(item, Result) else item)
        else:
            _print_json(result)
    except _CALL_FAILURES as e:
        return _failed(e)
    return EXIT_OK


def _discovery(options, ask, show):
    try:
        answer = ask(_target(options))
    except _CALL_FAILURES as e:
        return _failed(e)
    except CancelledException as e:
        _err("harp: %s" % (e,))
        return EXIT_CANCELLED
    if options.json:
        _print_json(answer)
    else:
        show(answer)
    return EXIT_OK


def _show_list(procedures):
    for description in procedures:
        kind = "  (streaming)" if description.get("kind") == "streaming" else ""
        _print_text(u"%s%s" % (description.get("signature"), kind))


def _show_description(description):
    _print_text(description.get("signature"))
    _print_text(u"  kind: %s" % (description.get("kind"),))
    for key in ("timeout", "uid", "gid"):
        value = description.get(key)
        if value is not None and value != []:
            _print_text(u"  %s: %s" % (key, json.dumps(value)))
    if description.get("doc"):
        _print_text(u"")
        _print_text(description["doc"])


def list_command(options):
    """Run the ``list`` command; returns the exit status."""
    return _discovery(options, list_procedures, _show_list)


def describe_command(options):
    """Run the ``describe`` command; returns the exit status."""
    name = _text(options.procedure)
    return _discovery(options, lambda server: describe_procedure(server, name), _show_description)


def _dispatcher(options):
    return HarpCaller(options.host, options.port, timeout=options.timeout)


def _job(options):
    return RemoteCall(_dispatcher(options), _text(options.job))


def submit(options):
    """Run the ``submit`` command; returns the exit status."""
    if options.concurrency is not None and options.queue is None:
        raise UsageError("--concurrency needs --queue")
    arguments = parse_call_arguments(options.arguments)
    job_options = {}
    for key, value in (("queue", options.queue), ("concurrency", options.concurrency),
                       ("timeout", options.job_timeout), ("max_exec_time", options.max_exec_time),
                       ("info", options.info)):
        if value is not None:
            job_options[key] = value
    target = _dispatcher(options).host(_text(options.target), **job_options)
    # not getattr(target, name): a procedure name may be anything, also one of RemoteServer's own
    procedure = RemoteProcedure(target._dispatcher, target, _text(options.procedure))
    try:
        if isinstance(arguments, dict):
            job = procedure(**arguments)
        else:
            job = procedure(*arguments)
    except _DISPATCHER_FAILURES as e:
        return _failed(e)
    _print_text(job.id())
    return EXIT_OK


def result(options):
    """Run the ``result`` command; returns the exit status."""
    return _end(_job(options).result(wait=options.wait), options.job)


def follow(options):
    """Run the ``follow`` command; returns the exit status."""
    job = _job(options)
    read = job.follow if options.wait else job.stream
    try:
        packets = read(since=options.since, recent=options.recent, numbered=options.numbered)
        with packets:
            for packet in packets:
                _print_json(list(packet) if options.numbered else packet)
    except CommunicationError as e:
        return _failed(e)
    if not packets.job_ended:  # the page ended with "continue"
        _err("harp: job %s has not finished" % (_text(options.job),))
        return EXIT_NOT_IN_STATE
    return _end(job.result(), options.job)


def cancel(options):
    """Run the ``cancel`` command; returns the exit status."""
    try:
        cancelled = _job(options).cancel()
    except _DISPATCHER_FAILURES as e:
        return _failed(e)
    _print_json(cancelled)
    return EXIT_OK if cancelled else EXIT_NOT_IN_STATE


def status(options):
    """Run the ``status`` command; returns the exit status."""
    job = _job(options)
    try:
        reply = job._metadata()
    except _DISPATCHER_FAILURES as e:
        return _failed(e)
    _print_json({"call": reply["call"], "time": reply["time"], "info": reply.get("info")})
    return EXIT_OK


def _end(outcome, job_id):
    """Print a job's end result, or report how it ended; returns the exit status."""
    if outcome is CALL_NOT_FINISHED:
        _err("harp: job %s has not finished" % (_text(job_id),))
        return EXIT_NOT_IN_STATE
    if outcome is CALL_CANCELLED:
        _err("harp: job %s was cancelled" % (_text(job_id),))
        return EXIT_CANCELLED
    if isinstance(outcome, _CALL_FAILURES):
        return _failed(outcome)
    _print_json(outcome)
    return EXIT_OK


def _print_text(text):
    if str is bytes and not isinstance(text, bytes):
        text = text.encode("utf-8")
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


_COMMANDS = {"call": call, "list": list_command, "describe": describe_command, "submit": submit, "result": result, "follow": follow,
             "cancel": cancel, "status": status}


def main(argv=None):
    """Entry point of ``python -m harp``; returns the exit status."""
    parser = _parser()
    options = parser.parse_args(argv)
    if options.command is None:
        parser.error("a command is required (%s)" % (", ".join(sorted(_COMMANDS)),))
    try:
        return _COMMANDS[options.command](options)
    except UsageError as e:
        _err("harp: %s" % (e,))
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
