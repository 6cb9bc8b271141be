"""``list_members`` on large modules against ``inspect.getmembers``.

Three rows per module: a repeated listing (the module's classification is reused
while its namespace is unchanged), a first listing with the source scan cached,
and a first listing with a cold source cache (the module's source is parsed).
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterator

from benchmarks._harness import Row, compare
from modutils import list_members, members
from modutils._source import clear_source_cache

MODULES = ("os", "typing", "sympy")


def _forget_listings() -> None:
    members._listings.clear()


def _forget_everything() -> None:
    members._listings.clear()
    clear_source_cache()


def run() -> Iterator[Row]:
    """Yield three rows per module: repeated, first listing, cold source cache."""
    for name in MODULES:
        module = importlib.import_module(name)
        list_members(module)  # the source scan is cached from here on

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
            f"list_members({name}) first listing, source cached",
            ours,
            f"inspect.getmembers({name})",
            baseline,
            goal="<= 1.0x",
            repeat=15,
            setup=_forget_listings,
        )
        yield compare(
            f"list_members({name}) cold source cache",
            ours,
            f"inspect.getmembers({name})",
            baseline,
            goal="<= 1.0x",
            repeat=7,
            setup=_forget_everything,
        )
