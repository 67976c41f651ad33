"""
crypt(3) of the system's C library, for harpd's embedded Jython.

Jython 2.7's own ``crypt`` module returns a Java byte array ending in NUL
instead of a ``str``, so the usual ``crypt.crypt(password, hashed) == hashed``
is always false there. This module comes first on harpd's ``sys.path`` and
shadows it; it behaves like CPython 2's ``crypt``: the result is a ``str``,
whatever the C library answers (libxcrypt answers an invalid salt with a
failure token such as ``*0``), or ``None`` if it answers nothing.

The directory holding this file also holds the ``harp`` client library; a
CPython that has it on its path gets the same behaviour through ctypes.
"""

import sys

__all__ = ["crypt"]

try:
    _text = unicode
except NameError:  # CPython 3
    _text = str


def _to_bytes(name, value):
    if isinstance(value, _text):
        # CPython 3 encodes with UTF-8 too, so hashes made there match here
        value = value.encode("utf-8")
    if not isinstance(value, bytes):
        raise TypeError("crypt() argument %s must be string, not %s"
                        % (name, "None" if value is None else type(value).__name__))
    if b"\0" in value:
        raise TypeError("crypt() argument %s must be string without null bytes, not %s"
                        % (name, type(value).__name__))
    return value


try:
    # Under harpd's Jython; not told by sys.platform, which reads "linux2" there as under CPython.
    from org.harpd.posix import Crypt as _LibCrypt
except ImportError:
    _LibCrypt = None

if _LibCrypt is not None:

    def _crypt(word, salt):
        result = _LibCrypt.cryptLatin1(word, salt)
        if result is None:
            return None
        # Crypt hands bytes over as ISO-8859-1 characters, one per byte
        return result.encode("iso-8859-1")

else:
    import ctypes
    import ctypes.util
    import threading

    _lock = threading.Lock()
    _libcrypt = ctypes.CDLL(ctypes.util.find_library("crypt") or "libcrypt.so.1")
    _libcrypt.crypt.restype = ctypes.c_char_p
    _libcrypt.crypt.argtypes = [ctypes.c_char_p, ctypes.c_char_p]

    def _crypt(word, salt):
        with _lock:
            result = _libcrypt.crypt(word, salt)
        if result is None:
            return None
        if not isinstance(result, str):
            result = result.decode("iso-8859-1")
        return result


def crypt(word, salt):
    """
    Hash ``word`` with crypt(3) using ``salt`` (a salt specification like
    ``$6$salt$`` or a whole hash, whose salt part is used).

    :rtype: str
    """
    return _crypt(_to_bytes("1", word), _to_bytes("2", salt))
