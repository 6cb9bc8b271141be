"""``locate_module`` against ``importlib.util.find_spec`` over 200 top-level names."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator

from benchmarks._harness import Row, compare
from modutils import clear_locate_cache, locate_module

NAME_COUNT = 200


def _finds_quietly(name: str) -> bool:
    """Whether ``find_spec(name)`` finds *name* and leaves ``sys.modules`` alone.

    Some finders import to answer (setuptools' distutils shim imports
    setuptools._distutils for "distutils"); locate_module undoes that on every call,
    find_spec keeps it, so such names would measure the shim, not the lookup.
    """
    for _ in range(2):
        before = sys.modules.copy()
        spec = importlib.util.find_spec(name)
        if spec is None or sys.modules != before:
            return False
    return True


def sample_names() -> list[str]:
    """Installed top-level names first (up to a quarter), the stdlib's for the rest."""
    import importlib_metadata

    installed = sorted(
        name
        for name in importlib_metadata.packages_distributions()
        if name.isidentifier() and name != "__pycache__" and name not in sys.stdlib_module_names
    )
    installed = [name for name in installed if _finds_quietly(name)][: NAME_COUNT // 4]
    stdlib = [name for name in sorted(sys.stdlib_module_names) if _finds_quietly(name)]
    return installed + stdlib[: NAME_COUNT - len(installed)]


def run() -> Iterator[Row]:
    """Yield the locate rows."""
    names = sample_names()

    def ours() -> None:
        for name in names:
            locate_module(name)

    def baseline() -> None:
        for name in names:
            importlib.util.find_spec(name)

    ours()  # build the distribution map and resolve every name once
    label = f"{len(names)} top-level names"
    yield compare(
        f"locate_module, {label} (cached map)",
        ours,
        f"find_spec, {label}",
        baseline,
        goal="<= 1.5x",
        repeat=15,
    )
    yield compare(
        f"locate_module, {label}, cold cache",
        ours,
        f"find_spec, {label}",
        baseline,
        setup=clear_locate_cache,
        repeat=5,
    )
    yield compare(
        "locate_module('pytest'), first call, cold cache",
        lambda: locate_module("pytest"),
        "find_spec('pytest')",
        lambda: importlib.util.find_spec("pytest"),
        setup=clear_locate_cache,
        repeat=7,
    )
