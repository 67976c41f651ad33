"""
socket's byte-order functions as CPython 2.7 has them on x86-64 Linux, a little-endian host: htons, htonl, ntohs
and ntohl swap bytes (Jython's return their argument unchanged, as on a big-endian host), with CPython's argument
checks and texts; getservbyport answering str, inet_ntop writing IPv6 addresses as glibc does, and the
exceptions in module socket. harpd._jython_os patches socket with them when it is first imported.
"""

from __future__ import absolute_import

from harpd._linux import _args


def _unsigned(value, long_message):
    if isinstance(value, float) or not isinstance(value, (int, long)):
        if long_message:
            raise TypeError("expected int/long, %s found" % type(value).__name__)
        value = _args.c_int(value)
    if value < 0:
        raise OverflowError("can't convert negative number to unsigned long")
    return value


def htons(x):
    """htons(integer) -> integer: the 16-bit integer from host to network byte order."""
    x = _unsigned(x, False)
    x = _args.c_int(x) & 0xffff
    return int(((x & 0xff) << 8) | (x >> 8))


def htonl(x):
    """htonl(integer) -> integer: the 32-bit integer from host to network byte order."""
    x = _unsigned(x, True)
    if x >= 2 ** 64:
        raise OverflowError("long int too large to convert")
    x &= 0xffffffff
    return long(((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >> 8) & 0xff00) | (x >> 24))


def ntohs(x):
    """ntohs(integer) -> integer: the 16-bit integer from network to host byte order."""
    return htons(x)


def ntohl(x):
    """ntohl(integer) -> integer: the 32-bit integer from network to host byte order."""
    return htonl(x)


def _getservbyport(jython_getservbyport):
    default = object()

    def getservbyport(port, protocolname=default):
        """getservbyport(port[, protocolname]) -> string: the service name of port (from /etc/services)."""
        port = _args.c_int(port)
        if not 0 <= port <= 65535:
            raise OverflowError("getservbyport: port must be 0-65535.")
        if protocolname is default:
            name = jython_getservbyport(port)
        else:
            name = jython_getservbyport(port, _args.string("getservbyport", 2, protocolname))
        return str(name) if isinstance(name, unicode) else name
    return getservbyport


def _inet_ntop(jython_inet_ntop, AF_INET6):
    def inet_ntop(af, packed_ip):
        """inet_ntop(af, packed_ip) -> string formatted IP address"""
        af = _args.c_int(af)
        if isinstance(packed_ip, unicode):
            packed_ip = packed_ip.encode("ascii")
        if not isinstance(packed_ip, (str, buffer)):
            raise TypeError("inet_ntop() argument 2 must be string or read-only buffer, not %s"
                            % _args.type_name(packed_ip))
        packed_ip = str(packed_ip)
        if af != AF_INET6 or len(packed_ip) != 16:
            text = jython_inet_ntop(af, packed_ip)
            return str(text) if isinstance(text, unicode) else text
        words = [(ord(packed_ip[i]) << 8) | ord(packed_ip[i + 1]) for i in range(0, 16, 2)]
        # glibc: the first longest run of two or more zero words becomes "::" (RFC 5952)
        best, best_length, start = -1, 0, None
        for index, word in enumerate(words + [1]):
            if word == 0 and start is None:
                start = index
            elif word != 0 and start is not None:
                if index - start > best_length:
                    best, best_length = start, index - start
                start = None
        if best_length < 2:
            best = -1
        if best == 0 and (best_length == 6 or (best_length == 5 and words[5] == 0xffff)):
            # an IPv4-compatible or -mapped address ends in dotted-quad form
            prefix = "::" if best_length == 6 else "::ffff:"
            return prefix + ".".join(str(ord(c)) for c in packed_ip[12:])
        parts = []
        index = 0
        while index < 8:
            if index == best:
                parts.append("" if index else ":")
                index += best_length
                if index == 8:
                    parts.append("")
                continue
            parts.append("%x" % words[index])
            index += 1
        return ":".join(parts)
    return inet_ntop


def patch(socket):
    import _socket
    for name in ("htons", "htonl", "ntohs", "ntohl"):
        function = globals()[name]
        setattr(socket, name, function)
        setattr(_socket, name, function)
    for name, function in (("getservbyport", _getservbyport(_socket.getservbyport)),
                           ("inet_ntop", _inet_ntop(_socket.inet_ntop, _socket.AF_INET6))):
        setattr(socket, name, function)
        setattr(_socket, name, function)
    for name in ("error", "herror", "gaierror", "timeout"):
        # CPython defines them in its _socket C module under the name socket.*
        try:
            getattr(_socket, name).__module__ = "socket"
        except (AttributeError, TypeError):
            pass
