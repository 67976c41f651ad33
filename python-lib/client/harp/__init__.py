"""harp: client library for harpd(8), the HarpRPC daemon.

Talks to harpd directly and synchronously::

    import harp

    server = harp.HarpServer(host="localhost", user="username", password="secret",
                             ca_file="/etc/harpd/ca.pem")
    print(server.current_time())
    for msg in server.logs_in_next_minutes(10):
        if isinstance(msg, harp.Result):
            print("result:", msg.value)   # last value, nothing follows
        else:
            print("log message:", msg)

Runs on CPython 2.7 and 3, standard library only. The asynchronous
HarpCaller (harpcallerd dispatcher) half of the original API is not
implemented; ``CALL_NOT_FINISHED``, ``CALL_CANCELLED`` and
``CancelledException`` are kept for code that refers to them.
"""

from __future__ import absolute_import, division, print_function

from harp.connection import JSONConnection, JSONSSLConnection
from harp.errors import (CancelledException, CommunicationError, HarpException,
                         InvalidArgumentsError, RemoteError, RemoteException)
from harp.result import CALL_CANCELLED, CALL_NOT_FINISHED, Result
from harp.server import HarpProcedure, HarpServer, HarpStreamIterator

__all__ = [
    "HarpServer", "HarpProcedure", "HarpStreamIterator", "Result",
    "JSONConnection", "JSONSSLConnection",
    "HarpException", "CommunicationError", "CancelledException",
    "RemoteException", "RemoteError", "InvalidArgumentsError",
    "CALL_NOT_FINISHED", "CALL_CANCELLED",
]
