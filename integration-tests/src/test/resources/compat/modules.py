# The Python harpd's own modules, as procedures files import them.
from harpd.proc import procedure
from harpd.daemon import RequestHandler
from harpd.module import ModuleLoader
from harpd import log
import harpd.log


@procedure
def timeout_class():
    try:
        raise RequestHandler.Timeout()
    except RequestHandler.Timeout as e:
        return [type(e).__name__, isinstance(e, Exception)]


@procedure
def request_error():
    e = RequestHandler.RequestError("custom", "something failed", {"k": 1})
    return [e.type, e.message, e.data]


@procedure
def loader():
    with ModuleLoader() as l:
        return l.load("json").dumps({"b": 1, "a": 2}, sort_keys=True)


@procedure
def log_record():
    return harpd.log.format_message("done", z=1, a=u"\u00e9")
