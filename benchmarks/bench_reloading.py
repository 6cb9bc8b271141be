"""``modutils.reload`` against ``importlib.reload``, alone and with dependents."""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import pkgutil
import shutil
import sys
import tempfile
import time
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from benchmarks._harness import Row, compare
from modutils import reloading
from modutils._source import clear_source_cache

FUNCTIONS = 300
FILLERS = 2_000
TARGET_MODULES = 3_000
DEPENDENTS = 5
PREFIX = "bench_reload_"


def _write(root: Path, name: str, source: str, mtime_ns: int) -> Path:
    path = root / f"{name}.py"
    path.write_text(source, encoding="utf-8")
    # Sources last edited well before their bytecode is written: the cache is
    # unambiguous, the case the <= 1.2x goal speaks of.
    os.utime(path, ns=(mtime_ns, mtime_ns))
    return path


def _functions_source() -> str:
    lines = ['"""A module of many small functions."""\n']
    for index in range(FUNCTIONS):
        lines.append(f"def function_{index}(value, factor={index}):\n")
        lines.append(f'    """Function number {index}."""\n')
        lines.append("    return value * factor + len(str(value))\n\n")
    return "".join(lines)


def _build(root: Path) -> tuple[str, list[str]]:
    """Write the modules; return the 300-function module and the dependents' target."""
    past = (int(time.time()) - 3600) * 10**9
    functions = f"{PREFIX}functions"
    _write(root, functions, _functions_source(), past)
    target = f"{PREFIX}target"
    _write(root, target, "import os\nVALUE = object()\n", past)
    for index in range(DEPENDENTS):
        _write(root, f"{PREFIX}dep{index}", f"from {target} import VALUE\nimport sys\n", past)
    # Chains of ten modules importing their predecessor, plus some stdlib, none of
    # which import the target: the graph must be read, and none of them reloaded.
    for index in range(FILLERS):
        imports = "import os, json\n"
        if index % 10:
            imports += f"from {PREFIX}f{index - 1:04d} import X as PREVIOUS\n"
        _write(root, f"{PREFIX}f{index:04d}", f"{imports}X = {index}\n", past)
    return functions, [target, *(f"{PREFIX}dep{index}" for index in range(DEPENDENTS))]


def _load_libraries(count: int) -> None:
    """Import the standard library, then sympy's and numpy's modules, up to *count*."""
    from importlib.util import find_spec

    def load(names: Iterable[str]) -> None:
        for name in names:
            if len(sys.modules) >= count:
                return
            if ".tests" in name or ".benchmarks" in name or name.endswith(".conftest"):
                continue
            try:
                importlib.import_module(name)
            except BaseException:  # optional dependencies missing, SystemExit: skip it
                continue

    def walk(package: str) -> Iterator[str]:
        path = getattr(sys.modules.get(package), "__path__", None)
        if path is not None:
            for info in pkgutil.walk_packages(path, f"{package}.", onerror=lambda name: None):
                yield info.name

    argv = sys.argv[:]
    sys.argv[1:] = []
    try:
        with (
            warnings.catch_warnings(),
            contextlib.redirect_stdout(io.StringIO()),
            contextlib.redirect_stderr(io.StringIO()),
        ):
            warnings.simplefilter("ignore")
            names = [name for name in sorted(sys.stdlib_module_names) if name not in _NOT_LOADED]
            load(names)
            for package in ("sympy", "numpy"):
                if find_spec(package) is not None:
                    load([package])
                    load(walk(package))
    finally:
        sys.argv[:] = argv


# Modules with side effects when imported (a browser, a GUI, printing).
_NOT_LOADED = frozenset({"antigravity", "this", "idlelib", "tkinter", "turtle", "turtledemo"})


def run() -> Iterator[Row]:
    """Yield the reload rows."""
    root = Path(tempfile.mkdtemp(prefix="modutils-bench-reload-"))
    sys.path.insert(0, str(root))
    dont_write = sys.dont_write_bytecode
    sys.dont_write_bytecode = False
    try:
        functions_name, group = _build(root)
        importlib.invalidate_caches()
        functions = importlib.import_module(functions_name)

        def against_importlib(situation: str, baseline: str, **options: Any) -> Row:
            return compare(
                f"reload, {FUNCTIONS}-function module ({situation})",
                lambda: reloading.reload(functions),
                baseline,
                lambda: importlib.reload(functions),
                repeat=15,
                **options,
            )

        yield against_importlib("cache up to date", "importlib.reload", goal="<= 1.2x", number=20)

        # The cache written in the same second as the source's mtime, as pip writes
        # it: it cannot be trusted (CPython issue 75953), so the first reload compiles
        # the source; while the source is unchanged, later reloads reuse that code.
        cache = Path(functions.__cached__)
        source_ns = Path(functions.__file__ or "").stat().st_mtime_ns
        same_second = source_ns - source_ns % 10**9 + 999_000_000

        def ambiguous_cache() -> None:
            os.utime(cache, ns=(same_second, same_second))

        def ambiguous_cache_nothing_compiled_yet() -> None:
            ambiguous_cache()
            reloading._code_cache.clear()

        trusting = "importlib.reload (uses the cache)"
        yield against_importlib(
            "ambiguous cache: first", trusting, setup=ambiguous_cache_nothing_compiled_yet
        )
        for writes, label in ((True, "writable"), (False, "read-only")):
            sys.dont_write_bytecode = not writes
            ambiguous_cache_nothing_compiled_yet()
            reloading.reload(functions)
            yield against_importlib(
                f"ambiguous cache, {label}: again",
                trusting,
                goal="<= 1.2x",
                number=20,
                setup=None if writes else ambiguous_cache,
            )
        sys.dont_write_bytecode = False

        # What a session with a few large libraries loads (the standard library,
        # sympy and numpy when installed, with their bytecode as pip wrote it), then
        # the user's modules until the count is reached.
        _load_libraries(TARGET_MODULES - FILLERS // 4)
        for index in range(FILLERS):
            if len(sys.modules) >= TARGET_MODULES - len(group):
                break
            importlib.import_module(f"{PREFIX}f{index:04d}")
        modules = [importlib.import_module(name) for name in group]
        loaded = len(sys.modules)

        def by_hand() -> None:
            for module in modules:
                importlib.reload(module)

        def cold() -> None:
            clear_source_cache()
            reloading._deps_cache.clear()
            reloading._unparsable.clear()
            reloading._facts_cache.clear()
            reloading._absent_cache.clear()

        yield compare(
            f"first reload(dependents=True), {loaded} modules loaded, cold",
            lambda: reloading.reload(modules[0], dependents=True),
            f"importlib.reload x{len(modules)}",
            by_hand,
            goal="< 100 ms",
            repeat=5,
            setup=cold,
        )
        yield compare(
            f"reload(dependents=True), {loaded} modules loaded, {DEPENDENTS} dependents, warm",
            lambda: reloading.reload(modules[0], dependents=True),
            f"importlib.reload x{len(modules)}",
            by_hand,
            goal="< 15 ms",
            repeat=9,
        )
        assert reloading._reload_order(group[0]) == group
        sources = [path for _, path, _ in reloading._loaded_sources()]

        def stat_every_source() -> None:
            for path in sources:
                os.stat(path)

        # The floor of a warm graph: an edited file must be seen, so each loaded
        # module's source is stat-ed once. The machine's load shows in both sides.
        stats = f"os.stat of the {len(sources)} sources"
        yield compare(
            f"dependency graph, {loaded} modules loaded, cold",
            lambda: reloading._reload_order(group[0]),
            stats,
            stat_every_source,
            repeat=5,
            setup=cold,
        )
        yield compare(
            f"dependency graph, {loaded} modules loaded, warm",
            lambda: reloading._reload_order(group[0]),
            stats,
            stat_every_source,
            repeat=9,
        )
    finally:
        sys.dont_write_bytecode = dont_write
        sys.path.remove(str(root))
        for name in [name for name in sys.modules if name.startswith(PREFIX)]:
            del sys.modules[name]
        shutil.rmtree(root, ignore_errors=True)
