# Native byte order and struct layouts as CPython 2.7 on x86-64 Linux has them: what procedures pack for
# fcntl.ioctl and socket options, the UTF-16/UTF-32 codecs without an explicit order, json's NaN.
import codecs
import json
import struct
import sys
from harpd.proc import procedure


@procedure
def byte_order():
    return {"byteorder": sys.byteorder, "bom": codecs.BOM.encode("hex"),
            "utf16": u"ab".encode("utf-16").encode("hex"), "utf32": u"a".encode("utf-32").encode("hex"),
            "utf16_plain": "a\x00b\x00".decode("utf-16"), "nan_inf": repr(json.loads("[NaN, Infinity]"))}


@procedure
def pack(fmt, values):
    values = [str(v) if isinstance(v, unicode) else v for v in values]
    data = struct.pack(str(fmt), *values)
    return {"hex": data.encode("hex"), "size": struct.calcsize(str(fmt)),
            "back": list(struct.unpack(str(fmt), data))}
