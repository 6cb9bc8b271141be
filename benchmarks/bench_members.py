"""``list_members`` on large modules against ``inspect.getmembers``; the static listing.

Three rows per module: a repeated listing (the module's classification is reused
while its namespace is unchanged), a first listing with the import bindings
cached, and a cold listing (nothing cached: the bindings are read from the
module's cached bytecode, as for a module never analysed before).
Then the first use in a fresh process, timed inside it from before ``import
modutils`` (or ``import inspect``) to the end of the first listing of ``json``.
Two rows for ``list_members_static("sympy")``, which follows sympy's re-exports
into about 250 other files: warm (every file's summary cached: one ``os.stat``
per file) and cold (every file parsed once), both against one ``ast.parse`` of
``sympy/__init__.py``.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import statistics
import subprocess
import sys
from collections.abc import Iterator

from benchmarks._harness import Row, compare
from modutils import list_members, list_members_static, members
from modutils._source import clear_source_cache, read_source

MODULES = ("os", "typing", "sympy")


def _forget_listings() -> None:
    members._listings.clear()


def _forget_everything() -> None:
    members._listings.clear()
    clear_source_cache()


def run() -> Iterator[Row]:
    """Yield three rows per module (repeated, first, cold), then static rows."""
    for name in MODULES:
        module = importlib.import_module(name)
        list_members(module)  # the import bindings are cached from here on

        def ours(module: object = module) -> object:
            return list_members(module)  # type: ignore[arg-type]

        def baseline(module: object = module) -> object:
            return inspect.getmembers(module)

        yield compare(
            f"list_members({name}) repeated",
            ours,
            f"inspect.getmembers({name})",
            baseline,
            goal="<= 1.0x",
            number=50,
        )
        yield compare(
            f"list_members({name}) first listing, bindings cached",
            ours,
            f"inspect.getmembers({name})",
            baseline,
            goal="<= 2.5x",
            repeat=15,
            setup=_forget_listings,
        )
        yield compare(
            f"list_members({name}) cold",
            ours,
            f"inspect.getmembers({name})",
            baseline,
            goal="<= 5x",
            repeat=7,
            setup=_forget_everything,
        )

    yield _fresh_process_row()
    yield from _static_rows()


# Run in a fresh interpreter; prints the seconds from the first import of the
# listing code to the end of the first listing (the module listed is loaded first).
_FRESH = (
    "import json, time\nstart = time.perf_counter()\n{body}\nprint(time.perf_counter() - start)\n"
)
_OURS = "import modutils\nmodutils.list_members(json)"
_THEIRS = "import inspect\ninspect.getmembers(json)"


def _fresh_seconds(body: str) -> float:
    command = [sys.executable, "-c", _FRESH.format(body=body)]
    result = subprocess.run(command, check=True, capture_output=True, text=True)
    return float(result.stdout)


def _fresh_process_row(repeat: int = 9) -> Row:
    ours: list[float] = []
    theirs: list[float] = []
    for _ in range(repeat):  # alternating, as compare() does
        theirs.append(_fresh_seconds(_THEIRS))
        ours.append(_fresh_seconds(_OURS))
    return Row(
        "list_members(json) first use, fresh process",
        statistics.median(ours),
        "inspect.getmembers(json) first use",
        statistics.median(theirs),
        "",
    )


def _static_rows() -> Iterator[Row]:
    path = importlib.import_module("sympy").__file__ or ""

    def ours() -> object:
        return list_members_static("sympy")

    def baseline() -> object:
        return ast.parse(read_source(path), filename=path)

    ours()  # every summary cached from here on
    yield compare(
        "list_members_static(sympy) warm",
        ours,
        "ast.parse(sympy/__init__.py)",
        baseline,
        repeat=7,
    )
    yield compare(
        "list_members_static(sympy) cold",
        ours,
        "ast.parse(sympy/__init__.py)",
        baseline,
        repeat=3,
        setup=clear_source_cache,
    )
