"""A scripted stand-in for the harpcallerd dispatcher, for the client tests.

Plain TCP on 127.0.0.1, one request line per connection as the dispatcher's
protocol has it: each request is recorded (its exact bytes and decoded) and
answered with the lines a test scripted. Runs under CPython 2.7 and 3.
"""

from __future__ import absolute_import, division, print_function

import json
import socket
import threading


class FakeDispatcher(object):
    """TCP server answering every connection with ``replies``.

    ``replies`` is a list, or a function of the decoded request giving one.
    Each reply is either an object, sent as a JSON line, or bytes, sent
    verbatim (to script truncated or malformed messages). The connection is
    closed after the last reply. ``raw_requests`` holds each request line as
    received (bytes, newline included), ``requests`` the decoded requests.
    """

    def __init__(self):
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(8)
        self.port = self._listener.getsockname()[1]
        self.raw_requests = []
        self.requests = []
        self.replies = []
        self._thread = threading.Thread(target=self._serve)
        self._thread.daemon = True
        self._thread.start()

    def reset(self, replies=()):
        self.raw_requests = []
        self.requests = []
        self.replies = replies if callable(replies) else list(replies)

    def stop(self):
        try:
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes up accept()
        except socket.error:
            pass
        self._listener.close()
        self._thread.join(5)

    def _serve(self):
        while True:
            try:
                conn, _ = self._listener.accept()
            except (socket.error, ValueError):
                return
            conn.settimeout(10)
            try:
                self._answer(conn)
            except (socket.error, ValueError):
                pass  # client went away
            finally:
                conn.close()

    def _answer(self, conn):
        request = b""
        while not request.endswith(b"\n"):
            chunk = conn.recv(4096)
            if not chunk:
                return
            request += chunk
        self.raw_requests.append(request)
        decoded = json.loads(request.decode("utf-8"))
        self.requests.append(decoded)
        replies = self.replies(decoded) if callable(self.replies) else self.replies
        for reply in replies:
            if not isinstance(reply, bytes):
                reply = (json.dumps(reply, sort_keys=True) + "\n").encode("utf-8")
            conn.sendall(reply)
        # Half-close, then wait for the client to hang up: closing with unread
        # data would send a reset that could destroy replies still in flight.
        conn.shutdown(socket.SHUT_WR)
        while True:
            try:
                if not conn.recv(4096):
                    break
            except socket.error:
                break
