# -*- coding: utf-8 -*-
"""Tests of the harp client library and its command line against a fake harpd.

Run with either interpreter:
    python3 -m unittest discover -s python-lib/tests
    python2.7 -m unittest discover -s python-lib/tests
"""

from __future__ import absolute_import, division, print_function, unicode_literals

import json
import os
import ssl
import subprocess
import sys
import unittest

PYTHON_LIB = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "client")
if PYTHON_LIB not in sys.path:
    sys.path.insert(0, PYTHON_LIB)

import harp  # noqa: E402
from harp.connection import client_context  # noqa: E402
from fakeharpd import Certificates, FakeHarpd, openssl_available  # noqa: E402

USER = "tester"
PASSWORD = "pass-Wörd-123"

ACK_SINGLE = {"harp": 1, "stream_result": False}
ACK_STREAM = {"harp": 1, "stream_result": True}
VALUE_ERROR = {"exception": {"type": "ValueError", "message": "boom",
                             "data": {"class": "ValueError", "module": "exceptions"}}}
AUTH_ERROR = {"harp": 1, "error": {"type": "auth_error", "message": "unknown user or wrong password"}}

certificates = None
trusted = None    # FakeHarpd with a certificate naming localhost and 127.0.0.1
untrusted = None  # FakeHarpd with a certificate naming only other.example


def setUpModule():
    global certificates, trusted, untrusted
    if not openssl_available():
        raise unittest.SkipTest("the openssl command is needed to make test certificates")
    certificates = Certificates()
    trusted = FakeHarpd(certificates.localhost)
    untrusted = FakeHarpd(certificates.other)


def tearDownModule():
    for server in (trusted, untrusted):
        if server is not None:
            server.stop()
    if certificates is not None:
        certificates.remove()


def connect(server=None, host="localhost", **options):
    server = server or trusted
    options.setdefault("ca_file", certificates.localhost[0])
    return harp.HarpServer(host, USER, PASSWORD, port=server.port, timeout=30, **options)


class HarpServerCallTest(unittest.TestCase):

    def setUp(self):
        trusted.reset()
        untrusted.reset()

    def test_positional_call_sends_request_and_returns_single_result(self):
        trusted.reset([ACK_SINGLE, {"result": {"answer": 42}}])
        self.assertEqual(connect().echo(1, "a"), {"answer": 42})
        self.assertEqual(trusted.requests, [{
            "harp": 1, "procedure": "echo", "arguments": [1, "a"],
            "auth": {"user": USER, "password": PASSWORD},
        }])

    def test_keyword_call_sends_arguments_object(self):
        trusted.reset([ACK_SINGLE, {"result": None}])
        self.assertIsNone(connect().configure(name="x", count=3))
        self.assertEqual(trusted.requests[0]["arguments"], {"name": "x", "count": 3})

    def test_call_without_arguments_sends_empty_list(self):
        trusted.reset([ACK_SINGLE, {"result": "12:00"}])
        self.assertEqual(connect().current_time(), "12:00")
        self.assertEqual(trusted.requests[0]["arguments"], [])

    def test_mixed_arguments_are_refused_before_connecting(self):
        procedure = connect().echo
        with self.assertRaises(harp.InvalidArgumentsError) as caught:
            procedure(1, name="x")
        self.assertIsInstance(caught.exception, ValueError)
        self.assertIsInstance(caught.exception, harp.HarpException)
        self.assertEqual(trusted.requests, [])

    def test_non_ascii_strings_round_trip(self):
        trusted.reset([ACK_SINGLE, {"result": "zażółć gęślą jaźń"}])
        self.assertEqual(connect().echo("ünïcode"), "zażółć gęślą jaźń")
        self.assertEqual(trusted.requests[0]["arguments"], ["ünïcode"])

    def test_streamed_result_yields_items_then_result(self):
        trusted.reset([ACK_STREAM, {"stream": 0}, {"stream": {"line": "x"}}, {"result": "done"}])
        result = connect().stream(2)
        self.assertIsInstance(result, harp.HarpStreamIterator)
        items = list(result)
        self.assertEqual(items, [0, {"line": "x"}, harp.Result("done")])
        self.assertIsInstance(items[-1], harp.Result)
        self.assertEqual(items[-1].value, "done")

    def test_empty_stream_yields_only_result(self):
        trusted.reset([ACK_STREAM, {"result": None}])
        self.assertEqual(list(connect().stream(0)), [harp.Result(None)])

    def test_procedure_exception_raises_remote_exception(self):
        trusted.reset([ACK_SINGLE, VALUE_ERROR])
        with self.assertRaises(harp.RemoteException) as caught:
            connect().fail()
        self.assertEqual(caught.exception.type, "ValueError")
        self.assertEqual(caught.exception.message, "boom")
        self.assertEqual(caught.exception.data, {"class": "ValueError", "module": "exceptions"})
        self.assertEqual(str(caught.exception), "ValueError: boom")

    def test_exception_mid_stream_is_raised_from_iteration(self):
        trusted.reset([ACK_STREAM, {"stream": 1}, VALUE_ERROR])
        stream = connect().stream(5)
        self.assertEqual(next(stream), 1)
        self.assertRaises(harp.RemoteException, next, stream)

    def test_error_instead_of_acknowledgement_raises_remote_error(self):
        trusted.reset([AUTH_ERROR])
        with self.assertRaises(harp.RemoteError) as caught:
            connect().echo()
        self.assertEqual(caught.exception.type, "auth_error")
        self.assertEqual(caught.exception.message, "unknown user or wrong password")
        self.assertIsNone(caught.exception.data)

    def test_error_data_is_kept(self):
        trusted.reset([{"harp": 1, "error": {"type": "no_such_procedure", "message": "no such procedure",
                                             "data": {"procedure": "nope"}}}])
        with self.assertRaises(harp.RemoteError) as caught:
            connect().nope()
        self.assertEqual(caught.exception.data, {"procedure": "nope"})

    def test_error_after_acknowledgement_raises_remote_error(self):
        trusted.reset([ACK_SINGLE, {"harp": 1, "error": {"type": "timeout",
                                                         "message": "maximum execution time exceeded"}}])
        with self.assertRaises(harp.RemoteError) as caught:
            connect().slow()
        self.assertEqual(caught.exception.type, "timeout")

    def test_error_mid_stream_raises_remote_error(self):
        trusted.reset([ACK_STREAM, {"stream": 1}, {"harp": 1, "error": {"type": "shutdown",
                                                                         "message": "service is shutting down"}}])
        stream = connect().stream(5)
        self.assertEqual(next(stream), 1)
        self.assertRaises(harp.RemoteError, next, stream)

    def test_eof_before_acknowledgement_is_communication_error(self):
        trusted.reset([])
        self.assertRaises(harp.CommunicationError, connect().echo)

    def test_eof_before_single_result_is_communication_error(self):
        trusted.reset([ACK_SINGLE])
        self.assertRaises(harp.CommunicationError, connect().echo)

    def test_eof_mid_stream_is_communication_error_after_items(self):
        trusted.reset([ACK_STREAM, {"stream": 0}, {"stream": 1}])
        stream = connect().stream(5)
        self.assertEqual([next(stream), next(stream)], [0, 1])
        self.assertRaises(harp.CommunicationError, next, stream)

    def test_eof_in_the_middle_of_a_line_is_communication_error(self):
        trusted.reset([ACK_SINGLE, b'{"result": [1, 2'])
        self.assertRaises(harp.CommunicationError, connect().echo)

    def test_malformed_message_is_communication_error(self):
        trusted.reset([b"this is not json\n"])
        self.assertRaises(harp.CommunicationError, connect().echo)

    def test_message_that_is_not_an_object_is_communication_error(self):
        trusted.reset([ACK_SINGLE, [1, 2]])
        self.assertRaises(harp.CommunicationError, connect().echo)

    def test_closing_stream_early_stops_reading(self):
        trusted.reset([ACK_STREAM, {"stream": 0}, {"stream": 1}, {"result": None}])
        stream = connect().stream(5)
        self.assertEqual(next(stream), 0)
        stream.close()
        self.assertRaises(StopIteration, next, stream)

    def test_refused_connection_is_communication_error(self):
        port = trusted.port
        server = FakeHarpd(certificates.localhost)
        server.stop()  # a port nobody listens on any more
        self.assertNotEqual(port, server.port)
        self.assertRaises(harp.CommunicationError, connect(server).echo)

    def test_attribute_access_gives_procedures_but_not_special_names(self):
        procedure = connect().some_method
        self.assertIsInstance(procedure, harp.HarpProcedure)
        self.assertEqual(procedure.name, "some_method")
        self.assertRaises(AttributeError, getattr, connect(), "__deepcopy__")


class TlsVerificationTest(unittest.TestCase):

    def setUp(self):
        trusted.reset([ACK_SINGLE, {"result": "ok"}])
        untrusted.reset([ACK_SINGLE, {"result": "ok"}])

    def test_certificate_signed_by_ca_file_is_accepted(self):
        self.assertEqual(connect(trusted, "localhost").echo(), "ok")

    def test_ip_address_listed_in_certificate_is_accepted(self):
        self.assertEqual(connect(trusted, "127.0.0.1").echo(), "ok")

    def test_certificate_not_signed_by_ca_file_is_refused(self):
        server = connect(trusted, ca_file=certificates.other[0])
        self.assertRaises(harp.CommunicationError, server.echo)
        self.assertEqual(trusted.requests, [], "the password must not be sent")

    def test_certificate_not_naming_the_host_is_refused(self):
        server = connect(untrusted, "127.0.0.1", ca_file=certificates.other[0])
        self.assertRaises(harp.CommunicationError, server.echo)
        self.assertEqual(untrusted.requests, [])

    def test_hostname_check_can_be_turned_off(self):
        server = connect(untrusted, "127.0.0.1", ca_file=certificates.other[0], check_hostname=False)
        self.assertEqual(server.echo(), "ok")

    def test_without_ca_file_nothing_is_verified(self):
        server = connect(untrusted, "127.0.0.1", ca_file=None)
        self.assertEqual(server.echo(), "ok")

    def test_unreadable_ca_file_is_communication_error(self):
        server = connect(trusted, ca_file=os.path.join(certificates.directory, "missing.pem"))
        self.assertRaises(harp.CommunicationError, server.echo)

    def test_only_tls_1_2_and_newer_are_offered(self):
        context = client_context()
        if hasattr(ssl, "TLSVersion"):
            self.assertGreaterEqual(context.minimum_version, ssl.TLSVersion.TLSv1_2)
        else:
            for option in (ssl.OP_NO_SSLv3, ssl.OP_NO_TLSv1, ssl.OP_NO_TLSv1_1):
                self.assertTrue(context.options & option)


class JSONConnectionTest(unittest.TestCase):

    def test_send_and_receive_json_lines_then_none_at_eof(self):
        trusted.reset([{"a": 1}, {"b": [True, None]}])
        with harp.JSONSSLConnection("localhost", trusted.port, certificates.localhost[0]) as conn:
            conn.send({"hello": "wörld"})
            self.assertEqual(conn.receive(), {"a": 1})
            self.assertEqual(conn.receive(), {"b": [True, None]})
            self.assertIsNone(conn.receive())
        self.assertEqual(trusted.requests, [{"hello": "wörld"}])

    def test_closed_connection_cannot_be_used_until_connected_again(self):
        trusted.reset([{"n": 1}])
        conn = harp.JSONSSLConnection("localhost", trusted.port, certificates.localhost[0])
        conn.close()
        self.assertRaises(harp.CommunicationError, conn.send, {})
        conn.connect()
        conn.send({})
        self.assertEqual(conn.receive(), {"n": 1})
        conn.close()


class CommandLineTest(unittest.TestCase):
    """``python -m harp call``, run as a separate process."""

    def setUp(self):
        trusted.reset()

    def run_cli(self, *args, **env_changes):
        return self.run_command("call", *args, **env_changes)

    def run_command(self, subcommand, *args, **env_changes):
        env = dict(os.environ)
        for name in ("HARP_USER", "HARP_PASSWORD"):
            env.pop(name, None)
        env["PYTHONPATH"] = PYTHON_LIB
        env["HARP_PASSWORD"] = PASSWORD
        env.update(env_changes)
        env = dict((str(k), v if isinstance(v, str) else v.encode("utf-8")) for k, v in env.items()
                   if v is not None)
        command = [sys.executable, "-m", "harp", subcommand, "--port", str(trusted.port),
                   "--ca-file", certificates.localhost[0], "--timeout", "30"] + list(args)
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out, err = process.communicate()
        out, err = out.decode("utf-8"), err.decode("utf-8")
        for stream in (out, err):
            self.assertNotIn(PASSWORD, stream, "the password must never be printed")
        return process.returncode, out, err

    def test_result_is_printed_as_json_with_exit_status_0(self):
        trusted.reset([ACK_SINGLE, {"result": {"b": [1, 2], "a": "x"}}])
        status, out, err = self.run_cli("--user", USER, "echo", "1", "bare", '{"k": [true]}', '"q"', "null")
        self.assertEqual((status, err), (0, ""))
        self.assertEqual(json.loads(out), {"a": "x", "b": [1, 2]})
        self.assertEqual(trusted.requests[0]["arguments"], [1, "bare", {"k": [True]}, "q", None])
        self.assertEqual(trusted.requests[0]["auth"], {"user": USER, "password": PASSWORD})

    def test_keyword_arguments(self):
        trusted.reset([ACK_SINGLE, {"result": None}])
        status, out, _ = self.run_cli("--user", USER, "configure", "count=3", "name=x y")
        self.assertEqual((status, out), (0, "null\n"))
        self.assertEqual(trusted.requests[0]["arguments"], {"count": 3, "name": "x y"})

    def test_user_and_password_from_environment_and_file(self):
        trusted.reset([ACK_SINGLE, {"result": 1}])
        password_file = os.path.join(certificates.directory, "password")
        with open(password_file, "wb") as f:
            f.write("from-file-pw\n".encode("utf-8"))
        status, _, _ = self.run_cli("--password-file", password_file, "echo", HARP_USER="envuser")
        self.assertEqual(status, 0)
        self.assertEqual(trusted.requests[0]["auth"], {"user": "envuser", "password": "from-file-pw"})

    def test_stream_items_then_result_one_per_line(self):
        trusted.reset([ACK_STREAM, {"stream": 0}, {"stream": 1}, {"result": "done"}])
        status, out, _ = self.run_cli("--user", USER, "stream", "2")
        self.assertEqual((status, out), (0, '0\n1\n"done"\n'))

    def test_procedure_exception_exits_2(self):
        trusted.reset([ACK_SINGLE, VALUE_ERROR])
        status, out, err = self.run_cli("--user", USER, "fail")
        self.assertEqual((status, out), (2, ""))
        self.assertIn("ValueError", err)
        self.assertIn("boom", err)

    DESCRIPTION = {"name": "add", "kind": "plain", "signature": "add(a, b=...)", "parameters": ["a", "b"],
                   "defaults": 1, "varargs": None, "varkw": None, "doc": "Adds.\n\nReally.",
                   "timeout": 5.0, "uid": "nobody", "gid": []}

    def test_list_asks_the_builtin_and_prints_one_signature_a_line(self):
        feed = dict(self.DESCRIPTION, name="feed", kind="streaming", signature="feed()")
        trusted.reset([ACK_SINGLE, {"result": [self.DESCRIPTION, feed]}])
        status, out, err = self.run_command("list", "--user", USER)
        self.assertEqual((status, err), (0, ""))
        self.assertEqual(out, "add(a, b=...)\nfeed()  (streaming)\n")
        self.assertEqual(trusted.requests[0]["procedure"], "harpd.procedures")
        self.assertEqual(trusted.requests[0]["arguments"], [])

    def test_describe_prints_signature_options_and_docstring(self):
        trusted.reset([ACK_SINGLE, {"result": self.DESCRIPTION}])
        status, out, err = self.run_command("describe", "--user", USER, "add")
        self.assertEqual((status, err), (0, ""))
        self.assertEqual(out, 'add(a, b=...)\n  kind: plain\n  timeout: 5.0\n  uid: "nobody"\n\nAdds.\n\nReally.\n')
        self.assertEqual(trusted.requests[0]["procedure"], "harpd.describe")
        self.assertEqual(trusted.requests[0]["arguments"], ["add"])

    def test_describe_json_and_unknown_procedure(self):
        trusted.reset([ACK_SINGLE, {"result": self.DESCRIPTION}])
        status, out, err = self.run_command("describe", "--user", USER, "--json", "add")
        self.assertEqual((status, err), (0, ""))
        self.assertEqual(json.loads(out), self.DESCRIPTION)
        trusted.reset([{"error": {"type": "no_such_procedure", "message": "no such procedure",
                                  "data": {"procedure": "nope"}}, "harp": 1}])
        status, out, err = self.run_command("describe", "--user", USER, "nope")
        self.assertEqual((status, out), (3, ""))
        self.assertIn("no_such_procedure", err)

    def test_protocol_error_exits_3(self):
        trusted.reset([AUTH_ERROR])
        status, _, err = self.run_cli("--user", USER, "echo")
        self.assertEqual(status, 3)
        self.assertIn("auth_error", err)

    def test_eof_mid_stream_exits_4_after_printing_items(self):
        trusted.reset([ACK_STREAM, {"stream": 0}])
        status, out, err = self.run_cli("--user", USER, "stream", "5")
        self.assertEqual((status, out), (4, "0\n"))
        self.assertIn("communication error", err)

    def test_mixed_arguments_exit_1_without_connecting(self):
        status, _, err = self.run_cli("--user", USER, "echo", "1", "name=2")
        self.assertEqual(status, 1)
        self.assertIn("cannot be mixed", err)
        self.assertEqual(trusted.requests, [])

    def test_missing_user_exits_1(self):
        status, _, err = self.run_cli("echo")
        self.assertEqual(status, 1)
        self.assertIn("user", err)

    def test_bad_option_exits_1_not_2(self):
        status, _, _ = self.run_cli("--user", USER, "--port", "not-a-number", "echo")
        self.assertEqual(status, 1)


if __name__ == "__main__":
    unittest.main()
