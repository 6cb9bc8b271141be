"""``python -m modutils``: the command line (see :mod:`modutils.cli`)."""

from __future__ import annotations

import sys

from modutils.cli import main

if __name__ == "__main__":
    sys.exit(main())
