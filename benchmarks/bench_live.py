"""Hot reload: ``reload(live=True)`` and ``Reloader.check()`` against their baselines.

- ``reload(live=True)`` of a 300-function, 30-class module against ``reload()``;
- the same with 100,000 instances of one of its classes alive, against IPython's
  ``superreload`` (which scans the heap for instances of every class it updates),
  and against itself with no instances (it must not grow with the heap);
- ``Reloader.check()`` with nothing changed and about 3,000 modules loaded (the
  standard library, sympy, IPython and 200 modules of "user code"), against
  IPython's ``ModuleReloader.check()`` in the same process.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import io
import os
import pkgutil
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from benchmarks._harness import Row, compare, median_time
from modutils import reloading
from modutils.reloader import Reloader

FUNCTIONS = 300
CLASSES = 30
INSTANCES = 100_000
TARGET_MODULES = 3_000
USER_MODULES = 200
PREFIX = "bench_live_"


def _module_source() -> str:
    lines = ['"""A module of many functions and classes."""\n']
    for index in range(FUNCTIONS):
        lines.append(f"def function_{index}(value, factor={index}):\n")
        lines.append(f'    """Function number {index}."""\n')
        lines.append("    return value * factor + len(str(value))\n\n")
    for index in range(CLASSES):
        lines.append(f"class Class{index}:\n")
        lines.append(f"    LIMIT = {index}\n")
        lines.append("    def __init__(self, value=0):\n        self.value = value\n")
        lines.append("    def double(self):\n        return self.value * 2\n")
        lines.append("    @property\n    def half(self):\n        return self.value / 2\n")
        lines.append("    @classmethod\n    def make(cls):\n        return cls(1)\n")
        lines.append("    @staticmethod\n    def name():\n        return 'c'\n\n")
    return "".join(lines)


def _write(root: Path, name: str, source: str, mtime_ns: int) -> None:
    path = root / f"{name}.py"
    path.write_text(source, encoding="utf-8")
    # Edited well before its bytecode is written: the cache is trusted, as in use.
    os.utime(path, ns=(mtime_ns, mtime_ns))


def _load_many(root: Path, past: int) -> int:
    """Load user modules and installed ones until about TARGET_MODULES are loaded."""
    for index in range(USER_MODULES):
        _write(root, f"{PREFIX}user{index:03d}", f"import os\nX = {index}\n", past)
    importlib.invalidate_caches()
    for index in range(USER_MODULES):
        importlib.import_module(f"{PREFIX}user{index:03d}")
    import IPython

    # Through import_module: sympy has no type information.
    sympy = importlib.import_module("sympy")

    skip = ("this", "antigravity", "idlelib", "tkinter", "turtle", "__main__", "IPython.terminal")

    def walk(package: object, prefix: str) -> Iterator[str]:
        path = getattr(package, "__path__", None)
        if path is not None:
            yield from (info.name for info in pkgutil.walk_packages(path, prefix))

    def load(names: Iterable[str]) -> None:
        for candidate in names:
            if len(sys.modules) >= TARGET_MODULES:
                return
            if candidate.startswith(skip) or ".benchmarks" in candidate:
                continue
            try:
                importlib.import_module(candidate)
            except BaseException:  # optional dependencies missing, SystemExit: skip it
                continue

    # The standard library, sympy and IPython, until the count is reached: what a
    # notebook session with a few large libraries loads.
    argv = sys.argv[:]
    sys.argv[1:] = []  # some IPython modules read the command line when imported
    try:
        with (
            warnings.catch_warnings(),
            contextlib.redirect_stdout(io.StringIO()),
            contextlib.redirect_stderr(io.StringIO()),
        ):
            warnings.simplefilter("ignore")
            stdlib = sorted(getattr(sys, "stdlib_module_names", ()))
            load(stdlib)
            load(walk(sympy, "sympy."))
            load(walk(IPython, "IPython."))
            for name in stdlib:
                load(walk(sys.modules.get(name), f"{name}."))
    finally:
        sys.argv[:] = argv
    return len(sys.modules)


def run() -> Iterator[Row]:
    """Yield the hot-reload rows."""
    # Looked up as plain attributes: IPython's autoreload functions are untyped.
    autoreload: Any = importlib.import_module("IPython.extensions.autoreload")
    superreload = autoreload.superreload
    module_reloader = autoreload.ModuleReloader

    root = Path(tempfile.mkdtemp(prefix="modutils-bench-live-"))
    sys.path.insert(0, str(root))
    dont_write = sys.dont_write_bytecode
    sys.dont_write_bytecode = False
    past = (int(time.time()) - 3600) * 10**9
    try:
        name = f"{PREFIX}classes"
        _write(root, name, _module_source(), past)
        importlib.invalidate_caches()
        module = importlib.import_module(name)
        yield compare(
            f"reload(live=True), {FUNCTIONS} functions + {CLASSES} classes",
            lambda: reloading.reload(module, live=True),
            "reload()",
            lambda: reloading.reload(module),
            goal="<= 1.5x",
            repeat=15,
            number=5,
        )

        # Round by round, with and without the instances, so that a busy phase of
        # the machine does not land on one side only.
        alive: list[object] = []
        with_rounds: list[float] = []
        without_rounds: list[float] = []
        for _ in range(11):
            alive.clear()
            without_rounds.append(median_time(lambda: reloading.reload(module, live=True)))
            alive.extend(module.Class0(index) for index in range(INSTANCES))
            # Settled into the oldest generation, as in a long-running process: the
            # first allocations after making them would otherwise pay a full
            # collection of the heap, whoever makes them.
            gc.collect()
            with_rounds.append(median_time(lambda: reloading.reload(module, live=True)))
        yield Row(
            f"reload(live=True), {INSTANCES:,} instances alive",
            statistics.median(with_rounds),
            "the same, none alive",
            statistics.median(without_rounds),
            "~1x",
        )
        assert type(alive[0]) is module.Class0
        old_objects: dict[object, object] = {}
        yield compare(
            f"reload(live=True), {INSTANCES:,} instances alive",
            lambda: reloading.reload(module, live=True),
            "IPython superreload",
            lambda: superreload(module, importlib.reload, old_objects),
            repeat=7,
        )
        del alive

        loaded = _load_many(root, past)
        reloader = Reloader()
        ipython = module_reloader()
        ipython.enabled = True
        ipython.check_all = True
        watched = len(reloader.watched())
        yield compare(
            f"Reloader.check(), nothing changed, {loaded} loaded ({watched} watched)",
            reloader.check,
            "IPython ModuleReloader.check()",
            ipython.check,
            goal="<= 0.25x",
            repeat=15,
            number=5,
        )
    finally:
        sys.dont_write_bytecode = dont_write
        sys.path.remove(str(root))
        for loaded_name in [key for key in sys.modules if key.startswith(PREFIX)]:
            del sys.modules[loaded_name]
        shutil.rmtree(root, ignore_errors=True)
