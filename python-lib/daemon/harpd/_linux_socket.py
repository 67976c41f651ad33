"""
socket's byte-order functions as CPython 2.7 has them on x86-64 Linux, a little-endian host: htons, htonl, ntohs
and ntohl swap bytes (Jython's return their argument unchanged, as on a big-endian host), with CPython's argument
checks and texts. harpd._jython_os patches socket with them when it is first imported.
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


def patch(socket):
    import _socket
    for name in ("htons", "htonl", "ntohs", "ntohl"):
        function = globals()[name]
        setattr(socket, name, function)
        setattr(_socket, name, function)
