# Bad arguments reaching the C library from ordinary user and file procedures: what CPython raises (the first
# one used to crash the worker JVM).
import grp
import os
import pwd
import struct
from harpd.proc import procedure


@procedure
def user(name):
    # arguments arrive as unicode; None stays None
    return pwd.getpwnam(name if name is None else str(name)).pw_dir


@procedure
def uid(number):
    return pwd.getpwuid(number).pw_name


@procedure
def group(name):
    return grp.getgrnam(name if name is None else str(name)).gr_gid


@procedure
def users_count():
    # getpwall twice: the database is closed after each walk
    return len(pwd.getpwall()) == len(pwd.getpwall()) > 1


@procedure
def disk(path):
    st = os.statvfs(path if path is None else str(path))
    return st.f_bsize > 0


@procedure
def chown(path, uid, gid):
    os.chown(path if path is None else str(path), uid, gid)


@procedure
def pack(fmt, value):
    return struct.pack(str(fmt), value).encode("hex")
