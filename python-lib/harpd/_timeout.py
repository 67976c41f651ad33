"""
The exception a procedure sees when its call runs out of time.
"""


class Timeout(Exception):
    """
    Signal that execution time expired; raised inside the running procedure, so its ``except`` and
    ``finally`` clauses run. Available as ``harpd.daemon.RequestHandler.Timeout``.
    """
    pass
