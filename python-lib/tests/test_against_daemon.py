# -*- coding: utf-8 -*-
"""Tests of the harp client against a real harpd.

Skipped unless HARP_TEST_HOST, HARP_TEST_PORT, HARP_TEST_USER and
HARP_TEST_PASSWORD are set (the integration tests set them). Optional:
HARP_TEST_CA_FILE, to verify the daemon's certificate chain (hostname not
checked). The daemon must expose the example procedures:
  echo(*args)   -> list of its arguments
  stream(n)     -> streams 0..n-1, then Result("done")
  fail()        -> raises ValueError("boom")
"""

from __future__ import absolute_import, division, print_function, unicode_literals

import json
import os
import subprocess
import sys
import unittest

PYTHON_LIB = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "client")
if PYTHON_LIB not in sys.path:
    sys.path.insert(0, PYTHON_LIB)

import harp  # noqa: E402

REQUIRED = ("HARP_TEST_HOST", "HARP_TEST_PORT", "HARP_TEST_USER", "HARP_TEST_PASSWORD")
MISSING = [name for name in REQUIRED if not os.environ.get(name)]


@unittest.skipIf(MISSING, "no daemon to test against (set %s)" % ", ".join(REQUIRED))
class AgainstDaemonTest(unittest.TestCase):

    def server(self, password=None):
        return harp.HarpServer(
            os.environ["HARP_TEST_HOST"], os.environ["HARP_TEST_USER"],
            password if password is not None else os.environ["HARP_TEST_PASSWORD"],
            port=int(os.environ["HARP_TEST_PORT"]), ca_file=os.environ.get("HARP_TEST_CA_FILE"),
            check_hostname=False, timeout=60)

    def test_echo_returns_positional_arguments(self):
        self.assertEqual(self.server().echo(1, "a", {"k": [None, True]}), [1, "a", {"k": [None, True]}])

    def test_non_ascii_arguments_round_trip(self):
        self.assertEqual(self.server().echo("zażółć"), ["zażółć"])

    def test_stream_yields_items_then_result(self):
        result = self.server().stream(3)
        self.assertIsInstance(result, harp.HarpStreamIterator)
        self.assertEqual(list(result), [0, 1, 2, harp.Result("done")])

    def test_keyword_arguments(self):
        self.assertEqual(list(self.server().stream(n=2)), [0, 1, harp.Result("done")])

    def test_procedure_exception_is_remote_exception(self):
        with self.assertRaises(harp.RemoteException) as caught:
            self.server().fail()
        self.assertEqual(caught.exception.type, "ValueError")
        self.assertEqual(caught.exception.message, "boom")

    def test_wrong_password_is_auth_error(self):
        with self.assertRaises(harp.RemoteError) as caught:
            self.server(password="certainly-not-the-password").echo()
        self.assertEqual(caught.exception.type, "auth_error")

    def test_unknown_procedure_is_no_such_procedure(self):
        with self.assertRaises(harp.RemoteError) as caught:
            self.server().no_such_procedure_here()
        self.assertEqual(caught.exception.type, "no_such_procedure")

    def test_command_line_prints_stream_and_result(self):
        env = dict(os.environ)
        env[str("PYTHONPATH")] = PYTHON_LIB  # native str keys and values for Python 2
        env[str("HARP_PASSWORD")] = os.environ["HARP_TEST_PASSWORD"]
        command = [sys.executable, "-m", "harp", "call", "--host", os.environ["HARP_TEST_HOST"],
                   "--port", os.environ["HARP_TEST_PORT"], "--user", os.environ["HARP_TEST_USER"],
                   "--timeout", "60", "stream", "2"]
        if os.environ.get("HARP_TEST_CA_FILE"):
            command[4:4] = ["--ca-file", os.environ["HARP_TEST_CA_FILE"], "--no-check-hostname"]
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out, err = process.communicate()
        self.assertEqual(process.returncode, 0, err)
        self.assertEqual([json.loads(line) for line in out.decode("utf-8").splitlines()], [0, 1, "done"])


if __name__ == "__main__":
    unittest.main()
