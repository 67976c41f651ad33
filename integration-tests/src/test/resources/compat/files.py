# Files written without close(): CPython flushes and closes them when the last reference goes, at once.
import os
import subprocess
import tempfile
from harpd.proc import procedure


@procedure
def write_and_read(text):
    d = tempfile.mkdtemp()
    p = os.path.join(d, "state")
    try:
        open(p, "w").write(text)
        first = open(p).read()
        open(p, "a").write("+more")
        second = open(p).read()
        seen_by_child = subprocess.check_output(["cat", p])
        print >>open(p, "w"), "printed"
        printed = open(p).read()
        return [first, second, seen_by_child, printed, os.path.getsize(p)]
    finally:
        os.remove(p)
        os.rmdir(d)
