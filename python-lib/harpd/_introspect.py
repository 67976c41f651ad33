"""
Helpers the JVM side of harpd calls to look into procedures. Not a public
interface.
"""

import inspect

from harpd.proc import Procedure, StreamingProcedure

_OWN_CALLS = (
    Procedure.__dict__["__call__"],
    StreamingProcedure.__dict__["__call__"],
)


def _own_call_overridden(proc):
    for cls in type(proc).__mro__:
        call = cls.__dict__.get("__call__")
        if call is not None:
            return call not in _OWN_CALLS
    return False


def _callable_and_skip(proc):
    """What a call of ``proc`` runs, and how many leading parameters are
    filled in already (``self``)."""
    if _own_call_overridden(proc):
        return (type(proc).__call__, 1)
    target = proc.function
    if inspect.isfunction(target):
        return (target, 0)
    if inspect.ismethod(target):
        return (target, 0 if target.im_self is None else 1)
    # some other callable object: what runs is its __call__
    call = getattr(type(target), "__call__", None)
    if inspect.ismethod(call) and inspect.isfunction(call.im_func):
        return (call, 1)
    return (None, 0)


def signature(proc):
    """
    :return: ``(args, number of defaults, varargs name, kwargs name)`` of
        what calling ``proc`` runs, or ``None`` if it cannot be introspected
        (a Java or builtin callable, parameter unpacking, ...)
    """
    (target, skip) = _callable_and_skip(proc)
    if target is None:
        return None
    try:
        spec = inspect.getargspec(target)
    except (TypeError, AttributeError):
        return None
    args = list(spec.args[skip:])
    for arg in args:
        if not isinstance(arg, basestring):
            return None  # def f((a, b)): tuple parameters
    defaults = min(len(spec.defaults or ()), len(args))
    return (args, defaults, spec.varargs, spec.keywords)
