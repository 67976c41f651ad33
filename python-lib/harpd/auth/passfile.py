"""
Authentication backend: a file with ``user:crypt-hash`` lines.

Passwords are hashed using crypt(3), possibly with a function based on
SHA-256 (``$5$...$``) or SHA-512 (``$6$...$``). The file is read on every
authentication, so edits apply without restarting the daemon.

Usage (config.yaml)::

    authentication:
      module: harpd.auth.passfile
      file: /etc/harpd/usersdb
"""

from __future__ import absolute_import

import harpd.auth

__all__ = ["PassFile", "create"]

# Checked against when the user is unknown, so that an unknown user costs as
# much time as a wrong password and the answer time does not reveal which.
_DUMMY_HASH = "$6$harpdharpdharpd$" \
    "03zYdezfOrb5U0SFtWAlSVxSID8G6tWNGLkgEKiHqNrb2x7Qu8TJEeeyLMpUgpXAiftvrGIudbKQoKcr89WR9."


class PassFile(harpd.auth.AuthDB):
    """
    :param filename: path to the users database
    """

    def __init__(self, filename):
        self.filename = filename

    def _find(self, user):
        with open(self.filename, "rb") as f:
            for line in f:
                line = line.rstrip("\r\n")
                if not line or line.startswith("#") or ":" not in line:
                    continue
                (name, hashed) = line.split(":", 1)
                try:
                    name = name.decode("utf-8")
                except UnicodeDecodeError:
                    continue
                if name == user:
                    return hashed
        return None

    def authenticate(self, user, password):
        if isinstance(user, str):
            user = user.decode("utf-8")
        hashed = self._find(user)
        if hashed is None:
            harpd.auth._crypt_matches(password, _DUMMY_HASH)
            return False
        return harpd.auth._crypt_matches(password, hashed)


def create(config):
    """
    :param config: ``authentication`` section; ``config["file"]`` is the path
        to the users database
    :rtype: PassFile
    """
    filename = config.get("file")
    if not isinstance(filename, basestring) or not filename:
        raise ValueError("harpd.auth.passfile: \"file\" (path to the users "
                         "database) is not set in the authentication config")
    return PassFile(filename)
