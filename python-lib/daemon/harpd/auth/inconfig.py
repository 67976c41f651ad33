"""
Authentication backend: users listed directly in the configuration.

Usage (config.yaml)::

    authentication:
      module: harpd.auth.inconfig
      users:
        john: "plain:john's password"
        jack: "crypt:$6$g0a5veBmmlwwrZv1$pg6sSG/ql/aZ..."

Passwords are in ``scheme:password`` format, the scheme being ``plain``
(plain text, not recommended) or ``crypt`` (a crypt(3) hash).
"""

from __future__ import absolute_import

import harpd.auth
from harpd.auth.passfile import _DUMMY_HASH

__all__ = ["InConfig", "create"]

_SCHEMES = ("plain", "crypt")


class InConfig(harpd.auth.AuthDB):
    """
    :param users: mapping of user name to ``(scheme, secret)``
    """

    def __init__(self, users):
        self.users = users
        self._dummy = _dummy_entry(users.values())

    def authenticate(self, user, password):
        if isinstance(user, str):
            user = user.decode("utf-8")
        entry = self.users.get(user)
        if entry is None or (entry[0] == "crypt"
                             and harpd.auth._hash_method(entry[1]) is None):
            # Unknown, locked ("crypt:!...") or unusable: cost what checking
            # the usual entry costs, so that timing does not tell.
            (scheme, secret) = self._dummy
            if scheme == "plain":
                harpd.auth._equal(password, secret)
            else:
                harpd.auth._crypt_matches(password, secret)
            return False
        (scheme, secret) = entry
        if scheme == "plain":
            return harpd.auth._equal(password, secret)
        return harpd.auth._crypt_matches(password, secret)


def _dummy_entry(entries):
    """
    What an unknown user is checked against: a plain password when most
    entries are plain, else a hash of the most common crypt method and cost
    (see harpd.auth._dummy_like).
    """
    entries = list(entries)
    hashes = [secret for (scheme, secret) in entries if scheme == "crypt"]
    plain = [secret for (scheme, secret) in entries if scheme == "plain"]
    if len(plain) > len(hashes):
        import random
        pick = random.SystemRandom().choice
        length = max(len(secret) for secret in plain)
        return ("plain", "".join(pick(harpd.auth._SALT_ALPHABET)
                                 for _ in xrange(length)))
    return ("crypt", harpd.auth._dummy_like(hashes, _DUMMY_HASH))


def _parse(user, spec):
    if not isinstance(spec, basestring) or ":" not in spec:
        raise ValueError("harpd.auth.inconfig: password of user %r must be "
                         "\"plain:...\" or \"crypt:...\"" % (user,))
    (scheme, secret) = spec.split(":", 1)
    if scheme not in _SCHEMES:
        raise ValueError("harpd.auth.inconfig: unknown password scheme %r "
                         "for user %r (expected plain or crypt)"
                         % (str(scheme), user))
    return (scheme, secret)


def create(config):
    """
    :param config: ``authentication`` section; ``config["users"]`` maps user
        names to ``scheme:password`` strings
    :rtype: InConfig
    """
    users = config.get("users")
    if not isinstance(users, dict):
        raise ValueError("harpd.auth.inconfig: \"users\" (a mapping of user "
                         "name to password) is not set in the authentication "
                         "config")
    parsed = {}
    for (user, spec) in users.items():
        if isinstance(user, (int, long)) and not isinstance(user, bool):
            user = str(user)
        if not isinstance(user, basestring):
            raise ValueError("harpd.auth.inconfig: user name %r is not a "
                             "string" % (user,))
        if isinstance(user, str):
            user = user.decode("utf-8")
        parsed[user] = _parse(user, spec)
    return InConfig(parsed)
