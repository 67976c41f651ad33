# What a procedures file observes of its environment: a dict whose keys become the same JSON key, the Timeout it
# catches, Procedure subclasses' documentation, the logging levels the daemon's configuration gives (root at INFO
# without -l), surrogates, and a few stdlib answers that travel in results and exception messages.
import logging
import os

from harpd.daemon import RequestHandler
from harpd.proc import Procedure, procedure


@procedure
def mixed_keys():
    return {1: "int", "1": "str", None: "none", "null": "text", 2.5: "float"}


@procedure
def caught_timeout():
    try:
        raise RequestHandler.Timeout()
    except Exception as e:
        return [str(e), type(e).__module__, type(e).__name__, list(e.args)]


class Documented(Procedure):
    """Own documentation."""


class Undocumented(Procedure):
    pass


def _plain():
    return 1


def _described():
    """What the function says."""
    return 2


undocumented = Undocumented(_plain)
described = Undocumented(_described)


@procedure
def docs():
    return [Documented.__doc__, Undocumented.__doc__, undocumented.__doc__, described.__doc__,
            Documented(_plain).__doc__]


@procedure
def logging_levels():
    root = logging.getLogger()
    return [root.getEffectiveLevel(), logging.getLogger("procs.disk").getEffectiveLevel(),
            root.isEnabledFor(logging.DEBUG), root.isEnabledFor(logging.INFO)]


@procedure
def surrogates():
    return [unichr(0xd800), len(unichr(0xdfff)), unichr(0x1f600)]


@procedure
def surrogate_literals():
    greeting = u"hello \ud83d\ude00"
    return {"lone": u"\ud800", "pair": greeting, "bytes": len(greeting.encode("utf-8")), "in_key": {u"\udfff": 1}}


@procedure
def device_and_spawn():
    return [os.major(os.lstat("/dev/null").st_rdev), os.minor(os.lstat("/dev/null").st_rdev),
            os.spawnv(os.P_WAIT, "/bin/sh", ["sh", "-c", "exit 3"]), os.popen("exit 3").close()]


@procedure
def listdir(path):
    return os.listdir(path)
