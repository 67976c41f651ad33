"""
Makes ``sys`` and ``os`` report what CPython 2.7 on Linux reports, for procedures written for it.

Jython says ``sys.platform == "java..."`` and ``os.name == "java"``;
procedures test ``sys.platform.startswith("linux")`` or ``os.name == "posix"`` and take a Windows or
"unsupported" branch otherwise. Jython's own library tests the same values to choose its Java-backed
code, mostly once at import time: those modules are imported here first, with Jython's values, and
only then are the values changed. ``os._name`` (Jython's name for the underlying system) stays as it
is, so Jython's checks that read it keep working.

``sys.maxint`` (2**31-1) and ``sys.byteorder`` ("big") stay Jython's: its ``sys`` holds them as Java
constants, which neither assignment nor the module's dict can replace.
"""

from __future__ import absolute_import

import os as _os
import sys as _sys

# Jython's modules that choose their implementation from sys.platform or os.name at import time.
_CHOSEN_AT_IMPORT = ("collections", "datetime", "subprocess", "locale", "zipfile", "inspect",
                     "platform", "tempfile", "xml.parsers.expat")


def install():
    for name in _CHOSEN_AT_IMPORT:
        try:
            __import__(name)
        except ImportError:
            pass
    _sys.platform = "linux2"
    _os.name = "posix"


install()
