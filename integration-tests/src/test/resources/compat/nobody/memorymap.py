# mmap of a file a procedure running as nobody creates: reading, finding, slicing, writing back, copy-on-write,
# and the errors of a read-only map.
import mmap
import os
import tempfile
from harpd.proc import procedure


@procedure(uid="nobody")
def mapped():
    fd, name = tempfile.mkstemp()
    try:
        os.write(fd, "hello world\nsecond line\n")
        os.close(fd)
        fd = os.open(name, os.O_RDWR)
        m = mmap.mmap(fd, 0)
        found = [m.size(), len(m), m.find("o"), m.read(3), m.tell(), m.rfind("o"), m.readline(), m[1:4], m[-1]]
        m[0:5] = "HELLO"
        m.flush()
        copy = mmap.mmap(fd, 5, access=mmap.ACCESS_COPY)
        copy[0] = "J"
        readonly = mmap.mmap(fd, 0, access=mmap.ACCESS_READ)
        try:
            readonly[0] = "x"
        except TypeError as e:
            refused = str(e)
        m.close()
        os.close(fd)
        with open(name) as f:
            content = f.read()
        return {"found": found, "content": content, "copy": copy[:5], "refused": refused}
    finally:
        os.unlink(name)
