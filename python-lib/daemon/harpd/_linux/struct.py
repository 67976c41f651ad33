"""
struct as CPython 2.7 on x86-64 Linux packs: native order ("@", "=" and no prefix) is little-endian, native
sizes are the C compiler's (long and pointers 8 bytes) with its alignment, and "?" (C99 _Bool) exists.

Jython's struct packs native formats big-endian with a 4-byte long and has no "?" or "P" packing, so a
structure built for fcntl.ioctl or setsockopt would reach the kernel garbled. Each format is rewritten into
one Jython's struct understands ("<" with explicit padding), and Jython's struct does the packing.
"""

from __future__ import absolute_import

from org.python.modules import struct as _jython

error = _jython.error

# code: (size, alignment) in native mode, x86-64 System V
_NATIVE = {"x": 1, "c": 1, "b": 1, "B": 1, "?": 1, "h": 2, "H": 2, "i": 4, "I": 4, "l": 8, "L": 8, "q": 8,
           "Q": 8, "f": 4, "d": 8, "s": 1, "p": 1, "P": 8}
_NATIVE_CODE = {"l": "q", "L": "Q", "P": "Q", "?": "B"}
_STANDARD = frozenset("xcbB?hHiIlLqQfdsp")
_cache = {}


def _translate(fmt):
    """(Jython format, indices of "?" values, number of values) for a CPython format."""
    try:
        return _cache[fmt]
    except (KeyError, TypeError):
        pass
    if not isinstance(fmt, basestring):
        raise TypeError("Struct() argument 1 must be string, not %s" % type(fmt).__name__)
    text = str(fmt)
    native = True
    order = "<"
    if text[:1] in ("@", "=", "<", ">", "!"):
        native = text[0] == "@"
        order = "<" if text[0] in "@=" else text[0]
        text = text[1:]
    parts = [order]
    booleans = []
    values = 0
    offset = 0
    i = 0
    while i < len(text):
        char = text[i]
        if char.isspace():
            i += 1
            continue
        count = None
        while char.isdigit():
            count = (count or 0) * 10 + int(char)
            i += 1
            if i == len(text):
                # a count at the end applies to nothing: CPython ignores it
                char = None
                break
            char = text[i]
        if char is None:
            break
        i += 1
        if char not in (_NATIVE if native else _STANDARD):
            raise error("bad char in struct format")
        n = 1 if count is None else count
        if native:
            size = _NATIVE[char]
            if char not in "xsp":
                padding = -offset % size
                if padding:
                    parts.append("%dx" % padding)
                    offset += padding
            offset += size * n
        code = _NATIVE_CODE.get(char, char) if native else ("B" if char == "?" else char)
        parts.append("%d%s" % (n, code))
        if char in "sp":
            values += 1
        elif char != "x":
            if char == "?":
                booleans.extend(range(values, values + n))
            values += n
    result = ("".join(parts), frozenset(booleans), values)
    if len(_cache) > 100:
        _cache.clear()
    _cache[fmt] = result
    return result


def _packable(booleans, args):
    if not booleans:
        return args
    return tuple(int(bool(v)) if i in booleans else v for i, v in enumerate(args))


def _unpacked(booleans, values):
    # Jython answers long for the 4- and 8-byte codes; CPython answers int where the value fits, as int() does
    return tuple(bool(v) if i in booleans else int(v) if isinstance(v, long) else v for i, v in enumerate(values))


def calcsize(fmt):
    return _jython.calcsize(_translate(fmt)[0])


def pack(fmt, *args):
    jython, booleans, count = _translate(fmt)
    if len(args) != count:
        raise error("pack expected %d items for packing (got %d)" % (count, len(args)))
    return _jython.pack(jython, *_packable(booleans, args))


def pack_into(fmt, buffer, offset, *args):
    jython, booleans, count = _translate(fmt)
    if len(args) != count:
        raise error("pack_into expected %d items for packing (got %d)" % (count, len(args)))
    if not isinstance(buffer, bytearray):
        return _jython.pack_into(jython, buffer, offset, *_packable(booleans, args))
    # Jython's pack_into takes only an array.array; CPython's takes any writable buffer
    data = _jython.pack(jython, *_packable(booleans, args))
    if offset < 0:
        if offset + len(buffer) < 0:
            raise error("offset %d out of range for %d-byte buffer" % (offset, len(buffer)))
        offset += len(buffer)
    if len(buffer) - offset < len(data):
        raise error("pack_into requires a buffer of at least %d bytes" % len(data))
    buffer[offset:offset + len(data)] = data


def unpack(fmt, data):
    jython, booleans, _ = _translate(fmt)
    return _unpacked(booleans, _jython.unpack(jython, data))


def unpack_from(fmt, buffer, offset=0):
    jython, booleans, _ = _translate(fmt)
    size = _jython.calcsize(jython)
    # Jython's unpack_from wants the buffer to end where the structure does; CPython's reads from a longer one
    data = buffer.tostring() if hasattr(buffer, "tostring") else str(buffer)
    if offset < 0:
        offset += len(data)
    if offset < 0 or len(data) - offset < size:
        raise error("unpack_from requires a buffer of at least %d bytes" % size)
    return _unpacked(booleans, _jython.unpack(jython, data[offset:offset + size]))


class Struct(object):
    """Struct(fmt): a compiled format, as CPython's struct.Struct."""

    def __init__(self, format):
        self._jython, self._booleans, self._count = _translate(format)
        self.format = format
        self.size = _jython.calcsize(self._jython)

    def pack(self, *args):
        return pack(self.format, *args)

    def pack_into(self, buffer, offset, *args):
        return pack_into(self.format, buffer, offset, *args)

    def unpack(self, data):
        return unpack(self.format, data)

    def unpack_from(self, buffer, offset=0):
        return unpack_from(self.format, buffer, offset)


def _clearcache():
    _cache.clear()
