"""
Makes ``sys`` and ``os`` report what CPython 2.7 on Linux reports, for procedures written for it.

Jython says ``sys.platform == "java..."`` and ``os.name == "java"``;
procedures test ``sys.platform.startswith("linux")`` or ``os.name == "posix"`` and take a Windows or
"unsupported" branch otherwise. Jython's own library tests the same values to choose its Java-backed
code, mostly once at import time: those modules are imported here first, with Jython's values, and
only then are the values changed. ``os._name`` (Jython's name for the underlying system) stays as it
is, so Jython's checks that read it keep working.

Native byte order is x86-64's: ``sys.byteorder`` is "little" (harpd's interpreters get a ``sys`` that says so,
org.harpd.jython.LinuxSystemState), ``struct`` packs native formats little-endian with CPython's sizes and
alignment (harpd._linux.struct), and the UTF-16/UTF-32 codecs without an explicit order write and read
little-endian, with a little-endian BOM. Jython's own library pairs these (json.decoder unpacks NaN and
Infinity with native "dd" as sys.byteorder says; the UTF-16 incremental encoders continue in the order
sys.byteorder names after the codec's first chunk), so they change together, before anything imports json or
the UTF codecs.

``sys.maxint`` stays Jython's 2**31-1: Jython's built-ins (xrange, itertools.islice, list.insert, file.read,
str.split, str.replace, re.sub, os.read, bisect) accept only Java ints, and procedures pass ``sys.maxint`` to
them as "no limit".
"""

from __future__ import absolute_import

import os as _os
import sys as _sys

# Jython's modules that choose their implementation from sys.platform or os.name at import time.
_CHOSEN_AT_IMPORT = ("collections", "datetime", "subprocess", "locale", "zipfile", "inspect",
                     "platform", "tempfile", "xml.parsers.expat")


def _native_struct():
    from harpd._linux import struct as native
    _sys.modules["struct"] = native


def _little_endian_unicode():
    import codecs
    import _codecs

    def encoder(native, little, bom):
        def encode(input, errors="strict", byteorder=0):
            if byteorder == 0:
                data, consumed = little(input, errors)
                return bom + data, consumed
            return native(input, errors, byteorder)
        encode.__name__ = native.__name__
        return encode

    def decoder(native, little, boms):
        def decode(input, errors="strict", final=False):
            if any(str(input[:len(b)]) == b for b in boms):
                return native(input, errors, final)
            return little(input, errors, final)
        decode.__name__ = native.__name__
        return decode

    replacements = {
        "utf_16_encode": encoder(_codecs.utf_16_encode, _codecs.utf_16_le_encode, codecs.BOM_UTF16_LE),
        "utf_32_encode": encoder(_codecs.utf_32_encode, _codecs.utf_32_le_encode, codecs.BOM_UTF32_LE),
        "utf_16_decode": decoder(_codecs.utf_16_decode, _codecs.utf_16_le_decode,
                                 (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)),
        "utf_32_decode": decoder(_codecs.utf_32_decode, _codecs.utf_32_le_decode,
                                 (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)),
    }
    for name, function in replacements.items():
        setattr(codecs, name, function)
    # an encodings module imported already took its encode function at import time (decode looks it up per call)
    for module_name, name in (("encodings.utf_16", "utf_16_encode"), ("encodings.utf_32", "utf_32_encode")):
        module = _sys.modules.get(module_name)
        if module is not None:
            module.encode = replacements[name]


def _float_info():
    # Jython's has dig 10, the smallest subnormal as min and Java's exponents; CPython's are C's <float.h>
    from harpd._structseq import structseq
    float_info = structseq("sys.float_info", (
        "max", "max_exp", "max_10_exp", "min", "min_exp", "min_10_exp", "dig", "mant_dig", "epsilon", "radix",
        "rounds"))
    # a Java constant of Jython's sys: org.harpd.jython.LinuxSystemState answers it from the dict
    vars(_sys)["float_info"] = float_info((1.7976931348623157e+308, 1024, 308, 2.2250738585072014e-308, -1021, -307,
                                           15, 53, 2.220446049250313e-16, 2, 1))


def _time_zone():
    # time.timezone, altzone, daylight and tzname as CPython computes them, and time.tzset(), which Jython lacks:
    # the zone TZ names becomes the JVM's default, which Jython's time converts with (org.harpd.jython.TimeZones;
    # a worker puts its own zone back after every call)
    import time
    from org.harpd.jython import TimeZones
    TimeZones.initialise()

    def tzset():
        """tzset()

Re-read the local time zone from os.environ["TZ"] (a zoneinfo name or a POSIX rule; unset: the system's)."""
        TimeZones.tzset(_os.environ.get("TZ"))
    # time is a Java class: a plain function there would be an unbound method
    time.tzset = staticmethod(tzset)


def install():
    _float_info()
    _time_zone()
    _native_struct()
    _little_endian_unicode()
    for name in _CHOSEN_AT_IMPORT:
        try:
            __import__(name)
        except ImportError:
            pass
    _sys.platform = "linux2"
    _os.name = "posix"


install()
