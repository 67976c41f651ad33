"""harp: client library for harpd(8), the HarpRPC daemon, and for harpcallerd.

Submits calls to the harpcallerd dispatcher and reads their results later
(asynchronous)::

    import harp

    rpc = harp.HarpCaller("localhost")
    job = rpc.host("web01", queue={"service": "nginx"}).restart_nginx()
    for msg in job.follow(since=0):
        print(msg)
    print(job.result())   # a value, harp.CALL_CANCELLED, or an exception instance

Or talks to harpd directly and synchronously::

    server = harp.HarpServer(host="localhost", user="username", password="secret",
                             ca_file="/etc/harpd/ca.pem")
    print(server.current_time())
    for msg in server.logs_in_next_minutes(10):
        if isinstance(msg, harp.Result):
            print("result:", msg.value)   # last value, nothing follows
        else:
            print("log message:", msg)

Runs on CPython 2.7 and 3, standard library only.
"""

from __future__ import absolute_import, division, print_function

# The POM's version in PEP 440 spelling (0.1.0-SNAPSHOT is 0.1.0.dev0); DistributionIT checks they agree.
__version__ = "0.1.0.dev0"

from harp.caller import HarpCaller, RemoteCall, RemoteProcedure, RemoteServer
from harp.connection import JSONConnection, JSONSSLConnection
from harp.errors import (CancelledException, CommunicationError, HarpException,
                         InvalidArgumentsError, RemoteError, RemoteException)
from harp.result import CALL_CANCELLED, CALL_NOT_FINISHED, Result
from harp.server import (HarpProcedure, HarpServer, HarpStreamIterator, describe_procedure,
                         list_procedures)

__all__ = [
    "HarpCaller", "RemoteServer", "RemoteProcedure", "RemoteCall",
    "HarpServer", "HarpProcedure", "HarpStreamIterator", "Result",
    "list_procedures", "describe_procedure",
    "JSONConnection", "JSONSSLConnection",
    "HarpException", "CommunicationError", "CancelledException",
    "RemoteException", "RemoteError", "InvalidArgumentsError",
    "CALL_NOT_FINISHED", "CALL_CANCELLED",
]
