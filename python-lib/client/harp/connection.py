"""Line-wise JSON over TCP and over TLS.

Each message is one JSON document on one line, terminated by ``\\n`` and
encoded as UTF-8, which is how harpd(8) and its clients talk.
"""

from __future__ import absolute_import, division, print_function

import json
import socket
import ssl
import sys

from harp.errors import CommunicationError

_RECV_SIZE = 65536

# Python 2 raises ssl.CertificateError (a ValueError) for hostname mismatches;
# every other transport failure is a socket.error / OSError.
_TRANSPORT_ERRORS = (socket.error, ssl.SSLError, ssl.CertificateError, EnvironmentError)

# Python 2's hostname check knows only DNS names; IP addresses are checked here.
_SSL_CHECKS_IP_ADDRESSES = sys.version_info[0] >= 3


class JSONConnection(object):
    """TCP connection, reading and writing JSON lines.

    Newly created objects are already connected. The object is a context
    manager that closes the connection on exit::

        with JSONConnection(host, port) as conn:
            conn.send({"key": "value"})
            reply = conn.receive()

    :param host: address of the server
    :param port: port of the server
    :param timeout: seconds to wait for connecting and for each read or write
        (``None``, the default, waits forever)

    Transport failures are raised as :class:`harp.CommunicationError`.
    """

    def __init__(self, host, port, timeout=None):
        self.host = host
        self.port = port
        self.timeout = timeout
        self._sock = None
        self._buffer = bytearray()
        self._scanned = 0  # bytes of _buffer already known to hold no newline
        self.connect()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        self.close()
        return False

    def connect(self):
        """Connect to the address given to the constructor.

        Any previous connection is closed first.
        """
        self.close()
        try:
            sock = socket.create_connection((self.host, self.port), self.timeout)
        except _TRANSPORT_ERRORS as e:
            raise CommunicationError("cannot connect to %s port %s: %s" % (self.host, self.port, e))
        try:
            # Each call is a handshake then one request line: with Nagle on, the line waits for the
            # server's delayed ACK of the handshake's last flight, tens of milliseconds per call.
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._sock = self._wrap(sock)
        except _TRANSPORT_ERRORS as e:
            sock.close()
            raise CommunicationError("cannot establish connection with %s port %s: %s"
                                     % (self.host, self.port, e))
        except BaseException:
            sock.close()
            raise

    def _wrap(self, sock):
        """Hook for subclasses to add a layer (TLS) over the TCP socket."""
        return sock

    def close(self):
        """Close the connection. To connect again, use :meth:`connect`."""
        sock, self._sock = self._sock, None
        self._buffer = bytearray()
        self._scanned = 0
        if sock is not None:
            try:
                sock.close()
            except _TRANSPORT_ERRORS:
                pass

    def send(self, obj):
        """Send an object (anything :mod:`json` serializes) as a JSON line."""
        line = (json.dumps(obj, sort_keys=True) + "\n").encode("utf-8")
        try:
            self._connected().sendall(line)
        except _TRANSPORT_ERRORS as e:
            raise CommunicationError("cannot send to %s port %s: %s" % (self.host, self.port, e))

    def receive(self):
        """Receive a JSON line and deserialize it, typically to a dict.

        Returns ``None`` when the server closed the connection cleanly
        between messages; raises :class:`harp.CommunicationError` if it
        closed in the middle of a line or the line is not valid JSON.
        """
        line = self._read_line()
        if line is None:
            return None
        try:
            return json.loads(line.decode("utf-8"))
        except ValueError as e:
            raise CommunicationError("malformed message from %s port %s: %s"
                                     % (self.host, self.port, e))

    def _connected(self):
        if self._sock is None:
            raise CommunicationError("not connected")
        return self._sock

    def _read_line(self):
        sock = self._connected()
        while True:
            newline = self._buffer.find(b"\n", self._scanned)
            if newline >= 0:
                line = bytes(self._buffer[:newline])
                del self._buffer[:newline + 1]
                self._scanned = 0
                return line
            self._scanned = len(self._buffer)
            try:
                chunk = sock.recv(_RECV_SIZE)
            except ssl.SSLError as e:
                if not _is_unexpected_eof(e):
                    raise CommunicationError("cannot read from %s port %s: %s"
                                             % (self.host, self.port, e))
                chunk = b""
            except _TRANSPORT_ERRORS as e:
                raise CommunicationError("cannot read from %s port %s: %s"
                                         % (self.host, self.port, e))
            if not chunk:
                if self._buffer:
                    raise CommunicationError("connection closed by %s port %s in the middle of a message"
                                             % (self.host, self.port))
                return None
            self._buffer += chunk


class JSONSSLConnection(JSONConnection):
    """TLS connection, reading and writing JSON lines.

    Works like :class:`JSONConnection`::

        with JSONSSLConnection(host, port, "/etc/ssl/certs/ca.pem") as conn:
            conn.send({"key": "value"})
            reply = conn.receive()

    :param host: address of the server
    :param port: port of the server
    :param ca_file: file with CA certificates to verify the server's
        certificate against, or ``None`` for **no verification at all**
    :param check_hostname: with *ca_file*, also check that the certificate
        names *host* (turn off e.g. when connecting to an IP address the
        certificate does not list)
    :param timeout: as for :class:`JSONConnection`

    Only TLS 1.2 and newer are negotiated. Without *ca_file* the traffic is
    encrypted but the server is not authenticated, as in the original harp
    library: anyone able to intercept the connection could impersonate the
    server and learn the password. Pass *ca_file* wherever that matters.
    """

    def __init__(self, host, port, ca_file=None, check_hostname=True, timeout=None):
        self.ca_file = ca_file
        self.check_hostname = check_hostname
        self._ip_address_check = (ca_file is not None and check_hostname
                                  and not _SSL_CHECKS_IP_ADDRESSES and _ip_address(host) is not None)
        self._context = client_context(ca_file, check_hostname and not self._ip_address_check)
        JSONConnection.__init__(self, host, port, timeout)

    def _wrap(self, sock):
        tls = self._context.wrap_socket(sock, server_hostname=self.host)
        if self._ip_address_check:
            try:
                _match_ip_address(tls.getpeercert(), self.host)
            except BaseException:
                tls.close()
                raise
        return tls


def client_context(ca_file=None, check_hostname=True):
    """Build the client's :class:`ssl.SSLContext` (TLS 1.2+).

    With *ca_file* the server certificate must chain to one of its CAs (and
    name the host, if *check_hostname*); without it nothing is verified.
    """
    protocol = getattr(ssl, "PROTOCOL_TLS_CLIENT", None)
    if protocol is None:  # Python 2.7 and 3.5
        protocol = getattr(ssl, "PROTOCOL_TLS", ssl.PROTOCOL_SSLv23)
    context = ssl.SSLContext(protocol)
    if hasattr(ssl, "TLSVersion"):
        context.minimum_version = ssl.TLSVersion.TLSv1_2
    else:
        context.options |= ssl.OP_NO_SSLv2 | ssl.OP_NO_SSLv3 | ssl.OP_NO_TLSv1 | ssl.OP_NO_TLSv1_1
    if ca_file is None:
        # order matters: check_hostname must be off before verification is
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    else:
        try:
            context.load_verify_locations(cafile=ca_file)
        except _TRANSPORT_ERRORS as e:
            raise CommunicationError("cannot load CA certificates from %s: %s" % (ca_file, e))
        context.verify_mode = ssl.CERT_REQUIRED
        context.check_hostname = bool(check_hostname)
    return context


def _is_unexpected_eof(error):
    """Whether *error* is the peer closing without a TLS close_notify.

    Python 3 reads that as an ordinary end of stream; Python 2 built against
    OpenSSL 3 raises a generic SSLError instead. A truncated message is still
    detected: it lacks its terminating newline.
    """
    eof_error = getattr(ssl, "SSLEOFError", None)
    if eof_error is not None and isinstance(error, eof_error):
        return True
    return "unexpected eof" in str(error).lower()


def _ip_address(text):
    """The packed form of an IPv4/IPv6 address literal, or None for a name."""
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            return socket.inet_pton(family, text.strip())
        except (socket.error, ValueError, UnicodeError):
            pass
    return None


def _match_ip_address(certificate, host):
    """Require an ``IP Address`` subjectAltName equal to *host* (Python 2)."""
    wanted = _ip_address(host)
    for kind, value in (certificate or {}).get("subjectAltName", ()):
        if kind == "IP Address" and _ip_address(value) == wanted:
            return
    raise ssl.CertificateError("certificate is not valid for IP address %s" % (host,))
