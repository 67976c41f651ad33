# sys.exit() in a procedure: the original answers it with the shutdown error; the daemon serves on.
import sys
from harpd.proc import procedure, streaming_procedure


@procedure
def leave(code):
    sys.exit(code)


@streaming_procedure
def leave_streaming():
    yield 1
    sys.exit()


@procedure
def still_here():
    return "yes"
