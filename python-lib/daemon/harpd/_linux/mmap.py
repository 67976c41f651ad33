"""
mmap of CPython 2.7 on Linux for harpd's embedded Jython, which has none: memory maps of files (shared, read-only
or copy-on-write) and anonymous ones, with the methods, slicing and errors of CPython's mmap.mmap.

Java maps files through FileChannel.map; the descriptor given is reopened through /proc/self/fd, as CPython
duplicates it, so the map stays usable after the caller closes its file. Java unmaps a region when it is
collected: close() makes the object unusable at once, the memory goes with the next collection.
"""

from __future__ import absolute_import

import errno as _errno
import os as _os

from java.io import IOException as _IOException
from java.io import RandomAccessFile as _RandomAccessFile
from java.nio import ByteBuffer as _ByteBuffer
from java.nio.channels import FileChannel as _FileChannel

from harpd._linux_os import _fd as _os_fd
from org.harpd.jython import LinuxCalls as _C

_F_GETFL = 3
_O_ACCMODE = 3
_O_RDONLY = 0
_O_WRONLY = 1

ACCESS_DEFAULT = 0
ACCESS_READ = 1
ACCESS_WRITE = 2
ACCESS_COPY = 3
ALLOCATIONGRANULARITY = 4096
MAP_ANON = 32
MAP_ANONYMOUS = 32
MAP_DENYWRITE = 2048
MAP_EXECUTABLE = 4096
MAP_PRIVATE = 2
MAP_SHARED = 1
PAGESIZE = 4096
PROT_EXEC = 4
PROT_READ = 1
PROT_WRITE = 2


class error(EnvironmentError):
    pass


error.__module__ = "mmap"


def _failure(e):
    # the C library's errno is not in a Java exception: tell the usual ones by their message
    message = str(e.getMessage() if hasattr(e, "getMessage") else e)
    for number, text in ((_errno.EACCES, "Permission denied"), (_errno.ENODEV, "No such device"),
                         (_errno.ENOMEM, "Cannot allocate memory"), (_errno.EBADF, "Bad file descriptor")):
        if text in message:
            return error(number, _os.strerror(number))
    return error(_errno.EINVAL, _os.strerror(_errno.EINVAL))


class mmap(object):
    """mmap(fileno, length[, flags[, prot[, access[, offset]]]]): a memory map of a file (fileno -1: anonymous
    memory), of length bytes from offset (length 0: to the end of the file)."""

    def __init__(self, fileno, length, flags=MAP_SHARED, prot=PROT_WRITE | PROT_READ, access=ACCESS_DEFAULT,
                 offset=0):
        length = int(length)
        offset = int(offset)
        if length < 0:
            raise OverflowError("memory mapped length must be positive")
        if offset < 0:
            raise OverflowError("memory mapped offset must be positive")
        if access != ACCESS_DEFAULT and (flags != MAP_SHARED or prot != (PROT_WRITE | PROT_READ)):
            raise ValueError("mmap can't specify both access and flags, prot.")
        if access == ACCESS_READ:
            flags, prot = MAP_SHARED, PROT_READ
        elif access == ACCESS_WRITE:
            flags, prot = MAP_SHARED, PROT_READ | PROT_WRITE
        elif access == ACCESS_COPY:
            flags, prot = MAP_PRIVATE, PROT_READ | PROT_WRITE
        elif access == ACCESS_DEFAULT:
            if prot & PROT_READ and prot & PROT_WRITE:
                access = ACCESS_WRITE if flags & MAP_SHARED else ACCESS_COPY
            elif prot & PROT_WRITE:
                access = ACCESS_WRITE
            else:
                access = ACCESS_READ
        else:
            raise ValueError("mmap invalid access parameter.")
        self._access = access
        self._offset = offset
        self._file = None
        self._pos = 0
        fd = fileno if isinstance(fileno, (int, long)) and fileno == -1 else _os_fd(fileno)
        if fd == -1 or flags & MAP_ANONYMOUS:
            if length == 0:
                raise error(_errno.EINVAL, _os.strerror(_errno.EINVAL))
            self._buffer = _ByteBuffer.allocate(length)
            return
        if not _regular(fd):
            number = _errno.EINVAL if length == 0 else _errno.ENODEV
            raise error(number, _os.strerror(number))
        writable = access == ACCESS_WRITE
        # the file is reopened by path, which checks permissions rather than how the caller opened it: the
        # mode the descriptor was opened with decides, as for mmap(2)
        opened = _C.fcntl(fd, _F_GETFL, 0) & _O_ACCMODE
        if opened == _O_WRONLY or (opened == _O_RDONLY and prot & PROT_WRITE and flags & MAP_SHARED):
            raise error(_errno.EACCES, _os.strerror(_errno.EACCES))
        try:
            self._file = _RandomAccessFile("/proc/self/fd/%d" % fd, "rw" if writable else "r")
        except _IOException as e:
            raise _failure(e)
        size = self._file.length()
        if length == 0:
            if size == 0:
                self._file.close()
                raise ValueError("cannot mmap an empty file")
            if offset >= size:
                self._file.close()
                raise ValueError("mmap offset is greater than file size")
            length = size - offset
        elif offset > size or size - offset < length:
            self._file.close()
            raise ValueError("mmap length is greater than file size")
        self._buffer = self._map(length)

    def _map(self, length):
        mode = _FileChannel.MapMode.READ_WRITE if self._access == ACCESS_WRITE else _FileChannel.MapMode.READ_ONLY
        try:
            mapped = self._file.getChannel().map(mode, self._offset, length)
        except _IOException as e:
            raise _failure(e)
        if self._access != ACCESS_COPY:
            return mapped
        # Java maps copy-on-write only through a writable channel; a private copy answers the same
        copy = _ByteBuffer.allocate(length)
        copy.put(mapped)
        return copy

    # --- state checks

    def _open(self):
        if self._buffer is None:
            raise ValueError("mmap closed or invalid")
        return self._buffer

    def _writable(self):
        buffer = self._open()
        if self._access == ACCESS_READ:
            raise TypeError("mmap can't modify a readonly memory map.")
        return buffer

    def _get(self, start, count):
        buffer = self._open()
        if not count:
            return ""
        view = buffer.duplicate()
        view.position(start)
        chunk = _bytes(count)
        view.get(chunk, 0, count)
        return chunk.tostring()

    def _put(self, start, data):
        buffer = self._writable()
        if data:
            view = buffer.duplicate()
            view.position(start)
            view.put(_bytes_of(data), 0, len(data))

    # --- methods

    def close(self):
        self._buffer = None
        if self._file is not None:
            self._file.close()
            self._file = None

    def size(self):
        self._open()
        if self._file is None:
            # CPython asks fstat() about descriptor -1
            raise error(_errno.EBADF, _os.strerror(_errno.EBADF))
        return int(self._file.length())

    def tell(self):
        self._open()
        return self._pos

    def seek(self, pos, whence=0):
        length = self._open().capacity()
        if whence == 0:
            where = pos
        elif whence == 1:
            where = self._pos + pos
        elif whence == 2:
            where = length + pos
        else:
            raise ValueError("unknown seek type")
        if where < 0 or where > length:
            raise ValueError("seek out of range")
        self._pos = where

    def read(self, num):
        length = self._open().capacity()
        count = max(0, min(int(num), length - self._pos))
        data = self._get(self._pos, count)
        self._pos += count
        return data

    def read_byte(self):
        length = self._open().capacity()
        if self._pos >= length:
            raise ValueError("read byte out of range")
        data = self._get(self._pos, 1)
        self._pos += 1
        return data

    def readline(self):
        length = self._open().capacity()
        rest = self._get(self._pos, length - self._pos)
        end = rest.find("\n")
        line = rest if end < 0 else rest[:end + 1]
        self._pos += len(line)
        return line

    def write(self, string):
        length = self._writable().capacity()
        string = str(string)
        if self._pos + len(string) > length:
            raise ValueError("data out of range")
        self._put(self._pos, string)
        self._pos += len(string)

    def write_byte(self, byte):
        length = self._writable().capacity()
        if self._pos >= length:
            raise ValueError("write byte out of range")
        self._put(self._pos, str(byte)[:1])
        self._pos += 1

    def _range(self, start, end):
        length = self._open().capacity()
        start = self._pos if start is None else start
        end = length if end is None else end
        if start < 0:
            start = max(0, start + length)
        if end < 0:
            end = max(0, end + length)
        return min(start, length), min(end, length)

    def find(self, string, start=None, end=None):
        start, end = self._range(start, end)
        found = self._get(start, max(0, end - start)).find(str(string))
        return -1 if found < 0 else start + found

    def rfind(self, string, start=None, end=None):
        start, end = self._range(start, end)
        found = self._get(start, max(0, end - start)).rfind(str(string))
        return -1 if found < 0 else start + found

    def flush(self, offset=0, size=None):
        buffer = self._open()
        if size is None:
            size = buffer.capacity() - offset
        if offset < 0 or size < 0 or offset + size > buffer.capacity():
            raise ValueError("flush values out of range")
        if self._file is not None and self._access == ACCESS_WRITE:
            buffer.force()
        return 0

    def move(self, dest, src, count):
        length = self._writable().capacity()
        if min(dest, src, count) < 0 or src + count > length or dest + count > length:
            raise ValueError("source, destination, or count out of range")
        self._put(dest, self._get(src, count))

    def resize(self, newsize):
        self._writable()
        if self._access != ACCESS_WRITE:
            raise TypeError("mmap can't resize a readonly or copy-on-write memory map.")
        newsize = int(newsize)
        if newsize < 0:
            raise ValueError("new size out of range")
        if self._file is None:
            kept = self._get(0, min(newsize, self._buffer.capacity()))
            new = _ByteBuffer.allocate(newsize)
            new.put(_bytes_of(kept), 0, len(kept))
            self._buffer = new
        else:
            self._buffer.force()
            self._file.setLength(self._offset + newsize)
            self._buffer = self._map(newsize)
        self._pos = min(self._pos, newsize)

    # --- sequence protocol

    def __len__(self):
        return self._open().capacity()

    def _index(self, index):
        length = self._open().capacity()
        if index < 0:
            index += length
        if index < 0 or index >= length:
            raise IndexError("mmap index out of range")
        return index

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop, step = index.indices(self._open().capacity())
            if step == 1:
                return self._get(start, max(0, stop - start))
            return "".join(self._get(i, 1) for i in xrange(start, stop, step))
        return self._get(self._index(index), 1)

    def __getslice__(self, start, stop):
        return self.__getitem__(slice(start, stop))

    def __setitem__(self, index, value):
        if isinstance(index, slice):
            self._writable()
            if not isinstance(value, str):
                raise IndexError("mmap slice assignment must be a string")
            start, stop, step = index.indices(self._open().capacity())
            positions = xrange(start, stop, step)
            if len(value) != len(positions):
                raise IndexError("mmap slice assignment is wrong size")
            if step == 1:
                self._put(start, value)
            else:
                for i, char in zip(positions, value):
                    self._put(i, char)
            return
        self._writable()
        if not isinstance(value, str) or len(value) != 1:
            raise IndexError("mmap assignment must be single-character string")
        self._put(self._index(index), value)

    def __setslice__(self, start, stop, value):
        self.__setitem__(slice(start, stop), value)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _regular(fd):
    import stat
    try:
        mode = _os.stat("/proc/self/fd/%d" % fd).st_mode
    except OSError:
        raise error(_errno.EBADF, _os.strerror(_errno.EBADF))
    return stat.S_ISREG(mode) or stat.S_ISBLK(mode)


def _bytes(count):
    import jarray
    return jarray.zeros(count, "b")


def _bytes_of(data):
    import array
    return array.array("b", data)
