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

# Checked against for an unknown or locked user when the file holds no hash to
# model a dummy on (see harpd.auth._dummy_like).
_DUMMY_HASH = "$6$harpdharpdharpd$" \
    "03zYdezfOrb5U0SFtWAlSVxSID8G6tWNGLkgEKiHqNrb2x7Qu8TJEeeyLMpUgpXAiftvrGIudbKQoKcr89WR9."


class PassFile(harpd.auth.AuthDB):
    """
    :param filename: path to the users database
    """

    def __init__(self, filename):
        self.filename = filename

    def _lookup(self, user):
        """
        :return: ``(hash, dummy)``: the user's hash (``None`` if the user is
            not in the file) and a hash of the file's most common method and
            cost with a random salt, for when there is no usable hash to check

        The whole file is read whatever the user, so the answer time does not
        depend on where in the file the user is, or whether they are there.
        """
        found = None
        hashes = []
        try:
            f = open(self.filename, "rb")
        except (IOError, OSError) as e:
            raise harpd.auth.UsersFileError(self.filename, e.strerror or str(type(e).__name__))
        with f:
            for line in f:
                line = line.rstrip("\r\n")
                if not line or line.startswith("#") or ":" not in line:
                    continue
                (name, hashed) = line.split(":", 1)
                hashes.append(hashed)
                if found is not None:
                    continue
                try:
                    name = name.decode("utf-8")
                except UnicodeDecodeError:
                    continue
                if name == user:
                    found = hashed
        return (found, harpd.auth._dummy_like(hashes, _DUMMY_HASH))

    def authenticate(self, user, password):
        if isinstance(user, str):
            user = user.decode("utf-8")
        (hashed, dummy) = self._lookup(user)
        if hashed is None or harpd.auth._hash_method(hashed) is None:
            # Unknown, locked ("!...", "*") or unusable: cost what checking a
            # real hash of this file costs, so that timing does not tell.
            harpd.auth._crypt_matches(password, dummy)
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
