"""``extend_sys_path`` and ``preserve_import_state`` against the bare stdlib moves."""

from __future__ import annotations

import importlib
import shutil
import sys
import tempfile
import types
from collections.abc import Iterator

from benchmarks._harness import Row, compare
from modutils import extend_sys_path, preserve_import_state

MODULES = 1000  # sys.modules size for the snapshot rows
CHANGED = 10  # modules each snapshot block imports, to be taken out again


def _fill_modules(total: int) -> list[str]:
    """Put cheap module objects in sys.modules until it holds *total* entries."""
    names = [f"_bench_syspath_{index}" for index in range(max(0, total - len(sys.modules)))]
    for name in names:
        sys.modules[name] = types.ModuleType(name)
    return names


def _change_modules() -> None:
    for index in range(CHANGED):
        name = f"_bench_syspath_new_{index}"
        sys.modules[name] = types.ModuleType(name)


def run() -> Iterator[Row]:
    """Yield the sys.path and snapshot rows."""
    folder = tempfile.mkdtemp(prefix="bench_syspath_")
    try:

        def extend() -> None:
            with extend_sys_path(folder):
                pass

        def bare_pair() -> None:
            sys.path.insert(0, folder)
            sys.path.remove(folder)

        def bare_pair_invalidating() -> None:
            sys.path.insert(0, folder)
            importlib.invalidate_caches()
            sys.path.remove(folder)

        yield compare(
            "extend_sys_path(one path) enter+exit",
            extend,
            "sys.path.insert + remove",
            bare_pair,
            number=2000,
        )
        yield compare(
            "extend_sys_path(one path) enter+exit",
            extend,
            "insert + invalidate_caches + remove",
            bare_pair_invalidating,
            number=2000,
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    filler = _fill_modules(MODULES)
    try:

        def preserve() -> None:
            with preserve_import_state():
                _change_modules()

        def bare_copy_restore() -> None:
            saved = sys.modules.copy()
            _change_modules()
            for name in [name for name in sys.modules if name not in saved]:
                del sys.modules[name]
            sys.modules.update(saved)

        yield compare(
            f"preserve_import_state() enter+exit, {len(sys.modules)} modules",
            preserve,
            "sys.modules.copy() + restore loop",
            bare_copy_restore,
            goal="< 1 ms",
            number=200,
        )
    finally:
        for name in filler:
            sys.modules.pop(name, None)
