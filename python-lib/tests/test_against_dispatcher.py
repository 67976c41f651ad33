# -*- coding: utf-8 -*-
"""Tests of the HarpCaller client against a real dispatcher and harpd.

Skipped unless HARP_TEST_DISPATCHER_HOST, HARP_TEST_DISPATCHER_PORT and
HARP_TEST_DISPATCHER_TARGET are set: the dispatcher's address, and the name
under which its hosts registry knows a harpd exposing these procedures:
  echo(*args)    -> list of its arguments
  stream(n)      -> streams 0..n-1, then Result("done")
  fail()         -> raises ValueError("boom")
  sleep(seconds) -> sleeps, then returns seconds (the tests cancel it long before)
"""

from __future__ import absolute_import, division, print_function, unicode_literals

import json
import os
import subprocess
import sys
import unittest
import uuid

PYTHON_LIB = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "client")
if PYTHON_LIB not in sys.path:
    sys.path.insert(0, PYTHON_LIB)

import harp  # noqa: E402

REQUIRED = ("HARP_TEST_DISPATCHER_HOST", "HARP_TEST_DISPATCHER_PORT", "HARP_TEST_DISPATCHER_TARGET")
MISSING = [name for name in REQUIRED if not os.environ.get(name)]
LONG = 3600  # seconds a sleeping job would take; each test cancels it


@unittest.skipIf(MISSING, "no dispatcher to test against (set %s)" % ", ".join(REQUIRED))
class AgainstDispatcherTest(unittest.TestCase):

    def caller(self):
        return harp.HarpCaller(os.environ["HARP_TEST_DISPATCHER_HOST"],
                               int(os.environ["HARP_TEST_DISPATCHER_PORT"]), timeout=120)

    def target(self, **options):
        return self.caller().host(os.environ["HARP_TEST_DISPATCHER_TARGET"], **options)

    def queue(self):
        """A queue no other test uses."""
        return {"test": self.id(), "run": str(uuid.uuid4())}

    def test_submitted_call_gives_its_result_and_status(self):
        job = self.target(info={"ticket": 42}).echo(1, "zażółć", {"k": [None, True]})
        self.assertEqual(job.get(), [1, "zażółć", {"k": [None, True]}])
        again = self.caller().job(job.id())  # as another process would
        self.assertEqual(again.result(), [1, "zażółć", {"k": [None, True]}])
        self.assertEqual(again.host(), os.environ["HARP_TEST_DISPATCHER_TARGET"])
        self.assertEqual(again.procedure(), "echo")
        self.assertEqual(again.args(), [1, "zażółć", {"k": [None, True]}])
        self.assertEqual(again.info(), {"ticket": 42})
        self.assertLessEqual(again.submit_time(), again.start_time())
        self.assertLessEqual(again.start_time(), again.end_time())

    def test_keyword_arguments(self):
        self.assertEqual(self.target().stream(n=0).get(), "done")

    def test_stream_is_followed_and_read_page_wise(self):
        job = self.target().stream(3)
        self.assertEqual(job.follow(since=0).all(), [0, 1, 2])
        self.assertEqual(job.result(), "done")
        page = job.stream()
        self.assertEqual(page.all(), [0, 1, 2])
        self.assertTrue(page.job_ended)
        self.assertEqual(job.stream(since=1, numbered=True).all(), [(1, 1), (2, 2)])
        self.assertEqual(job.stream(recent=1).all(), [2])

    def test_procedure_exception(self):
        job = self.target().fail()
        with self.assertRaises(harp.RemoteException) as raised:
            job.get()
        self.assertEqual((raised.exception.type, raised.exception.message), ("ValueError", "boom"))

    def test_unknown_host_is_an_error_result(self):
        job = self.caller().host("no-such-host.invalid").echo()
        outcome = job.result(wait=True)
        self.assertIsInstance(outcome, harp.RemoteError)
        self.assertEqual(outcome.type, "unknown_host")

    def test_unknown_job(self):
        job = self.caller().job(str(uuid.uuid4()))
        self.assertEqual(job.result().type, "invalid_jobid")
        with self.assertRaises(harp.RemoteError) as raised:
            job.host()
        self.assertEqual(raised.exception.type, "invalid_jobid")
        self.assertFalse(job.cancel())

    def test_running_job_is_cancelled(self):
        job = self.target().sleep(LONG)
        self.assertIs(job.result(), harp.CALL_NOT_FINISHED)
        self.assertTrue(job.cancel())
        self.assertRaises(harp.CancelledException, job.get)
        self.assertIsNotNone(job.end_time())
        self.assertFalse(job.cancel())

    def test_queue_runs_one_at_a_time_and_a_queued_job_can_be_cancelled(self):
        host = self.target(queue=self.queue(), concurrency=1)
        first = host.sleep(LONG)
        second = host.echo("second")
        third = host.echo("third")
        self.assertIs(second.result(), harp.CALL_NOT_FINISHED)
        self.assertIsNone(second.start_time())
        self.assertTrue(third.cancel())
        self.assertIs(third.result(), harp.CALL_CANCELLED)
        self.assertIsNone(third.start_time())
        self.assertIsNotNone(third.end_time())
        self.assertTrue(first.cancel())
        self.assertEqual(second.get(), ["second"])

    def test_discovery_runs_as_jobs(self):
        names = [d["name"] for d in harp.list_procedures(self.target())]
        self.assertIn("echo", names)
        self.assertEqual(names, sorted(names))
        self.assertEqual(harp.describe_procedure(self.target(), "echo")["signature"], "echo(*args)")
        with self.assertRaises(harp.RemoteError) as raised:
            harp.describe_procedure(self.target(), "no_such")
        self.assertEqual(raised.exception.type, "no_such_procedure")
        env = dict(os.environ, PYTHONPATH=str(PYTHON_LIB))
        env = dict((str(k), v if isinstance(v, str) else v.encode("utf-8")) for k, v in env.items())
        process = subprocess.Popen([sys.executable, "-m", "harp", "describe", "--via-dispatcher",
                                    "%s:%s" % (os.environ["HARP_TEST_DISPATCHER_HOST"],
                                               os.environ["HARP_TEST_DISPATCHER_PORT"]),
                                    "--host", os.environ["HARP_TEST_DISPATCHER_TARGET"], "--timeout", "120",
                                    "echo"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out, err = process.communicate()
        self.assertEqual((process.returncode, out.decode("utf-8").splitlines()[:2]),
                         (0, ["echo(*args)", "  kind: plain"]), err)

    def test_command_line(self):
        env = dict(os.environ, PYTHONPATH=str(PYTHON_LIB))
        env = dict((str(k), v if isinstance(v, str) else v.encode("utf-8")) for k, v in env.items())
        common = ["--host", os.environ["HARP_TEST_DISPATCHER_HOST"],
                  "--port", os.environ["HARP_TEST_DISPATCHER_PORT"], "--timeout", "120"]

        def run(command, *args):
            process = subprocess.Popen([sys.executable, "-m", "harp", command] + common + list(args),
                                       env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            out, err = process.communicate()
            return process.returncode, out.decode("utf-8"), err.decode("utf-8")

        status, out, err = run("submit", "--info", '{"via": "cli"}',
                               os.environ["HARP_TEST_DISPATCHER_TARGET"], "stream", "2")
        self.assertEqual(status, 0, err)
        job_id = out.strip()
        self.assertEqual(run("follow", "--since", "0", job_id)[:2], (0, '0\n1\n"done"\n'))
        self.assertEqual(run("result", job_id)[:2], (0, '"done"\n'))
        status, out, _ = run("status", job_id)
        self.assertEqual(status, 0)
        self.assertEqual(json.loads(out)["info"], {"via": "cli"})
        self.assertEqual(run("cancel", job_id)[:2], (5, "false\n"))


if __name__ == "__main__":
    unittest.main()
