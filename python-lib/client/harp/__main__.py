"""``python -m harp``: see :mod:`harp.cli`."""

from __future__ import absolute_import, division, print_function

import sys

from harp.cli import main

sys.exit(main())
