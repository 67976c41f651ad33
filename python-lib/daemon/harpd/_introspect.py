"""
Helpers the JVM side of harpd calls to look into procedures. Not a public
interface.

The standard ``inspect`` module is deliberately not used: under Jython,
importing it takes seconds (it pulls in a large part of the standard
library), and harpd loads procedures at every start of a worker.
"""

from __future__ import absolute_import

import types

from harpd.proc import Procedure, StreamingProcedure

_OWN_CALLS = (
    Procedure.__dict__["__call__"],
    StreamingProcedure.__dict__["__call__"],
)

# code object flags (same values in CPython 2 and Jython)
_CO_VARARGS = 0x04
_CO_VARKEYWORDS = 0x08


def _own_call_overridden(proc):
    for cls in type(proc).__mro__:
        call = cls.__dict__.get("__call__")
        if call is not None:
            return call not in _OWN_CALLS
    return False


def _function_and_skip(proc):
    """The Python function a call of ``proc`` runs, and how many of its
    leading parameters are filled in already (``self``)."""
    if _own_call_overridden(proc):
        return (getattr(type(proc).__call__, "im_func", None), 1)
    target = proc.function
    if isinstance(target, types.FunctionType):
        return (target, 0)
    if isinstance(target, types.MethodType):
        return (target.im_func, 0 if target.im_self is None else 1)
    # some other callable object: what runs is its class's __call__
    call = getattr(type(target), "__call__", None)
    if isinstance(call, types.MethodType):
        return (call.im_func, 1)
    return (None, 0)


def signature(proc):
    """
    :return: ``(args, number of defaults, varargs name, kwargs name)`` of
        what calling ``proc`` runs, or ``None`` if it cannot be introspected
        (a Java or builtin callable, parameter unpacking, ...)
    """
    (function, skip) = _function_and_skip(proc)
    if not isinstance(function, types.FunctionType):
        return None
    code = function.func_code
    names = list(code.co_varnames)
    count = code.co_argcount
    args = names[:count]
    varargs = None
    varkw = None
    if code.co_flags & _CO_VARARGS:
        varargs = names[count]
        count += 1
    if code.co_flags & _CO_VARKEYWORDS:
        varkw = names[count]
    for arg in args:
        # def f((a, b)): tuple parameters get generated names like ".1"
        if not isinstance(arg, basestring) or not (arg[:1].isalpha() or arg[:1] == "_"):
            return None
    args = args[skip:]
    defaults = min(len(function.func_defaults or ()), len(args))
    return (args, defaults, varargs, varkw)


def doc(proc):
    """
    :return: the docstring of ``proc`` (given to it, or its function's),
        with the indentation of its continuation lines and its leading and
        trailing blank lines removed as ``inspect.cleandoc`` does; ``None``
        if it has none
    """
    text = getattr(proc, "__dict__", {}).get("__doc__")
    if not isinstance(text, basestring):
        (function, skip) = _function_and_skip(proc)
        text = getattr(function, "__doc__", None)
    if not isinstance(text, basestring):
        return None
    lines = text.expandtabs().split("\n")
    indents = [len(line) - len(line.lstrip()) for line in lines[1:] if line.strip()]
    margin = min(indents) if indents else 0
    lines = [lines[0].strip()] + [line[margin:].rstrip() for line in lines[1:]]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)
