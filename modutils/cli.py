"""The ``modutils`` command line (``python -m modutils``)."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with *argv* (default: ``sys.argv[1:]``); return the exit status.

    Example:
        >>> from modutils.cli import main
        >>> main(["--version"])  # doctest: +ELLIPSIS
        modutils ...
        0
    """
    import argparse

    from modutils._version import __version__

    parser = argparse.ArgumentParser(prog="modutils", description=__doc__)
    parser.add_argument("--version", action="version", version=f"modutils {__version__}")
    try:
        parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    parser.print_help()
    return 0
