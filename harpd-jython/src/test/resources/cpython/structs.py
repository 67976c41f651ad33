# struct.pack's range and type checks for every code and byte order, at the boundaries of each C type; structs.expected
# is this file's output under CPython 2.7.18 on x86-64 Linux (python2.7 structs.py).
import struct, sys
BIG = 2 ** 64
cases = []
lines = []
for prefix in ("", "<", ">", "=", "!", "@"):
    for code in "bBhHiIlLqQ":
        for v in (-2**63 - 1, -2**63, -2**31 - 1, -2**31, -32769, -32768, -129, -128, -1, 0, 255, 256, 32767, 32768, 65535, 65536, 2**31 - 1, 2**31, 2**32 - 1, 2**32, 2**63 - 1, 2**63, 2**64 - 1, 2**64, 1.5, None, "1", True):
            cases.append((prefix + code, v))
    for code in "cs?fdpP":
        for v in ("a", "ab", "", 1, None, 1.5, 1e40, -1e40, 1e300, True, u"a"):
            cases.append((prefix + code, v))
for fmt, v in cases:
    try:
        r = struct.pack(fmt, v).encode("hex")
    except BaseException as e:
        r = "%s.%s: %s" % (type(e).__module__, type(e).__name__, e)
    lines.append("%s %s -> %s" % (fmt, str(v).rstrip("L") if isinstance(v, (int, long)) else repr(v), r))
for expr in ["struct.unpack('i', None)", "struct.unpack('i', 'abc')", "struct.unpack('i', u'abcd')", "struct.pack('i')", "struct.pack('i', 1, 2)", "struct.pack('z', 1)", "struct.calcsize('z')", "struct.unpack('<i', 'abcde')", "struct.unpack_from('i', 'ab')", "struct.pack(None)", "struct.pack(u'i', 1)", "struct.Struct('i').size", "struct.pack('3s', 'abcdef')", "struct.pack('5p', 'abcdef')", "struct.pack('2i', 1, 2)"]:
    try:
        r = repr(eval(expr))
    except BaseException as e:
        r = "%s.%s: %s" % (type(e).__module__, type(e).__name__, e)
    lines.append("%s -> %s" % (expr, r))
if __name__ == "__main__":
    print "\n".join(lines)
