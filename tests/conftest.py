"""Shared test helpers: throwaway source trees, and an import state put back after each test.

The restoring fixture is written with plain copies on purpose, independent of
modutils' own snapshot code, so that a bug there cannot hide itself.
"""

from __future__ import annotations

import importlib
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

WriteTree = Callable[[dict[str, str]], Path]


@pytest.fixture(autouse=True)
def _restore_import_state() -> Iterator[None]:
    """Undo whatever a test did to sys.modules, sys.path and the import hooks."""
    modules = sys.modules.copy()
    path = sys.path[:]
    meta_path = sys.meta_path[:]
    path_hooks = sys.path_hooks[:]
    importer_cache = sys.path_importer_cache.copy()
    try:
        yield
    finally:
        for name in [name for name in sys.modules if name not in modules]:
            del sys.modules[name]
        sys.modules.update(modules)
        sys.path[:] = path
        sys.meta_path[:] = meta_path
        sys.path_hooks[:] = path_hooks
        sys.path_importer_cache.clear()
        sys.path_importer_cache.update(importer_cache)
        importlib.invalidate_caches()


@pytest.fixture
def write_tree(tmp_path: Path) -> WriteTree:
    """Write ``{"pkg/__init__.py": "source", ...}`` under a fresh folder; return the folder.

    Sources are dedented. Each call writes into the same ``tmp_path/tree`` folder.
    """
    root = tmp_path / "tree"

    def write(files: dict[str, str]) -> Path:
        for relative, source in files.items():
            target = root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(textwrap.dedent(source), encoding="utf-8")
        root.mkdir(exist_ok=True)
        return root

    return write
