"""modutils._spec: module names, and specs found without importing anything."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest

from conftest import WriteTree
from modutils._spec import (
    check_module_name,
    find_spec_static,
    is_missing,
    search_locations,
    source_path,
)

RAISES = "raise RuntimeError('executed')\n"


@pytest.mark.parametrize("name", ["os", "a.b.c", "_x", "match", "class", "ünïcode"])
def test_well_formed_names_pass(name: str) -> None:
    assert check_module_name(name) == name


@pytest.mark.parametrize("name", ["", ".", "a.", ".a", "a..b", "not a name", "1a", "a-b", "a.1"])
def test_malformed_names_raise_value_error(name: str) -> None:
    with pytest.raises(ValueError, match="malformed module name"):
        check_module_name(name)


@pytest.mark.parametrize("name", [None, 1, b"os", ["os"]])
def test_non_str_names_raise_type_error(name: object) -> None:
    with pytest.raises(TypeError, match="must be a str"):
        check_module_name(name)


def test_dotted_name_resolved_without_importing_parents(write_tree: WriteTree) -> None:
    root = write_tree(
        {
            "sp_pkg/__init__.py": RAISES,
            "sp_pkg/sub/__init__.py": RAISES,
            "sp_pkg/sub/leaf.py": RAISES,
        }
    )
    sys.path.insert(0, str(root))
    before = set(sys.modules)
    spec = find_spec_static("sp_pkg.sub.leaf")
    assert spec is not None
    assert spec.origin == str(root / "sp_pkg" / "sub" / "leaf.py")
    assert search_locations("sp_pkg.sub") == [str(root / "sp_pkg" / "sub")]
    assert set(sys.modules) == before


def test_nested_namespace_package_with_unimported_parent(write_tree: WriteTree) -> None:
    # PathFinder raises KeyError here: its _NamespacePath reads sys.modules[parent].
    root = write_tree({"sp_ns/inner/deeper/mod.py": RAISES})
    sys.path.insert(0, str(root))
    spec = find_spec_static("sp_ns.inner.deeper")
    assert spec is not None
    assert spec.loader is None
    assert list(spec.submodule_search_locations or []) == [str(root / "sp_ns/inner/deeper")]
    leaf = find_spec_static("sp_ns.inner.deeper.mod")
    assert leaf is not None
    assert Path(leaf.origin or "") == root / "sp_ns/inner/deeper/mod.py"
    assert "sp_ns" not in sys.modules


def test_missing_modules_and_plain_module_parents_answer_none(write_tree: WriteTree) -> None:
    root = write_tree({"sp_plain.py": ""})
    sys.path.insert(0, str(root))
    assert find_spec_static("sp_missing_xyz") is None
    assert find_spec_static("sp_missing_xyz.child") is None
    assert find_spec_static("sp_plain.child") is None
    assert search_locations("sp_plain") is None


def test_loaded_module_answers_with_its_own_spec_and_none_blocks() -> None:
    import json

    assert find_spec_static("json") is json.__spec__
    fake = types.ModuleType("sp_fake")
    fake.__path__ = ["/nowhere/sp_fake"]
    sys.modules["sp_fake"] = fake
    assert search_locations("sp_fake") == ["/nowhere/sp_fake"]
    sys.modules["sp_blocked"] = None  # type: ignore[assignment]
    assert find_spec_static("sp_blocked") is None


class _ImportingFinder:
    """A third-party finder that imports a module while it answers (as distutils' shim does)."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        sys.modules["sp_imported_by_finder"] = types.ModuleType("sp_imported_by_finder")


def test_modules_a_finder_imports_while_answering_are_dropped() -> None:
    sys.meta_path.insert(0, _ImportingFinder())
    before = dict(sys.modules)
    assert find_spec_static("json.decoder") is not None
    assert search_locations("sp_missing_pkg") is None
    assert sys.modules == before


def test_source_path_of_source_frozen_and_sourceless_specs() -> None:
    import json
    import os as os_module

    assert source_path(json.__spec__) == json.__file__
    # os is frozen from 3.11 on: its origin is "frozen", the file is in loader_state.
    assert source_path(os_module.__spec__) == os_module.__file__
    assert source_path(sys.__spec__) is None
    assert source_path(None, "/x/mod.py") == "/x/mod.py"
    assert source_path(None, "/x/mod.cpython-311-x86_64-linux-gnu.so") is None


@pytest.mark.parametrize(
    ("missing", "expected"),
    [("a.b.c", True), ("a.b", True), ("a", True), ("a.bc", False), ("other", False), (None, False)],
)
def test_is_missing_tells_a_missing_module_from_a_broken_one(
    missing: str | None, expected: bool
) -> None:
    assert is_missing(ModuleNotFoundError("x", name=missing), "a.b.c") is expected


class _QuietFinder:
    """A finder outside importlib: look-ups run guarded, but it imports nothing."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        return None


def test_a_guarded_look_up_keeps_the_imports_of_other_threads(write_tree: WriteTree) -> None:
    import importlib
    import threading

    count = 300
    root = write_tree({f"sr_{index}.py": f"X = {index}\n" for index in range(count)})
    sys.path.insert(0, str(root))
    importlib.invalidate_caches()
    sys.meta_path.append(_QuietFinder())
    done = threading.Event()
    errors: list[BaseException] = []
    imported: list[str] = []

    def import_all() -> None:
        try:
            for index in range(count):
                module = importlib.import_module(f"sr_{index}")
                assert vars(module)["X"] == index
                imported.append(module.__name__)
        except BaseException as exc:  # reported to the main thread
            errors.append(exc)
        finally:
            done.set()

    def look_up() -> None:
        try:
            while not done.is_set():
                assert find_spec_static("json.decoder") is not None
                assert search_locations("sr_missing_pkg") is None
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=import_all), threading.Thread(target=look_up)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    done.set()
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    assert imported == [f"sr_{index}" for index in range(count)]
    # What the importing thread finished stays imported: nothing runs twice.
    assert all(vars(sys.modules[f"sr_{index}"])["X"] == index for index in range(count))


class _RealImportingFinder:
    """A finder that imports a module through the import system while it answers."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name == "sp_trigger":
            import importlib

            importlib.import_module("sp_imported_for_real")


def test_what_this_threads_look_up_imported_is_dropped_and_the_hook_removed(
    write_tree: WriteTree,
) -> None:
    import _frozen_importlib

    original = _frozen_importlib._find_and_load  # type: ignore[attr-defined]
    root = write_tree({"sp_imported_for_real.py": "X = 1\n"})
    sys.path.insert(0, str(root))
    sys.meta_path.insert(0, _RealImportingFinder())
    before = dict(sys.modules)
    assert find_spec_static("sp_trigger") is None
    assert sys.modules == before
    assert _frozen_importlib._find_and_load is original  # type: ignore[attr-defined]


class _DistutilsShim:
    """Stands for setuptools' ``_distutils_hack.DistutilsMetaFinder``: imports for a few names."""

    def __init__(self, victim: str) -> None:
        self.victim = victim
        self.asked: list[str] = []

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        import importlib

        self.asked.append(name)
        if name in ("distutils", "pip") or name.startswith("test."):
            importlib.import_module(self.victim)


_DistutilsShim.__module__ = "_distutils_hack"
_DistutilsShim.__name__ = _DistutilsShim.__qualname__ = "DistutilsMetaFinder"


def _shim_on_meta_path(write_tree: WriteTree, victim: str) -> _DistutilsShim:
    sys.path.insert(0, str(write_tree({f"{victim}.py": "X = 1\n"})))
    shim = _DistutilsShim(victim)
    # Only the standard finders besides (pytest's assertion rewriter is one more).
    standard = [f for f in sys.meta_path if f.__module__.startswith("_frozen_importlib")]
    sys.meta_path[:] = [shim, *standard]
    return shim


@pytest.mark.parametrize("name", ["distutils", "pip", "test.test_distutils"])
def test_the_distutils_shim_is_still_undone_for_the_names_it_answers(
    write_tree: WriteTree, name: str
) -> None:
    shim = _shim_on_meta_path(write_tree, "sp_shim_victim")
    before = dict(sys.modules)
    find_spec_static(name)
    assert name in shim.asked
    assert sys.modules == before


def test_the_distutils_shim_is_trusted_for_other_names(
    write_tree: WriteTree, monkeypatch: pytest.MonkeyPatch
) -> None:
    import modutils._spec
    from modutils._state import ModulesSnapshot

    shim = _shim_on_meta_path(write_tree, "sp_shim_victim2")
    sys.path.insert(0, str(write_tree({"sp_plain.py": RAISES})))
    snapshots: list[ModulesSnapshot] = []

    def snapshot() -> ModulesSnapshot:
        snapshots.append(ModulesSnapshot())
        return snapshots[-1]

    monkeypatch.setattr(modutils._spec, "ModulesSnapshot", snapshot)
    spec = find_spec_static("sp_plain")
    assert spec is not None
    assert shim.asked == ["sp_plain"]
    assert snapshots == []  # no copy of sys.modules for a name the shim never imports for
    # Another finder on sys.meta_path (seen as soon as the list changes): guarded again.
    sys.meta_path.insert(0, _RealImportingFinder())
    assert find_spec_static("sp_plain") is not None
    assert len(snapshots) == 1
