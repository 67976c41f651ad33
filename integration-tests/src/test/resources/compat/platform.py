# What procedures read to tell the platform: CPython 2.7 on Linux.
import os
import sys
from harpd.proc import procedure


@procedure
def values():
    return {"platform": sys.platform, "linux": sys.platform.startswith("linux"), "os_name": os.name}
