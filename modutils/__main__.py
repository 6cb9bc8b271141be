"""``python -m modutils``: the command line (see :mod:`modutils.cli`)."""

# `python -m` puts the current folder first on sys.path; it must not supply any
# module the command line imports (issue 18), so it goes before the first import
# below, and `from __future__ import annotations`, which imports a module too, is
# left out of this file. The command line puts the folder back for what it may
# find there (modutils.cli._open_current_folder).
import os
import sys

if __name__ == "__main__":
    try:
        _cwd = os.path.realpath(os.getcwd())
    except OSError:  # the folder was deleted: nothing can be imported from it
        pass
    else:
        sys.path[:] = [entry for entry in sys.path if os.path.realpath(entry or os.curdir) != _cwd]

    from modutils.cli import main

    sys.exit(main())
