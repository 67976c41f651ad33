"""Command line: ``python -m harp call [options] PROCEDURE [ARG ...]``.

Exit status: 0 the call returned a result, 1 usage error, 2 the procedure
raised an exception, 3 harpd reported an error (protocol, authentication,
unknown procedure, timeout...), 4 communication error.
"""

from __future__ import absolute_import, division, print_function

import argparse
import getpass
import json
import locale
import os
import re
import sys

from harp.errors import CommunicationError, RemoteError, RemoteException
from harp.result import Result
from harp.server import DEFAULT_PORT, HarpProcedure, HarpServer, HarpStreamIterator

EXIT_OK = 0
EXIT_USAGE = 1
EXIT_EXCEPTION = 2
EXIT_ERROR = 3
EXIT_COMMUNICATION = 4

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


class UsageError(Exception):
    """Bad command line; reported on stderr with exit status 1."""


class _ArgumentParser(argparse.ArgumentParser):
    """argparse exits with 2 on usage errors; here 2 means a remote exception."""

    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, "%s: error: %s\n" % (self.prog, message))


def _parser():
    parser = _ArgumentParser(prog="harp", description=_DESCRIPTION)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    call = commands.add_parser(
        "call", help="call a procedure", description=_DESCRIPTION, epilog=_CALL_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    call.add_argument("--host", default="localhost", help="harpd address (default: localhost)")
    call.add_argument("--port", type=int, default=DEFAULT_PORT,
                      help="harpd port (default: %d)" % DEFAULT_PORT)
    call.add_argument("--user", default=os.environ.get("HARP_USER"),
                      help="user to authenticate as (default: $HARP_USER)")
    call.add_argument("--password-file", metavar="FILE",
                      help="file whose first line is the password (default: $HARP_PASSWORD)")
    call.add_argument("--ca-file", metavar="FILE",
                      help="CA certificates to verify harpd's certificate against")
    call.add_argument("--no-check-hostname", dest="check_hostname", action="store_false",
                      help="with --ca-file, do not require the certificate to name the host")
    call.add_argument("--timeout", type=float, metavar="SECONDS",
                      help="give up after this long without a message (default: wait forever)")
    call.add_argument("procedure", metavar="PROCEDURE")
    call.add_argument("arguments", metavar="ARG", nargs="*")
    return parser


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


def call(options):
    """Run the ``call`` command; returns the exit status."""
    if not options.user:
        raise UsageError("no user: use --user or set HARP_USER")
    arguments = parse_call_arguments(options.arguments)
    server = HarpServer(options.host, _text(options.user), _password(options), port=options.port,
                        ca_file=options.ca_file, check_hostname=options.check_hostname,
                        timeout=options.timeout)
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
    except RemoteException as e:
        _report("procedure raised", e)
        return EXIT_EXCEPTION
    except RemoteError as e:
        _report("error", e)
        return EXIT_ERROR
    except CommunicationError as e:
        _err("harp: communication error: %s" % (e,))
        return EXIT_COMMUNICATION
    return EXIT_OK


def main(argv=None):
    """Entry point of ``python -m harp``; returns the exit status."""
    parser = _parser()
    options = parser.parse_args(argv)
    if options.command is None:
        parser.error("a command is required (call)")
    try:
        return call(options)
    except UsageError as e:
        _err("harp: %s" % (e,))
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
