"""
Module loader: loads Python modules from ``sys.path``, or code kept in any file (e.g. configuration
written as Python, under ``/etc``).
"""

from __future__ import absolute_import

import imp
import sys

__all__ = ["ModuleLoader"]


class ModuleLoader(object):
    """
    Loads a module from ``sys.path`` or a code snippet from outside of it. A context manager; nothing
    is written beside the loaded file (no ``*.pyc``, no ``$py.class``), so :meth:`close` has nothing
    to clean up and is kept for code that calls it.
    """

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
        return False

    def close(self):
        """Clean up after loading (nothing to clean; safe to call any number of times)."""
        pass

    def load(self, name, file=None):
        """
        Load the named module and return it.

        :param name: name of the module; with ``file``, the name the loaded module gets (better a name
            whose parent package exists, e.g. ``harpd.__config__``)
        :param file: file to load the module from, instead of ``sys.path``
        """
        if file is None:
            __import__(name)
            return sys.modules[name]
        with open(file, "rU") as source:
            code = compile(source.read(), file, "exec", 0, True)
        module = imp.new_module(name)
        module.__file__ = file
        previous = sys.modules.get(name)
        sys.modules[name] = module
        try:
            exec code in module.__dict__
        except:
            if previous is None:
                del sys.modules[name]
            else:
                sys.modules[name] = previous
            raise
        return module
