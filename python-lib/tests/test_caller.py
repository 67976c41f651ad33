# -*- coding: utf-8 -*-
"""Tests of the HarpCaller half of the harp library and its command line, against a fake dispatcher.

Run with either interpreter:
    python3 -m unittest discover -s python-lib/tests
    python2.7 -m unittest discover -s python-lib/tests
"""

from __future__ import absolute_import, division, print_function, unicode_literals

import json
import os
import socket
import subprocess
import sys
import unittest

PYTHON_LIB = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "client")
if PYTHON_LIB not in sys.path:
    sys.path.insert(0, PYTHON_LIB)

import harp  # noqa: E402
from fakedispatcher import FakeDispatcher  # noqa: E402

JOB = "3f22e0d4-c8ed-11e5-8d66-001e8c140268"
SUBMITTED = {"harpcaller": 1, "job_id": JOB}
STATUS = {"call": {"host": "web01", "procedure": "restart", "arguments": ["nginx"]},
          "time": {"submit": 1700000000, "start": 1700000001, "end": 1700000005},
          "info": {"ticket": 42}}
RUNNING = {"call": STATUS["call"], "time": {"submit": 1700000000, "start": 1700000001, "end": None},
           "info": None}
VALUE_ERROR = {"exception": {"type": "ValueError", "message": "boom",
                             "data": {"class": "ValueError", "module": "exceptions"}}}
UNKNOWN_HOST = {"error": {"type": "unknown_host", "message": "host not found"}}
INVALID_JOBID = {"error": {"type": "invalid_jobid", "message": "no such job"}}

dispatcher = None


def setUpModule():
    global dispatcher
    dispatcher = FakeDispatcher()


def tearDownModule():
    if dispatcher is not None:
        dispatcher.stop()


def caller():
    return harp.HarpCaller("127.0.0.1", dispatcher.port, timeout=30)


def line(text):
    """The exact request line expected on the wire."""
    return (text + "\n").encode("utf-8")


def free_port():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


class SubmitTest(unittest.TestCase):

    def setUp(self):
        dispatcher.reset([SUBMITTED])

    def test_positional_call_sends_call_request_and_gives_job(self):
        job = caller().web01.restart("nginx", 3)
        self.assertIsInstance(job, harp.RemoteCall)
        self.assertEqual(job.id(), JOB)
        self.assertEqual(dispatcher.raw_requests, [line(
            '{"arguments": ["nginx", 3], "harpcaller": 1, "host": "web01", "procedure": "restart"}')])

    def test_keyword_call_sends_arguments_object(self):
        caller().host("web01").configure(name="x", count=3)
        self.assertEqual(dispatcher.requests[0]["arguments"], {"name": "x", "count": 3})

    def test_call_without_arguments_sends_empty_list(self):
        caller()("web01").uptime()
        self.assertEqual(dispatcher.requests[0]["arguments"], [])

    def test_job_options_are_sent(self):
        rpc = caller()
        rpc.host("web01", queue={"service": "nginx"}, concurrency=2, timeout=30,
                 max_exec_time=15, info={"ticket": 42}).restart()
        self.assertEqual(dispatcher.raw_requests, [line(
            '{"arguments": [], "harpcaller": 1, "host": "web01", "info": {"ticket": 42}, '
            '"max_exec_time": 15, "procedure": "restart", '
            '"queue": {"concurrency": 2, "name": {"service": "nginx"}}, "timeout": 30}')])

    def test_options_set_by_calling_the_server_stay_with_it(self):
        host = caller().web01(queue={"q": 1})
        self.assertIs(host(max_exec_time=5), host)
        host.a()
        host.b()
        for request in dispatcher.requests:
            self.assertEqual(request["queue"], {"name": {"q": 1}})
            self.assertEqual(request["max_exec_time"], 5)

    def test_concurrency_without_queue_is_not_sent_and_null_info_is(self):
        caller().host("web01", concurrency=4, info=None).restart()
        request = dispatcher.requests[0]
        self.assertNotIn("queue", request)
        self.assertIn("info", request)
        self.assertIsNone(request["info"])

    def test_unknown_option_is_refused(self):
        self.assertRaises(TypeError, caller().host, "web01", queu={"a": 1})

    def test_mixed_arguments_are_refused_before_connecting(self):
        self.assertRaises(harp.InvalidArgumentsError, caller().web01.restart, 1, name=2)
        self.assertEqual(dispatcher.requests, [])

    def test_non_ascii_arguments_are_escaped_on_the_wire(self):
        caller().web01.echo("zażółć")
        self.assertIn(b'["za\\u017c\\u00f3\\u0142\\u0107"]', dispatcher.raw_requests[0])
        self.assertEqual(dispatcher.requests[0]["arguments"], ["zażółć"])

    def test_procedure_and_server_representations(self):
        procedure = caller().web01.restart
        self.assertEqual((procedure.host(), procedure.procedure()), ("web01", "restart"))
        self.assertEqual(str(caller().host("db02")), "db02")
        self.assertRaises(AttributeError, getattr, caller(), "__deepcopy__")
        self.assertRaises(AttributeError, getattr, caller().web01, "__deepcopy__")

    def test_error_reply_raises_remote_error(self):
        dispatcher.reset([{"error": {"type": "invalid_request", "message": "bad queue"}}])
        with self.assertRaises(harp.RemoteError) as raised:
            caller().web01.restart()
        self.assertEqual((raised.exception.type, raised.exception.message),
                         ("invalid_request", "bad queue"))

    def test_reply_without_job_id_is_communication_error(self):
        dispatcher.reset([{"harpcaller": 1}])
        self.assertRaises(harp.CommunicationError, caller().web01.restart)

    def test_closed_without_reply_is_communication_error(self):
        dispatcher.reset([])
        self.assertRaises(harp.CommunicationError, caller().web01.restart)

    def test_refused_connection_is_communication_error(self):
        rpc = harp.HarpCaller("127.0.0.1", free_port(), timeout=30)
        self.assertRaises(harp.CommunicationError, rpc.web01.restart)


class ResultTest(unittest.TestCase):

    def setUp(self):
        dispatcher.reset()

    def job(self):
        return caller().job(JOB)

    def test_result_without_wait_sends_wait_false(self):
        dispatcher.reset([{"result": 1}])
        self.job().result()
        self.assertEqual(dispatcher.raw_requests,
                         [line('{"get_result": "%s", "harpcaller": 1, "wait": false}' % JOB)])

    def test_get_waits_by_default(self):
        dispatcher.reset([{"result": 1}])
        self.assertEqual(self.job().get(), 1)
        self.assertEqual(dispatcher.raw_requests,
                         [line('{"get_result": "%s", "harpcaller": 1, "wait": true}' % JOB)])

    def test_no_result_is_call_not_finished_and_is_asked_again(self):
        dispatcher.reset([{"no_result": True}])
        job = self.job()
        self.assertIs(job.result(), harp.CALL_NOT_FINISHED)
        self.assertIs(job.get(wait=False), harp.CALL_NOT_FINISHED)
        self.assertEqual(len(dispatcher.requests), 2)

    def test_result_value_is_kept_once_known(self):
        dispatcher.reset([{"result": {"a": [1, None]}}])
        job = self.job()
        self.assertEqual(job.result(wait=True), {"a": [1, None]})
        self.assertEqual(job.get(), {"a": [1, None]})
        self.assertEqual(len(dispatcher.requests), 1)

    def test_null_result_is_a_result(self):
        dispatcher.reset([{"result": None}])
        job = self.job()
        self.assertIsNone(job.result())
        self.assertIsNone(job.get())
        self.assertEqual(len(dispatcher.requests), 1)

    def test_exception_is_returned_by_result_and_raised_by_get(self):
        dispatcher.reset([VALUE_ERROR])
        job = self.job()
        outcome = job.result()
        self.assertIsInstance(outcome, harp.RemoteException)
        self.assertEqual((outcome.type, outcome.message, outcome.data),
                         ("ValueError", "boom", {"class": "ValueError", "module": "exceptions"}))
        self.assertRaises(harp.RemoteException, job.get)

    def test_exception_without_data(self):
        dispatcher.reset([{"exception": {"type": "KeyError", "message": "k"}}])
        self.assertIsNone(self.job().result().data)

    def test_error_is_returned_by_result_and_raised_by_get(self):
        dispatcher.reset([UNKNOWN_HOST])
        job = self.job()
        outcome = job.result()
        self.assertIsInstance(outcome, harp.RemoteError)
        self.assertEqual((outcome.type, outcome.message), ("unknown_host", "host not found"))
        with self.assertRaises(harp.RemoteError) as raised:
            job.get()
        self.assertIs(raised.exception, outcome)

    def test_harpd_and_dispatcher_error_types_pass_through(self):
        for kind in ("timeout", "auth_error", "econnrefused", "invalid_jobid", "storage_error"):
            dispatcher.reset([{"error": {"type": kind, "message": "m"}}])
            self.assertEqual(self.job().result().type, kind)

    def test_cancelled_job(self):
        dispatcher.reset([{"cancelled": True}])
        job = self.job()
        self.assertIs(job.result(), harp.CALL_CANCELLED)
        self.assertRaises(harp.CancelledException, job.get)
        self.assertEqual(len(dispatcher.requests), 1)

    def test_unreachable_dispatcher_is_returned_by_result_and_raised_by_get(self):
        job = harp.HarpCaller("127.0.0.1", free_port(), timeout=30).job(JOB)
        self.assertIsInstance(job.result(), harp.CommunicationError)
        self.assertRaises(harp.CommunicationError, job.get)

    def test_communication_error_is_not_kept(self):
        dispatcher.reset([])
        job = self.job()
        self.assertIsInstance(job.result(), harp.CommunicationError)
        dispatcher.reset([{"result": 7}])
        self.assertEqual(job.result(), 7)

    def test_unexpected_or_malformed_reply_is_communication_error(self):
        for reply in ({"what": 1}, [1, 2], b'{"result": \n', b'{"result": 1'):
            dispatcher.reset([reply])
            self.assertIsInstance(self.job().result(), harp.CommunicationError, reply)


class StreamTest(unittest.TestCase):

    def setUp(self):
        dispatcher.reset()

    def job(self):
        return caller().job(JOB)

    def test_follow_sends_follow_stream_without_position(self):
        dispatcher.reset([{"result": None}])
        self.job().follow().all()
        self.assertEqual(dispatcher.raw_requests,
                         [line('{"follow_stream": "%s", "harpcaller": 1}' % JOB)])

    def test_follow_since_and_recent(self):
        dispatcher.reset([{"result": None}])
        self.job().follow(since=0).all()
        self.job().follow(recent=5).all()
        self.assertEqual(dispatcher.raw_requests, [
            line('{"follow_stream": "%s", "harpcaller": 1, "since": 0}' % JOB),
            line('{"follow_stream": "%s", "harpcaller": 1, "recent": 5}' % JOB)])

    def test_since_and_recent_together_are_refused_before_connecting(self):
        self.assertRaises(ValueError, self.job().follow, since=1, recent=1)
        self.assertRaises(ValueError, self.job().stream, since=1, recent=1)
        self.assertEqual(dispatcher.requests, [])

    def test_follow_yields_packet_data_and_keeps_the_end_result(self):
        dispatcher.reset([{"packet": 0, "data": "a"}, {"packet": 1, "data": {"b": 2}},
                          {"result": "done"}])
        job = self.job()
        packets = job.follow()
        self.assertEqual(list(packets), ["a", {"b": 2}])
        self.assertTrue(packets.job_ended)
        self.assertEqual(job.result(), "done")
        self.assertEqual(len(dispatcher.requests), 1)

    def test_numbered_packets(self):
        dispatcher.reset([{"packet": 3, "data": "x"}, {"packet": 4, "data": None}, {"result": 1}])
        self.assertEqual(self.job().follow(since=3, numbered=True).all(), [(3, "x"), (4, None)])

    def test_each_end_message_ends_the_stream_as_the_result(self):
        ends = [(VALUE_ERROR, harp.RemoteException), (UNKNOWN_HOST, harp.RemoteError)]
        for end, kind in ends:
            dispatcher.reset([{"packet": 0, "data": 1}, end])
            job = self.job()
            self.assertEqual(job.follow().all(), [1])
            self.assertIsInstance(job.result(), kind)
            self.assertRaises(kind, job.get)
        dispatcher.reset([{"cancelled": True}])
        job = self.job()
        self.assertEqual(job.follow().all(), [])
        self.assertIs(job.result(), harp.CALL_CANCELLED)
        self.assertEqual(len(dispatcher.requests), 1)

    def test_unknown_job_ends_the_stream_with_invalid_jobid(self):
        dispatcher.reset([INVALID_JOBID])
        job = self.job()
        self.assertEqual(job.follow().all(), [])
        self.assertEqual(job.result().type, "invalid_jobid")

    def test_eof_before_end_message_is_communication_error_after_packets(self):
        dispatcher.reset([{"packet": 0, "data": "a"}])
        packets = self.job().follow()
        self.assertEqual(next(packets), "a")
        self.assertRaises(harp.CommunicationError, next, packets)
        self.assertRaises(StopIteration, next, packets)

    def test_garbage_in_stream_is_communication_error(self):
        for garbage in ({"what": 1}, b"not json\n", b'{"packet": 0, "da'):
            dispatcher.reset([garbage])
            self.assertRaises(harp.CommunicationError, self.job().follow().all)

    def test_stream_sends_read_stream(self):
        dispatcher.reset([{"continue": True}])
        self.job().stream().all()
        self.job().stream(since=2).all()
        self.job().stream(recent=1).all()
        self.assertEqual(dispatcher.raw_requests, [
            line('{"harpcaller": 1, "read_stream": "%s"}' % JOB),
            line('{"harpcaller": 1, "read_stream": "%s", "since": 2}' % JOB),
            line('{"harpcaller": 1, "read_stream": "%s", "recent": 1}' % JOB)])

    def test_stream_page_ending_with_continue_keeps_no_result(self):
        dispatcher.reset([{"packet": 0, "data": "a"}, {"continue": True}])
        job = self.job()
        packets = job.stream()
        self.assertEqual(packets.all(), ["a"])
        self.assertFalse(packets.job_ended)
        dispatcher.reset([{"no_result": True}])
        self.assertIs(job.result(), harp.CALL_NOT_FINISHED)
        self.assertEqual(len(dispatcher.requests), 1)

    def test_stream_page_ending_with_result(self):
        dispatcher.reset([{"packet": 0, "data": "a"}, {"result": [1]}])
        job = self.job()
        self.assertEqual(job.stream().all(), ["a"])
        self.assertEqual(job.get(), [1])

    def test_closing_an_iterator_stops_it(self):
        dispatcher.reset([{"packet": 0, "data": "a"}, {"packet": 1, "data": "b"}, {"result": 1}])
        with self.job().follow() as packets:
            self.assertEqual(next(packets), "a")
        self.assertRaises(StopIteration, next, packets)


class CancelAndStatusTest(unittest.TestCase):

    def setUp(self):
        dispatcher.reset()

    def job(self):
        return caller().job(JOB)

    def test_cancel_sends_cancel_and_returns_the_answer(self):
        for answer in (True, False):
            dispatcher.reset([{"cancelled": answer}])
            self.assertIs(self.job().cancel(), answer)
            self.assertEqual(dispatcher.raw_requests,
                             [line('{"cancel": "%s", "harpcaller": 1}' % JOB)])

    def test_cancel_error_and_garbage(self):
        dispatcher.reset([INVALID_JOBID])
        self.assertRaises(harp.RemoteError, self.job().cancel)
        dispatcher.reset([{"cancelled": "yes"}])
        self.assertRaises(harp.CommunicationError, self.job().cancel)

    def test_metadata_of_an_ended_job_is_asked_once(self):
        dispatcher.reset([STATUS])
        job = self.job()
        self.assertEqual(job.host(), "web01")
        self.assertEqual(job.procedure(), "restart")
        self.assertEqual(job.args(), ["nginx"])
        self.assertEqual(job.info(), {"ticket": 42})
        self.assertEqual((job.submit_time(), job.start_time(), job.end_time()),
                         (1700000000, 1700000001, 1700000005))
        self.assertEqual(dispatcher.raw_requests,
                         [line('{"get_status": "%s", "harpcaller": 1}' % JOB)])

    def test_metadata_of_a_running_job_is_asked_each_time(self):
        dispatcher.reset([RUNNING])
        job = self.job()
        self.assertIsNone(job.end_time())
        self.assertIsNone(job.info())
        dispatcher.reset([STATUS])
        self.assertEqual(job.end_time(), 1700000005)
        self.assertEqual(len(dispatcher.requests), 1)

    def test_job_cancelled_in_its_queue_has_no_start(self):
        dispatcher.reset([{"call": STATUS["call"], "info": None,
                           "time": {"submit": 1700000000, "start": None, "end": 1700000002}}])
        job = self.job()
        self.assertIsNone(job.start_time())
        self.assertEqual(job.end_time(), 1700000002)

    def test_unknown_job_raises_remote_error(self):
        dispatcher.reset([INVALID_JOBID])
        with self.assertRaises(harp.RemoteError) as raised:
            self.job().host()
        self.assertEqual(raised.exception.type, "invalid_jobid")

    def test_malformed_status_is_communication_error(self):
        dispatcher.reset([{"call": {"host": "h"}, "time": {}}])
        self.assertRaises(harp.CommunicationError, self.job().submit_time)


DESCRIPTION = {"name": "touch", "kind": "plain", "signature": "touch(path, mode=...)",
               "parameters": ["path", "mode"], "defaults": 1, "varargs": None, "varkw": None,
               "doc": "Creates a file.", "timeout": 30.0, "uid": None, "gid": []}


def discovery_replies(end):
    """A dispatcher that takes the job, then answers get_result with ``end``."""
    return lambda request: [SUBMITTED] if "procedure" in request else [end]


class DiscoveryThroughDispatcherTest(unittest.TestCase):
    """harp.list_procedures / describe_procedure of a RemoteServer: harpd's built-ins submitted as jobs."""

    def setUp(self):
        dispatcher.reset()

    def test_list_submits_harpd_procedures_and_waits_for_its_result(self):
        dispatcher.reset(discovery_replies({"result": [DESCRIPTION]}))
        self.assertEqual(harp.list_procedures(caller().host("web01", queue={"q": 1})), [DESCRIPTION])
        self.assertEqual(dispatcher.requests, [
            {"harpcaller": 1, "host": "web01", "procedure": "harpd.procedures", "arguments": [],
             "queue": {"name": {"q": 1}}},
            {"harpcaller": 1, "get_result": JOB, "wait": True}])

    def test_describe_submits_harpd_describe_with_the_name(self):
        dispatcher.reset(discovery_replies({"result": DESCRIPTION}))
        self.assertEqual(harp.describe_procedure(caller().web01, "touch"), DESCRIPTION)
        self.assertEqual(dispatcher.requests[0]["procedure"], "harpd.describe")
        self.assertEqual(dispatcher.requests[0]["arguments"], ["touch"])

    def test_errors_of_the_job_are_raised(self):
        dispatcher.reset(discovery_replies({"error": {"type": "no_such_procedure", "message": "nope"}}))
        with self.assertRaises(harp.RemoteError) as raised:
            harp.describe_procedure(caller().web01, "nope")
        self.assertEqual(raised.exception.type, "no_such_procedure")
        dispatcher.reset(discovery_replies(UNKNOWN_HOST))
        self.assertRaises(harp.RemoteError, harp.list_procedures, caller().web01)
        dispatcher.reset(discovery_replies({"cancelled": True}))
        self.assertRaises(harp.CancelledException, harp.list_procedures, caller().web01)


class CommandLineTest(unittest.TestCase):
    """``python -m harp submit/result/follow/cancel/status``, run as a separate process."""

    def setUp(self):
        dispatcher.reset()

    def run_cli(self, command, *args):
        env = dict(os.environ)
        env["PYTHONPATH"] = PYTHON_LIB
        env = dict((str(k), v if isinstance(v, str) else v.encode("utf-8")) for k, v in env.items())
        argv = [sys.executable, "-m", "harp", command, "--host", "127.0.0.1",
                "--port", str(dispatcher.port), "--timeout", "30"] + list(args)
        process = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out, err = process.communicate()
        return process.returncode, out.decode("utf-8"), err.decode("utf-8")

    def test_submit_prints_job_id(self):
        dispatcher.reset([SUBMITTED])
        status, out, err = self.run_cli("submit", "--queue", '{"service": "nginx"}', "--concurrency",
                                        "2", "--job-timeout", "30", "--max-exec-time", "60", "--info",
                                        '{"by": "cli"}', "web01", "restart", "nginx", "3")
        self.assertEqual((status, out, err), (0, JOB + "\n", ""))
        self.assertEqual(dispatcher.requests, [{
            "harpcaller": 1, "host": "web01", "procedure": "restart", "arguments": ["nginx", 3],
            "queue": {"name": {"service": "nginx"}, "concurrency": 2}, "timeout": 30,
            "max_exec_time": 60, "info": {"by": "cli"}}])

    def test_submit_keyword_arguments_and_no_options(self):
        dispatcher.reset([SUBMITTED])
        status, _, _ = self.run_cli("submit", "web01", "configure", "count=3", "name=x y")
        self.assertEqual(status, 0)
        self.assertEqual(dispatcher.requests, [{"harpcaller": 1, "host": "web01",
                                                "procedure": "configure",
                                                "arguments": {"count": 3, "name": "x y"}}])

    def test_submit_usage_errors_exit_1_without_connecting(self):
        for args in (("--queue", "[1]", "web01", "p"), ("--concurrency", "2", "web01", "p"),
                     ("--max-exec-time", "0", "web01", "p"), ("web01", "p", "1", "a=2"), ("web01",)):
            status, _, _ = self.run_cli("submit", *args)
            self.assertEqual(status, 1, args)
        self.assertEqual(dispatcher.requests, [])

    def test_submit_refused_exits_3(self):
        dispatcher.reset([{"error": {"type": "invalid_request", "message": "bad"}}])
        status, _, err = self.run_cli("submit", "web01", "p")
        self.assertEqual(status, 3)
        self.assertIn("invalid_request", err)

    def test_result_outcomes_and_exit_statuses(self):
        cases = [({"result": {"b": 1, "a": [2]}}, 0, '{"a": [2], "b": 1}\n', ""),
                 (VALUE_ERROR, 2, "", "ValueError: boom"),
                 (UNKNOWN_HOST, 3, "", "unknown_host: host not found"),
                 (INVALID_JOBID, 3, "", "invalid_jobid"),
                 ({"cancelled": True}, 6, "", "cancelled")]
        for reply, expected_status, expected_out, expected_err in cases:
            dispatcher.reset([reply])
            status, out, err = self.run_cli("result", JOB)
            self.assertEqual((status, out), (expected_status, expected_out), reply)
            self.assertIn(expected_err, err)
            self.assertEqual(dispatcher.requests[0]["wait"], True)

    def test_result_no_wait_of_running_job_exits_5(self):
        dispatcher.reset([{"no_result": True}])
        status, out, err = self.run_cli("result", "--no-wait", JOB)
        self.assertEqual((status, out), (5, ""))
        self.assertIn("not finished", err)
        self.assertEqual(dispatcher.requests[0]["wait"], False)

    def test_unreachable_dispatcher_exits_4(self):
        port = str(free_port())
        env = dict(os.environ, PYTHONPATH=str(PYTHON_LIB))
        for command in (["submit", "web01", "p"], ["result", JOB], ["follow", JOB], ["cancel", JOB],
                        ["status", JOB]):
            argv = [sys.executable, "-m", "harp", command[0], "--host", "127.0.0.1", "--port", port]
            process = subprocess.Popen(argv + command[1:], env=env, stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE)
            _, err = process.communicate()
            self.assertEqual(process.returncode, 4, command)
            self.assertIn("communication error", err.decode("utf-8"))

    def test_follow_prints_packets_then_result(self):
        dispatcher.reset([{"packet": 4, "data": "a"}, {"packet": 5, "data": [1]}, {"result": "done"}])
        status, out, _ = self.run_cli("follow", "--since", "4", JOB)
        self.assertEqual((status, out), (0, '"a"\n[1]\n"done"\n'))
        self.assertEqual(dispatcher.requests, [{"harpcaller": 1, "follow_stream": JOB, "since": 4}])

    def test_follow_numbered_and_ending_in_exception(self):
        dispatcher.reset([{"packet": 0, "data": "a"}, VALUE_ERROR])
        status, out, err = self.run_cli("follow", "--numbered", "--recent", "3", JOB)
        self.assertEqual((status, out), (2, '[0, "a"]\n'))
        self.assertIn("boom", err)
        self.assertEqual(dispatcher.requests[0]["recent"], 3)

    def test_follow_no_wait_reads_a_page(self):
        dispatcher.reset([{"packet": 0, "data": "a"}, {"continue": True}])
        status, out, _ = self.run_cli("follow", "--no-wait", JOB)
        self.assertEqual((status, out), (5, '"a"\n'))
        self.assertEqual(dispatcher.requests, [{"harpcaller": 1, "read_stream": JOB}])

    def test_follow_cut_short_exits_4(self):
        dispatcher.reset([{"packet": 0, "data": "a"}])
        status, out, err = self.run_cli("follow", JOB)
        self.assertEqual((status, out), (4, '"a"\n'))
        self.assertIn("communication error", err)

    def test_follow_since_and_recent_exclusive(self):
        status, _, _ = self.run_cli("follow", "--since", "1", "--recent", "1", JOB)
        self.assertEqual(status, 1)

    def test_cancel(self):
        dispatcher.reset([{"cancelled": True}])
        self.assertEqual(self.run_cli("cancel", JOB)[:2], (0, "true\n"))
        self.assertEqual(dispatcher.requests, [{"harpcaller": 1, "cancel": JOB}])
        dispatcher.reset([{"cancelled": False}])
        self.assertEqual(self.run_cli("cancel", JOB)[:2], (5, "false\n"))

    def run_discovery(self, command, *args):
        env = dict(os.environ, PYTHONPATH=str(PYTHON_LIB))
        env.pop("HARP_PASSWORD", None)
        argv = [sys.executable, "-m", "harp", command, "--via-dispatcher",
                "127.0.0.1:%d" % (dispatcher.port,), "--timeout", "30"] + list(args)
        process = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out, err = process.communicate()
        return process.returncode, out.decode("utf-8"), err.decode("utf-8")

    def test_list_via_dispatcher(self):
        dispatcher.reset(discovery_replies({"result": [DESCRIPTION]}))
        status, out, err = self.run_discovery("list", "--host", "web01")
        self.assertEqual((status, out, err), (0, "touch(path, mode=...)\n", ""))
        self.assertEqual(dispatcher.requests[0], {"harpcaller": 1, "host": "web01",
                                                  "procedure": "harpd.procedures", "arguments": []})
        dispatcher.reset(discovery_replies({"result": [DESCRIPTION]}))
        status, out, _ = self.run_discovery("list", "--json", "--host", "web01")
        self.assertEqual((status, json.loads(out)), (0, [DESCRIPTION]))

    def test_describe_via_dispatcher(self):
        dispatcher.reset(discovery_replies({"result": DESCRIPTION}))
        status, out, _ = self.run_discovery("describe", "--host", "web01", "touch")
        self.assertEqual(status, 0)
        self.assertTrue(out.startswith("touch(path, mode=...)\n  kind: plain\n  timeout: 30.0\n"), out)
        self.assertEqual(dispatcher.requests[0]["arguments"], ["touch"])
        dispatcher.reset(discovery_replies(UNKNOWN_HOST))
        status, out, err = self.run_discovery("describe", "--host", "web02", "touch")
        self.assertEqual((status, out), (3, ""))
        self.assertIn("unknown_host", err)
        dispatcher.reset(discovery_replies({"cancelled": True}))
        self.assertEqual(self.run_discovery("list", "--host", "web01")[0], 6)

    def test_via_dispatcher_usage_errors_exit_1_without_connecting(self):
        for args in (("list",), ("list", "--host", "web01", "--port", "4306"),
                     ("list", "--host", "web01", "--ca-file", "ca.pem"),
                     ("describe", "--host", "web01", "--password-file", "pw", "touch")):
            status, _, err = self.run_discovery(*args)
            self.assertEqual(status, 1, args)
            self.assertIn("harp: ", err)
        env = dict(os.environ, PYTHONPATH=str(PYTHON_LIB))
        process = subprocess.Popen([sys.executable, "-m", "harp", "list", "--via-dispatcher", "d:x",
                                    "--host", "web01"], env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE)
        _, err = process.communicate()
        self.assertEqual(process.returncode, 1)
        self.assertIn("--via-dispatcher: expected ADDRESS", err.decode("utf-8"))
        self.assertEqual(dispatcher.requests, [])

    def test_status(self):
        dispatcher.reset([STATUS])
        status, out, _ = self.run_cli("status", JOB)
        self.assertEqual(status, 0)
        self.assertEqual(json.loads(out), STATUS)
        self.assertEqual(dispatcher.requests, [{"harpcaller": 1, "get_status": JOB}])
        dispatcher.reset([INVALID_JOBID])
        status, out, err = self.run_cli("status", JOB)
        self.assertEqual((status, out), (3, ""))
        self.assertIn("invalid_jobid", err)


if __name__ == "__main__":
    unittest.main()
