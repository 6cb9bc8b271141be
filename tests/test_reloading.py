"""modutils.reloading: reload() is importlib.reload on success and all-or-nothing on failure."""

from __future__ import annotations

import builtins
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import itertools
import keyword
import os
import py_compile
import random
import sys
import textwrap
import threading
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import modutils
from modutils import ReloadError, _compat, reloading

TYPE_CHECKING = False
if TYPE_CHECKING:
    from conftest import ImportTree as Tree
    from conftest import WriteTree

_counter = itertools.count()


@pytest.fixture
def prefix() -> str:
    """A module-name prefix no other test uses, so tests never meet in sys.modules."""
    return f"rl{next(_counter)}_"


def _rewrite(module: types.ModuleType, source: str) -> None:
    """Give *module*'s file new source; reload() must see it even within the same second."""
    Path(module.__file__ or "").write_text(textwrap.dedent(source), encoding="utf-8")
    importlib.invalidate_caches()


def _namespace(module: types.ModuleType) -> dict[str, object]:
    return dict(module.__dict__)


def _assert_same_namespace(module: types.ModuleType, saved: dict[str, object]) -> None:
    assert list(module.__dict__) == list(saved)
    for key, value in saved.items():
        assert module.__dict__[key] is value, key


def _assert_same_modules(saved: dict[str, types.ModuleType]) -> None:
    assert sys.modules.keys() == saved.keys()
    assert all(sys.modules[name] is module for name, module in saved.items())


def _log_module(prefix: str) -> str:
    """Source of a module the others append their name to when they run."""
    return f"import {prefix}log\n{prefix}log.events.append(__name__)\n"


# --- success: what importlib.reload does -------------------------------------------------


@pytest.mark.parametrize("by_name", [False, True], ids=["module", "name"])
def test_reload_reexecutes_the_same_module_object(tree: Tree, prefix: str, by_name: bool) -> None:
    (module,) = tree({f"{prefix}m.py": "VALUE = 1\nKEEP = 'kept'\n"}, f"{prefix}m")
    module.EXTRA = "set from outside"  # type: ignore[attr-defined]
    _rewrite(module, "VALUE = 2\n")
    result = modutils.reload(module.__name__ if by_name else module)
    assert result is module
    assert sys.modules[module.__name__] is module
    assert module.VALUE == 2
    # Re-executed in the existing namespace, as importlib.reload does: names the new
    # source no longer binds survive.
    assert module.KEEP == "kept"
    assert module.EXTRA == "set from outside"


@pytest.mark.parametrize("is_package", [False, True], ids=["module", "package"])
def test_success_matches_importlib_reload(tree: Tree, prefix: str, is_package: bool) -> None:
    files = {f"{prefix}a/__init__.py": "X = 1\n"} if is_package else {f"{prefix}a.py": "X = 1\n"}
    (module,) = tree(files, f"{prefix}a")
    old_spec = module.__spec__

    def state() -> tuple[object, ...]:
        spec = module.__spec__
        assert spec is not None
        return (
            sorted(module.__dict__),
            spec.name,
            spec.origin,
            spec.cached,
            type(spec.loader),
            spec.parent,
            spec.submodule_search_locations,
            module.__file__,
            module.__cached__,
            module.__loader__ is spec.loader,
        )

    modutils.reload(module)
    ours, our_spec = state(), module.__spec__
    # Moved to the end of sys.modules, as importlib's _exec does for shutdown order.
    assert list(sys.modules)[-1] == module.__name__
    importlib.reload(module)
    assert ours == state()
    # The spec is found again, as importlib.reload does, not reused.
    assert our_spec is not old_spec


def test_a_module_reloading_itself_gets_itself_back(tree: Tree, prefix: str) -> None:
    source = "import sys, modutils\nRESULT = modutils.reload(sys.modules[__name__])\nN = 1\n"
    (module,) = tree({f"{prefix}self.py": "N = 0\n"}, f"{prefix}self")
    _rewrite(module, source)
    assert modutils.reload(module) is module
    assert module.RESULT is module


def test_loader_without_source_file_is_reexecuted_through_exec_module(prefix: str) -> None:
    name = f"{prefix}mem"
    sources = {name: "VALUE = 1\n"}

    class MemoryLoader(importlib.abc.Loader):
        def exec_module(self, module: types.ModuleType) -> None:
            exec(sources[module.__name__], module.__dict__)

    class MemoryFinder(importlib.abc.MetaPathFinder):
        def find_spec(
            self,
            fullname: str,
            path: object = None,
            target: types.ModuleType | None = None,
        ) -> importlib.machinery.ModuleSpec | None:
            if fullname not in sources:
                return None
            return importlib.util.spec_from_loader(fullname, MemoryLoader())

    sys.meta_path.insert(0, MemoryFinder())
    module = importlib.import_module(name)
    sources[name] = "VALUE = 2\n"
    assert modutils.reload(module).VALUE == 2
    saved, modules = _namespace(module), sys.modules.copy()
    sources[name] = "VALUE = 3\nraise LookupError('boom')\n"
    with pytest.raises(ReloadError) as info:
        modutils.reload(module)
    assert isinstance(info.value.__cause__, LookupError)
    _assert_same_namespace(module, saved)
    _assert_same_modules(modules)


# --- all or nothing -----------------------------------------------------------------------


FAILURES = {
    "syntax-error": ("VALUE = 2\ndef broken(:\n", SyntaxError),
    "mid-body": (
        "VALUE = 2\nNEW = 'new'\ndef f(): pass\nraise RuntimeError('half-way')\n",
        RuntimeError,
    ),
    "reordered": ("del VALUE\nVALUE = 2\nraise RuntimeError('late')\n", RuntimeError),
    "missing-import": ("VALUE = 2\nimport rl_no_such_module_anywhere\n", ModuleNotFoundError),
    "system-exit": ("VALUE = 2\nraise SystemExit(3)\n", None),
    "deleted": (None, ModuleNotFoundError),
}


@pytest.mark.parametrize("case", list(FAILURES))
def test_failed_reload_restores_namespace_and_modules_exactly(
    tree: Tree, prefix: str, case: str
) -> None:
    source, cause = FAILURES[case]
    (module,) = tree({f"{prefix}m.py": "VALUE = 1\ndef f(): pass\n"}, f"{prefix}m")
    path = module.__file__
    spec = module.__spec__
    saved, modules = _namespace(module), sys.modules.copy()
    if source is None:
        os.remove(module.__file__ or "")
        importlib.invalidate_caches()
    else:
        _rewrite(module, source)
    if cause is None:
        # Not an Exception: rolled back, then propagated unchanged like KeyboardInterrupt.
        with pytest.raises(SystemExit):
            modutils.reload(module)
    else:
        with pytest.raises(ReloadError, match=module.__name__) as info:
            modutils.reload(module)
        assert isinstance(info.value.__cause__, cause)
        assert info.value.name == module.__name__
        assert info.value.path == path
        assert str(path) in str(info.value)
    _assert_same_namespace(module, saved)
    assert module.__spec__ is spec
    _assert_same_modules(modules)


def test_failed_reload_drops_the_modules_it_imported(tree: Tree, prefix: str) -> None:
    module, package = tree(
        {
            f"{prefix}m.py": "VALUE = 1\n",
            f"{prefix}pkg/__init__.py": "",
            f"{prefix}pkg/old.py": "",
            f"{prefix}pkg/extra.py": "",
            f"{prefix}fresh.py": "",
        },
        f"{prefix}m",
        f"{prefix}pkg",
    )
    importlib.import_module(f"{prefix}pkg.old")
    saved, package_saved, modules = _namespace(module), _namespace(package), sys.modules.copy()
    _rewrite(
        module,
        f"import {prefix}fresh\nimport {prefix}pkg.extra\nVALUE = 2\nraise ValueError('late')\n",
    )
    with pytest.raises(ReloadError):
        modutils.reload(module)
    assert f"{prefix}fresh" not in sys.modules
    assert f"{prefix}pkg.extra" not in sys.modules
    assert not hasattr(package, "extra")
    _assert_same_namespace(module, saved)
    _assert_same_namespace(package, package_saved)
    _assert_same_modules(modules)


# --- modules loaded from a path ---------------------------------------------------------


def _load_from_path(kind: str, tmp_path: Path, prefix: str, source: str) -> types.ModuleType:
    """Load a module the way *kind* says, from a folder that is not on sys.path."""
    folder = tmp_path / "elsewhere"
    package = folder / f"{prefix}pkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(source, encoding="utf-8")
    (package / "plugin.py").write_text(source, encoding="utf-8")
    plain = folder / f"{prefix}plugin.py"
    plain.write_text(source, encoding="utf-8")
    (folder / f"{prefix}plugin.txt").write_text(source, encoding="utf-8")
    if kind == "by-name":
        sys.path.insert(0, str(folder))
        importlib.invalidate_caches()
        return importlib.import_module(f"{prefix}plugin")
    if kind == "spec_from_file_location":
        spec = importlib.util.spec_from_file_location(f"{prefix}plugin", plain)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        return module
    target = {
        "import_path": plain,
        "import_path-txt": folder / f"{prefix}plugin.txt",
        "import_path-package": package,
        "import_path-in-package": package / "plugin.py",
    }[kind]
    return modutils.import_path(target)


PATH_LOADED = [
    "import_path",
    "import_path-txt",
    "import_path-package",
    "import_path-in-package",
    "spec_from_file_location",
]


@pytest.mark.parametrize("kind", PATH_LOADED)
def test_a_module_loaded_from_a_path_is_reloaded_from_its_own_file(
    tmp_path: Path, prefix: str, kind: str
) -> None:
    # importlib.reload raises ModuleNotFoundError here (after setting __spec__ to
    # None), except for the submodule, which its package's __path__ finds.
    module = _load_from_path(kind, tmp_path, prefix, "VALUE = 1\nKEEP = 'kept'\n")
    spec, file = module.__spec__, module.__file__
    _rewrite(module, "VALUE = 2\n")
    assert modutils.reload(module) is module
    assert module.VALUE == 2
    assert module.KEEP == "kept"
    assert module.__file__ == file
    assert sys.modules[module.__name__] is module
    if kind != "import_path-in-package":
        # Nothing else to find it with: its own spec object is used again.
        assert module.__spec__ is spec
    spec = module.__spec__
    saved, modules = _namespace(module), sys.modules.copy()
    for broken in ("VALUE = 3\nraise RuntimeError('half-way')\n", "VALUE = 3\ndef f(:\n"):
        _rewrite(module, broken)
        with pytest.raises(ReloadError, match=module.__name__) as info:
            modutils.reload(module)
        assert info.value.path == file
        assert module.__spec__ is spec
        _assert_same_namespace(module, saved)
        _assert_same_modules(modules)


def test_a_conftest_imported_by_pytest_in_importlib_mode(pytester: pytest.Pytester) -> None:
    # A rootdir conftest is named "conftest" and its folder is not on sys.path (the
    # subprocess has its cwd there, one level up); its loader is pytest's
    # AssertionRewritingHook (no get_code, no get_source).
    project = pytester.mkdir("project")
    (project / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    (project / "conftest.py").write_text("VALUE = 'one'\n", encoding="utf-8")
    (project / "test_reload_conftest.py").write_text(
        textwrap.dedent(
            """
        import sys
        import pytest
        import modutils

        def test_reload(request):
            path = request.config.rootpath / "conftest.py"
            (module,) = [
                module for module in list(sys.modules.values())
                if getattr(module, "__file__", None) == str(path)
            ]
            spec = module.__spec__
            # Another size: pytest's own cache of rewritten code is also checked
            # by whole-second mtime and size.
            path.write_text("VALUE = 'two, longer'\\n")
            assert modutils.reload(module) is module
            assert (module.VALUE, module.__spec__) == ("two, longer", spec)
            path.write_text("VALUE = 'three'\\nraise RuntimeError('broken')\\n")
            with pytest.raises(modutils.ReloadError, match="broken"):
                modutils.reload(module)
            assert (module.VALUE, module.__spec__) == ("two, longer", spec)
            """
        ),
        encoding="utf-8",
    )
    result = pytester.runpytest_subprocess(
        "--import-mode=importlib", "-p", "no:cacheprovider", str(project)
    )
    result.assert_outcomes(passed=1)


# --- issue 11: a failed reload keeps __spec__ ---------------------------------------------


@pytest.mark.parametrize("kind", ["by-name", *PATH_LOADED])
def test_a_deleted_source_fails_and_keeps_the_original_spec_object(
    tmp_path: Path, prefix: str, kind: str
) -> None:
    # importlib.reload assigns module.__spec__ = _find_spec(...) first, so it is None
    # when the module cannot be found by name any more.
    module = _load_from_path(kind, tmp_path, prefix, "VALUE = 1\n")
    spec = module.__spec__
    os.remove(module.__file__ or "")
    importlib.invalidate_caches()
    saved, modules = _namespace(module), sys.modules.copy()
    with pytest.raises(ReloadError, match="cannot be found") as info:
        modutils.reload(module)
    assert isinstance(info.value.__cause__, ModuleNotFoundError)
    assert "no longer exists" in str(info.value)
    assert module.__spec__ is spec
    _assert_same_namespace(module, saved)
    _assert_same_modules(modules)


@pytest.mark.parametrize("suffix", [".py", ".txt"])
def test_a_path_loaded_module_is_not_replaced_by_a_namesake(
    tmp_path: Path, write_tree: WriteTree, prefix: str, suffix: str
) -> None:
    # A module importable by the same name: on sys.path for the .py file; beside
    # the .txt file (a suffix no finder loads) in a folder that is on sys.path.
    name = f"{prefix}clash"
    root = write_tree({f"{name}.py": "VALUE = 'namesake'\n"})
    sys.path.insert(0, str(root))
    importlib.invalidate_caches()
    folder = tmp_path / "plugins" if suffix == ".py" else root
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}{suffix}"
    path.write_text("VALUE = 'plugin'\n", encoding="utf-8")
    module = modutils.import_path(path, name=name)
    _rewrite(module, "VALUE = 'plugin, edited'\n")
    modutils.reload(module)
    assert module.VALUE == "plugin, edited"
    assert module.__file__ == str(path)
    # What the standard library does instead: runs the namesake in the plugin.
    importlib.reload(module)
    assert module.VALUE == "namesake"


def test_a_module_importable_by_name_follows_its_name(
    tmp_path: Path, write_tree: WriteTree, prefix: str
) -> None:
    # As importlib.reload: the module's own file still exists and still sits on
    # sys.path, but a search by name now finds another file first.
    name = f"{prefix}shadowed"
    root = write_tree({f"{name}.py": "VALUE = 'original'\n"})
    sys.path.insert(0, str(root))
    importlib.invalidate_caches()
    module = importlib.import_module(name)
    first = tmp_path / "first"
    first.mkdir()
    (first / f"{name}.py").write_text("VALUE = 'shadow'\n", encoding="utf-8")
    sys.path.insert(0, str(first))
    importlib.invalidate_caches()
    modutils.reload(module)
    assert module.VALUE == "shadow"
    assert module.__file__ == str(first / f"{name}.py")


@pytest.mark.parametrize("how", ["import_path", "spec_from_file_location"])
def test_a_txt_twin_never_runs_the_py_bytecode_or_writes_its_own(
    tmp_path: Path, prefix: str, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    name = f"{prefix}twin"
    py_file, txt_file = tmp_path / f"{name}.py", tmp_path / f"{name}.txt"
    # Same size and mtime: the .py's timestamp .pyc validates for the .txt too.
    py_file.write_text("VALUE = 'py'\n", encoding="utf-8")
    txt_file.write_text("VALUE = 'tx'\n", encoding="utf-8")
    past = (int(time.time()) - 100) * 10**9
    for path in (py_file, txt_file):
        os.utime(path, ns=(past, past))
    sys.path.insert(0, str(tmp_path))
    importlib.invalidate_caches()
    importlib.import_module(name)
    caches = sorted((tmp_path / "__pycache__").iterdir())
    cache_bytes = [path.read_bytes() for path in caches]
    if how == "import_path":
        module = modutils.import_path(txt_file, name=f"{name}_txt")
    else:
        # The plain SourceFileLoader, whose get_code shares the .py's cache (issue 11).
        loader = importlib.machinery.SourceFileLoader(f"{name}_txt", str(txt_file))
        spec = importlib.util.spec_from_file_location(f"{name}_txt", txt_file, loader=loader)
        assert spec is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        exec(compile(txt_file.read_text(), str(txt_file), "exec"), module.__dict__)
    module.VALUE = "stale"  # type: ignore[attr-defined]
    modutils.reload(module)
    assert module.VALUE == "tx"
    assert sorted((tmp_path / "__pycache__").iterdir()) == caches
    assert [path.read_bytes() for path in caches] == cache_bytes


@pytest.mark.parametrize("kind", ["import_path", "spec_from_file_location", "import_path-txt"])
@pytest.mark.parametrize("fails", [False, True], ids=["succeeds", "fails"])
def test_dependents_include_modules_loaded_from_a_path(
    tree: Tree, tmp_path: Path, prefix: str, kind: str, fails: bool
) -> None:
    p = prefix
    (base,) = tree({f"{p}base.py": "class Thing: pass\n"}, f"{p}base")
    plugin = _load_from_path(kind, tmp_path, p, f"from {p}base import Thing\nMARK = 1\n")
    assert plugin.Thing is base.Thing
    saved = {module: _namespace(module) for module in (base, plugin)}
    modules = sys.modules.copy()
    _rewrite(base, "class Thing: pass\nNEW = 1\n")
    if fails:
        _rewrite(plugin, f"from {p}base import Thing\nMARK = 2\nraise KeyError('plugin')\n")
        with pytest.raises(ReloadError, match=rf"failed in '{plugin.__name__}'") as info:
            modutils.reload(base, dependents=True)
        assert info.value.path == plugin.__file__
        for module, namespace in saved.items():
            _assert_same_namespace(module, namespace)
        _assert_same_modules(modules)
    else:
        modutils.reload(base, dependents=True)
        assert base.NEW == 1
        assert plugin.Thing is base.Thing
        assert plugin.Thing is not saved[base]["Thing"]


# --- issue 11: no stale bytecode -----------------------------------------------------------


def _ambiguous_cache(
    tree: Tree, tmp_path: Path, prefix: str, monkeypatch: pytest.MonkeyPatch
) -> types.ModuleType:
    """A module whose .pyc was written in the same second as the source it was edited to.

    This is CPython issue 75953: the cache records the source mtime in whole seconds
    and the size, so a same-size edit within that second looks up to date.
    """
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    second = (int(time.time()) - 100) * 10**9
    name = f"{prefix}stale"
    tree({f"{name}.py": "VALUE = 1\n"})
    source = tmp_path / "tree" / f"{name}.py"
    os.utime(source, ns=(second + 100_000_000, second + 100_000_000))
    module = importlib.import_module(name)
    cache = Path(module.__cached__)
    os.utime(cache, ns=(second + 400_000_000, second + 400_000_000))
    source.write_text("VALUE = 2\n", encoding="utf-8")
    os.utime(source, ns=(second + 700_000_000, second + 700_000_000))
    # The import system's own check takes the old bytecode as up to date.
    loader = module.__spec__.loader  # type: ignore[union-attr]
    assert isinstance(loader, importlib.machinery.SourceFileLoader)
    stale: dict[str, object] = {}
    exec(loader.get_code(name), stale)  # type: ignore[arg-type]
    assert stale["VALUE"] == 1
    return module


def test_reload_never_runs_bytecode_older_than_the_source(
    tree: Tree, tmp_path: Path, prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = _ambiguous_cache(tree, tmp_path, prefix, monkeypatch)
    modutils.reload(module)
    assert module.VALUE == 2


@pytest.mark.parametrize("dont_write", [False, True])
def test_reload_rewrites_an_ambiguous_cache_unless_told_not_to(
    tree: Tree, tmp_path: Path, prefix: str, monkeypatch: pytest.MonkeyPatch, dont_write: bool
) -> None:
    module = _ambiguous_cache(tree, tmp_path, prefix, monkeypatch)
    cache = Path(module.__cached__)
    before = cache.read_bytes()
    monkeypatch.setattr(sys, "dont_write_bytecode", dont_write)
    modutils.reload(module)
    loader = module.__spec__.loader  # type: ignore[union-attr]
    assert isinstance(loader, importlib.machinery.SourceFileLoader)
    namespace: dict[str, object] = {}
    exec(loader.get_code(module.__name__), namespace)  # type: ignore[arg-type]
    # A later plain import (another process, say) must not run the old code either.
    assert namespace["VALUE"] == (1 if dont_write else 2)
    assert (cache.read_bytes() == before) is dont_write


def test_reload_uses_a_cache_written_after_the_source(
    tree: Tree, tmp_path: Path, prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    name = f"{prefix}fresh"
    tree({f"{name}.py": "VALUE = 1\n"})
    source = tmp_path / "tree" / f"{name}.py"
    past = (int(time.time()) - 100) * 10**9
    os.utime(source, ns=(past, past))
    module = importlib.import_module(name)

    def no_compiling(*args: object, **kwargs: object) -> types.CodeType:
        raise AssertionError("compiled the source although the cache was up to date")

    monkeypatch.setattr(importlib.machinery.SourceFileLoader, "source_to_code", no_compiling)
    assert modutils.reload(module).VALUE == 1


def _settled_ambiguous_module(
    tree: Tree, tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch
) -> types.ModuleType:
    """An unchanged module as pip installs it: .pyc written in the source's second, long ago.

    Writing bytecode is then turned off, as for a read-only site-packages.
    """
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    tree({f"{name}.py": "VALUE = 1\n"})
    source = tmp_path / "tree" / f"{name}.py"
    second = (int(time.time()) - 100) * 10**9
    os.utime(source, ns=(second + 100_000_000, second + 100_000_000))
    module = importlib.import_module(name)
    os.utime(module.__cached__, ns=(second + 400_000_000, second + 400_000_000))
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    return module


@pytest.fixture
def compiled(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths SourceFileLoader.source_to_code compiles, in order."""
    real = importlib.machinery.SourceFileLoader.source_to_code
    paths: list[str] = []

    def counting(self: object, data: bytes, path: str, *args: object, **kwargs: object) -> object:
        paths.append(path)
        return real(self, data, path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(importlib.machinery.SourceFileLoader, "source_to_code", counting)
    monkeypatch.setattr(reloading, "_code_cache", {})
    return paths


def test_an_ambiguous_cache_is_compiled_once_per_unchanged_source(
    tree: Tree, tmp_path: Path, prefix: str, monkeypatch: pytest.MonkeyPatch, compiled: list[str]
) -> None:
    module = _settled_ambiguous_module(tree, tmp_path, f"{prefix}installed", monkeypatch)
    cache = Path(module.__cached__)
    before = cache.read_bytes()
    compiled.clear()  # the first import's
    for _ in range(3):
        module.VALUE = 0  # type: ignore[attr-defined]
        assert modutils.reload(module).VALUE == 1
    assert compiled == [module.__file__]
    assert cache.read_bytes() == before  # writing bytecode is off
    # An edit gets a new mtime: compiled again, whatever its size.
    _rewrite(module, "VALUE = 2\n")
    assert modutils.reload(module).VALUE == 2
    assert compiled == [module.__file__] * 2


def test_a_source_edited_just_now_is_never_reused_from_memory(
    tree: Tree, tmp_path: Path, prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Same-size edits stamped with the very same mtime_ns, as a coarse file system
    # clock does for quick successive saves: the code is compiled every time.
    module = _ambiguous_cache(tree, tmp_path, prefix, monkeypatch)
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    source = Path(module.__file__ or "")
    stamp = time.time_ns()
    for value in range(3, 6):
        source.write_text(f"VALUE = {value}\n", encoding="utf-8")
        os.utime(source, ns=(stamp, stamp))
        assert value == modutils.reload(module).VALUE


def test_the_code_cache_is_bounded(
    tree: Tree, tmp_path: Path, prefix: str, monkeypatch: pytest.MonkeyPatch, compiled: list[str]
) -> None:
    monkeypatch.setattr(reloading, "_CODE_CACHE_SIZE", 2)
    modules = [
        _settled_ambiguous_module(tree, tmp_path, f"{prefix}m{index}", monkeypatch)
        for index in range(3)
    ]
    compiled.clear()  # the first imports'
    for module in modules:
        modutils.reload(module)
    assert len(reloading._code_cache) == 2
    modutils.reload(modules[0])  # the oldest was dropped: compiled again
    assert compiled == [module.__file__ for module in [*modules, modules[0]]]


# --- dependents ------------------------------------------------------------------------------


def test_dependents_see_the_new_objects_through_a_from_chain(tree: Tree, prefix: str) -> None:
    p = prefix
    log = _log_module(p)
    a, b, c, other = tree(
        {
            f"{p}log.py": "events = []\n",
            f"{p}a.py": log + "class Thing: pass\n",
            f"{p}b.py": log + f"from {p}a import Thing\n",
            f"{p}c.py": log + f"from {p}b import Thing as Renamed\n",
            f"{p}other.py": log + "import json\nOBJ = object()\n",
        },
        f"{p}a",
        f"{p}b",
        f"{p}c",
        f"{p}other",
    )
    events = sys.modules[f"{p}log"].events
    events.clear()
    old_thing, other_saved = a.Thing, _namespace(other)
    assert modutils.reload(a, dependents=True) is a
    assert events == [f"{p}a", f"{p}b", f"{p}c"]
    assert a.Thing is not old_thing
    assert b.Thing is a.Thing
    assert c.Renamed is a.Thing
    _assert_same_namespace(other, other_saved)


def test_without_dependents_importers_keep_the_old_objects(tree: Tree, prefix: str) -> None:
    p = prefix
    a, b = tree(
        {f"{p}a.py": "class Thing: pass\n", f"{p}b.py": f"from {p}a import Thing\n"},
        f"{p}a",
        f"{p}b",
    )
    modutils.reload(a)
    assert b.Thing is not a.Thing


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param(
            # Dependencies first, not alphabetical: b imports z.
            {"z": "import {p}a\n", "b": "import {p}z\n", "c": "import {p}b, {p}a\n"},
            ["a", "z", "b", "c"],
            id="transitive",
        ),
        pytest.param(
            # b and c import each other, and the test imported b first: the cycle is
            # entered at b, whose import of c re-executes c at that point, every time.
            {"b": "import {p}a, {p}c\n", "c": "import {p}b\n", "d": "import {p}c\n"},
            ["a", "b", "c", "d"],
            id="cycle",
        ),
        pytest.param(
            # a is part of the cycle a -> a_dep -> b -> a and was imported first: its
            # imports re-execute a_dep, then b, as the first import ran them.
            {"b": "import {p}a\n", "a_dep": "import {p}b\n"},
            ["a", "a_dep", "b"],
            id="target-in-cycle",
        ),
        pytest.param(
            {
                "alias": "import {p}a as x\n",
                "star": "from {p}a import *\n",
                "nested": "try:\n    from {p}a import Thing\nexcept ImportError:\n    pass\n",
                "in_function": "def f():\n    import {p}a\n",
                "other_package": "import {p}pkg.sub as s\nimport {p}pkg.mod\n",
            },
            ["a", "alias", "nested", "star"],
            id="statement-kinds",
        ),
    ],
)
def test_dependents_are_reloaded_once_each_in_dependency_order(
    tree: Tree, prefix: str, files: dict[str, str], expected: list[str]
) -> None:
    p = prefix
    log = _log_module(p)
    sources = {f"{p}{name}.py": log + code.format(p=p) for name, code in files.items()}
    sources[f"{p}log.py"] = "events = []\n"
    sources[f"{p}a.py"] = log + "class Thing: pass\n" + f"import {p}a_dep\n" * ("a_dep" in files)
    sources[f"{p}pkg/__init__.py"] = ""
    sources[f"{p}pkg/sub.py"] = ""
    sources[f"{p}pkg/mod.py"] = ""
    names = [f"{p}a", *(f"{p}{name}" for name in files)]
    tree(sources, *names)
    events = sys.modules[f"{p}log"].events
    for _ in range(2):
        events.clear()
        modutils.reload(f"{p}a", dependents=True)
        assert events == [f"{p}{name}" for name in expected]


@pytest.mark.parametrize(
    ("package_source", "expected"),
    [
        pytest.param("", ["sub", "plain", "rel", "user"], id="package-does-not-import-it"),
        pytest.param(
            # The package imports sub, so it and whatever imports from it are reloaded;
            # as in a fresh import, the package starts first and runs sub at its import.
            "from .sub import f\n",
            ["", "sub", "other", "plain", "rel", "user"],
            id="package-imports-it",
        ),
    ],
)
def test_submodule_dependents_and_their_package(
    tree: Tree, prefix: str, package_source: str, expected: list[str]
) -> None:
    p = f"{prefix}pkg"
    log = _log_module(prefix)
    tree(
        {
            f"{prefix}log.py": "events = []\n",
            f"{p}/__init__.py": log + package_source,
            f"{p}/sub.py": log + "def f(): pass\n",
            f"{p}/user.py": log + f"from {p} import sub\n",
            f"{p}/rel.py": log + "from . import sub\n",
            f"{p}/plain.py": log + f"import {p}.sub\n",
            f"{p}/other.py": log + "from . import unrelated\n",
            f"{p}/unrelated.py": log,
        },
        *(f"{p}.{name}" for name in ("sub", "user", "rel", "plain", "other")),
    )
    events = sys.modules[f"{prefix}log"].events
    events.clear()
    modutils.reload(f"{p}.sub", dependents=True)
    assert events == [f"{p}.{name}".rstrip(".") for name in expected]


def test_a_failing_dependent_rolls_back_the_whole_set(tree: Tree, prefix: str) -> None:
    p = prefix
    a, b, c, bystander = tree(
        {
            f"{p}a.py": "class Thing: pass\n",
            f"{p}b.py": f"from {p}a import Thing\nB = 1\n",
            f"{p}c.py": f"from {p}b import Thing\nC = 1\n",
            f"{p}bystander.py": "OBJ = object()\n",
            f"{p}new.py": "",
        },
        f"{p}a",
        f"{p}b",
        f"{p}c",
        f"{p}bystander",
    )
    saved = {module: _namespace(module) for module in (a, b, c, bystander)}
    modules = sys.modules.copy()
    _rewrite(a, f"import {p}new\nclass Thing: pass\nNEW = 1\n")
    _rewrite(b, f"from {p}a import Thing\nB = 2\nraise KeyError('dependent broke')\n")
    with pytest.raises(ReloadError, match=rf"{p}a.*failed in '{p}b'.*3 modules") as info:
        modutils.reload(a, dependents=True)
    assert isinstance(info.value.__cause__, KeyError)
    assert info.value.name == f"{p}b"
    assert info.value.path == b.__file__
    for module, namespace in saved.items():
        _assert_same_namespace(module, namespace)
    assert not hasattr(a, "NEW")
    _assert_same_modules(modules)


# --- dependents in import cycles: the order of a fresh import ----------------------------


def _cyclic_package(prefix: str) -> dict[str, str]:
    """Six modules in two import cycles, with classes re-exported through ``__init__``.

    segment and text import each other (segment binds Text after defining Segment,
    as a fresh import from the package allows); the package and console import each
    other (``from . import text``); markup takes its names from the package.
    """
    p = f"{prefix}pkg"
    log = _log_module(prefix)
    return {
        f"{prefix}log.py": "events = []\n",
        f"{p}/__init__.py": log
        + "from .segment import Segment\nfrom .text import Text\n"
        + "from .console import Console\nfrom . import style\n",
        f"{p}/style.py": log + "class Style:\n    pass\n",
        f"{p}/segment.py": log
        + "from .style import Style\n"
        + "class Segment:\n"
        + "    def __init__(self, text):\n"
        + "        self.text, self.style = text, Style()\n"
        + "from .text import Text\n",
        f"{p}/text.py": log
        + "from .segment import Segment\nfrom .style import Style\n"
        + "class Text:\n"
        + "    def render(self):\n"
        + "        return [Segment('x')]\n",
        f"{p}/console.py": log
        + "from . import text as text_module\nfrom .segment import Segment\n"
        + "class Console:\n"
        + "    def print(self, value):\n"
        + "        assert isinstance(value, text_module.Text), type(value)\n"
        + "        segments = value.render()\n"
        + "        assert all(isinstance(s, Segment) for s in segments), segments\n"
        + "        return segments\n",
        f"{p}/markup.py": log
        + f"from {p} import Console, Segment, Text\n"
        + "def render():\n"
        + "    return Console().print(Text())\n",
    }


def _assert_package_consistent(p: str) -> None:
    """Every binding inside the package refers to the objects its defining module holds."""
    pkg, style, segment, text, console, markup = (
        sys.modules[f"{p}{suffix}"]
        for suffix in ("", ".style", ".segment", ".text", ".console", ".markup")
    )
    assert pkg.Segment is segment.Segment
    assert pkg.Text is text.Text
    assert pkg.Console is console.Console
    assert segment.Style is style.Style
    assert segment.Text is text.Text
    assert text.Segment is segment.Segment
    assert text.Style is style.Style
    assert console.Segment is segment.Segment
    assert console.text_module is text
    assert markup.Console is console.Console
    assert markup.Segment is segment.Segment
    assert markup.Text is text.Text
    # The package's own calls work across the modules.
    (result,) = markup.render()
    assert isinstance(result.style, style.Style)


@pytest.mark.parametrize("target", ["style", "segment", "text", "console", "markup", ""])
def test_dependents_in_import_cycles_bind_the_new_objects(
    tree: Tree, prefix: str, target: str
) -> None:
    p = f"{prefix}pkg"
    tree(_cyclic_package(prefix), p, f"{p}.markup")
    _assert_package_consistent(p)
    name = f"{p}.{target}".rstrip(".")
    defined = {"style": "Style", "segment": "Segment", "text": "Text", "console": "Console"}
    for _ in range(2):  # the second time from the order the first one left
        old = {key: getattr(sys.modules[f"{p}.{key}"], value) for key, value in defined.items()}
        modutils.reload(name, dependents=True)
        _assert_package_consistent(p)
        module = sys.modules[name]
        if target in defined:
            assert getattr(module, defined[target]) is not old[target]
        # Every class of the reloaded module and of its importers is new.
        for key, value in defined.items():
            changed = getattr(sys.modules[f"{p}.{key}"], value) is not old[key]
            assert changed is (f"{p}.{key}" in reloading._reload_order(name))


def test_the_cycle_is_entered_where_the_first_import_entered_it(tree: Tree, prefix: str) -> None:
    p = f"{prefix}pkg"
    tree(_cyclic_package(prefix), p, f"{p}.markup")
    events = sys.modules[f"{prefix}log"].events
    first = list(events)
    for _ in range(2):
        events.clear()
        modutils.reload(f"{p}.style", dependents=True)
        # As the first import ran them: the package, whose imports re-execute the
        # others at the points where they ran then; then markup.
        assert events == first


@pytest.mark.parametrize("caught", [False, True], ids=["propagates", "caught-by-importer"])
def test_a_failure_inside_a_cycle_rolls_back_everything(
    tree: Tree, prefix: str, caught: bool
) -> None:
    p = f"{prefix}pkg"
    files = _cyclic_package(prefix)
    tree(files, p, f"{p}.markup")
    names = [name for name in sys.modules if name.startswith(p)]
    saved = {name: _namespace(sys.modules[name]) for name in names}
    modules = sys.modules.copy()
    text = sys.modules[f"{p}.text"]
    segment = sys.modules[f"{p}.segment"]
    _rewrite(text, files[f"{p}/text.py"] + "raise LookupError('text broke')\n")
    if caught:
        # A fresh import would go on without text; a reload cannot keep text
        # half-executed, so the whole transaction fails all the same.
        _rewrite(
            segment,
            files[f"{p}/segment.py"].replace(
                "from .text import Text\n",
                "try:\n    from .text import Text\nexcept LookupError:\n    Text = None\n",
            ),
        )
    with pytest.raises(ReloadError, match=rf"failed in '{p}.text'.*rolled back") as info:
        modutils.reload(f"{p}.style", dependents=True)
    assert isinstance(info.value.__cause__, LookupError)
    assert info.value.name == f"{p}.text"
    for name, namespace in saved.items():
        _assert_same_namespace(sys.modules[name], namespace)
    _assert_same_modules(modules)
    _assert_package_consistent(p)


# --- the shapes of real packages (rich, flask): issue 19's realworld reloads -------------------


def _stale_bindings(package: str) -> list[str]:
    """Module-level names under *package* bound to a class or function no longer current.

    A class or function defined at the top of module ``m`` as ``q`` is current when
    ``m`` still holds it as ``q`` (the realworld session's rule R1).
    """
    stale = []
    for name, module in list(sys.modules.items()):
        if name != package and not name.startswith(f"{package}."):
            continue
        for attribute, value in list(vars(module).items()):
            if not isinstance(value, (type, types.FunctionType)):
                continue
            home = sys.modules.get(value.__module__)
            if home is None or not value.__module__.startswith(package):
                continue
            if vars(home).get(value.__qualname__, value) is not value:
                stale.append(
                    f"{name}.{attribute} is an old {value.__module__}.{value.__qualname__}"
                )
    return stale


def _rich_like_package(prefix: str) -> dict[str, str]:
    """rich's and flask's shapes: cycles that exist only through ``TYPE_CHECKING`` imports.

    modutils' graph reads imports under ``if TYPE_CHECKING:`` too, so style, color
    and the package itself are dependents of segment, in one graph cycle with
    console and text, though at run time style imports color and not the other way
    round. Modules bind a function of the package's ``__init__`` (``from . import
    get_console``, as rich.jupyter does), a subpackage binds names two levels up
    (``from ..ctx import Globals``, as flask.sansio.app does), and a context variable
    is set through one module and read through another (flask.ctx and flask.globals).
    """
    p = f"{prefix}pkg"
    checking = "from typing import TYPE_CHECKING\n"
    return {
        f"{p}/__init__.py": checking
        + "def get_console():\n    from .console import Console\n    return Console()\n"
        + "if TYPE_CHECKING:\n    from .console import Console\n",
        f"{p}/color.py": checking
        + "class Color:\n    pass\n"
        + "if TYPE_CHECKING:\n    from .text import Text\n",
        f"{p}/palette.py": checking
        + "class Palette:\n    pass\n"
        + "if TYPE_CHECKING:\n    from .table import Table\n",
        f"{p}/_palettes.py": "from .palette import Palette\nSTANDARD = Palette()\n",
        f"{p}/style.py": checking
        + "from .color import Color\nfrom . import _palettes\n"
        + "class Style:\n    pass\n"
        + "if TYPE_CHECKING:\n    from .console import Console\n",
        f"{p}/segment.py": checking
        + "from .style import Style\n"
        + "class Segment:\n    pass\n"
        + "if TYPE_CHECKING:\n    from .console import Console\n",
        f"{p}/text.py": "from .segment import Segment\nfrom .style import Style\n"
        + "class Text:\n    pass\n",
        f"{p}/table.py": "from .segment import Segment\nfrom .text import Text\n"
        + "class Table:\n    pass\n",
        f"{p}/jupyter.py": "from . import get_console\nfrom .segment import Segment\n"
        + "class JupyterMixin:\n    pass\n",
        f"{p}/console.py": "from . import get_console\nfrom .jupyter import JupyterMixin\n"
        + "from .segment import Segment\nfrom .style import Style\nfrom .text import Text\n"
        + "from .sansio.app import App\n"
        + "class Console(JupyterMixin):\n"
        + "    def render(self):\n"
        + "        assert isinstance(App().globals, App.globals_class)\n"
        + "        return [Segment()], Style(), Text()\n",
        f"{p}/ctx.py": checking
        + "from .globals import _cv_app\n"
        + "class Globals:\n    pass\n"
        + "def push(app):\n    _cv_app.set(app)\n"
        + "if TYPE_CHECKING:\n    from .sansio.app import App\n",
        # flask.globals: context variables that flask.ctx sets and the proxies read.
        f"{p}/globals.py": checking
        + "import contextvars\n_cv_app = contextvars.ContextVar('app')\n"
        + "def current_app():\n    return _cv_app.get()\n"
        + "if TYPE_CHECKING:\n    from .sansio.app import App\n",
        f"{p}/sansio/__init__.py": "",
        f"{p}/sansio/app.py": "from ..ctx import Globals\nfrom .. import segment\n"
        + "from ..ctx import push\nfrom ..globals import current_app\n"
        + "class App:\n"
        + "    globals_class = Globals\n"
        + "    def __init__(self):\n"
        + "        self.globals = Globals()\n"
        + "        push(self)\n"
        + "        assert current_app() is self, 'working outside of app context'\n",
    }


@pytest.mark.parametrize("target", ["segment", "style", "color", "palette", "ctx", ""])
def test_cycles_made_by_type_checking_imports_bind_the_new_objects(
    tree: Tree, prefix: str, target: str
) -> None:
    p = f"{prefix}pkg"
    tree(_rich_like_package(prefix), p, f"{p}.console", f"{p}.table", f"{p}.text")
    name = f"{p}.{target}".rstrip(".")
    assert _stale_bindings(p) == []
    for _ in range(2):  # the second time from the order the first one left
        module = sys.modules[name]
        old = {key: value for key, value in vars(module).items() if isinstance(value, type)}
        modutils.reload(name, dependents=True)
        # The package's own call first, as the realworld smoke call: App() sets the
        # context variable through ctx and reads it through globals.
        console = sys.modules[f"{p}.console"]
        segments, style, _ = console.Console().render()
        assert isinstance(segments[0], sys.modules[f"{p}.segment"].Segment)
        assert isinstance(style, sys.modules[f"{p}.style"].Style)
        assert type(sys.modules[p].get_console()) is console.Console
        assert _stale_bindings(p) == []
        assert sys.modules[f"{p}.ctx"]._cv_app is sys.modules[f"{p}.globals"]._cv_app
        assert all(vars(module)[key] is not value for key, value in old.items())


# How a module of the set reaches widgets without an import statement: a lazy
# package attribute (PEP 562, as numpy, scipy and lazy_loader do) or
# importlib.import_module (absolute, relative, or bound from importlib).
IMPORT_MODULE_IDIOMS = {
    "lazy-getattr": "from . import Widget\n",
    "import_module": "import importlib\n"
    + "Widget = importlib.import_module('{p}.widgets').Widget\n",
    "relative": "import importlib\n"
    + "Widget = importlib.import_module('.widgets', __package__).Widget\n",
    "from-importlib": "from importlib import import_module\n"
    + "Widget = import_module(__package__ + '.widgets').Widget\n",
}


def _lazy_package(prefix: str, idiom: str) -> dict[str, str]:
    """style, imported by text and widgets; text reaches widgets through *idiom*."""
    p = f"{prefix}pkg"
    log = _log_module(prefix)
    return {
        f"{prefix}log.py": "events = []\n",
        f"{p}/__init__.py": "def __getattr__(name):\n"
        + "    if name == 'Widget':\n"
        + "        import importlib\n"
        + "        return importlib.import_module('.widgets', __name__).Widget\n"
        + "    raise AttributeError(name)\n",
        f"{p}/style.py": log + "class Style:\n    pass\n",
        # widgets sorts after text: the static order, which cannot see text's
        # edge to widgets, runs text first.
        f"{p}/text.py": log
        + "from .style import Style\nimport importlib\n"
        # A relative name beyond the top level fails as it always does.
        + "try:\n    importlib.import_module('.....too_far', __package__)\n"
        + "except ImportError as exc:\n    FAILED = str(exc)\n"
        + IMPORT_MODULE_IDIOMS[idiom].format(p=p),
        f"{p}/widgets.py": log + "from .style import Style\nclass Widget:\n    pass\n",
    }


@pytest.mark.parametrize("idiom", list(IMPORT_MODULE_IDIOMS))
def test_modules_reached_through_import_module_are_reexecuted_first(
    tree: Tree, prefix: str, idiom: str
) -> None:
    p = f"{prefix}pkg"
    tree(_lazy_package(prefix, idiom), f"{p}.text")
    events = sys.modules[f"{prefix}log"].events
    text, widgets = sys.modules[f"{p}.text"], sys.modules[f"{p}.widgets"]
    for _ in range(2):
        events.clear()
        old = widgets.Widget
        modutils.reload(f"{p}.style", dependents=True)
        assert events == [f"{p}.style", f"{p}.text", f"{p}.widgets"]
        assert widgets.Widget is not old
        assert text.Widget is widgets.Widget
        assert _stale_bindings(p) == []
        assert "beyond top-level package" in text.FAILED


@pytest.mark.parametrize("idiom", list(IMPORT_MODULE_IDIOMS))
def test_a_failure_reached_through_import_module_rolls_back_everything(
    tree: Tree, prefix: str, idiom: str
) -> None:
    p = f"{prefix}pkg"
    files = _lazy_package(prefix, idiom)
    tree(files, f"{p}.text")
    names = [name for name in sys.modules if name.startswith(p)]
    saved = {name: _namespace(sys.modules[name]) for name in names}
    modules = sys.modules.copy()
    functions = (builtins.__import__, _compat.get_gcd_import())
    widgets = sys.modules[f"{p}.widgets"]
    _rewrite(widgets, files[f"{p}/widgets.py"] + "raise LookupError('widgets broke')\n")
    with pytest.raises(ReloadError, match=rf"failed in '{p}.widgets'.*rolled back") as info:
        modutils.reload(f"{p}.style", dependents=True)
    assert isinstance(info.value.__cause__, LookupError)
    for name, namespace in saved.items():
        _assert_same_namespace(sys.modules[name], namespace)
    _assert_same_modules(modules)
    assert (builtins.__import__, _compat.get_gcd_import()) == functions


def _set_builtin_import(function: Callable[..., types.ModuleType]) -> None:
    builtins.__import__ = function


# The two functions a transaction replaces: (get, set).
IMPORT_FUNCTIONS: dict[str, tuple[Callable[[], Callable[..., Any]], Callable[..., None]]] = {
    "builtins.__import__": (lambda: builtins.__import__, _set_builtin_import),
    "import_module": (_compat.get_gcd_import, _compat.set_gcd_import),
}


@pytest.mark.parametrize("function", list(IMPORT_FUNCTIONS))
def test_an_import_wrapper_installed_during_a_reload_is_left_in_place(
    tree: Tree, prefix: str, function: str
) -> None:
    get, set_ = IMPORT_FUNCTIONS[function]
    p = prefix
    original = get()
    hooks, a, b = tree(
        {
            f"{p}hooks.py": "callback = None\n",
            f"{p}a.py": f"import {p}hooks\nif {p}hooks.callback:\n    {p}hooks.callback()\n"
            + "X = object()\n",
            f"{p}b.py": f"from {p}a import X\n",
        },
        f"{p}hooks",
        f"{p}a",
        f"{p}b",
    )
    wrappers: list[Callable[..., object]] = []

    def install_wrapper() -> None:
        previous: Callable[..., types.ModuleType] = get()

        def wrapper(*args: Any, **kwargs: Any) -> types.ModuleType:
            return previous(*args, **kwargs)

        set_(wrapper)
        wrappers.append(wrapper)
        hooks.callback = None  # type: ignore[attr-defined]

    hooks.callback = install_wrapper  # type: ignore[attr-defined]
    try:
        modutils.reload(a, dependents=True)
        # Taking our hook out from under the wrapper would break it; putting it back
        # over the wrapper would make the two call each other forever.
        assert get() is wrappers[0]
        modutils.reload(a, dependents=True)
        assert get() is wrappers[0]
        assert b.X is a.X
        assert importlib.import_module(f"{p}b") is b
        set_(original)
        modutils.reload(a, dependents=True)
        assert get() is original
        assert b.X is a.X
    finally:
        set_(original)


def test_imports_run_through_the_hook_only_during_a_transaction(tree: Tree, prefix: str) -> None:
    original, original_gcd = builtins.__import__, _compat.get_gcd_import()
    p = prefix
    seen = "from modutils import _compat\nSEEN = builtins.__import__, _compat.get_gcd_import()\n"
    a, b = tree(
        {f"{p}a.py": "import builtins\n" + seen, f"{p}b.py": f"import builtins, {p}a\n" + seen},
        f"{p}a",
        f"{p}b",
    )
    modutils.reload(a, dependents=True)
    hooks = (reloading._import_hook, reloading._import_module_hook)
    assert a.SEEN == b.SEEN == hooks
    assert builtins.__import__ is original
    assert _compat.get_gcd_import() is original_gcd
    # A module alone has nothing else to re-execute: imports keep their fast path.
    modutils.reload(a)
    assert (original, original_gcd) == a.SEEN


def test_modules_whose_source_does_not_parse_are_skipped(tree: Tree, prefix: str) -> None:
    p = prefix
    a, b, broken = tree(
        {f"{p}a.py": "X = 1\n", f"{p}b.py": f"import {p}a\n", f"{p}broken.py": f"import {p}a\n"},
        f"{p}a",
        f"{p}b",
        f"{p}broken",
    )
    saved = _namespace(broken)
    _rewrite(broken, f"import {p}a\ndef oops(:\n")
    for _ in range(2):  # the second time from the cache of sources that failed
        b.MARK = "not reloaded"  # type: ignore[attr-defined]
        modutils.reload(a, dependents=True)
        assert b.MARK == "not reloaded"
        _assert_same_namespace(broken, saved)
    # An edited source is read again: b no longer imports a, so it is left alone.
    _rewrite(b, "import json\nCHANGED = True\n")
    modutils.reload(a, dependents=True)
    assert not hasattr(b, "CHANGED")
    # A source that parses again is read again.
    _rewrite(broken, f"import {p}a\nFIXED = True\n")
    modutils.reload(a, dependents=True)
    assert broken.FIXED is True


def test_a_source_replaced_by_bytecode_only_is_refused(tree: Tree, prefix: str) -> None:
    (module,) = tree({f"{prefix}m.py": "X = 1\n"}, f"{prefix}m")
    source = module.__file__ or ""
    py_compile.compile(source, cfile=source + "c", doraise=True)
    os.remove(source)
    importlib.invalidate_caches()
    saved, modules = _namespace(module), sys.modules.copy()
    with pytest.raises(ReloadError) as info:
        modutils.reload(module)
    assert "bytecode only" in str(info.value.__cause__)
    _assert_same_namespace(module, saved)
    _assert_same_modules(modules)


# --- modules that cannot be reloaded -----------------------------------------------------------


def _extension_module() -> types.ModuleType:
    for name in ("_json", "math", "_csv", "select", "array", "zlib", "_struct"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if isinstance(module.__spec__.loader, importlib.machinery.ExtensionFileLoader):  # type: ignore[union-attr]
            return module
    pytest.skip("this interpreter has none of the usual stdlib extension modules")


def _sourceless_module(tree: Tree, root: Path, prefix: str) -> types.ModuleType:
    name = f"{prefix}bytecode"
    tree({f"{name}.py": "X = 1\n"})
    py_compile.compile(str(root / f"{name}.py"), cfile=str(root / f"{name}.pyc"), doraise=True)
    os.remove(root / f"{name}.py")
    importlib.invalidate_caches()
    return importlib.import_module(name)


def _namespace_package(tree: Tree, root: Path, prefix: str) -> types.ModuleType:
    return tree({f"{prefix}ns/mod.py": ""}, f"{prefix}ns")[0]


def _module_without_spec(tree: Tree, root: Path, prefix: str) -> types.ModuleType:
    module = types.ModuleType(f"{prefix}plain")
    sys.modules[module.__name__] = module
    return module


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda tree, root, prefix: sys, "builtin"),
        (lambda tree, root, prefix: importlib.import_module("zipimport"), "frozen"),
        (lambda tree, root, prefix: _extension_module(), "extension"),
        (_sourceless_module, "bytecode only"),
        (_namespace_package, "namespace package"),
        (_module_without_spec, "no __spec__"),
    ],
    ids=["builtin", "frozen", "extension", "sourceless", "namespace", "no-spec"],
)
def test_modules_without_source_are_refused_untouched(
    tree: Tree,
    tmp_path: Path,
    prefix: str,
    make: Callable[[Tree, Path, str], types.ModuleType],
    reason: str,
) -> None:
    module = make(tree, tmp_path / "tree", prefix)
    saved, modules = _namespace(module), sys.modules.copy()
    for dependents in (False, True):
        with pytest.raises(
            ReloadError, match=rf"cannot reload '{module.__name__}'.*{reason}"
        ) as info:
            modutils.reload(module, dependents=dependents)
        assert info.value.name == module.__name__
        _assert_same_namespace(module, saved)
        _assert_same_modules(modules)


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argument", "error"),
    [
        (42, TypeError),
        (None, TypeError),
        (b"json", TypeError),
        (Path("json"), TypeError),
        ("", ValueError),
        ("1abc", ValueError),
        ("a..b", ValueError),
        ("rl_never_imported_module", ModuleNotFoundError),
        (types.ModuleType("rl_orphan_module"), ModuleNotFoundError),
    ],
)
def test_bad_input(argument: object, error: type[Exception]) -> None:
    modules = sys.modules.copy()
    with pytest.raises(error):
        modutils.reload(argument)  # type: ignore[arg-type]
    _assert_same_modules(modules)


def test_a_module_object_that_was_replaced_in_sys_modules(tree: Tree, prefix: str) -> None:
    (module,) = tree({f"{prefix}m.py": "X = 1\n"}, f"{prefix}m")
    sys.modules[module.__name__] = types.ModuleType(module.__name__)
    with pytest.raises(ModuleNotFoundError, match=r"not sys\.modules"):
        modutils.reload(module)


def test_a_non_module_in_sys_modules_is_a_type_error(prefix: str) -> None:
    sys.modules[f"{prefix}odd"] = object()  # type: ignore[assignment]
    with pytest.raises(TypeError, match="not a module"):
        modutils.reload(f"{prefix}odd")


_identifiers = st.text(
    st.characters(categories=["Lu", "Ll", "Lo", "Nd", "Pc"]), min_size=1, max_size=12
).filter(str.isidentifier)


@settings(max_examples=100, deadline=None)
@given(
    name=st.one_of(
        _identifiers.map(lambda name: f"rl_hypo_{name}"),
        st.sampled_from(keyword.kwlist),
        st.lists(_identifiers, min_size=2, max_size=4).map(".".join),
        st.text(max_size=12),
    )
)
def test_names_either_reload_or_raise_the_documented_error(name: str) -> None:
    assume(name not in sys.modules)  # never reload a module the test run depends on
    modules, path = sys.modules.copy(), sys.path[:]
    with pytest.raises((ValueError, ModuleNotFoundError)):
        modutils.reload(name)
    _assert_same_modules(modules)
    assert sys.path == path


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    values=st.lists(st.integers(-5, 5), min_size=1, max_size=6),
    fail_at=st.none() | st.integers(0, 6),
)
def test_any_body_either_runs_completely_or_leaves_no_trace(
    tree: Tree, prefix: str, values: list[int], fail_at: int | None
) -> None:
    name = f"{prefix}body"
    if name not in sys.modules:
        tree({f"{name}.py": "V0 = 'initial'\n"}, name)
    module = sys.modules[name]
    lines = [f"V{index} = {value}\n" for index, value in enumerate(values)]
    if fail_at is not None:
        lines.insert(min(fail_at, len(lines)), "raise ArithmeticError\n")
    _rewrite(module, "".join(lines))
    saved, modules = _namespace(module), sys.modules.copy()
    if fail_at is None:
        modutils.reload(module)
        assert [getattr(module, f"V{index}") for index in range(len(values))] == values
    else:
        with pytest.raises(ReloadError):
            modutils.reload(module)
        _assert_same_namespace(module, saved)
        _assert_same_modules(modules)


# --- threads ---------------------------------------------------------------------------------


IMPORTERS = {
    "import-statement": "import {name} as module",
    "from-import": "from {name} import A, DONE",
    "import_module": "import importlib\nmodule = importlib.import_module('{name}')",
}


@pytest.mark.parametrize("how", list(IMPORTERS))
def test_another_thread_importing_waits_for_the_reload(tree: Tree, prefix: str, how: str) -> None:
    helper = f"{prefix}gate"
    name = f"{prefix}slow"
    body = (
        f"import {helper}\nA = '{{tag}}'\n"
        f"if {helper}.gate is not None:\n"
        f"    {helper}.entered.set()\n"
        f"    {helper}.gate.wait(10)\n"
        "DONE = '{tag}'\n"
    )
    gate_module, module = tree(
        {
            f"{helper}.py": "import threading\nentered = threading.Event()\ngate = None\n",
            f"{name}.py": body.format(tag="old"),
        },
        helper,
        name,
    )
    gate = threading.Event()
    gate_module.gate = gate  # type: ignore[attr-defined]
    _rewrite(module, body.format(tag="new"))
    errors: list[BaseException] = []
    seen: dict[str, object] = {}

    def reloader() -> None:
        try:
            modutils.reload(module)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    def importer() -> None:
        try:
            namespace: dict[str, object] = {}
            exec(IMPORTERS[how].format(name=name), namespace)
            target = namespace.get("module")
            if isinstance(target, types.ModuleType):
                namespace = vars(target)
            seen.update(A=namespace["A"], DONE=namespace["DONE"])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    reloading_thread = threading.Thread(target=reloader)
    reloading_thread.start()
    try:
        assert gate_module.entered.wait(10)
        importing_thread = threading.Thread(target=importer)
        importing_thread.start()
        importing_thread.join(0.5)
        # Still waiting for the module lock: it must not see the half-built module.
        assert importing_thread.is_alive()
    finally:
        gate.set()
        reloading_thread.join(10)
    importing_thread.join(10)
    assert errors == []
    assert seen == {"A": "new", "DONE": "new"}


@pytest.fixture(params=["import-locks", "fallback-locks"])
def lock_kind(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run with importlib's module locks, and with modutils' own when they are missing."""
    if request.param == "fallback-locks":
        monkeypatch.setattr(_compat, "_get_module_lock", None)
    return str(request.param)


def test_works_without_the_import_lock_functions(tree: Tree, prefix: str, lock_kind: str) -> None:
    (module,) = tree({f"{prefix}m.py": "X = 1\n"}, f"{prefix}m")
    _rewrite(module, "X = 2\n")
    assert modutils.reload(module, dependents=True).X == 2
    saved = _namespace(module)
    _rewrite(module, "X = 3\nraise OSError\n")
    with pytest.raises(ReloadError):
        modutils.reload(module)
    _assert_same_namespace(module, saved)


def _gate_module(prefix: str) -> str:
    """Source of a module that lets one named thread stop half-way through a body."""
    return (
        "import threading\n"
        "entered = threading.Event()\n"
        "release = threading.Event()\n"
        "def pause(thread_name):\n"
        "    if threading.current_thread().name == thread_name:\n"
        "        entered.set()\n"
        "        assert release.wait(10)\n"
    )


def _run_threads(
    *targets: tuple[str, Callable[[], object]],
) -> tuple[dict[str, threading.Thread], dict[str, BaseException]]:
    errors: dict[str, BaseException] = {}

    def run(name: str, target: Callable[[], object]) -> None:
        try:
            target()
        except BaseException as exc:
            errors[name] = exc

    threads = {
        name: threading.Thread(target=run, args=(name, target), name=name)
        for name, target in targets
    }
    return threads, errors


def test_a_failed_reload_never_rolls_back_over_a_successful_one(
    tree: Tree, prefix: str, lock_kind: str
) -> None:
    # "winner" reloads first and succeeds; "loser" starts while winner's module body
    # is half-way and fails. Both run the same source: it fails in loser only.
    gate_name, name, fresh = f"{prefix}gate", f"{prefix}racy", f"{prefix}fresh"
    gate, module = tree(
        {
            f"{gate_name}.py": _gate_module(prefix),
            f"{name}.py": "WHO = 'initial'\n",
            f"{fresh}.py": "",
        },
        gate_name,
        name,
    )
    _rewrite(
        module,
        f"""\
        import threading, {gate_name}
        WHO = threading.current_thread().name
        {gate_name}.pause("winner")
        import {fresh}
        if WHO == "loser":
            raise RuntimeError("the loser fails")
        """,
    )
    threads, errors = _run_threads(
        ("winner", lambda: modutils.reload(module)), ("loser", lambda: modutils.reload(module))
    )
    threads["winner"].start()
    try:
        assert gate.entered.wait(10)
        threads["loser"].start()
        # Give loser time to reach its lock: without one it would save its snapshot
        # of sys.modules (without the module winner imports next) right away.
        threads["loser"].join(0.3)
        assert threads["loser"].is_alive()
    finally:
        gate.release.set()
        for thread in threads.values():
            thread.join(10)
    assert "winner" not in errors
    assert isinstance(errors["loser"], ReloadError)
    assert module.WHO == "winner"
    assert sys.modules[fresh] is getattr(module, fresh.partition(".")[0])
    assert sys.modules[name] is module


def test_overlapping_dependents_sets_run_one_after_the_other(
    tree: Tree, prefix: str, lock_kind: str
) -> None:
    # first reloads a with its dependent b; second reloads b alone while first is
    # half-way through a. second must wait until first has committed b too.
    p = prefix
    log, gate_name = _log_module(p), f"{p}gate"
    stamp = "import threading\n{p}log.events.append((__name__, threading.current_thread().name))\n"
    gate, a, b = tree(
        {
            f"{p}log.py": "events = []\n",
            f"{gate_name}.py": _gate_module(p),
            f"{p}a.py": log + "X = object()\n",
            f"{p}b.py": log + f"from {p}a import X\n",
        },
        gate_name,
        f"{p}a",
        f"{p}b",
    )
    events = sys.modules[f"{p}log"].events
    _rewrite(
        a,
        f"import {p}log, {gate_name}\n"
        + stamp.format(p=p)
        + f"{gate_name}.pause('first')\nX = object()\n",
    )
    _rewrite(b, f"import {p}log\n" + stamp.format(p=p) + f"from {p}a import X\n")
    events.clear()
    threads, errors = _run_threads(
        ("first", lambda: modutils.reload(a, dependents=True)),
        ("second", lambda: modutils.reload(b)),
    )
    threads["first"].start()
    try:
        assert gate.entered.wait(10)
        threads["second"].start()
        threads["second"].join(0.3)
        assert threads["second"].is_alive()
    finally:
        gate.release.set()
        for thread in threads.values():
            thread.join(10)
    assert errors == {}
    assert events == [(f"{p}a", "first"), (f"{p}b", "first"), (f"{p}b", "second")]
    assert b.X is a.X


LoggedLocks = Callable[[Callable[[str], bool]], list[str]]


@pytest.fixture
def logged_locks(monkeypatch: pytest.MonkeyPatch) -> LoggedLocks:
    """Make reload's import locks log ``+name``/``-name``, and ``!name`` where they deadlock.

    Call it with a predicate on names: an acquire it accepts raises DeadlockError.
    """

    def install(deadlocks: Callable[[str], bool]) -> list[str]:
        log: list[str] = []
        real = _compat.get_module_lock

        class Logged:
            def __init__(self, name: str) -> None:
                self.name, self.lock = name, real(name)

            def acquire(self) -> bool:
                if deadlocks(self.name):
                    log.append(f"!{self.name}")
                    raise _compat.DeadlockError(f"deadlock detected by {self.name}")
                log.append(f"+{self.name}")
                return self.lock.acquire()

            def release(self) -> None:
                log.append(f"-{self.name}")
                self.lock.release()

        monkeypatch.setattr(reloading, "get_module_lock", Logged)
        return log

    return install


def test_locks_are_taken_in_name_order_and_released(
    logged_locks: LoggedLocks, tree: Tree, prefix: str
) -> None:
    p = prefix
    tree(
        {f"{p}c.py": "", f"{p}b.py": f"import {p}c\n", f"{p}a.py": f"import {p}b\n"},
        f"{p}c",
        f"{p}b",
        f"{p}a",
    )
    taken = logged_locks(lambda name: False)
    # Reloaded c, b, a: locked a, b, c whatever the reload order.
    modutils.reload(f"{p}c", dependents=True)
    assert taken == [f"+{p}a", f"+{p}b", f"+{p}c", f"-{p}c", f"-{p}b", f"-{p}a"]


def test_a_deadlock_on_the_locks_fails_untouched_and_releases_them(
    logged_locks: LoggedLocks, tree: Tree, prefix: str
) -> None:
    p = prefix
    a, b = tree({f"{p}a.py": "X = 1\n", f"{p}b.py": f"import {p}a\n"}, f"{p}a", f"{p}b")
    # Always: a deadlock that waiting while holding none of the locks does not end.
    events = logged_locks(lambda name: name == f"{p}b")
    _rewrite(a, "X = 2\n")
    saved, modules = {m: _namespace(m) for m in (a, b)}, sys.modules.copy()
    with pytest.raises(ReloadError, match=rf"cannot reload '{p}a'.*deadlock") as info:
        modutils.reload(a, dependents=True)
    assert isinstance(info.value.__cause__, _compat.DeadlockError)
    assert events == [f"+{p}a", f"!{p}b", f"-{p}a", f"!{p}b"]
    for module, namespace in saved.items():
        _assert_same_namespace(module, namespace)
    _assert_same_modules(modules)


def test_concurrent_reloads_of_overlapping_sets_do_not_deadlock(
    tree: Tree, prefix: str, lock_kind: str
) -> None:
    # x and y import each other: reload(x, dependents=True) re-executes x then y,
    # reload(y, dependents=True) y then x; unordered locking would deadlock.
    p = prefix
    x, y = tree(
        {f"{p}x.py": f"import {p}y\nN = 1\n", f"{p}y.py": f"import {p}x\nN = 1\n"},
        f"{p}x",
        f"{p}y",
    )
    threads, errors = _run_threads(
        *(
            (
                f"{module.__name__}-{index}",
                lambda module=module: modutils.reload(module, dependents=True),
            )
            for index in range(20)
            for module in (x, y)
        )
    )
    for thread in threads.values():
        thread.start()
    for thread in threads.values():
        thread.join(30)
    assert not any(thread.is_alive() for thread in threads.values())
    assert errors == {}


def test_a_module_dropped_while_waiting_for_its_lock_fails_untouched(
    monkeypatch: pytest.MonkeyPatch, tree: Tree, prefix: str
) -> None:
    (module,) = tree({f"{prefix}m.py": "X = 1\n"}, f"{prefix}m")
    _rewrite(module, "X = 2\n")
    real = reloading._lock_all

    def lock_all_meanwhile_dropped(names: list[str], held: list[object]) -> None:
        real(names, held)  # type: ignore[arg-type]
        del sys.modules[module.__name__]  # as another thread would, before we got the lock

    monkeypatch.setattr(reloading, "_lock_all", lock_all_meanwhile_dropped)
    saved = _namespace(module)
    with pytest.raises(ReloadError, match=r"not in sys\.modules"):
        modutils.reload(module)
    _assert_same_namespace(module, saved)
    assert module.__name__ not in sys.modules


# --- issue 18: reload under threads -------------------------------------------------------


def _chain(prefix: str, length: int = 4) -> dict[str, str]:
    files = {f"{prefix}c0.py": "X = object()\n"}
    for index in range(1, length):
        previous = f"{prefix}c{index - 1}"
        files[f"{prefix}c{index}.py"] = f"import {previous}\nfrom {previous} import X as P\nX = 1\n"
    return files


def test_concurrent_reloads_queue_and_never_drop_the_module(tree: Tree, prefix: str) -> None:
    # Eight threads reload random modules of a chain, half of the time with their
    # dependents, while a reader checks that every module stays in sys.modules.
    names = [f"{prefix}c{index}" for index in range(4)]
    tree(_chain(prefix), *names)
    deadline = time.monotonic() + 4
    missing: list[str] = []

    def reloader(seed: int) -> None:
        rng = random.Random(seed)
        while time.monotonic() < deadline and not missing:
            modutils.reload(rng.choice(names), dependents=rng.random() < 0.5)

    def reader() -> None:
        while time.monotonic() < deadline and not missing:
            missing.extend(name for name in names if name not in sys.modules)

    threads, errors = _run_threads(
        *((f"reloader-{seed}", lambda seed=seed: reloader(seed)) for seed in range(8)),
        ("reader", reader),
    )
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    try:
        for thread in threads.values():
            thread.start()
        for thread in threads.values():
            thread.join(60)
    finally:
        sys.setswitchinterval(interval)
    assert not any(thread.is_alive() for thread in threads.values())
    assert errors == {}
    assert missing == []


def test_a_deadlock_reported_while_locking_is_waited_out(
    logged_locks: LoggedLocks, tree: Tree, prefix: str
) -> None:
    # A cycle through a thread waiting inside module code is transient: the reload
    # lets its locks go, queues, and starts again instead of failing.
    p = prefix
    a, b = tree({f"{p}a.py": "X = 1\n", f"{p}b.py": f"from {p}a import X\n"}, f"{p}a", f"{p}b")
    events = logged_locks(lambda name: name == f"{p}b" and f"!{p}b" not in events)
    _rewrite(a, "X = 2\n")
    modutils.reload(a, dependents=True)
    assert b.X == 2
    assert events == [
        f"+{p}a",
        f"!{p}b",
        f"-{p}a",
        # Holding none, it waits for the contended lock, then starts again.
        f"+{p}b",
        f"-{p}b",
        f"+{p}a",
        f"+{p}b",
        f"-{p}b",
        f"-{p}a",
    ]


def test_a_concurrent_import_waits_while_a_failed_reload_rolls_back(
    monkeypatch: pytest.MonkeyPatch, tree: Tree, prefix: str
) -> None:
    name = f"{prefix}m"
    (module,) = tree({f"{name}.py": "VALUE = 1\n"}, name)
    _rewrite(module, "VALUE = 2\nLEFTOVER = 3\nraise RuntimeError('fails')\n")
    restored, release = threading.Event(), threading.Event()
    real = reloading._restore_namespace

    def restore_then_pause(namespace: dict[str, object], saved: dict[str, object]) -> None:
        # The old namespace, with the old __spec__, is back; the rollback is not over.
        real(namespace, saved)
        restored.set()
        assert release.wait(10)

    monkeypatch.setattr(reloading, "_restore_namespace", restore_then_pause)
    seen: dict[str, object] = {}

    def importer() -> None:
        namespace: dict[str, object] = {}
        exec(f"import {name} as module", namespace)
        seen.update(vars(namespace["module"]))

    threads, errors = _run_threads(
        ("reloader", lambda: modutils.reload(module)), ("importer", importer)
    )
    threads["reloader"].start()
    try:
        assert restored.wait(10)
        threads["importer"].start()
        threads["importer"].join(0.3)
        # Waiting for the module lock, not reading a namespace being rolled back.
        assert threads["importer"].is_alive()
    finally:
        release.set()
        for thread in threads.values():
            thread.join(10)
    assert isinstance(errors.pop("reloader"), ReloadError)
    assert errors == {}
    assert seen["VALUE"] == 1
    assert "LEFTOVER" not in seen


def _interrupt_at(codes: set[types.CodeType], target: int) -> tuple[object, list[int]]:
    """A trace function raising KeyboardInterrupt at bytecode number *target* of *codes*."""
    counter = itertools.count()
    fired: list[int] = []

    def local(frame: types.FrameType, event: str, arg: object) -> object:
        if event == "opcode" and next(counter) == target:
            fired.append(target)
            raise KeyboardInterrupt
        return local

    def calls(frame: types.FrameType, event: str, arg: object) -> object:
        if frame.f_code not in codes:
            return None
        frame.f_trace_opcodes = True
        return local

    return calls, fired


def test_an_interrupt_while_committing_never_drops_a_module(tree: Tree, prefix: str) -> None:
    # A KeyboardInterrupt raised at each bytecode of the commit in turn: wherever it
    # lands, the modules stay in sys.modules.
    p = prefix
    a, b = tree({f"{p}a.py": "X = 1\n", f"{p}b.py": f"from {p}a import X\n"}, f"{p}a", f"{p}b")
    codes = {reloading._Transaction.commit.__code__, reloading._move_to_end.__code__}
    for target in itertools.count():
        tracer, fired = _interrupt_at(codes, target)
        previous = sys.gettrace()
        sys.settrace(tracer)  # type: ignore[arg-type]
        try:
            modutils.reload(a, dependents=True)
        except KeyboardInterrupt:
            pass
        finally:
            sys.settrace(previous)
        assert sys.modules[a.__name__] is a
        assert sys.modules[b.__name__] is b
        if not fired:
            break
    if target == 0:
        # CPython 3.12.1's settrace (over sys.monitoring) may drop opcode events.
        pytest.skip(f"Python {sys.version.split()[0]} delivered no 'opcode' trace events")
    assert target > 5


# --- issue 15: the dependents graph reads only the sources that can import the target ----


def _edit_keeping_size(module_file: str, old: str, new: str) -> None:
    """Replace *old* by *new* (same length) and move the mtime on: only the stat tells."""
    path = Path(module_file)
    text = path.read_text(encoding="utf-8")
    assert len(old) == len(new)
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    mtime_ns = path.stat().st_mtime_ns + 2 * 10**9
    os.utime(path, ns=(mtime_ns, mtime_ns))


@pytest.mark.parametrize(
    ("before", "after", "dependent_after"),
    [
        pytest.param("c", "a", True, id="starts-importing"),
        pytest.param("a", "c", False, id="stops-importing"),
    ],
)
def test_the_graph_sees_an_edit_of_a_module_it_read_before(
    tree: Tree, prefix: str, before: str, after: str, dependent_after: bool
) -> None:
    # Whether the module's source was screened out (no mention of the target) or read
    # in full, the cached answer is dropped once the file's stat changes, even when
    # the size stays the same.
    p = prefix
    log = _log_module(p)
    tree(
        {
            f"{p}log.py": "events = []\n",
            f"{p}a.py": log,
            f"{p}c.py": "",
            f"{p}b.py": log + f"import {p}{before}\n",
        },
        f"{p}a",
        f"{p}b",
    )
    events = sys.modules[f"{p}log"].events
    events.clear()
    modutils.reload(f"{p}a", dependents=True)
    assert events == [f"{p}a", f"{p}b"][: 1 + (before == "a")]
    _edit_keeping_size(sys.modules[f"{p}b"].__file__ or "", f"{p}{before}\n", f"{p}{after}\n")
    events.clear()
    modutils.reload(f"{p}a", dependents=True)
    assert events == [f"{p}a", f"{p}b"][: 1 + dependent_after]


@pytest.mark.parametrize(
    ("importer", "source"),
    [
        pytest.param("user", "from . import VALUE\n", id="from-dot"),
        pytest.param("sub.deep", "from .. import VALUE\n", id="from-dot-dot"),
    ],
)
def test_a_relative_import_of_the_package_makes_a_dependent(
    tree: Tree, prefix: str, importer: str, source: str
) -> None:
    # The importer's source never spells the package's name.
    p = f"{prefix}pkg"
    log = _log_module(prefix)
    tree(
        {
            f"{prefix}log.py": "events = []\n",
            f"{p}/__init__.py": log + "VALUE = 1\n",
            f"{p}/sub/__init__.py": "",
            f"{p}/{importer.replace('.', '/')}.py": log + source,
        },
        f"{p}.{importer}",
    )
    events = sys.modules[f"{prefix}log"].events
    events.clear()
    modutils.reload(p, dependents=True)
    assert events == [p, f"{p}.{importer}"]


def test_a_name_spelled_with_compatibility_characters_makes_a_dependent(
    tree: Tree, prefix: str
) -> None:
    # The parser NFKC-normalises identifiers: `import \uff52l..._a` (a full-width r)
    # imports rl..._a, though the source's bytes never spell that name.
    p = prefix
    assert p.startswith("r")
    log = _log_module(p)
    tree(
        {
            f"{p}log.py": "events = []\n",
            f"{p}a.py": log,
            f"{p}b.py": log + f"import \uff52{p[1:]}a\n",
        },
        f"{p}a",
        f"{p}b",
    )
    assert sys.modules[f"{p}b"].__dict__[f"{p}a"] is sys.modules[f"{p}a"]
    events = sys.modules[f"{p}log"].events
    events.clear()
    modutils.reload(f"{p}a", dependents=True)
    assert events == [f"{p}a", f"{p}b"]


def test_threads_building_the_graph_with_small_caches_agree(
    tree: Tree, prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Entries are dropped while other threads store theirs: every thread still gets
    # the whole set, and none fails.
    p = prefix
    files = {f"{p}a.py": "", **{f"{p}d{i}.py": f"import {p}a\n" for i in range(12)}}
    files.update({f"{p}o{i}.py": "import os\n" for i in range(12)})
    tree(files, *(name[:-3] for name in files))
    monkeypatch.setattr(reloading, "_FACTS_CACHE_SIZE", 3)
    expected = [f"{p}a", *sorted(f"{p}d{i}" for i in range(12))]
    results: list[list[str]] = []
    errors: list[BaseException] = []

    def build() -> None:
        try:
            for _ in range(5):
                results.append(reloading._reload_order(f"{p}a"))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=build) for _ in range(6)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads switch between any two bytecodes
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        sys.setswitchinterval(interval)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    assert results == [expected] * 30
