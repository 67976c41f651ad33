# open(p, "w").write(x) without close(), then reading p: files.expected is this file's output under CPython 2.7.18
# (python2.7 files.py), where the dropped file object is closed, and flushed, at once. Also os.popen's close(),
# which answers the wait status.
import commands
import os
import shutil
import subprocess
import tempfile
lines = []
d = tempfile.mkdtemp()
try:
    p = os.path.join(d, "state")
    open(p, "w").write("first\n")
    lines.append(repr(open(p).read()))
    open(p, "a").write("second")
    lines.append(repr(open(p).read()))
    lines.append(repr(subprocess.check_output(["cat", p])))
    print >>open(p, "w"), "printed", 1
    lines.append(repr(open(p).read()))
    open(p, "wb").writelines(["a", "b", "c"])
    lines.append(repr(open(p, "rb").read()))
    f = open(p, "w", -1)
    f.write("buffered, closed")
    f.close()
    lines.append(repr(open(p).read()))
    lines.append("%s %s" % (open.__name__, open.__doc__.splitlines()[0]))
finally:
    shutil.rmtree(d)
lines.append(repr((os.popen("exit 3").close(), os.popen("true").close(), os.popen("echo hi").read())))
lines.append(repr(commands.getstatusoutput("echo out; exit 2")))
if __name__ == "__main__":
    print "\n".join(lines)
