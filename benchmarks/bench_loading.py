"""``import_path`` against the raw ``spec_from_file_location`` recipe."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from importlib.util import module_from_spec, spec_from_file_location

from benchmarks._harness import Row, compare
from modutils import import_path

FILES = 1000


def _write_files(folder: str) -> list[tuple[str, str]]:
    pairs = []
    for index in range(FILES):
        name = f"_modutils_bench_loading_{index}"
        path = os.path.join(folder, f"{name}.py")
        with open(path, "w", encoding="utf-8") as file:
            file.write(f"VALUE = {index}\n\n\ndef value():\n    return VALUE\n")
        pairs.append((name, path))
    return pairs


def run() -> Iterator[Row]:
    """Yield the loading rows: 1,000 distinct small files, registered, bytecode cached.

    The first row names each file (derived name, checked statically against every
    importable module); the second passes ``name=``, which needs no look-up. The
    third compares the first with the raw route plus one copy of ``sys.modules`` a
    load: the least an exact rollback on failure needs, whose cost grows with the
    number of loaded modules (here from about 100 to 1,100).
    """
    with tempfile.TemporaryDirectory() as temporary:
        folder = os.path.realpath(temporary)
        pairs = _write_files(folder)

        def cleanup() -> None:
            for name, _ in pairs:
                sys.modules.pop(name, None)

        def raw() -> None:
            for name, path in pairs:
                spec = spec_from_file_location(name, path)
                assert spec is not None
                assert spec.loader is not None
                module = module_from_spec(spec)
                sys.modules[name] = module
                spec.loader.exec_module(module)

        def raw_with_copy() -> None:
            modules = sys.modules
            for name, path in pairs:
                modules.copy()
                spec = spec_from_file_location(name, path)
                assert spec is not None
                assert spec.loader is not None
                module = module_from_spec(spec)
                modules[name] = module
                spec.loader.exec_module(module)

        def ours() -> None:
            for _, path in pairs:
                import_path(path)

        def ours_named() -> None:
            for name, path in pairs:
                import_path(path, name=name)

        # Both sides read the same __pycache__ files, written once here.
        dont_write_bytecode = sys.dont_write_bytecode
        sys.dont_write_bytecode = False
        try:
            raw()
        finally:
            sys.dont_write_bytecode = dont_write_bytecode
            cleanup()
        try:
            yield compare(
                f"import_path: {FILES:,} small files",
                ours,
                "spec_from_file_location+module_from_spec+exec_module",
                raw,
                goal="<= 1.2x",
                repeat=9,
                setup=cleanup,
            )
            # The same with name=: no name to derive, so no static look-up of it.
            yield compare(
                f"import_path(name=...): {FILES:,} small files",
                ours_named,
                "spec_from_file_location+module_from_spec+exec_module",
                raw,
                goal="<= 1.2x",
                repeat=9,
                setup=cleanup,
            )
            yield compare(
                f"import_path: {FILES:,} small files (against raw + the rollback copy)",
                ours,
                "the same + sys.modules.copy() a load",
                raw_with_copy,
                goal="<= 1.2x (proposed)",
                repeat=9,
                setup=cleanup,
            )
        finally:
            cleanup()
