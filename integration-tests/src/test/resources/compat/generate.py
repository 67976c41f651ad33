#!/usr/bin/env python2.7
"""
Writes the expected wire lines of a compatibility case as the Python harpd, under CPython 2.7, sends them.

    python2.7 generate.py NAME.wire...

Each NAME.wire goes with NAME.py, the procedures file, and lists calls as ``> procedure arguments-json``
lines; everything else but ``#`` comments and blank lines is an expected line. This script loads NAME.py
under CPython 2.7 (with python-lib/daemon on sys.path for harpd.proc and friends), runs each call as the
original's request handler does, and writes the file back with the lines CPython's json.dumps gives
(sort_keys=True, every other option at its default), with logging configured as the original configured it
without -l. Cases whose answer is not the procedure's own
(timeouts, signals) can be written by hand in the same format; the test does not run this script.
"""

import imp
import json
import logging
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "..", "..", "python-lib", "daemon"))

from harpd.proc import Procedure, StreamingProcedure, Result  # noqa: E402


def dumps(value):
    return json.dumps(value, sort_keys=True)


def error(kind, message):
    return dumps({"harp": 1, "error": {"type": kind, "message": message}})


def call(procs, name, arguments):
    proc = procs.get(name)
    if proc is None:
        return [dumps({"harp": 1, "error": {"type": "no_such_procedure", "message": "no such procedure",
                                            "data": {"procedure": name}}})]
    streaming = isinstance(proc, StreamingProcedure)
    lines = [dumps({"harp": 1, "stream_result": streaming})]
    try:
        if isinstance(arguments, dict):
            value = proc(**arguments)
        else:
            value = proc(*arguments)
        if streaming:
            for item in value:
                if isinstance(item, Result):
                    lines.append(dumps({"result": item.value}))
                    return lines
                lines.append(dumps({"stream": item}))
            value = proc.result()
        lines.append(dumps({"result": value}))
    except SystemExit:
        # the original's handler answers SystemExit (its signal handler's sys.exit) this way
        lines.append(error("shutdown", "service is shutting down"))
    except Exception as e:
        lines.append(dumps({"exception": {"type": type(e).__name__, "message": str(e),
                                          "data": {"class": type(e).__name__, "module": type(e).__module__}}}))
    return lines


def generate(wire):
    # the original's logging without -l: root at INFO to stderr, as "%(message)s"
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    source = wire[:-len(".wire")] + ".py"
    module = imp.load_source("harpd.__procedures__", source)
    procs = dict((k, v) for (k, v) in vars(module).items() if isinstance(v, Procedure))
    out = []
    with open(wire) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith(">"):
                name, _, arguments = line[1:].strip().partition(" ")
                out.append(line)
                out.extend(call(procs, name, json.loads(arguments or "[]")))
            elif not line or line.startswith("#"):
                out.append(line)
    with open(wire, "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    for path in sys.argv[1:]:
        generate(path)
