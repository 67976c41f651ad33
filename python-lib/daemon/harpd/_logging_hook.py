"""
Installs harpd's logging bridge (``harpd._logging_bridge``) when the interpreter first imports ``logging``.

Importing ``logging`` costs a fresh Jython interpreter about 50 ms of CPU (it brings ``threading``,
``traceback`` and more), paid at every worker start and, in the ``interpreter`` isolation level, after every
call. Procedures files and authentication modules that never log need not pay it; those that do get the
bridge in place before their first record, as if it had been installed up front.
"""

from __future__ import absolute_import

import sys


class _BridgeOnFirstImport(object):
    """A ``sys.meta_path`` finder that answers for ``logging`` once, then steps aside."""

    def find_module(self, fullname, path=None):
        if fullname == "logging" and path is None:
            return self
        return None

    def load_module(self, fullname):
        # out of the way first: the import below must take the normal route, not come back here
        if self in sys.meta_path:
            sys.meta_path.remove(self)
        module = __import__(fullname)
        from harpd import _logging_bridge
        _logging_bridge.install()
        return module


def install_on_first_import():
    """Installs the bridge now if ``logging`` is already imported, else on its first import; idempotent."""
    if "logging" in sys.modules:
        from harpd import _logging_bridge
        _logging_bridge.install()
        return
    for finder in sys.meta_path:
        if isinstance(finder, _BridgeOnFirstImport):
            return
    sys.meta_path.insert(0, _BridgeOnFirstImport())
