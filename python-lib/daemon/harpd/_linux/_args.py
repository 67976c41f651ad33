"""
CPython 2.7's argument conversions (Python/getargs.c, Modules/posixmodule.c), for harpd's native bindings.

A Java method that Jython calls converts its arguments itself: None becomes a null pointer (which the C library
dereferences: a crash of the whole worker JVM), a str with a NUL byte is cut at it, an integer too wide for a C
int is refused with a Java message. Every binding reachable from a procedure converts its arguments here first,
so that a bad argument raises what CPython raises, with CPython's text, before anything reaches the C library.
"""

_UINT_MAX = 2 ** 32 - 1
_INT_MAX = 2 ** 31 - 1
_LONG_MAX = 2 ** 63 - 1


def type_name(value):
    # getargs.c names None "None" and anything else by its type
    return "None" if value is None else type(value).__name__


def string(function, index, value):
    """The "s" format: str, or unicode encoded with the default (ASCII) codec; no NUL bytes."""
    if isinstance(value, unicode):
        value = value.encode("ascii")
    if not isinstance(value, str):
        raise TypeError("%s() argument %d must be string, not %s" % (function, index, type_name(value)))
    if "\0" in value:
        raise TypeError("%s() argument %d must be string without null bytes, not str" % (function, index))
    return value


def path(function, index, value):
    """The "et" format of posixmodule's path arguments."""
    if isinstance(value, unicode):
        value = value.encode("utf-8")
    if not isinstance(value, str):
        raise TypeError("coercing to Unicode: need string or buffer, %s found" % type(value).__name__)
    if "\0" in value:
        raise TypeError("%s() argument %d must be encoded string without null bytes, not str" % (function, index))
    return value


def _as_int(value):
    if isinstance(value, float):
        raise TypeError("integer argument expected, got float")
    if isinstance(value, (int, long)):
        return int(value)
    index = getattr(type(value), "__index__", None)
    if index is not None and not isinstance(value, basestring):
        try:
            return int(index(value))
        except TypeError:
            pass
    if hasattr(type(value), "__int__") and not isinstance(value, basestring):
        return int(value)
    raise TypeError("an integer is required")


def c_long(value):
    """The "l" format."""
    value = _as_int(value)
    if not -_LONG_MAX - 1 <= value <= _LONG_MAX:
        raise OverflowError("Python int too large to convert to C long")
    return value


def c_int(value):
    """The "i" format."""
    value = c_long(value)
    if value > _INT_MAX:
        raise OverflowError("signed integer is greater than maximum")
    if value < -_INT_MAX - 1:
        raise OverflowError("signed integer is less than minimum")
    return value


def _id(value, kind):
    value = _as_int(value)
    if value == -1:
        return _UINT_MAX
    if value < 0:
        raise OverflowError("%s id is less than minimum" % kind)
    if value > _UINT_MAX:
        raise OverflowError("%s id is greater than maximum" % kind)
    return value


def uid(value):
    """posixmodule's _Py_Uid_Converter: -1 is (uid_t)-1."""
    return _id(value, "user")


def gid(value):
    """posixmodule's _Py_Gid_Converter."""
    return _id(value, "group")


def descriptor(value):
    """PyObject_AsFileDescriptor: an int, or an object whose fileno() gives one; never negative."""
    if isinstance(value, (int, long)):
        fd = value
    else:
        fileno = getattr(value, "fileno", None)
        if fileno is None:
            raise TypeError("argument must be an int, or have a fileno() method")
        fd = fileno()
        if not isinstance(fd, (int, long)):
            # Jython's file objects answer fileno() with a Java object: the binding looks the number up
            return fd
    if fd > _INT_MAX or fd < -_INT_MAX - 1:
        fd = -1
    if fd < 0:
        raise ValueError("file descriptor cannot be a negative integer (%d)" % fd)
    return int(fd)


def signed32(value):
    """An unsigned 32-bit id as the Java int the bindings take ((uid_t)-1 is -1 there)."""
    return int(value - 2 ** 32) if value > _INT_MAX else int(value)


def every_entry(begin, next_entry, end, convert):
    """A whole database read through setXXent/getXXent/endXXent (pwd, grp), each entry converted."""
    entries = []
    begin()
    try:
        while True:
            entry = next_entry()
            if not entry:
                return entries
            entries.append(convert(entry))
    finally:
        end()
