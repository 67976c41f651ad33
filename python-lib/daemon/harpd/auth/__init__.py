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


class UsersFileError(Exception):
    """
    A users file that cannot be read. harpd logs its file name and reason,
    which come from the configuration and the operating system, where for any
    other exception of an authentication module it logs only the type and the
    line (a message could hold the password).
    """

    def __init__(self, filename, reason):
        Exception.__init__(self, filename, reason)
        self.filename = filename
        self.reason = reason


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


# The characters crypt(3) salts are written in, for every method harpd knows.
_SALT_ALPHABET = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _split_hash(hashed):
    """
    Split a crypt(3) hash into ``(method, salt, rest)``: ``method`` is the
    part that names the algorithm and its cost (``$6$rounds=N$``,
    ``$y$j9T$``, ``$2b$12$``...), ``salt`` the salt, ``rest`` what follows.
    ``None`` when ``hashed`` is no hash crypt(3) could check, e.g. a locked
    entry (``!...``, ``*``) or an empty one.
    """
    hashed = _as_bytes(hashed)
    if not hashed or hashed[0] in "!*":
        return None
    if hashed[0] == "$":
        fields = hashed.split("$")
        # "", id, [params...], salt, checksum
        if len(fields) < 4 or not fields[1]:
            return None
        if fields[1] in ("2", "2a", "2b", "2x", "2y"):
            # bcrypt: $2b$cost$ then 22 characters of salt and the checksum
            if len(fields) != 4 or len(fields[3]) < 22:
                return None
            return ("$%s$%s$" % (fields[1], fields[2]), fields[3][:22],
                    fields[3][22:])
        if fields[1] == "7":
            # scrypt: cost and salt share one field; the whole field is kept
            return ("$".join(fields[:-1]) + "$", "", fields[-1])
        method = "$".join(fields[:-2]) + "$"
        return (method, fields[-2], "$" + fields[-1])
    if hashed[0] == "_" and len(hashed) == 20:
        # BSDi extended DES: _, 4 characters of rounds, 4 of salt, checksum
        return (hashed[:5], hashed[5:9], hashed[9:])
    if len(hashed) == 13 and all(c in _SALT_ALPHABET for c in hashed):
        # traditional DES: 2 characters of salt, checksum
        return ("", hashed[:2], hashed[2:])
    return None


def _hash_method(hashed):
    """
    The method and cost of a crypt(3) hash, e.g. ``$6$rounds=5000$`` or
    ``$y$j9T$``; ``None`` if it is no hash crypt(3) could check.
    """
    parts = _split_hash(hashed)
    return None if parts is None else parts[0]


def _dummy_like(hashes, default):
    """
    A hash to check a password against when there is no real one to check (an
    unknown or a locked user), costing what checking a real one costs: the
    method and cost most of ``hashes`` have, with a fresh random salt of the
    same length. The salt keeps its last character, which in some methods
    (bcrypt, yescrypt) holds bits that must be zero. ``default`` when none of
    ``hashes`` is a hash crypt(3) could check.
    """
    import random
    counts = {}
    firsts = []  # the parts of the first hash of each method, in file order
    for hashed in hashes:
        parts = _split_hash(hashed)
        if parts is None:
            continue
        if parts[0] not in counts:
            counts[parts[0]] = 0
            firsts.append(parts)
        counts[parts[0]] += 1
    if not firsts:
        return default
    # the most common method; on a tie, the one seen first
    (method, salt, rest) = firsts[0]
    for parts in firsts[1:]:
        if counts[parts[0]] > counts[method]:
            (method, salt, rest) = parts
    pick = random.SystemRandom().choice
    if salt:
        salt = "".join(pick(_SALT_ALPHABET) for _ in xrange(len(salt) - 1)) \
            + salt[-1]
    return method + salt + rest
