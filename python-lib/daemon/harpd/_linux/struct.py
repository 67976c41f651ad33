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

# Integer codes by byte-order prefix: (what the C conversion takes, what the code takes, CPython's message for a
# value outside the second range). Made by probing CPython 2.7.18's _struct on x86-64 Linux at the boundaries; its
# texts differ by prefix because its little-endian table reuses the native pack functions where sizes agree.
_INTEGER_RANGES = {}
for _codes, _range in (
        ('=L <L >L !L', (0, 2 ** 64 - 1, 0, 2 ** 32 - 1, "'L' format requires 0 <= number <= 4294967295")),
        ('=l <l >l !l', (-2 ** 63, 2 ** 63 - 1, -2 ** 31, 2 ** 31 - 1, "'l' format requires -2147483648 <= number <= 2147483647")),
        ('>H !H', (0, 2 ** 64 - 1, 0, 2 ** 16 - 1, "'H' format requires 0 <= number <= 65535")),
        ('>h !h', (-2 ** 63, 2 ** 63 - 1, -2 ** 15, 2 ** 15 - 1, "'h' format requires -32768 <= number <= 32767")),
        ('@B =B <B >B !B', (-2 ** 63, 2 ** 63 - 1, 0, 2 ** 8 - 1, 'ubyte format requires 0 <= number <= 255')),
        ('@H =H <H', (-2 ** 63, 2 ** 63 - 1, 0, 2 ** 16 - 1, 'ushort format requires 0 <= number <= USHRT_MAX')),
        ('@I =I <I >I !I', (0, 2 ** 64 - 1, 0, 2 ** 32 - 1, "'I' format requires 0 <= number <= 4294967295")),
        ('@L @Q =Q <Q >Q !Q', (0, 2 ** 64 - 1, 0, 2 ** 64 - 1, None)),
        ('@b =b <b >b !b', (-2 ** 63, 2 ** 63 - 1, -2 ** 7, 2 ** 7 - 1, 'byte format requires -128 <= number <= 127')),
        ('@h =h <h', (-2 ** 63, 2 ** 63 - 1, -2 ** 15, 2 ** 15 - 1, 'short format requires SHRT_MIN <= number <= SHRT_MAX')),
        ('@i =i <i >i !i', (-2 ** 63, 2 ** 63 - 1, -2 ** 31, 2 ** 31 - 1, "'i' format requires -2147483648 <= number <= 2147483647")),
        ('@l @q =q <q >q !q', (-2 ** 63, 2 ** 63 - 1, -2 ** 63, 2 ** 63 - 1, None)),
):
    for _code in _codes.split():
        _INTEGER_RANGES[_code] = _range


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
    prefix = "@" if native else str(fmt)[0]
    parts = [order]
    kinds = []
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
            kinds.append(char)
        elif char != "x":
            kinds.extend([prefix + char] * n)
            if char == "?":
                booleans.extend(range(values, values + n))
            values += n
    result = ("".join(parts), frozenset(booleans), values, tuple(kinds))
    if len(_cache) > 100:
        _cache.clear()
    _cache[fmt] = result
    return result


def _integer(kind, value):
    """CPython's get_pylong and range checks: a float is truncated (CPython warns), a str is refused."""
    if not isinstance(value, (int, long)):
        if isinstance(value, float) or (hasattr(type(value), "__int__") and not isinstance(value, basestring)):
            value = int(value)
        elif hasattr(type(value), "__index__") and not isinstance(value, basestring):
            value = value.__index__()
        else:
            raise error("cannot convert argument to integer")
    conversion_low, conversion_high, low, high, message = _INTEGER_RANGES[kind]
    if not conversion_low <= value <= conversion_high:
        raise error("integer out of range for '%s' format code" % kind[1])
    if not low <= value <= high:
        raise error(message)
    return value


def _other(kind, value):
    code = kind[-1]
    if code == "c":
        if not isinstance(value, str) or len(value) != 1:
            raise error("char format require string of length 1")
    elif code in "sp":
        if not isinstance(value, str):
            raise error("argument for '%s' must be a string" % code)
    elif code in "fd":
        if not isinstance(value, (int, long, float)):
            raise error("required argument is not a float")
        value = float(value)
        if code == "f" and abs(value) > 3.4028234663852886e+38 and abs(value) != float("inf"):
            if kind[0] != "@":
                raise OverflowError("float too large to pack with f format")
            # the native code is a C cast: infinity
            value = float("inf") if value > 0 else float("-inf")
    elif code == "P":
        # PyLong_AsVoidPtr: a negative number as a C long, a positive one as an unsigned long
        if not isinstance(value, (int, long)):
            if isinstance(value, float) or (hasattr(type(value), "__int__") and not isinstance(value, basestring)):
                value = int(value)
            else:
                raise error("cannot convert argument to integer")
        if value < -2 ** 63:
            raise OverflowError("Python int too large to convert to C long")
        if value >= 2 ** 64:
            raise OverflowError("long int too large to convert")
        value &= 2 ** 64 - 1
    return value


def _packable(booleans, args, kinds):
    values = []
    for i, v in enumerate(args):
        kind = kinds[i]
        if i in booleans:
            v = int(bool(v))
        elif kind in _INTEGER_RANGES:
            v = _integer(kind, v)
        else:
            v = _other(kind, v)
        values.append(v)
    return tuple(values)


def _unpacked(booleans, values):
    # Jython answers long for the 4- and 8-byte codes; CPython answers int where the value fits, as int() does
    return tuple(bool(v) if i in booleans else int(v) if isinstance(v, long) else v for i, v in enumerate(values))


def calcsize(fmt):
    return _jython.calcsize(_translate(fmt)[0])


def pack(fmt, *args):
    jython, booleans, count, kinds = _translate(fmt)
    if len(args) != count:
        raise error("pack expected %d items for packing (got %d)" % (count, len(args)))
    return _jython.pack(jython, *_packable(booleans, args, kinds))


def pack_into(fmt, buffer, offset, *args):
    jython, booleans, count, kinds = _translate(fmt)
    if len(args) != count:
        raise error("pack_into expected %d items for packing (got %d)" % (count, len(args)))
    if not isinstance(buffer, bytearray):
        return _jython.pack_into(jython, buffer, offset, *_packable(booleans, args, kinds))
    # Jython's pack_into takes only an array.array; CPython's takes any writable buffer
    data = _jython.pack(jython, *_packable(booleans, args, kinds))
    if offset < 0:
        if offset + len(buffer) < 0:
            raise error("offset %d out of range for %d-byte buffer" % (offset, len(buffer)))
        offset += len(buffer)
    if len(buffer) - offset < len(data):
        raise error("pack_into requires a buffer of at least %d bytes" % len(data))
    buffer[offset:offset + len(data)] = data


def unpack(fmt, data):
    jython, booleans, _, _ = _translate(fmt)
    size = _jython.calcsize(jython)
    if not isinstance(data, (basestring, buffer, bytearray)) or len(data) != size:
        raise error("unpack requires a string argument of length %d" % size)
    return _unpacked(booleans, _jython.unpack(jython, data))


def unpack_from(fmt, buffer, offset=0):
    jython, booleans, _, _ = _translate(fmt)
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
        self._jython, self._booleans, self._count, _ = _translate(format)
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
