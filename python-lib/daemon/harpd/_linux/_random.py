"""
_random of CPython 2.7 for harpd's embedded Jython: the Mersenne Twister seeded as CPython seeds it
(org.harpd.jython.MersenneTwister), so that ``random.Random(x)`` and ``random.seed(x)`` give CPython's sequences
(``random.py``, shared by both, builds randint, choice, shuffle and the rest on these methods). Jython's own
_random is java.util.Random. Installed as ``_random`` by harpd._jython_os before anything imports ``random``.
"""

from __future__ import absolute_import

import time as _time

from java.math import BigInteger as _BigInteger
from org.harpd.jython import CPythonHash as _CPythonHash
from org.harpd.jython import MersenneTwister as _MersenneTwister


def _big(n):
    return _BigInteger(str(long(n)))


class Random(object):
    """Random() -> create a random number generator with its own internal state."""

    def __new__(cls, *args, **kwargs):
        self = object.__new__(cls)
        self._mt = _MersenneTwister()
        Random.seed(self, *args[:1])
        return self

    def seed(self, n=None):
        """seed([n]) -> None.  Defaults to the current time."""
        if n is None:
            self._mt.seed(_big(long(_time.time())))
            return None
        if not isinstance(n, (int, long)):
            # the hash as a C unsigned long, as CPython's random_seed takes it
            n = _CPythonHash.hash(n) & 0xffffffffffffffff
        self._mt.seed(_big(n))
        return None

    def random(self):
        """random() -> x in the interval [0, 1)."""
        return self._mt.random()

    def getrandbits(self, k):
        """getrandbits(k) -> x.  Generates a long int with k random bits."""
        if not isinstance(k, (int, long)):
            raise TypeError("an integer is required")
        if k <= 0:
            raise ValueError("number of bits must be greater than zero")
        return long(self._mt.getrandbits(int(k)))

    def getstate(self):
        """getstate() -> tuple containing the current state."""
        return tuple(long(v) for v in self._mt.getState())

    def setstate(self, state):
        """setstate(state) -> None.  Restores generator state."""
        if not isinstance(state, tuple):
            raise TypeError("state vector must be a tuple")
        if len(state) != 625:
            raise ValueError("state vector is the wrong size")
        index = state[624]
        if not 0 <= index <= 624:
            raise ValueError("invalid state")
        self._mt.setState([long(v) & 0xffffffff for v in state[:624]] + [int(index)])

    def jumpahead(self, n):
        """jumpahead(int) -> None.  Create new state from existing state and integer."""
        if not isinstance(n, (int, long)):
            raise TypeError("jumpahead requires an integer, not '%s'" % type(n).__name__)
        self._mt.jumpahead(_big(n))
