"""
The exception a procedure's timeout raises in it, as the original harpd's
SIGXCPU handler raised ``RequestHandler.Timeout``: ``harpd.daemon`` offers
this class under that name.

It is an ``Exception``: ``try``/``finally`` and ``except`` clauses see it,
and a procedure that lets it out makes the client get the timeout error.
As the original's, it is raised without a message (``str(e) == ""``) and
its class belongs to ``harpd.daemon``.
"""


class Timeout(Exception):
    """
    Signal that execution time expired. This exception is thrown from
    SIGXCPU handler.
    """


Timeout.__module__ = "harpd.daemon"


def handle_timeout(signum, frame):
    """harpd's SIGXCPU handler: raises ``Timeout`` in the procedure."""
    raise Timeout()
