"""``lazy_import`` and ``lazy_attach`` against the stdlib and eager imports they replace."""

from __future__ import annotations

import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from types import ModuleType

from benchmarks._harness import Row, compare
from modutils import lazy_import

MODULES = 200
ATTACHED = 50
ACCESSES = 200_000


def _write_modules(folder: str) -> list[str]:
    names = []
    for index in range(MODULES):
        name = f"_modutils_bench_lazy_{index}"
        with open(os.path.join(folder, f"{name}.py"), "w", encoding="utf-8") as file:
            file.write("raise RuntimeError('executed')\n")  # executing it would fail the row
        names.append(name)
    return names


def _write_packages(folder: str) -> dict[str, str]:
    """Packages with ATTACHED submodules of ~50 lines each, attached three ways.

    :returns: label -> package name.
    """
    body = "".join(f"def f{i}(x):\n    return x + {i}\n\n\n" for i in range(25))
    imports = "".join(f"from .sub{i} import name{i}\n" for i in range(ATTACHED))
    attributes = ", ".join(f"'sub{i}': ['name{i}']" for i in range(ATTACHED))
    inits = {
        "eager": imports,
        "lazy_attach": (
            "from modutils import lazy_attach\n"
            "__getattr__, __dir__, __all__ = lazy_attach(__name__, attributes={"
            f"{attributes}}})\n"
        ),
        "lazy_attach_type_checking": (
            "from modutils import lazy_attach_type_checking\n"
            "TYPE_CHECKING = False\n"
            "if TYPE_CHECKING:\n"
            + "".join(f"    {line}\n" for line in imports.splitlines())
            + "__getattr__, __dir__, __all__ = lazy_attach_type_checking(__name__, __file__)\n"
        ),
    }
    packages = {}
    for label, init in inits.items():
        package = f"_modutils_bench_attach_{label}"
        os.makedirs(os.path.join(folder, package))
        with open(os.path.join(folder, package, "__init__.py"), "w", encoding="utf-8") as file:
            file.write(init)
        for index in range(ATTACHED):
            path = os.path.join(folder, package, f"sub{index}.py")
            with open(path, "w", encoding="utf-8") as file:
                file.write(f"{body}name{index} = f0\n")
        packages[label] = package
    return packages


def run() -> Iterator[Row]:
    """Yield the lazy rows."""
    with tempfile.TemporaryDirectory() as temporary:
        folder = os.path.realpath(temporary)
        names = _write_modules(folder)
        sys.path.insert(0, folder)
        importlib.invalidate_caches()

        def cleanup() -> None:
            for name in names:
                sys.modules.pop(name, None)

        def ours() -> None:
            for name in names:
                lazy_import(name)

        def baseline() -> None:
            for name in names:
                importlib.util.find_spec(name)

        try:
            yield compare(
                f"lazy_import: {MODULES} top-level modules, none executed",
                ours,
                f"importlib.util.find_spec, {MODULES} names",
                baseline,
                goal="<= 1.5x",
                repeat=41,
                setup=cleanup,
            )
            ours()
            # Nothing ran: each module raises when executed.
            assert all(type(sys.modules[name]) is not ModuleType for name in names)
        finally:
            cleanup()
            sys.path.remove(folder)

    yield from _attribute_rows()
    yield from _attach_rows()


def _attribute_rows() -> Iterator[Row]:
    with tempfile.TemporaryDirectory() as temporary:
        folder = os.path.realpath(temporary)
        for stem in ("lazy", "plain"):
            with open(os.path.join(folder, f"_modutils_bench_{stem}.py"), "w") as file:
                file.write("VALUE = 1\n")
        sys.path.insert(0, folder)
        importlib.invalidate_caches()
        try:
            lazy = lazy_import("_modutils_bench_lazy")
            _ = lazy.VALUE  # the first access executes it
            import _modutils_bench_plain as plain  # type: ignore[import-not-found]

            def read(module: ModuleType) -> None:
                for _ in range(ACCESSES):
                    module.VALUE  # noqa: B018

            yield compare(
                f"attribute read after the first, {ACCESSES:,} reads",
                lambda: read(lazy),
                "the same on a normally imported module",
                lambda: read(plain),
                goal="1.0x",
                repeat=41,
            )
        finally:
            sys.path.remove(folder)
            for stem in ("lazy", "plain"):
                sys.modules.pop(f"_modutils_bench_{stem}", None)


def _attach_rows() -> Iterator[Row]:
    with tempfile.TemporaryDirectory() as temporary:
        folder = os.path.realpath(temporary)
        packages = _write_packages(folder)
        setup = f"import sys; sys.path.insert(0, {folder!r}); sys.dont_write_bytecode = False; "
        # In-process: `import pkg` alone, with modutils.lazy (and what it imports)
        # already loaded, as in a program that has imported it before.
        timed = "import modutils.lazy, time; t = time.perf_counter(); import {}; "
        timed += "print(time.perf_counter() - t)"
        commands = {
            label: [f"{setup}import {package}", f"{setup}{timed.format(package)}"]
            for label, package in packages.items()
        }
        for whole, _ in commands.values():  # write the bytecode caches once
            subprocess.run([sys.executable, "-c", whole], check=True)
        rounds: dict[tuple[str, str], list[float]] = {}
        for _ in range(21):  # alternating, so that a slow phase hits every side alike
            for label, (whole, alone) in commands.items():
                start = time.perf_counter()
                subprocess.run([sys.executable, "-c", whole], check=True)
                rounds.setdefault((label, "whole"), []).append(time.perf_counter() - start)
                result = subprocess.run(
                    [sys.executable, "-c", alone], check=True, capture_output=True, text=True
                )
                rounds.setdefault((label, "alone"), []).append(float(result.stdout))
        for kind, title in (("whole", "python -c 'import pkg'"), ("alone", "import pkg alone")):
            eager = statistics.median(rounds[("eager", kind)])
            for label in ("lazy_attach", "lazy_attach_type_checking"):
                yield Row(
                    f"{title}, {ATTACHED} names by {label}",
                    statistics.median(rounds[(label, kind)]),
                    f"the same {ATTACHED} names imported eagerly",
                    eager,
                    "",
                )
