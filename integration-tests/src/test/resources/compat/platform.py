# What procedures read to tell the platform: CPython 2.7 on Linux.
import os
import sys
from harpd.proc import procedure


@procedure
def values():
    return {"platform": sys.platform, "linux": sys.platform.startswith("linux"), "os_name": os.name}


@procedure
def zone(tz):
    # time.tzset() with TZ set as a zoneinfo name or a POSIX rule; the worker's own zone is back after the call
    import time
    os.environ["TZ"] = tz
    time.tzset()
    return [time.timezone, time.altzone, time.daylight, time.tzname, list(time.localtime(1690000000)),
            time.strftime("%Z %H:%M", time.localtime(1700000000)), time.mktime((2023, 7, 1, 12, 0, 0, 0, 0, -1))]
