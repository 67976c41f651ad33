"""Values returned by calls: the end result of a stream and call states."""

from __future__ import absolute_import, division, print_function


class Result(object):
    """Container for end result returned from streaming procedure.

    Returned from :class:`HarpStreamIterator` as the last value in iteration;
    ``value`` holds the wrapped end result.
    """

    def __init__(self, value):
        self.value = value

    def __eq__(self, other):
        return isinstance(other, Result) and self.value == other.value

    def __ne__(self, other):
        return not self == other

    __hash__ = None  # the wrapped value may be unhashable (list, dict)

    def __repr__(self):
        return "Result(%r)" % (self.value,)


class _CallState(object):
    """A named marker compared by identity (``result is CALL_CANCELLED``)."""

    def __init__(self, name):
        self._name = name

    def __repr__(self):
        return "<%s>" % (self._name,)


#: Value returned instead of an RPC call result if the call is still running.
CALL_NOT_FINISHED = _CallState("CallNotFinished")

#: Value returned as a result when an RPC call was cancelled.
CALL_CANCELLED = _CallState("CallCancelled")
