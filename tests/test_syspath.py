"""modutils.syspath: extend_sys_path() and preserve_import_state()."""

from __future__ import annotations

import importlib
import itertools
import os
import sys
import threading
import types
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import WriteTree
from modutils import (
    ImportSnapshot,
    ImportStateGuard,
    SysPathExtension,
    extend_sys_path,
    preserve_import_state,
)

_COUNTER = itertools.count()


def _unique(stem: str) -> str:
    """A module name no other test uses."""
    return f"sp{next(_COUNTER)}_{stem}"


class _FsPath:
    """An os.PathLike whose __fspath__ returns whatever it was given."""

    def __init__(self, value: object) -> None:
        self.value = value

    def __fspath__(self) -> Any:
        return self.value

    def __repr__(self) -> str:
        return f"_FsPath({self.value!r})"


class _CountingFinder:
    """A meta path / path entry finder that finds nothing and counts invalidations."""

    def __init__(self) -> None:
        self.invalidated = 0

    def find_spec(self, *args: object) -> None:
        return None

    def invalidate_caches(self) -> None:
        self.invalidated += 1


class _ExplodingFinder:
    """A meta path finder whose invalidate_caches() fails."""

    def find_spec(self, *args: object) -> None:
        return None

    def invalidate_caches(self) -> None:
        raise OSError("invalidate_caches exploded")


def _module_file(folder: Path, name: str, source: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name}.py"
    target.write_text(source, encoding="utf-8")
    return target


# --- extend_sys_path: what it inserts ---------------------------------------------------


@pytest.mark.parametrize("prepend", [True, False])
def test_inserts_absolute_entries_in_the_given_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, prepend: bool
) -> None:
    monkeypatch.chdir(tmp_path)
    cwd = os.getcwd()
    before = sys.path[:]
    paths: list[Any] = ["relative", tmp_path / "as_path", _FsPath(str(tmp_path / "as_pathlike"))]
    expected = [
        os.path.join(cwd, "relative"),
        str(tmp_path / "as_path"),
        str(tmp_path / "as_pathlike"),
    ]
    with extend_sys_path(*paths, prepend=prepend) as added:
        assert added == expected
        assert sys.path == (expected + before if prepend else before + expected)
    assert sys.path == before


@pytest.mark.parametrize(
    "bad",
    [None, 3, 1.5, b"/bytes/path", ["/in/a/list"], ("/in/a/tuple",), _FsPath(b"/b"), object()],
    ids=repr,
)
def test_other_types_raise_type_error_before_sys_path_is_touched(
    tmp_path: Path, bad: object
) -> None:
    path, before = sys.path, sys.path[:]
    with pytest.raises(TypeError, match=r"extend_sys_path\(\)"):
        extend_sys_path(str(tmp_path), bad)  # type: ignore[arg-type]
    assert sys.path is path
    assert sys.path == before


@pytest.mark.parametrize("bad", ["/tmp/nul\0byte", "/tmp/lone\ud800surrogate"], ids=repr)
def test_text_that_breaks_every_later_import_raises_value_error(bad: str) -> None:
    before = sys.path[:]
    with pytest.raises(ValueError, match="extend_sys_path"):
        extend_sys_path(bad)
    assert sys.path == before
    # What the check prevents: with such an entry on sys.path, FileFinder's path hook
    # raises out of every import that reaches it.
    sys.path.insert(0, bad)
    with pytest.raises(ValueError, match=r"null|surrogate"):
        importlib.import_module(_unique("unreachable"))


def test_paths_need_not_exist(tmp_path: Path) -> None:
    missing = tmp_path / "not" / "there"
    with extend_sys_path(missing) as added:
        assert sys.path[0] == added[0] == str(missing)
        with pytest.raises(ModuleNotFoundError):
            importlib.import_module(_unique("absent"))
    assert str(missing) not in sys.path


def test_zip_files_work(tmp_path: Path) -> None:
    name = _unique("zipped")
    archive = tmp_path / "modules.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr(f"{name}/__init__.py", "VALUE = 'from zip'\n")
    with extend_sys_path(archive, unload=True):
        assert importlib.import_module(name).VALUE == "from zip"
    assert name not in sys.modules
    assert str(archive) not in sys.path
    assert str(archive) not in sys.path_importer_cache


def test_no_paths_is_a_no_op() -> None:
    before = sys.path[:]
    with extend_sys_path() as added:
        assert added == []
        assert sys.path == before
    assert sys.path == before


# --- extend_sys_path: what it removes ----------------------------------------------------


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_exit_by_exception_removes_the_entries(tmp_path: Path, error: type[BaseException]) -> None:
    before = sys.path[:]
    with pytest.raises(error), extend_sys_path(tmp_path / "a", tmp_path / "b"):
        raise error("body failed")
    assert sys.path == before


def test_removes_only_its_entries_wherever_the_body_moved_them(tmp_path: Path) -> None:
    sys.path[:] = ["/s1", "/s2", "/s3"]
    own = str(tmp_path / "body_added")
    with extend_sys_path(tmp_path / "a", tmp_path / "b") as added:
        sys.path.remove(added[0])
        sys.path.append(added[0])
        sys.path.insert(2, own)
        sys.path.remove("/s2")
    assert sys.path == ["/s1", own, "/s3"]


@pytest.mark.parametrize("copy_strings", [False, True], ids=["same-strings", "new-strings"])
def test_works_on_the_current_list_when_the_body_rebinds_sys_path(
    tmp_path: Path, copy_strings: bool
) -> None:
    sys.path[:] = ["/s1", "/s2"]
    with extend_sys_path(tmp_path / "a", tmp_path / "b"):
        sys.path = ["".join(list(entry)) if copy_strings else entry for entry in sys.path]
        sys.path.append("/body")
        rebound = sys.path
    assert sys.path is rebound
    assert sys.path == ["/s1", "/s2", "/body"]


@pytest.mark.parametrize("prepend", [True, False])
def test_an_entry_present_before_stays_once_in_its_place(tmp_path: Path, prepend: bool) -> None:
    present = str(tmp_path)
    sys.path[:] = ["/s1", present, "/s2"]
    original = sys.path[1]
    with extend_sys_path(tmp_path, prepend=prepend) as added:
        assert sys.path.count(present) == 2
        assert (sys.path[0] if prepend else sys.path[-1]) == added[0]
    assert sys.path == ["/s1", present, "/s2"]
    assert sys.path[1] is original


def test_an_entry_the_body_removed_is_not_removed_twice(tmp_path: Path) -> None:
    present = str(tmp_path)
    sys.path[:] = [present, "/s1"]
    with extend_sys_path(tmp_path):
        sys.path = ["".join(list(entry)) for entry in sys.path]  # new objects: no identity
        sys.path.remove(present)  # one of the two occurrences, by value
    assert sys.path == [present, "/s1"]


def test_the_same_path_twice_is_inserted_and_removed_twice(tmp_path: Path) -> None:
    before = sys.path[:]
    with extend_sys_path(tmp_path, tmp_path) as added:
        assert added == [str(tmp_path)] * 2
        assert sys.path[:2] == added
    assert sys.path == before


# --- extend_sys_path: import caches ------------------------------------------------------


def test_a_module_written_after_a_failed_import_is_found(tmp_path: Path) -> None:
    name = _unique("late")
    folder = tmp_path / "late"
    folder.mkdir()
    sys.path.insert(0, str(folder))
    stat = folder.stat()
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module(name)
    _module_file(folder, name, "VALUE = 42\n")
    # The folder's mtime is what FileFinder compares to refresh its listing; restoring it
    # leaves the cached listing stale, as a coarse-mtime file system would.
    os.utime(folder, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module(name)
    with extend_sys_path(folder):
        assert importlib.import_module(name).VALUE == 42


@pytest.mark.parametrize("present_before", [False, True])
def test_importer_cache_keeps_no_entry_for_an_added_path(
    tmp_path: Path, present_before: bool
) -> None:
    name = _unique("cached")
    _module_file(tmp_path, name)
    entry = str(tmp_path)
    if present_before:
        sys.path.append(entry)
        sys.path_importer_cache.pop(entry, None)
    with extend_sys_path(tmp_path):
        importlib.import_module(name)
        finder = sys.path_importer_cache[entry]
    if present_before:
        assert sys.path_importer_cache[entry] is finder
    else:
        assert entry not in sys.path_importer_cache


def test_a_failure_on_entry_leaves_sys_path_untouched(tmp_path: Path) -> None:
    sys.meta_path.insert(0, _ExplodingFinder())
    before = sys.path[:]
    context = extend_sys_path(tmp_path)
    with pytest.raises(OSError, match="exploded"), context:
        pass
    assert sys.path == before
    del sys.meta_path[0]
    with context as added:  # the failed entry left the object reusable
        assert sys.path[0] == added[0]


# --- extend_sys_path: unload -------------------------------------------------------------


def test_unload_removes_modules_from_the_added_paths_only(tmp_path: Path) -> None:
    added_root = tmp_path / "b"
    sibling = tmp_path / "bc"  # shares the prefix "/b" as a string, not as a folder
    elsewhere = tmp_path / "elsewhere"
    pkg, mod, ns = _unique("pkg"), _unique("mod"), _unique("ns")
    early, trap, other = _unique("early"), _unique("trap"), _unique("other")
    _module_file(added_root / pkg, "__init__")
    _module_file(added_root / pkg, "sub")
    _module_file(added_root, mod)
    _module_file(added_root / ns, "portion")
    _module_file(added_root, early)
    _module_file(sibling, trap)
    _module_file(elsewhere, other)
    sys.path.insert(0, str(added_root))
    early_module = importlib.import_module(early)
    sys.path.remove(str(added_root))

    with extend_sys_path(added_root, unload=True):
        sys.path.extend([str(sibling), str(elsewhere)])
        for name in (f"{pkg}.sub", mod, f"{ns}.portion", trap, other):
            importlib.import_module(name)

    for gone in (pkg, f"{pkg}.sub", mod, ns, f"{ns}.portion"):
        assert gone not in sys.modules
    assert sys.modules[early] is early_module
    assert trap in sys.modules
    assert other in sys.modules


def test_without_unload_the_modules_stay(tmp_path: Path) -> None:
    name = _unique("stays")
    _module_file(tmp_path, name)
    with extend_sys_path(tmp_path):
        module = importlib.import_module(name)
    assert sys.modules[name] is module


def test_unload_compares_resolved_paths(tmp_path: Path) -> None:
    real = tmp_path / "real"
    link = tmp_path / "link"
    name = _unique("linked")
    _module_file(real, name)
    link.symlink_to(real, target_is_directory=True)
    with extend_sys_path(real, unload=True):
        sys.path.insert(0, str(link))  # the module's __file__ is under link/, not real/
        assert importlib.import_module(name).__file__ == str(link / f"{name}.py")
    assert name not in sys.modules


def test_unload_takes_submodules_of_removed_packages_and_unlinks_old_parents(
    tmp_path: Path,
) -> None:
    root, outside, shared = tmp_path / "root", tmp_path / "outside", _unique("shared")
    pkg = _unique("pkg")
    _module_file(root / pkg, "__init__", f"__path__.append({str(outside / pkg)!r})\n")
    _module_file(outside / pkg, "extra")
    _module_file(outside / shared, "old_portion")  # a namespace package loaded before
    _module_file(root / shared, "late")
    sys.path.append(str(outside))
    namespace = importlib.import_module(shared)

    with extend_sys_path(root, unload=True):
        importlib.import_module(f"{pkg}.extra")
        importlib.import_module(f"{shared}.late")
        assert hasattr(namespace, "late")

    assert f"{pkg}.extra" not in sys.modules  # its file is outside, its package was not
    assert f"{shared}.late" not in sys.modules
    assert sys.modules[shared] is namespace
    assert not hasattr(namespace, "late")


def test_unload_puts_back_a_module_the_block_replaced(tmp_path: Path) -> None:
    name = _unique("shadowed")
    _module_file(tmp_path / "first", name, "WHERE = 'first'\n")
    _module_file(tmp_path / "second", name, "WHERE = 'second'\n")
    sys.path.append(str(tmp_path / "first"))
    original = importlib.import_module(name)
    with extend_sys_path(tmp_path / "second", unload=True):
        del sys.modules[name]
        assert importlib.import_module(name).WHERE == "second"
    assert sys.modules[name] is original


# --- extend_sys_path: nesting, threads, decorator ----------------------------------------


def test_nested_blocks_of_the_same_path_restore_in_any_exit_order(tmp_path: Path) -> None:
    before = sys.path[:]
    with extend_sys_path(tmp_path / "a") as outer:
        with extend_sys_path(tmp_path / "b", tmp_path / "a") as inner:
            assert sys.path[:3] == [*inner, *outer]
        assert sys.path == [*outer, *before]
    assert sys.path == before
    first, second = extend_sys_path(tmp_path, prepend=False), extend_sys_path(tmp_path)
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)  # not the innermost: still only its own entry goes
    assert sys.path == [str(tmp_path), *before]
    second.__exit__(None, None, None)
    assert sys.path == before


@pytest.mark.parametrize("shared_path", [False, True], ids=["own-paths", "one-shared-path"])
def test_eight_threads_each_with_a_block_restore_sys_path(
    tmp_path: Path, shared_path: bool
) -> None:
    count = 8
    names = [_unique("threaded") for _ in range(count)]
    folders = [tmp_path if shared_path else tmp_path / f"t{index}" for index in range(count)]
    for folder, name in zip(folders, names, strict=True):
        _module_file(folder, name)
    before = sys.path[:]
    barrier = threading.Barrier(count, timeout=60)
    errors: list[BaseException] = []

    def work(index: int) -> None:
        try:
            for _ in range(5):
                with extend_sys_path(folders[index], unload=True) as added:
                    barrier.wait()  # every block is open at once
                    assert any(entry is added[0] for entry in sys.path)
                    importlib.import_module(names[index])
                    barrier.wait()
                assert names[index] not in sys.modules
        except BaseException as exc:
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=work, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sys.path == before
    assert not any(str(folder) in sys.path_importer_cache for folder in folders)


def test_as_a_decorator_each_call_enters_afresh(tmp_path: Path) -> None:
    before = sys.path[:]
    seen: list[list[str]] = []

    @extend_sys_path(tmp_path)
    def recurse(depth: int) -> int:
        """Docstring kept by functools.wraps."""
        seen.append(sys.path[:])
        return depth if depth == 0 else recurse(depth - 1)

    assert recurse(2) == 0
    assert [entries.count(str(tmp_path)) for entries in seen] == [1, 2, 3]
    assert sys.path == before
    assert recurse.__name__ == "recurse"
    assert recurse.__doc__ == "Docstring kept by functools.wraps."


def test_a_decorated_function_runs_in_eight_threads(tmp_path: Path) -> None:
    before = sys.path[:]
    barrier = threading.Barrier(8, timeout=60)
    results: list[int] = []

    @extend_sys_path(tmp_path)
    def inside() -> int:
        barrier.wait()  # every call has entered
        count = sys.path.count(str(tmp_path))
        barrier.wait()  # before any call leaves
        return count

    threads = [threading.Thread(target=lambda: results.append(inside())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [8] * 8
    assert sys.path == before


def test_a_decorated_function_that_raises_restores_sys_path(tmp_path: Path) -> None:
    before = sys.path[:]

    @extend_sys_path(tmp_path)
    def fail() -> None:
        raise LookupError("inside")

    with pytest.raises(LookupError):
        fail()
    assert sys.path == before


def test_an_active_object_cannot_be_entered_again(tmp_path: Path) -> None:
    context = extend_sys_path(tmp_path)
    with context:
        inside = sys.path[:]
        with pytest.raises(RuntimeError, match="already active"), context:
            pass
        assert sys.path == inside
    with context as added:  # after exit it can be entered again
        assert sys.path[0] == added[0]


# --- extend_sys_path: property tests (issue 11) ------------------------------------------

_ODD_TEXT = st.sampled_from(
    ["", ".", "..", "~", " ", "a/../b", "naïve", "日本語", "\u200b", "\udcff", "\ud800", "a\0b"]
)
_TEXT = st.one_of(_ODD_TEXT, st.text(st.characters(exclude_categories=()), max_size=12))
_PATH_INPUTS = st.one_of(
    _TEXT,
    _TEXT.filter(lambda text: "\0" not in text).map(Path),
    _TEXT.map(_FsPath),
    st.binary(max_size=8),
    st.binary(max_size=8).map(_FsPath),
    st.none(),
    st.integers(),
    st.lists(_TEXT, max_size=2),
)


def _expected_error(item: object) -> type[Exception] | None:
    """The exception the documentation promises for *item*, or None if it is valid."""
    if isinstance(item, _FsPath):
        item = item.value
    elif isinstance(item, Path):
        item = str(item)
    if not isinstance(item, str):
        return TypeError
    try:
        os.fsencode(item)
    except UnicodeEncodeError:
        return ValueError
    return ValueError if "\0" in item else None


@settings(max_examples=100, deadline=None)
@given(items=st.lists(_PATH_INPUTS, max_size=4), prepend=st.booleans())
def test_property_every_call_works_or_raises_before_touching_state(
    items: list[object], prepend: bool
) -> None:
    path, path_items, modules = sys.path, sys.path[:], sys.modules.copy()
    expected = next(filter(None, map(_expected_error, items)), None)
    if expected is not None:
        with pytest.raises(expected):
            extend_sys_path(*items, prepend=prepend)  # type: ignore[arg-type]
    else:
        with extend_sys_path(*items, prepend=prepend) as added:  # type: ignore[arg-type]
            assert len(added) == len(items)
            assert all(os.path.isabs(entry) for entry in added)
            assert (sys.path[: len(added)] if prepend else sys.path[len(path_items) :]) == added
    assert sys.path is path
    assert sys.path == path_items
    assert sys.modules == modules


# --- preserve_import_state -----------------------------------------------------------------


def _fake_module(name: str) -> types.ModuleType:
    module = types.ModuleType(name)
    sys.modules[name] = module
    return module


def test_sys_modules_is_put_back_exactly(write_tree: WriteTree) -> None:
    real = _unique("real")
    root = write_tree({f"{real}.py": "VALUE = 1\n"})
    sys.path.insert(0, str(root))
    deleted, replaced = _fake_module(_unique("deleted")), _fake_module(_unique("replaced"))
    modules, before = sys.modules, sys.modules.copy()

    with preserve_import_state() as snapshot:
        importlib.import_module(real)
        del sys.modules[deleted.__name__]
        _fake_module(replaced.__name__)
        assert snapshot.added_modules == [real]
        assert snapshot.removed_modules == [deleted.__name__]
        assert snapshot.replaced_modules == [replaced.__name__]

    assert sys.modules is modules
    assert sys.modules.keys() == before.keys()
    assert all(sys.modules[name] is module for name, module in before.items())


@pytest.mark.parametrize("rebind", [False, True], ids=["mutated", "rebound"])
def test_import_lists_are_restored_in_place(rebind: bool) -> None:
    lists = {name: getattr(sys, name) for name in ("path", "meta_path", "path_hooks")}
    items = {name: value[:] for name, value in lists.items()}
    cache, cache_items = sys.path_importer_cache, sys.path_importer_cache.copy()
    finder = _CountingFinder()

    with preserve_import_state():
        for name in lists:
            if rebind:
                setattr(sys, name, [])
            else:
                getattr(sys, name).clear()
        sys.meta_path.append(finder)
        sys.path.append("/added/inside")
        if rebind:
            sys.path_importer_cache = {}
        else:
            sys.path_importer_cache.clear()
        sys.path_importer_cache["/added/inside"] = None

    for name, value in lists.items():
        assert getattr(sys, name) is value
        assert value == items[name]
    assert sys.path_importer_cache is cache
    assert sys.path_importer_cache == cache_items


def test_importer_cache_keeps_its_none_entries() -> None:
    # PathFinder.invalidate_caches() deletes None entries: the restore must come after it.
    sys.path_importer_cache["/no/such/folder"] = None
    with preserve_import_state():
        del sys.path_importer_cache["/no/such/folder"]
    assert sys.path_importer_cache["/no/such/folder"] is None


def test_caches_are_invalidated_on_exit() -> None:
    meta_finder, entry_finder = _CountingFinder(), _CountingFinder()
    sys.meta_path.append(meta_finder)
    sys.path_importer_cache["/finder/removed/inside"] = entry_finder
    with preserve_import_state():
        del sys.path_importer_cache["/finder/removed/inside"]
        sys.meta_path.remove(meta_finder)
    assert sys.path_importer_cache["/finder/removed/inside"] is entry_finder
    assert meta_finder.invalidated >= 1
    assert entry_finder.invalidated >= 1


def test_a_package_loaded_before_loses_submodules_imported_inside(write_tree: WriteTree) -> None:
    pkg = _unique("pkg")
    root = write_tree({f"{pkg}/__init__.py": "", f"{pkg}/newsub.py": ""})
    sys.path.insert(0, str(root))
    package = importlib.import_module(pkg)
    with preserve_import_state():
        importlib.import_module(f"{pkg}.newsub")
        assert hasattr(package, "newsub")
    assert not hasattr(package, "newsub")
    with pytest.raises(AttributeError):
        importlib.import_module(pkg).newsub  # noqa: B018


@pytest.mark.parametrize("error", [ValueError, SystemExit, KeyboardInterrupt])
def test_restores_on_exception(error: type[BaseException]) -> None:
    path, before = sys.path[:], sys.modules.copy()

    @preserve_import_state()
    def body() -> None:
        _fake_module(_unique("raised"))
        sys.path.append("/raised")
        raise error("inside")

    with pytest.raises(error):
        body()
    assert sys.modules == before
    assert sys.path == path


def test_snapshot_is_live_inside_and_frozen_after() -> None:
    name = _unique("live")
    sys.path[:] = ["/kept", "/dropped"]
    with preserve_import_state() as snapshot:
        assert snapshot.added_modules == snapshot.added_paths == snapshot.removed_paths == []
        _fake_module(name)
        sys.path[:] = ["/new", "/kept"]
        assert snapshot.added_modules == [name]
        assert "live" in repr(snapshot)
    assert isinstance(snapshot, ImportSnapshot)
    assert "closed" in repr(snapshot)
    assert snapshot.added_modules == [name]
    assert snapshot.added_paths == ["/new"]
    assert snapshot.removed_paths == ["/dropped"]
    assert name not in sys.modules
    _fake_module(_unique("after"))  # later changes do not show
    assert snapshot.added_modules == [name]


@pytest.mark.parametrize("use_preserve", [False, True])
def test_preserve_keeps_accepted_modules_and_their_packages(use_preserve: bool) -> None:
    pkg = _unique("pkg")
    package = _fake_module(pkg)
    kept, dropped = _fake_module(f"{pkg}.kept"), _fake_module(f"{pkg}.dropped")
    package.kept, package.dropped = kept, dropped  # type: ignore[attr-defined]
    _fake_module(_unique("other"))
    del sys.modules[pkg], sys.modules[f"{pkg}.kept"], sys.modules[f"{pkg}.dropped"]
    before = sys.modules.copy()

    def accept(name: str) -> bool:
        return name.endswith(".kept")

    with preserve_import_state(preserve=accept if use_preserve else None):
        sys.modules.update({pkg: package, f"{pkg}.kept": kept, f"{pkg}.dropped": dropped})
    # Without the predicate both are dropped, which is what pytest's resource-tracker
    # breakage came from.
    assert (sys.modules.get(f"{pkg}.kept") is kept) is use_preserve
    assert (sys.modules.get(pkg) is package) is use_preserve
    assert f"{pkg}.dropped" not in sys.modules
    assert {name: module for name, module in sys.modules.items() if name in before} == before


def test_preserve_does_not_keep_a_replacement_of_a_module_loaded_before() -> None:
    original = _fake_module(_unique("replaced"))
    with preserve_import_state(preserve=lambda name: True):
        _fake_module(original.__name__)
    assert sys.modules[original.__name__] is original


def test_a_failing_preserve_predicate_still_restores_everything() -> None:
    before, path = sys.modules.copy(), sys.path[:]

    def explode(name: str) -> bool:
        raise LookupError(f"cannot decide about {name}")

    @preserve_import_state(explode)
    def body() -> None:
        _fake_module(_unique("undecided"))
        sys.path.append("/undecided")

    with pytest.raises(LookupError, match="cannot decide"):
        body()
    assert sys.modules == before
    assert sys.path == path


@pytest.mark.parametrize("bad", [True, "name", 3])
def test_a_preserve_that_is_not_callable_raises_type_error(bad: object) -> None:
    with pytest.raises(TypeError, match="preserve"):
        preserve_import_state(bad)  # type: ignore[arg-type]


def test_nested_blocks_each_restore_their_own_entry_state() -> None:
    outer_name, inner_name = _unique("outer"), _unique("inner")
    before = sys.modules.copy()
    with preserve_import_state() as outer:
        _fake_module(outer_name)
        with preserve_import_state() as inner:
            _fake_module(inner_name)
        assert inner.added_modules == [inner_name]
        assert outer_name in sys.modules
        assert inner_name not in sys.modules
    assert outer.added_modules == [outer_name]
    assert sys.modules == before


def test_as_a_decorator_each_call_takes_a_fresh_snapshot(write_tree: WriteTree) -> None:
    name = _unique("decorated")
    root = write_tree({f"{name}.py": ""})
    sys.path.insert(0, str(root))
    loaded: list[types.ModuleType] = []

    @preserve_import_state()
    def load() -> None:
        """Loads the module."""
        loaded.append(importlib.import_module(name))

    load()
    load()
    assert name not in sys.modules
    assert loaded[0] is not loaded[1]  # the second call imported it again
    assert load.__doc__ == "Loads the module."


def test_an_active_preserve_object_cannot_be_entered_again() -> None:
    context = preserve_import_state()
    with context:
        with pytest.raises(RuntimeError, match="already active"), context:
            pass
        name = _fake_module(_unique("still_active")).__name__
    assert name not in sys.modules


def test_a_failing_invalidation_still_restores_everything() -> None:
    meta_path, before, cache = sys.meta_path[:], sys.modules.copy(), sys.path_importer_cache.copy()
    sys.meta_path.insert(0, _ExplodingFinder())

    @preserve_import_state()
    def body() -> None:
        _fake_module(_unique("invalidated"))
        sys.path_importer_cache.clear()

    with pytest.raises(OSError, match="exploded"):
        body()
    assert sys.modules == before
    assert sys.path_importer_cache == cache
    assert sys.meta_path[1:] == meta_path


def _import_into(name: str, outcome: list[object]) -> None:
    try:
        outcome.append(importlib.import_module(name))
    except BaseException as exc:  # reported to the test
        outcome.append(exc)


def test_another_threads_import_in_progress_survives_the_restore(tmp_path: Path) -> None:
    # 20 rounds: without the guarantee, every round's import failed with KeyError.
    sys.path.insert(0, str(tmp_path))
    gate = types.ModuleType(_unique("gate"))
    sys.modules[gate.__name__] = gate
    for round_number in range(20):
        name = _unique(f"slow{round_number}")
        gate.__dict__.update(started=threading.Event(), release=threading.Event())
        _module_file(
            tmp_path,
            name,
            f"import {gate.__name__} as g\ng.started.set()\ng.release.wait(10)\nDONE = True\n",
        )
        importlib.invalidate_caches()
        outcome: list[object] = []

        importer = threading.Thread(target=_import_into, args=(name, outcome), daemon=True)
        with preserve_import_state():
            importer.start()
            assert gate.started.wait(10)
        # The block ended while the import was running: the module is left to it.
        kept = name in sys.modules
        gate.release.set()
        importer.join(10)
        assert not importer.is_alive()
        assert kept
        assert isinstance(outcome[0], types.ModuleType), outcome
        assert outcome[0].DONE is True
        assert sys.modules[name] is outcome[0]


def _extension(folder: Path) -> SysPathExtension:
    return extend_sys_path(folder)


def _guard() -> ImportStateGuard:
    return preserve_import_state()


def test_the_returned_classes_are_public_and_exported(tmp_path: Path) -> None:
    import modutils

    # mypy --strict runs over the tests: the annotations above use the public names.
    assert modutils.SysPathExtension is SysPathExtension
    assert modutils.ImportStateGuard is ImportStateGuard
    assert {"SysPathExtension", "ImportStateGuard"} <= set(modutils.__all__)
    with _extension(tmp_path) as added, _guard() as snapshot:
        assert added == [str(tmp_path)]
        assert isinstance(snapshot, ImportSnapshot)
