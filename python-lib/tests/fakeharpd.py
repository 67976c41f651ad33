"""A scripted stand-in for harpd(8), for the client tests.

It speaks TLS on 127.0.0.1 with a self-signed certificate made by the
``openssl`` command, records each request and answers with the lines a test
scripted. Runs under CPython 2.7 and 3.
"""

from __future__ import absolute_import, division, print_function

import json
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading


def openssl_available():
    try:
        with open(os.devnull, "wb") as devnull:
            return subprocess.call(["openssl", "version"], stdout=devnull, stderr=devnull) == 0
    except OSError:
        return False


class Certificates(object):
    """Two self-signed certificates in a temporary directory.

    ``localhost`` names DNS:localhost and IP:127.0.0.1; ``other`` names only
    other.example, so it is valid for no address the tests connect to.
    """

    def __init__(self):
        self.directory = tempfile.mkdtemp(prefix="harp-test-")
        self.localhost = self._make("localhost", "DNS:localhost,IP:127.0.0.1")
        self.other = self._make("other", "DNS:other.example")

    def _make(self, name, alt_names):
        cert = os.path.join(self.directory, name + ".cert.pem")
        key = os.path.join(self.directory, name + ".key.pem")
        with open(os.devnull, "wb") as devnull:
            subprocess.check_call([
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-keyout", key, "-out", cert,
                "-subj", "/CN=" + alt_names.split(",")[0].split(":")[1],
                "-addext", "subjectAltName=" + alt_names,
            ], stdout=devnull, stderr=devnull)
        return cert, key

    def remove(self):
        shutil.rmtree(self.directory, ignore_errors=True)


class FakeHarpd(object):
    """TLS server answering every connection with ``replies``.

    ``replies`` is a list, or a function of the decoded request giving one.
    Each reply is either an object, sent as a JSON line, or bytes, sent
    verbatim (to script truncated or malformed messages). The connection is
    closed after the last reply. Requests are recorded in ``requests``.
    """

    def __init__(self, cert_and_key):
        protocol = getattr(ssl, "PROTOCOL_TLS_SERVER", None) or ssl.PROTOCOL_SSLv23
        self._context = ssl.SSLContext(protocol)
        self._context.load_cert_chain(*cert_and_key)
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(8)
        self.port = self._listener.getsockname()[1]
        self.requests = []
        self.replies = []
        self._thread = threading.Thread(target=self._serve)
        self._thread.daemon = True
        self._thread.start()

    def reset(self, replies=()):
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
                raw, _ = self._listener.accept()
            except (socket.error, ValueError):
                return
            raw.settimeout(10)
            conn = None
            try:
                conn = self._context.wrap_socket(raw, server_side=True)
                self._answer(conn)
            except (socket.error, ssl.SSLError, ValueError):
                pass  # handshake refused by the client, client went away, ...
            finally:
                (conn or raw).close()

    def _answer(self, conn):
        request = b""
        while not request.endswith(b"\n"):
            chunk = conn.recv(4096)
            if not chunk:
                return
            request += chunk
        request = json.loads(request.decode("utf-8"))
        self.requests.append(request)
        replies = self.replies(request) if callable(self.replies) else self.replies
        for reply in replies:
            if not isinstance(reply, bytes):
                reply = (json.dumps(reply, sort_keys=True) + "\n").encode("utf-8")
            conn.sendall(reply)
        # Half-close, then wait for the client to hang up: closing with unread
        # data would send a reset that could destroy replies still in flight.
        conn.shutdown(socket.SHUT_WR)
        while raw_recv(conn):
            pass


def raw_recv(conn):
    try:
        return conn.recv(4096)
    except (socket.error, ssl.SSLError):
        return b""
