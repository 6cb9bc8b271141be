"""Shared test helpers: throwaway source trees, and an import state put back after each test.

The restoring fixture is written with plain copies on purpose, independent of
modutils' own snapshot code, so that a bug there cannot hide itself.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import textwrap
import types
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

WriteTree = Callable[[dict[str, str]], Path]
# Write ``{"name.py": source}`` files, put their folder on sys.path, import the names.
ImportTree = Callable[..., list[types.ModuleType]]


def _made_by_a_test(module: object, temp_root: str) -> bool:
    """Whether *module* came from a test: a file under the temp root, or no file at all.

    Library modules imported lazily during a test (modutils' capability modules,
    ``ast``, ``importlib_metadata``...) stay loaded: dropping them would make the
    next test import second copies, whose classes differ from those that
    ``modutils`` and its caches already hold.
    """
    spec = getattr(module, "__spec__", None)
    origin = getattr(spec, "origin", None) or getattr(module, "__file__", None)
    if not isinstance(origin, str) or origin in ("built-in", "frozen"):
        return spec is None or getattr(spec, "origin", None) not in ("built-in", "frozen")
    return os.path.realpath(origin).startswith(temp_root)


@pytest.fixture(autouse=True)
def _restore_import_state(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Undo whatever a test did to sys.modules, sys.path and the import hooks."""
    temp_root = os.path.realpath(tmp_path_factory.getbasetemp()) + os.sep
    modules = sys.modules.copy()
    path = sys.path[:]
    meta_path = sys.meta_path[:]
    path_hooks = sys.path_hooks[:]
    importer_cache = sys.path_importer_cache.copy()
    try:
        yield
    finally:
        for name in [name for name in sys.modules if name not in modules]:
            if _made_by_a_test(sys.modules[name], temp_root):
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


@pytest.fixture
def tree(write_tree: WriteTree) -> ImportTree:
    """Write ``{"name.py": source}`` files, put the folder on sys.path, import *names*."""

    def load(files: dict[str, str], *names: str) -> list[types.ModuleType]:
        root = write_tree(files)
        if str(root) not in sys.path:
            sys.path.insert(0, str(root))
        importlib.invalidate_caches()
        return [importlib.import_module(name) for name in names]

    return load


def register_lazily(name: str) -> types.ModuleType:
    """Put *name* in sys.modules through importlib.util.LazyLoader, not executed yet."""
    spec = importlib.util.find_spec(name)
    assert spec is not None
    assert spec.loader is not None
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module
