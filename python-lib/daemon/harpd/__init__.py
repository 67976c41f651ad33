"""
harpd: a generic RPC server for administrative tasks.

This package is what the daemon side of harpd offers to Python code:
:mod:`harpd.proc` (marking procedures for remote calls) and :mod:`harpd.auth`
(authentication backends). The daemon itself runs on the JVM; this code is
executed by its embedded Jython 2.7 interpreter.
"""
