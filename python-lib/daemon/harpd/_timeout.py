"""
The exception a procedure's timeout raises in it, as the original harpd's
SIGXCPU handler raised ``RequestHandler.Timeout``: ``harpd.daemon`` offers
this class under that name.

It is an ``Exception``: ``try``/``finally`` and ``except`` clauses see it,
and a procedure that lets it out makes the client get the timeout error.
"""

MESSAGE = "maximum execution time exceeded"


class Timeout(Exception):
    """
    Signal that execution time expired. This exception is thrown from
    SIGXCPU handler.
    """

    def __init__(self, message=MESSAGE):
        Exception.__init__(self, message)


def handle_timeout(signum, frame):
    """harpd's SIGXCPU handler: raises ``Timeout`` in the procedure."""
    raise Timeout()
