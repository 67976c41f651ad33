"""
Interface for authentication backends.

A backend is a module with a module-level function ``create(config)``
returning an :class:`AuthDB` (or any object with a compatible
``authenticate()`` method). ``config`` is the whole ``authentication``
section of harpd's configuration.
"""

from __future__ import absolute_import

__all__ = ["AuthDB", "create"]


class AuthDB(object):
    """
    Base class for authentication objects. Instance of this class (or rather,
    a subclass of this class) should be returned by :func:`create`.
    """

    def authenticate(self, user, password):
        """
        :return: ``True`` if user + password pair was correct, ``False``
            otherwise

        Check if the password was valid for specified user.
        """
        raise NotImplementedError("%s.authenticate()" % (type(self).__name__,))


def create(config):
    """
    :param config: parameters read from config
    :type config: dict
    :return: authentication database object
    :rtype: AuthDB

    Equivalent of this function in an authentication backend module is
    called to create an auth database for future use.
    """
    raise NotImplementedError("harpd.auth is not a backend itself; "
                              "use e.g. harpd.auth.passfile")


def _as_bytes(text):
    if isinstance(text, unicode):
        return text.encode("utf-8")
    return text


def _equal(a, b):
    """
    Compare two secrets in time that depends only on their lengths, so that
    the comparison does not tell an attacker how many leading characters
    were right.
    """
    a = _as_bytes(a)
    b = _as_bytes(b)
    # always walk the whole of the given value, even when lengths differ
    difference = len(a) ^ len(b)
    reference = b if len(b) > 0 else a
    for i in xrange(len(a)):
        difference |= ord(a[i]) ^ ord(reference[i % len(reference)])
    return difference == 0


def _crypt_matches(password, hashed):
    """Check a password against a crypt(3) hash, as the system's libc does."""
    import crypt
    hashed = _as_bytes(hashed)
    if not hashed:
        return False
    computed = crypt.crypt(_as_bytes(password), hashed)
    if computed is None:
        return False
    return _equal(computed, hashed)
