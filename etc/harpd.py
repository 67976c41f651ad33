# Example procedures for harpd (Python 2, harpd.proc API of harpd(8)).
from harpd.proc import procedure, streaming_procedure, Result
import os
import pwd
import subprocess
import time


@procedure
def sum_and_difference(a, b):
    return {"sum": a + b, "difference": a - b}


@procedure
def echo(*args):
    return list(args)


@procedure(uid="nobody")
def whoami():
    return {
        "user": pwd.getpwuid(os.getuid()).pw_name,
        "uid": os.getuid(),
        "gid": os.getgid(),
        "groups": sorted(os.getgroups()),
    }


@procedure(timeout=10)
def uptime():
    return subprocess.check_output(["uptime"]).strip()


@streaming_procedure
def countdown(n=5, delay=0.2):
    for i in xrange(n, 0, -1):
        yield {"i": i}
        time.sleep(delay)
    yield Result("liftoff")
