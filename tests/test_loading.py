"""Tests for modutils.loading: import_path() and import_string()."""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import importlib.machinery
import importlib.util
import itertools
import keyword
import os
import pickle
import sys
import tempfile
import textwrap
import threading
import time
import types
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import WriteTree
from modutils import ModuleLoadError, import_path, import_string

_counter = itertools.count()


def unique(stem: str = "m") -> str:
    """A module name no other test uses."""
    return f"{stem}_loading_{next(_counter)}"


def write(path: Path, source: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return path


def state_diff(before: dict[str, types.ModuleType]) -> tuple[list[str], list[str], list[str]]:
    """(added, removed, replaced) names of sys.modules since *before*."""
    now = sys.modules
    added = [name for name in now if name not in before]
    removed = [name for name in before if name not in now]
    replaced = [name for name in before if name in now and now[name] is not before[name]]
    return added, removed, replaced


def assert_unchanged(before: dict[str, types.ModuleType], path: list[str]) -> None:
    assert state_diff(before) == ([], [], [])
    assert sys.path == path


@pytest.fixture
def snapshot() -> tuple[dict[str, types.ModuleType], list[str]]:
    """sys.modules and sys.path as they are when the test body starts."""
    return dict(sys.modules), sys.path[:]


@pytest.fixture
def shared() -> types.ModuleType:
    """A module the test's files import to report to the test (runs, events)."""
    module = types.ModuleType(unique("shared"))
    module.__dict__.update(runs=[], started=threading.Event(), release=threading.Event())
    sys.modules[module.__name__] = module
    return module


def run_threads(target: Callable[[], object], count: int) -> list[object]:
    """Run *target* in *count* threads started together; their results or exceptions."""
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count

    def worker(index: int) -> None:
        barrier.wait()
        try:
            results[index] = target()
        except BaseException as exc:  # reported to the test through results
            results[index] = exc

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "threads deadlocked"
    return results


# --- import_path: what gets loaded ---------------------------------------------------


@pytest.mark.parametrize(
    ("suffix", "name_end"), [(".py", ""), (".txt", ""), ("", ""), (".cfg.in", "_cfg")]
)
def test_loads_any_suffix_as_source_registered_before_it_runs(
    tmp_path: Path, suffix: str, name_end: str
) -> None:
    stem = unique()
    name = f"{stem}{name_end}"
    source = write(
        tmp_path / f"{stem}{suffix}",
        """
        import dataclasses, enum, pickle, sys, typing

        SEEN_DURING_RUN = sys.modules[__name__]

        @dataclasses.dataclass
        class Point:
            x: int

        class Color(enum.Enum):
            RED = 1

        HINTS = typing.get_type_hints(Point)
        PICKLED = pickle.loads(pickle.dumps(Point(1)))
        """,
    )
    module = import_path(source)
    assert module.__name__ == name
    assert sys.modules[name] is module
    assert module.SEEN_DURING_RUN is module
    assert module.HINTS["x"] is int
    assert isinstance(module.PICKLED, module.Point)
    assert module.__file__ == os.path.realpath(source)
    assert module.__spec__.name == name
    assert module.__spec__.origin == module.__file__


def test_file_is_the_absolute_resolved_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = unique()
    real = write(tmp_path / "real" / f"{name}.py", "X = 1\n")
    link = tmp_path / "link"
    link.symlink_to(real.parent, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    module = import_path(os.path.join("link", f"{name}.py"))
    assert module.__file__ == os.path.realpath(real)
    assert os.path.isabs(module.__file__)


def test_resolution_follows_a_repointed_folder_link(tmp_path: Path) -> None:
    name = unique()
    first = write(tmp_path / "first" / f"{name}.py", "WHICH = 'first'\n")
    second = write(tmp_path / "second" / f"{name}.py", "WHICH = 'second'\n")
    link = tmp_path / "link"
    link.symlink_to(first.parent, target_is_directory=True)
    assert import_path(link / f"{name}.py", name=unique()).__file__ == str(first)
    link.unlink()
    link.symlink_to(second.parent, target_is_directory=True)
    module = import_path(link / f"{name}.py", name=unique())
    assert (module.__file__, module.WHICH) == (str(second), "second")


def test_resolution_applies_dotdot_after_links_like_realpath(tmp_path: Path) -> None:
    name = unique()
    write(tmp_path / f"{name}.py", "WHERE = 'lexical'\n")
    real = write(tmp_path / "real" / f"{name}.py", "WHERE = 'resolved'\n")
    (tmp_path / "real" / "sub").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real" / "sub", target_is_directory=True)
    module = import_path(f"{tmp_path}/link/../{name}.py")
    assert (module.__file__, module.WHERE) == (str(real), "resolved")


def test_symlinked_file_is_named_after_its_target(tmp_path: Path) -> None:
    target_name = unique("target")
    real = write(tmp_path / "real" / f"{target_name}.py", "X = 1\n")
    (tmp_path / f"{unique('alias')}.py").symlink_to(real)
    alias = next(tmp_path.glob("alias_*.py"))
    module = import_path(alias)
    assert (module.__name__, module.__file__) == (target_name, str(real))


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        ("plain", "plain"),
        ("my-tool.v2", "my_tool_v2"),
        ("2fast", "_2fast"),
        ("with space", "with_space"),
        ("\ufb01le", "file"),  # the "fi" ligature: NFKC-normalised like the parser does
        ("caf\u00e9", "caf\u00e9"),
    ],
)
def test_default_name_is_the_stem_made_an_identifier(
    tmp_path: Path, stem: str, expected: str
) -> None:
    tag = unique("")
    module = import_path(write(tmp_path / f"{stem}{tag}.py", "X = 1\n"))
    assert module.__name__ == f"{expected}{tag}"
    assert module.__name__.isidentifier()
    assert sys.modules[module.__name__] is module


@pytest.mark.parametrize("target", ["folder", "init"])
def test_package_folder_loads_as_a_package(write_tree: WriteTree, target: str) -> None:
    pkg = unique("pkg")
    root = write_tree(
        {
            f"{pkg}/__init__.py": "from . import sub\nfrom .sub import VALUE\n",
            f"{pkg}/sub.py": "VALUE = 'sub'\n",
        }
    )
    path = root / pkg if target == "folder" else root / pkg / "__init__.py"
    module = import_path(path)
    assert module.__name__ == pkg
    assert module.__path__ == [str(root / pkg)]
    assert module.__file__ == str(root / pkg / "__init__.py")
    assert module.VALUE == "sub"
    assert sys.modules[f"{pkg}.sub"] is module.sub


def test_file_inside_packages_gets_dotted_name_and_parents(write_tree: WriteTree) -> None:
    top = unique("top")
    root = write_tree(
        {
            f"{top}/__init__.py": "TOP = 'top'\n",
            f"{top}/other.py": "OTHER = 'other'\n",
            f"{top}/inner/__init__.py": "",
            f"{top}/inner/sibling.py": "SIBLING = 'sibling'\n",
            f"{top}/inner/mod.py": """
                from . import sibling
                from .. import TOP
                from ..other import OTHER
                """,
        }
    )
    module = import_path(root / top / "inner" / "mod.py")
    assert module.__name__ == f"{top}.inner.mod"
    assert (module.sibling.SIBLING, module.TOP, module.OTHER) == ("sibling", "top", "other")
    assert sys.modules[top].__file__ == str(root / top / "__init__.py")
    assert sys.modules[f"{top}.inner"].__path__ == [str(root / top / "inner")]
    assert sys.modules[top].inner.mod is module


def test_explicit_name_loads_no_parent_packages(
    write_tree: WriteTree, snapshot: tuple[dict[str, types.ModuleType], list[str]]
) -> None:
    top, name = unique("top"), unique()
    root = write_tree({f"{top}/__init__.py": "", f"{top}/mod.py": "from . import sibling\n"})
    with pytest.raises(ModuleLoadError, match="no known parent package"):
        import_path(root / top / "mod.py", name=name)
    assert_unchanged(*snapshot)
    write_tree({f"{top}/mod.py": "X = 1\n"})
    assert import_path(root / top / "mod.py", name=name).X == 1
    assert top not in sys.modules


def test_parent_already_imported_from_its_folder_is_reused(write_tree: WriteTree) -> None:
    top = unique("top")
    root = write_tree({f"{top}/__init__.py": "", f"{top}/mod.py": "from . import __name__ as P\n"})
    package = import_path(root / top)
    module = import_path(root / top / "mod.py")
    assert sys.modules[top] is package
    assert package.mod is module


# --- import_path: bad input ----------------------------------------------------------


@pytest.mark.parametrize(
    ("make_path", "error", "match"),
    [
        (lambda tmp: tmp / "missing.py", FileNotFoundError, "missing.py"),
        (lambda tmp: tmp / "nofile.py" / "below.py", FileNotFoundError, "below.py"),
        (lambda tmp: tmp / "plain_folder", ValueError, "no __init__.py"),
        (lambda tmp: "", ValueError, "not a usable path"),
        (lambda tmp: f"{tmp}/x\0.py", ValueError, "not a usable path"),
        (lambda tmp: 42, TypeError, "int"),
        (lambda tmp: None, TypeError, "None"),
        (lambda tmp: str(tmp / "x.py").encode(), TypeError, "bytes"),
    ],
)
def test_bad_paths(
    tmp_path: Path,
    snapshot: tuple[dict[str, types.ModuleType], list[str]],
    make_path: Callable[[Path], object],
    error: type[Exception],
    match: str,
) -> None:
    (tmp_path / "plain_folder").mkdir()
    (tmp_path / "nofile.py").write_text("")
    with pytest.raises(error, match=match):
        import_path(make_path(tmp_path))  # type: ignore[arg-type]
    assert_unchanged(*snapshot)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs os.mkfifo")
def test_not_a_regular_file(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.py"
    os.mkfifo(fifo)
    with pytest.raises(ValueError, match="neither a regular file"):
        import_path(fifo)


@pytest.mark.parametrize(
    ("name", "error"), [("a..b", ValueError), ("1x", ValueError), (3, TypeError)]
)
def test_bad_names(tmp_path: Path, name: object, error: type[Exception]) -> None:
    source = write(tmp_path / "ok.py", "X = 1\n")
    with pytest.raises(error, match="module name"):
        import_path(source, name=name)  # type: ignore[arg-type]


# --- import_path: once per name ------------------------------------------------------


@pytest.mark.parametrize("replace", [False, True])
def test_same_file_same_name_runs_once(
    tmp_path: Path, shared: types.ModuleType, monkeypatch: pytest.MonkeyPatch, replace: bool
) -> None:
    name = unique()
    source = write(tmp_path / f"{name}.py", f"import {shared.__name__} as s\ns.runs.append(1)\n")
    first = import_path(source)
    monkeypatch.chdir(tmp_path)
    assert import_path(f"{name}.py", replace=replace) is first
    assert import_path(str(source), name=name) is first
    assert shared.runs == [1]


def test_module_imported_normally_is_recognised(write_tree: WriteTree) -> None:
    name = unique()
    root = write_tree({f"{name}.py": "X = object()\n"})
    sys.path.insert(0, str(root))
    module = importlib.import_module(name)
    assert import_path(root / f"{name}.py") is module


def test_name_taken_by_another_module(
    tmp_path: Path, snapshot: tuple[dict[str, types.ModuleType], list[str]]
) -> None:
    source = write(tmp_path / "json_twin.py", "X = 1\n")
    with pytest.raises(ValueError, match=r"'json'.*already taken by <module 'json'") as info:
        import_path(source, name="json")
    assert str(source) in str(info.value)
    assert_unchanged(*snapshot)


def test_blocked_name(tmp_path: Path) -> None:
    name = unique()
    sys.modules[name] = None  # type: ignore[assignment]
    with pytest.raises(ValueError, match="blocked by None"):
        import_path(write(tmp_path / "blocked.py", ""), name=name)
    assert sys.modules[name] is None


def test_replace_swaps_the_module_and_its_parent_attribute(write_tree: WriteTree) -> None:
    top = unique("top")
    root = write_tree({f"{top}/__init__.py": "", f"{top}/mod.py": "WHICH = 'old'\n"})
    old = import_path(root / top / "mod.py")
    new_file = write(root / "elsewhere.py", "WHICH = 'new'\n")
    new = import_path(new_file, name=f"{top}.mod", replace=True)
    assert new.WHICH == "new"
    assert sys.modules[f"{top}.mod"] is new
    assert sys.modules[top].mod is new
    assert old.WHICH == "old"


def test_failed_replace_puts_the_old_module_back(write_tree: WriteTree) -> None:
    top = unique("top")
    root = write_tree({f"{top}/__init__.py": "", f"{top}/mod.py": "WHICH = 'old'\n"})
    old = import_path(root / top / "mod.py")
    before, path = dict(sys.modules), sys.path[:]
    bad = write(root / "bad.py", "raise RuntimeError('nope')\n")
    with pytest.raises(ModuleLoadError):
        import_path(bad, name=f"{top}.mod", replace=True)
    assert_unchanged(before, path)
    assert sys.modules[top].mod is old


@pytest.mark.parametrize("imported", [False, True])
def test_package_chain_never_shadows_a_stdlib_package(
    write_tree: WriteTree,
    snapshot: tuple[dict[str, types.ModuleType], list[str]],
    monkeypatch: pytest.MonkeyPatch,
    imported: bool,
) -> None:
    root = write_tree({"email/__init__.py": "", "email/mod.py": "X = 1\n"})
    if imported:
        import email  # noqa: F401  # the stdlib package now owns the name 'email'
    else:
        for name in [name for name in sys.modules if name.split(".")[0] == "email"]:
            monkeypatch.delitem(sys.modules, name)
    before = dict(sys.modules)
    with pytest.raises(ValueError, match=r"as 'email\.mod': that would shadow the package 'email'"):
        import_path(root / "email" / "mod.py")
    assert_unchanged(before, snapshot[1])


def test_module_that_replaces_itself_in_sys_modules(tmp_path: Path) -> None:
    name = unique()
    source = write(
        tmp_path / f"{name}.py",
        "import sys, types\nsys.modules[__name__] = types.SimpleNamespace(SWAPPED=True)\n",
    )
    assert import_path(source).SWAPPED is True


# --- import_path: naming rules --------------------------------------------------------


def _stdlib_module_not_imported(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    for loaded in [loaded for loaded in sys.modules if loaded.split(".")[0] == name]:
        monkeypatch.delitem(sys.modules, loaded)


@pytest.mark.parametrize(
    ("stem", "shadowed"),
    [
        ("secrets", "secrets"),  # the standard library, not imported yet
        ("json", "json"),  # the standard library, imported
        ("installed", "installed"),  # an installed distribution (pip where there is one)
        ("sitemod", "sitemod"),  # a module on sys.path, not imported
    ],
)
@pytest.mark.parametrize("finders", ["as they are", "standard"])
def test_derived_name_never_shadows_an_importable_module(
    tmp_path: Path,
    snapshot: tuple[dict[str, types.ModuleType], list[str]],
    monkeypatch: pytest.MonkeyPatch,
    stem: str,
    shadowed: str,
    finders: str,
) -> None:
    if finders == "standard":
        # The fast answer, from the FileFinders' listings, is used only with known
        # finders; pytest's assertion rewriter is not one of them.
        monkeypatch.setattr(sys, "meta_path", _standard_finders())
    if stem == "secrets":
        _stdlib_module_not_imported(monkeypatch, "secrets")
    if stem == "installed":
        # pip is not imported by the test run, but not every environment has it;
        # pytest's pluggy is installed wherever the tests run (and imported).
        stem = shadowed = "pip" if importlib.util.find_spec("pip") is not None else "pluggy"
    if stem == "sitemod":
        write(tmp_path / "site" / "sitemod.py", "raise RuntimeError('must not run')\n")
        sys.path.insert(0, str(tmp_path / "site"))
    # A miss walks every sys.path entry: each has its finder and listing from now on.
    assert importlib.machinery.PathFinder.find_spec(unique("missing")) is None
    before, path = dict(sys.modules), sys.path[:]
    plugin = write(tmp_path / "plugins" / f"{stem}.py", "PLUGIN = True\n")
    with pytest.raises(ValueError, match=rf"that would shadow the module '{shadowed}'") as info:
        import_path(plugin)
    assert "name=" in str(info.value)
    assert "root=" in str(info.value)
    assert_unchanged(before, path)  # found statically: nothing imported
    module = import_path(plugin, name=unique(stem))
    assert module.PLUGIN is True
    if stem == "secrets":
        import secrets

        assert callable(secrets.token_hex)


def _standard_finders() -> list[object]:
    standard = (
        importlib.machinery.BuiltinImporter,
        importlib.machinery.FrozenImporter,
        importlib.machinery.PathFinder,
    )
    return [finder for finder in sys.meta_path if finder in standard]


@pytest.mark.parametrize("then", ["invalidate_caches", "wait"])
def test_a_module_created_on_sys_path_later_is_not_shadowed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, then: str
) -> None:
    # The folder listings are cached; a new module file is seen after
    # importlib.invalidate_caches(), or once the short trust window has passed.
    # Only the standard finders: pytest's assertion rewriter makes every look-up
    # take the full path, which caches nothing.
    monkeypatch.setattr(sys, "meta_path", _standard_finders())
    name = unique("late")
    site = tmp_path / "site"
    site.mkdir()
    sys.path.insert(0, str(site))
    for _ in range(2):  # the first makes the finders, the second caches their listings
        warm = import_path(write(tmp_path / "plugins" / f"{unique('warm')}.py", ""))
        assert warm.__name__.startswith("warm")
    write(site / f"{name}.py", "X = 1\n")
    if then == "invalidate_caches":
        importlib.invalidate_caches()
    else:
        time.sleep(0.05)
    with pytest.raises(ValueError, match=f"would shadow the module '{name}'"):
        import_path(write(tmp_path / "plugins" / f"{name}.py", "X = 2\n"))


def test_derived_name_of_a_module_loaded_from_elsewhere_is_refused(tmp_path: Path) -> None:
    name = unique()
    first = import_path(write(tmp_path / "a" / f"{name}.py", "WHERE = 'a'\n"))
    with pytest.raises(ValueError, match=f"would shadow the module '{name}'"):
        import_path(write(tmp_path / "b" / f"{name}.py", "WHERE = 'b'\n"))
    assert sys.modules[name] is first
    # replace=True still replaces a loaded module on purpose.
    second = import_path(tmp_path / "b" / f"{name}.py", replace=True)
    assert (sys.modules[name], second.WHERE) == (second, "b")


@pytest.mark.parametrize("first", ["import", "import_path"])
def test_canonical_name_through_namespace_folders(
    write_tree: WriteTree, shared: types.ModuleType, first: str
) -> None:
    company = unique("company")
    root = write_tree(
        {
            f"dist/com_{company}/{company}/calc/__init__.py": "",
            f"dist/com_{company}/{company}/calc/algo.py": (
                f"import {shared.__name__} as s\ns.runs.append(__name__)\n"
            ),
        }
    )
    sys.path.insert(0, str(root / "dist"))
    dotted = f"com_{company}.{company}.calc.algo"
    file = root / "dist" / f"com_{company}" / company / "calc" / "algo.py"
    if first == "import":
        imported = importlib.import_module(dotted)
        loaded = import_path(file)
    else:
        loaded = import_path(file)
        imported = importlib.import_module(dotted)
    assert loaded is imported
    assert loaded.__name__ == dotted
    assert shared.runs == [dotted]  # ran once, as one module
    assert sys.modules[f"com_{company}.{company}.calc"].algo is loaded


def test_canonical_name_of_a_hidden_file_is_not_used(write_tree: WriteTree) -> None:
    name = unique()
    root = write_tree({f"first/{name}.py": "WHICH = 1\n", f"second/{name}.py": "WHICH = 2\n"})
    sys.path[:0] = [str(root / "first"), str(root / "second")]
    # second/<name>.py is not what `import <name>` gives: its derived name would shadow.
    with pytest.raises(ValueError, match="would shadow"):
        import_path(root / "second" / f"{name}.py")
    assert import_path(root / "first" / f"{name}.py").WHICH == 1


def test_root_names_same_stem_files_side_by_side(write_tree: WriteTree) -> None:
    group_a, group_b = unique("ga"), unique("gb")
    root = write_tree(
        {f"{group_a}/test_x.py": "WHICH = 'a'\n", f"{group_b}/test_x.py": "WHICH = 'b'\n"}
    )
    first = import_path(root / group_a / "test_x.py", root=root)
    second = import_path(root / group_b / "test_x.py", root=root)
    assert (first.__name__, first.WHICH) == (f"{group_a}.test_x", "a")
    assert (second.__name__, second.WHICH) == (f"{group_b}.test_x", "b")
    for group, module in ((group_a, first), (group_b, second)):
        parent = sys.modules[group]
        assert parent.__path__ == [str(root / group)]
        assert parent.test_x is module
        assert not hasattr(parent, "__file__")
        assert __import__(f"{group}.test_x") is parent
    # The created parent works as a package: a sibling imports from its folder.
    write(root / group_a / "sibling.py", "SIBLING = True\n")
    importlib.invalidate_caches()
    assert importlib.import_module(f"{group_a}.sibling").SIBLING is True


def test_root_runs_the_init_of_package_folders(write_tree: WriteTree) -> None:
    group = unique("grp")
    root = write_tree({f"{group}/__init__.py": "INIT = True\n", f"{group}/mod.py": "X = 1\n"})
    module = import_path(root / group / "mod.py", root=root / "")
    assert module.__name__ == f"{group}.mod"
    assert sys.modules[group].INIT is True


@pytest.mark.parametrize(
    ("make_root", "error", "match"),
    [
        (lambda tmp: tmp / "other", ValueError, "not inside that folder"),
        (lambda tmp: tmp / "missing", FileNotFoundError, "does not exist"),
        (lambda tmp: tmp / "tree" / "bad-dir" / "m.py", ValueError, "not a folder"),
        (lambda tmp: tmp / "tree", ValueError, "'bad-dir' is not a valid module name part"),
        (lambda tmp: 3, TypeError, "root must be a str"),
    ],
)
def test_bad_roots(
    write_tree: WriteTree,
    tmp_path: Path,
    snapshot: tuple[dict[str, types.ModuleType], list[str]],
    make_root: Callable[[Path], object],
    error: type[Exception],
    match: str,
) -> None:
    root = write_tree({"bad-dir/m.py": "X = 1\n"})
    (tmp_path / "other").mkdir()
    with pytest.raises(error, match=match):
        import_path(root / "bad-dir" / "m.py", root=make_root(tmp_path))  # type: ignore[arg-type]
    assert_unchanged(*snapshot)


def test_name_and_root_together_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="name= or root=, not both"):
        import_path(write(tmp_path / "m.py", ""), name=unique(), root=tmp_path)


def test_dotted_name_creates_missing_parents(tmp_path: Path) -> None:
    outer = unique("outer")
    file = write(tmp_path / "inner" / "leaf.py", "X = 1\n")
    module = import_path(file, name=f"{outer}.inner.leaf")
    inner = sys.modules[f"{outer}.inner"]
    assert inner.__path__ == [str(tmp_path / "inner")]  # the folder that matches the name
    assert sys.modules[outer].__path__ == []  # no folder is called like it
    assert sys.modules[outer].inner is inner
    assert inner.leaf is module


def test_dotted_name_keeps_and_imports_existing_parents(write_tree: WriteTree) -> None:
    loaded, importable = unique("loaded"), unique("importable")
    root = write_tree(
        {f"{loaded}/__init__.py": "", f"{importable}/__init__.py": "IMPORTED = True\n"}
    )
    sys.path.insert(0, str(root))
    package = importlib.import_module(loaded)
    extra = write(root / "elsewhere" / "extra.py", "X = 1\n")
    module = import_path(extra, name=f"{loaded}.extra")
    assert sys.modules[loaded] is package
    assert package.extra is module
    other = import_path(extra, name=f"{importable}.extra")
    assert sys.modules[importable].IMPORTED is True  # imported, not created empty
    assert sys.modules[importable].extra is other


def test_dotted_name_with_a_blocked_parent_is_refused(
    tmp_path: Path, snapshot: tuple[dict[str, types.ModuleType], list[str]]
) -> None:
    blocked = unique("blocked")
    sys.modules[blocked] = None  # type: ignore[assignment]
    before = dict(sys.modules)
    with pytest.raises(ValueError, match=f"parent package '{blocked}' is blocked by None"):
        import_path(write(tmp_path / "leaf.py", "X = 1\n"), name=f"{blocked}.leaf")
    assert_unchanged(before, snapshot[1])


def test_dotted_name_whose_importable_parent_fails_rolls_back(
    write_tree: WriteTree, snapshot: tuple[dict[str, types.ModuleType], list[str]]
) -> None:
    broken = unique("broken")
    root = write_tree({f"{broken}/__init__.py": "import colorsys\nraise RuntimeError('init')\n"})
    sys.path.insert(0, str(root))
    before, path = dict(sys.modules), sys.path[:]
    with pytest.raises(ModuleLoadError, match=f"parent package '{broken}' failed") as info:
        import_path(write(root / "elsewhere" / "leaf.py", "X = 1\n"), name=f"{broken}.leaf")
    assert isinstance(info.value.__cause__, RuntimeError)
    assert_unchanged(before, path)


_PICKLED_SOURCE = """
from __future__ import annotations

import dataclasses


def function() -> int:
    return 1


class Class:
    value: int = 2

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)


@dataclasses.dataclass
class Record:
    name: str
    size: int = 0
"""


@pytest.mark.parametrize("how", ["name", "root"])
@pytest.mark.parametrize("what", ["function", "class", "instance", "dataclass"])
def test_objects_of_dotted_modules_pickle(tmp_path: Path, how: str, what: str) -> None:
    group = unique("grp")
    file = write(tmp_path / group / "test_x.py", _PICKLED_SOURCE)
    if how == "name":
        module = import_path(file, name=f"{group}.test_x")
    else:
        module = import_path(file, root=tmp_path)
    assert module.__name__ == f"{group}.test_x"
    objects: dict[str, object] = {
        "function": module.function,
        "class": module.Class,
        "instance": module.Class(),
        "dataclass": module.Record("x", 3),
    }
    original = objects[what]
    copy = pickle.loads(pickle.dumps(original))
    assert copy == original
    assert typing_hints(module.Record) == {"name": str, "size": int}
    assert [field.name for field in dataclasses.fields(module.Record)] == ["name", "size"]


def typing_hints(cls: type) -> dict[str, object]:
    import typing

    return typing.get_type_hints(cls)


@pytest.mark.parametrize("how", ["name", "root"])
def test_failed_load_removes_the_parents_it_created(
    tmp_path: Path, snapshot: tuple[dict[str, types.ModuleType], list[str]], how: str
) -> None:
    group = unique("grp")
    file = write(tmp_path / group / "sub" / "bad.py", "import colorsys\nraise RuntimeError('no')\n")
    options: dict[str, object] = (
        {"name": f"{group}.sub.bad"} if how == "name" else {"root": tmp_path}
    )
    with pytest.raises(ModuleLoadError):
        import_path(file, **options)  # type: ignore[arg-type]
    assert_unchanged(*snapshot)
    assert not any(name.startswith(group) for name in sys.modules)


def test_threads_loading_the_same_path_with_created_parents(
    tmp_path: Path, shared: types.ModuleType
) -> None:
    group = unique("grp")
    file = write(
        tmp_path / group / "mod.py",
        f"import time\nimport {shared.__name__} as s\ns.runs.append(1)\ntime.sleep(0.02)\n",
    )
    results = run_threads(lambda: import_path(file, root=tmp_path), 8)
    assert all(isinstance(result, types.ModuleType) for result in results), results
    assert all(result is results[0] for result in results)
    assert shared.runs == [1]
    assert sys.modules[group].mod is results[0]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_symbolic_link_loop_is_a_value_error(
    tmp_path: Path, snapshot: tuple[dict[str, types.ModuleType], list[str]]
) -> None:
    (tmp_path / "a.py").symlink_to(tmp_path / "b.py")
    (tmp_path / "b.py").symlink_to(tmp_path / "a.py")
    with pytest.raises(ValueError, match="symbolic-link loop"):
        import_path(tmp_path / "a.py")
    assert_unchanged(*snapshot)


# --- import_path: concurrency -------------------------------------------------------


def test_threads_run_the_file_once(tmp_path: Path, shared: types.ModuleType) -> None:
    source = write(
        tmp_path / f"{unique()}.py",
        f"""
        import time
        import {shared.__name__} as s
        s.runs.append(1)
        time.sleep(0.05)  # keep the other threads waiting on the lock
        DONE = True
        """,
    )

    def load() -> object:
        module = import_path(source)
        return module if hasattr(module, "DONE") else "got the module half-run"

    results = run_threads(load, 8)
    assert all(isinstance(result, types.ModuleType) for result in results), results
    assert all(result is results[0] for result in results)
    assert shared.runs == [1]


def test_threads_waiting_on_a_failing_file(
    tmp_path: Path,
    shared: types.ModuleType,
    snapshot: tuple[dict[str, types.ModuleType], list[str]],
) -> None:
    name = unique()
    source = write(
        tmp_path / f"{name}.py",
        f"""
        import time
        import {shared.__name__} as s
        s.runs.append(1)
        time.sleep(0.02)
        raise RuntimeError("half-way")
        """,
    )
    results = run_threads(lambda: import_path(source), 8)
    assert all(isinstance(result, ModuleLoadError) for result in results), results
    assert_unchanged(*snapshot)
    # The lock was released every time: the fixed file now loads.
    write(source, "FIXED = True\n")
    assert import_path(source).FIXED is True


def test_concurrent_plain_import_waits_for_the_whole_module(
    tmp_path: Path, shared: types.ModuleType
) -> None:
    name = unique()
    write(
        tmp_path / f"{name}.py",
        f"""
        import {shared.__name__} as s
        s.started.set()
        s.release.wait(10)
        COMPLETE = True
        """,
    )
    sys.path.insert(0, str(tmp_path))
    loaded: list[types.ModuleType] = []
    loader = threading.Thread(target=lambda: loaded.append(import_path(tmp_path / f"{name}.py")))
    loader.start()
    assert shared.started.wait(10)
    seen: list[bool] = []
    importer = threading.Thread(
        target=lambda: seen.append(hasattr(importlib.import_module(name), "COMPLETE"))
    )
    importer.start()
    importer.join(0.1)  # give the plain import time to block on the module lock
    shared.release.set()
    loader.join(10)
    importer.join(10)
    assert seen == [True]
    assert sys.modules[name] is loaded[0]


def test_module_loading_its_own_file_gets_itself(tmp_path: Path) -> None:
    name = unique()
    source = write(
        tmp_path / f"{name}.py",
        """
        from modutils import import_path
        SELF = import_path(__file__)
        """,
    )
    module = import_path(source)
    assert module.SELF is module


# The other thread's module: it stays mid-import until the test releases it.
_SLOW_OTHER = """
import {shared} as s
s.started.set()
s.release.wait(10)
DONE = True
"""
# The module whose load fails while the other thread is still importing.
_FAILS_WHILE_OTHER_LOADS = """
import {shared} as s
s.start_other()
assert s.started.wait(10)
raise RuntimeError("while the other thread is still loading")
"""


def _load_when_started(shared: types.ModuleType, load: Callable[[], object]) -> list[object]:
    """Make ``shared.start_other()`` run *load* in a new thread; its result or error lands in
    the returned list. The failing module calls it after its load took its snapshot."""
    loaded: list[object] = []

    def run() -> None:
        try:
            loaded.append(load())
        except BaseException as exc:  # reported to the test through loaded
            loaded.append(exc)

    shared.__dict__["start_other"] = lambda: threading.Thread(target=run, daemon=True).start()
    return loaded


def _wait_for(loaded: list[object]) -> None:
    """Wait (at most 10 s) until the other thread has reported."""
    for _ in range(1000):
        if loaded:
            break
        time.sleep(0.01)


def test_two_threads_loading_each_other_do_not_deadlock(
    tmp_path: Path, shared: types.ModuleType
) -> None:
    x_name, y_name = unique("x"), unique("y")
    shared.__dict__.update(x_started=threading.Event(), y_started=threading.Event())
    template = """
        import {shared} as s
        from modutils import import_path
        s.{me}_started.set()
        s.{other}_started.wait(10)
        OTHER = import_path({other_path!r})
        """
    x_path, y_path = tmp_path / f"{x_name}.py", tmp_path / f"{y_name}.py"
    common = {"shared": shared.__name__}
    write(x_path, template.format(**common, me="x", other="y", other_path=str(y_path)))
    write(y_path, template.format(**common, me="y", other="x", other_path=str(x_path)))
    paths = iter([x_path, y_path])
    lock = threading.Lock()

    def load() -> types.ModuleType:
        with lock:
            path = next(paths)
        return import_path(path)

    results = run_threads(load, 2)
    assert all(isinstance(result, types.ModuleType) for result in results), results
    x_module, y_module = sys.modules[x_name], sys.modules[y_name]
    assert x_module.OTHER is y_module
    assert y_module.OTHER is x_module


@pytest.mark.parametrize("how", ["import", "import_path"])
def test_failure_keeps_a_module_another_thread_is_still_loading(
    tmp_path: Path, shared: types.ModuleType, how: str
) -> None:
    # A rollback of the whole of sys.modules would take the other thread's module
    # out from under it: importlib then fails with a KeyError when it pops the
    # module back out of sys.modules, and import_path returns an unregistered module.
    other, failing = unique("other"), unique("failing")
    write(
        tmp_path / f"{other}.py",
        _SLOW_OTHER.format(shared=shared.__name__),
    )
    bad = write(
        tmp_path / "sub" / f"{failing}.py",
        _FAILS_WHILE_OTHER_LOADS.format(shared=shared.__name__),
    )
    sys.path.insert(0, str(tmp_path))
    before, path = dict(sys.modules), sys.path[:]
    if how == "import":
        loaded = _load_when_started(shared, lambda: importlib.import_module(other))
    else:
        loaded = _load_when_started(shared, lambda: import_path(tmp_path / f"{other}.py"))
    try:
        with pytest.raises(ModuleLoadError, match="while the other thread"):
            import_path(bad)
        assert state_diff(before) == ([other], [], [])
    finally:
        shared.release.set()
    _wait_for(loaded)
    assert len(loaded) == 1
    assert isinstance(loaded[0], types.ModuleType), loaded
    assert loaded[0].DONE is True
    assert sys.modules[other] is loaded[0]
    assert sys.path == path


def test_failure_keeps_a_submodule_another_threads_package_import_has_imported(
    tmp_path: Path, shared: types.ModuleType
) -> None:
    # The submodule's own import is finished (its lock is free), but the package
    # that imported it is still being imported by the other thread: taking the
    # submodule out would leave that package pointing at a module that a later
    # `import pkg.child` would import again as a second object.
    package, failing = unique("pkg"), unique("failing")
    write(tmp_path / "path" / package / "child.py", "CHILD = True\n")
    write(
        tmp_path / "path" / package / "__init__.py",
        f"""
        from . import child
        import {shared.__name__} as s
        s.started.set()
        s.release.wait(10)
        """,
    )
    bad = write(
        tmp_path / "elsewhere" / f"{failing}.py",
        f"""
        import {shared.__name__} as s
        s.start_other()
        assert s.started.wait(10)
        raise RuntimeError("while the other thread is still importing the package")
        """,
    )
    sys.path.insert(0, str(tmp_path / "path"))
    before = dict(sys.modules)
    loaded = _load_when_started(shared, lambda: importlib.import_module(package))
    try:
        with pytest.raises(ModuleLoadError, match="still importing the package"):
            import_path(bad)
        kept = state_diff(before)
    finally:
        shared.release.set()
    _wait_for(loaded)
    assert kept == ([package, f"{package}.child"], [], [])
    assert isinstance(loaded[0], types.ModuleType), loaded
    assert sys.modules[f"{package}.child"] is loaded[0].child


# --- import_path: register=False ----------------------------------------------------


def test_unregistered_load_touches_nothing(
    write_tree: WriteTree, snapshot: tuple[dict[str, types.ModuleType], list[str]]
) -> None:
    top = unique("top")
    root = write_tree({f"{top}/__init__.py": "", f"{top}/mod.py": "X = object()\n"})
    first = import_path(root / top / "mod.py", register=False)
    second = import_path(root / top / "mod.py", register=False)
    assert first.__name__ == f"{top}.mod"
    assert first is not second
    assert first.X is not second.X
    assert_unchanged(*snapshot)


def test_unregistered_relative_import_needs_an_importable_package(
    write_tree: WriteTree, snapshot: tuple[dict[str, types.ModuleType], list[str]]
) -> None:
    top = unique("top")
    root = write_tree(
        {
            f"{top}/__init__.py": "",
            f"{top}/sib.py": "S = 1\n",
            f"{top}/mod.py": "from . import sib\n",
        }
    )
    with pytest.raises(ModuleLoadError, match=f"No module named '{top}'"):
        import_path(root / top / "mod.py", register=False)
    assert_unchanged(*snapshot)
    sys.path.insert(0, str(root))
    module = import_path(root / top / "mod.py", register=False)
    assert module.sib is sys.modules[f"{top}.sib"]
    assert f"{top}.mod" not in sys.modules


# --- import_path: failures ----------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "cause"),
    [
        ("import {helper}\nX = 1\nraise RuntimeError('half-way')\nY = 2\n", RuntimeError),
        ("import {helper}\ndef broken(:\n", SyntaxError),
        ("import {helper}\nimport modutils_no_such_dependency\n", ModuleNotFoundError),
    ],
)
@pytest.mark.parametrize("register", [True, False])
def test_failure_restores_sys_modules(
    write_tree: WriteTree,
    snapshot: tuple[dict[str, types.ModuleType], list[str]],
    source: str,
    cause: type[BaseException],
    register: bool,
) -> None:
    helper, name = unique("helper"), unique()
    root = write_tree({f"{helper}.py": "H = 1\n"})
    sys.path.insert(0, str(root))
    before = dict(sys.modules)
    path = sys.path[:]
    bad = write(root.parent / "elsewhere" / f"{name}.py", source.format(helper=helper))
    with pytest.raises(ModuleLoadError) as info:
        import_path(bad, register=register)
    error = info.value
    assert isinstance(error.__cause__, cause)
    assert (error.name, error.path) == (name, str(bad))
    assert str(bad) in str(error)
    assert cause.__name__ in str(error)
    if cause is not SyntaxError:
        assert helper not in sys.modules  # imported by the failing code, rolled back
    assert_unchanged(before, path)


def test_base_exceptions_propagate_after_rollback(
    tmp_path: Path, snapshot: tuple[dict[str, types.ModuleType], list[str]]
) -> None:
    source = write(tmp_path / f"{unique()}.py", "import sys\nsys.exit(3)\n")
    with pytest.raises(SystemExit):
        import_path(source)
    assert_unchanged(*snapshot)


@pytest.mark.parametrize("failing", ["top", "inner", "mod"])
@pytest.mark.parametrize("top_loaded", [False, True])
def test_failure_inside_a_package_removes_the_parents_it_loaded(
    write_tree: WriteTree, failing: str, top_loaded: bool
) -> None:
    top = unique("top")
    boom = "raise ValueError('boom')\n"
    root = write_tree(
        {
            f"{top}/__init__.py": boom if failing == "top" else "",
            f"{top}/inner/__init__.py": boom if failing == "inner" else "",
            f"{top}/inner/mod.py": boom if failing == "mod" else "",
        }
    )
    if top_loaded and failing != "top":
        import_path(root / top)
    before, path = dict(sys.modules), sys.path[:]
    with pytest.raises(ModuleLoadError) as info:
        import_path(root / top / "inner" / "mod.py")
    failed = {"top": top, "inner": f"{top}.inner", "mod": f"{top}.inner.mod"}[failing]
    assert info.value.name == failed
    assert isinstance(info.value.__cause__, ValueError)
    if failing != "mod":
        assert f"parent package of '{top}.inner.mod'" in str(info.value)
    assert_unchanged(before, path)
    if top in sys.modules:
        assert not hasattr(sys.modules[top], "inner")


def test_load_error_message_for_a_nested_import_path_failure(tmp_path: Path) -> None:
    inner = write(tmp_path / f"{unique('inner')}.py", "1 / 0\n")
    outer = write(
        tmp_path / f"{unique('outer')}.py",
        f"from modutils import import_path\nimport_path({str(inner)!r})\n",
    )
    with pytest.raises(ModuleLoadError) as info:
        import_path(outer)
    assert info.value.path == str(outer)
    assert isinstance(info.value.__cause__, ModuleLoadError)
    assert isinstance(info.value.__cause__.__cause__, ZeroDivisionError)


# --- import_path: what the fast path must keep --------------------------------------


@pytest.mark.parametrize(
    "target", ["plain.py", "dots.in.name.py", "trailing..py", "conf.txt", "pkg"]
)
def test_module_namespace_is_what_module_from_spec_makes(tmp_path: Path, target: str) -> None:
    if target == "pkg":
        write(tmp_path / "pkg" / "__init__.py", "")
        file = tmp_path / "pkg" / "__init__.py"
    else:
        file = write(tmp_path / target, "")
    name = unique()
    module = import_path(tmp_path / target, name=name)
    spec = importlib.util.spec_from_file_location(
        name,
        file,
        loader=module.__loader__,
        submodule_search_locations=[str(tmp_path / "pkg")] if target == "pkg" else None,
    )
    assert spec is not None
    expected = importlib.util.module_from_spec(spec)
    ours = {k: v for k, v in vars(module).items() if k != "__builtins__"}
    theirs = vars(expected)
    assert list(ours) == list(theirs)
    assert {k: v for k, v in ours.items() if k != "__spec__"} == {
        k: v for k, v in theirs.items() if k != "__spec__"
    }
    own_spec = module.__spec__
    assert own_spec is not None
    for attribute in ("name", "origin", "has_location", "cached", "parent", "loader"):
        assert getattr(own_spec, attribute) == getattr(spec, attribute), attribute
    assert own_spec.submodule_search_locations == spec.submodule_search_locations


@pytest.mark.parametrize("prefix", [False, True])
def test_cached_is_where_cache_from_source_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, prefix: bool
) -> None:
    if prefix:
        monkeypatch.setattr(sys, "pycache_prefix", str(tmp_path / "prefix"))
    file = write(tmp_path / f"{unique()}.v2.py", "X = 1\n")
    module = import_path(file)
    assert module.__cached__ == importlib.util.cache_from_source(str(file))
    assert module.__spec__ is not None
    assert module.__spec__.cached == module.__cached__


def test_loader_stats_the_file_afresh_after_the_load(tmp_path: Path) -> None:
    # import_path hands its own stat of the file to the loader for the bytecode
    # check; a later get_code (a reload) must see the file as it is then.
    name = unique()
    file = write(tmp_path / f"{name}.py", "X = 1\n")
    module = import_path(file)
    loader = module.__loader__
    assert isinstance(loader, importlib.machinery.SourceFileLoader)
    assert vars(loader) == vars(importlib.machinery.SourceFileLoader(name, str(file)))
    write(file, "X = 22222\n")
    assert loader.path_stats(str(file))["size"] == len("X = 22222\n")
    loader.exec_module(module)  # what importlib.reload runs
    assert module.X == 22222


def write_bytecode(file: Path, state: str) -> None:
    """Leave *file* (``X = 1``) with a ``.pyc`` in *state*; the bytecode says ``X = 2``.

    A "current" bytecode records the source's mtime and size, though compiled from
    other source of the same size: which code runs tells where it was read from.
    """
    import py_compile

    mode = py_compile.PycInvalidationMode
    cached = importlib.util.cache_from_source(str(file))
    if state != "missing":
        write(file, "X = 2\n")
        invalidation = {"checked hash": mode.CHECKED_HASH, "unchecked hash": mode.UNCHECKED_HASH}
        py_compile.compile(
            str(file), cfile=cached, invalidation_mode=invalidation.get(state, mode.TIMESTAMP)
        )
    stamp = os.stat(file).st_mtime_ns if state != "missing" else time.time_ns()
    write(file, "X = 1\n")
    # One second later makes the recorded (whole-second) mtime stale.
    os.utime(file, ns=(stamp, stamp + (1_000_000_000 if state == "stale" else 0)))
    if state == "bad magic":
        data = Path(cached).read_bytes()
        Path(cached).write_bytes(b"\0\0\0\0" + data[4:])
    elif state == "truncated":
        Path(cached).write_bytes(Path(cached).read_bytes()[:10])


@pytest.mark.parametrize(
    "state",
    ["current", "stale", "missing", "bad magic", "truncated", "checked hash", "unchecked hash"],
)
def test_bytecode_is_used_as_source_file_loader_uses_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, state: str
) -> None:
    # import_path reads a current .pyc itself, with the path and stat it already has;
    # whatever the .pyc's state, the code run must be the one the stdlib loader runs.
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    name = unique()
    file = tmp_path / f"{name}.py"
    write_bytecode(file, state)
    expected = types.ModuleType(name)
    importlib.machinery.SourceFileLoader(name, str(file)).exec_module(expected)
    module = import_path(file)
    from_bytecode = state in ("current", "unchecked hash")
    assert module.X == expected.X == (2 if from_bytecode else 1)
    assert vars(module.__loader__) == vars(importlib.machinery.SourceFileLoader(name, str(file)))


@pytest.mark.parametrize("state", ["stale", "missing"])
def test_bytecode_is_written_when_it_is_not_current(tmp_path: Path, state: str) -> None:
    name = unique()
    file = tmp_path / f"{name}.py"
    write_bytecode(file, state)
    cached = Path(importlib.util.cache_from_source(str(file)))
    dont_write_bytecode = sys.dont_write_bytecode
    sys.dont_write_bytecode = False
    try:
        assert import_path(file).X == 1
    finally:
        sys.dont_write_bytecode = dont_write_bytecode
    # The header of the new bytecode records the source's mtime and size.
    header = cached.read_bytes()[8:16]
    source = os.stat(file)
    assert header == (
        (int(source.st_mtime) & 0xFFFFFFFF).to_bytes(4, "little")
        + source.st_size.to_bytes(4, "little")
    )


def fake_folder_times(
    monkeypatch: pytest.MonkeyPatch, folder: Path, times: Callable[[os.stat_result], int]
) -> None:
    """Make ``os.stat(folder)`` report ``times(real stat)`` as its mtime and ctime.

    Stands in for file systems whose timestamps come from a coarse clock, which the
    test cannot otherwise control (the kernel sets ctime, and to the present).
    """
    real_stat = os.stat

    def fake_stat(path: object, *args: object, **kwargs: object) -> object:
        result = real_stat(path, *args, **kwargs)  # type: ignore[arg-type]
        if path != str(folder):
            return result
        stamp = times(result)
        return types.SimpleNamespace(
            st_ino=result.st_ino, st_dev=result.st_dev, st_mtime_ns=stamp, st_ctime_ns=stamp
        )

    monkeypatch.setattr(os, "stat", fake_stat)


@pytest.mark.parametrize("granularity", ["fine", "whole seconds"])
def test_folder_that_becomes_a_package_in_the_same_tick(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, granularity: str
) -> None:
    # The "no __init__.py here" answer is cached per folder and checked against the
    # folder's timestamps; a change made in the same clock tick leaves them equal,
    # so recent timestamps must not be trusted (here: frozen at the present tick).
    folder = tmp_path / unique("folder")
    first = write(folder / f"{unique()}.py", "X = 1\n")
    now = time.time_ns()
    tick = now if granularity == "fine" else now // 10**9 * 10**9 - 10**9
    fake_folder_times(monkeypatch, folder, lambda _: tick)
    assert import_path(first).__name__ == first.stem
    write(folder / "__init__.py", "")
    second = write(folder / f"{unique()}.py", "X = 2\n")
    assert import_path(second).__name__ == f"{folder.name}.{second.stem}"


def test_folder_cache_follows_changes_of_old_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / unique("folder")
    first = write(folder / f"{unique()}.py", "X = 1\n")
    # Timestamps an hour old: the cached answer is trusted while they stay the same.
    fake_folder_times(monkeypatch, folder, lambda real: real.st_ctime_ns - 3600 * 10**9)
    assert import_path(first).__name__ == first.stem
    assert import_path(first) is sys.modules[first.stem]
    write(folder / "__init__.py", "")
    second = write(folder / f"{unique()}.py", "X = 2\n")
    assert import_path(second).__name__ == f"{folder.name}.{second.stem}"
    (folder / "__init__.py").unlink()
    third = write(folder / f"{unique()}.py", "X = 3\n")
    assert import_path(third).__name__ == third.stem


# --- issue 11: no shared bytecode between x.py and x.txt ----------------------------


@pytest.mark.parametrize("first", [".py", ".txt"])
def test_no_shared_bytecode_between_py_and_txt_twins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, first: str
) -> None:
    # The stdlib SourceFileLoader caches bytecode at cache_from_source(path), which
    # drops the suffix: x.txt and x.py share __pycache__/x.cpython-3XX.pyc, and with
    # equal size and mtime the second load runs the first file's code.
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    files = {
        ".py": write(tmp_path / "x.py", "VALUE = 'py'\n"),
        ".txt": write(tmp_path / "x.txt", "VALUE = 'tx'\n"),
    }
    stamp = 1_700_000_000 * 10**9
    for path in files.values():
        os.utime(path, ns=(stamp, stamp))
    second = ".txt" if first == ".py" else ".py"
    for suffix in (first, second):
        module = import_path(files[suffix], name=unique())
        assert module.VALUE in files[suffix].read_text()


def test_non_py_file_writes_no_bytecode(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    module = import_path(write(tmp_path / "conf.txt", "VALUE = 1\n"), name=unique())
    assert module.VALUE == 1
    assert not (tmp_path / "__pycache__").exists()
    assert getattr(module, "__cached__", None) is None


# --- import_string ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dotted", "expected"),
    [
        ("os.path:join", os.path.join),
        ("os.path.join", os.path.join),
        ("os:path.join", os.path.join),
        ("json", importlib.import_module("json")),
        ("collections.abc.Mapping", importlib.import_module("collections.abc").Mapping),
        ("dataclasses:dataclass", dataclasses.dataclass),
        ("pickle.Pickler.dump", pickle.Pickler.dump),
    ],
)
def test_import_string_resolves(dotted: str, expected: object) -> None:
    assert import_string(dotted) is expected


def test_import_string_prefers_the_longest_module_prefix(write_tree: WriteTree) -> None:
    pkg = unique("pkg")
    root = write_tree({f"{pkg}/__init__.py": "sub = 'attribute'\n", f"{pkg}/sub.py": "X = 1\n"})
    sys.path.insert(0, str(root))
    assert import_string(f"{pkg}.sub") is sys.modules[f"{pkg}.sub"]
    assert import_string(f"{pkg}.sub.X") == 1


@pytest.mark.parametrize(
    "dotted", ["", "a..b", ":x", "os:", "os::path", "a:b:c", ".os", "os.", "1os", "os-path", " os"]
)
def test_import_string_malformed(
    dotted: str, snapshot: tuple[dict[str, types.ModuleType], list[str]]
) -> None:
    with pytest.raises(ValueError, match="malformed import string"):
        import_string(dotted)
    assert_unchanged(*snapshot)


@pytest.mark.parametrize("dotted", [None, 1, b"os.path", ["os"]])
def test_import_string_not_a_str(dotted: object) -> None:
    with pytest.raises(TypeError, match="must be a str"):
        import_string(dotted)  # type: ignore[arg-type]


@pytest.mark.parametrize("form", ["{m}", "{m}.attr", "{m}:attr", "{m}.sub:attr"])
def test_import_string_missing_module(
    form: str, snapshot: tuple[dict[str, types.ModuleType], list[str]]
) -> None:
    missing = unique("missing")
    with pytest.raises(ModuleNotFoundError, match=f"no module named '{missing}") as info:
        import_string(form.format(m=missing))
    assert info.value.name == missing
    assert_unchanged(*snapshot)


@pytest.mark.parametrize(
    ("dotted", "message"),
    [
        ("os.nothing_here", "module 'os' has no attribute 'nothing_here'"),
        ("os:nothing_here", "module 'os' has no attribute 'nothing_here'"),
        ("os:path.nothing", "'os.path' (from module 'os') has no attribute 'nothing'"),
        ("os.path.sep.nothing", "'os.path.sep' (from module 'os.path') has no attribute 'nothing'"),
    ],
)
def test_import_string_missing_attribute(dotted: str, message: str) -> None:
    with pytest.raises(ImportError) as info:
        import_string(dotted)
    assert type(info.value) is ImportError
    assert message in str(info.value)
    assert isinstance(info.value.__cause__, AttributeError)


def test_import_string_missing_attribute_of_a_new_module_rolls_back(
    write_tree: WriteTree, snapshot: tuple[dict[str, types.ModuleType], list[str]]
) -> None:
    name = unique()
    root = write_tree({f"{name}.py": "X = 1\n"})
    sys.path.insert(0, str(root))
    before, path = dict(sys.modules), sys.path[:]
    with pytest.raises(ImportError, match=f"module '{name}' has no attribute 'Y'"):
        import_string(f"{name}.Y")
    assert_unchanged(before, path)


@pytest.mark.parametrize("form", ["{pkg}.mod.attr", "{pkg}.mod:attr", "{pkg}.mod"])
def test_import_string_import_error_inside_an_existing_module_propagates(
    write_tree: WriteTree, form: str
) -> None:
    pkg = unique("pkg")
    root = write_tree({f"{pkg}/__init__.py": "", f"{pkg}/mod.py": "import modutils_no_dep_x\n"})
    sys.path.insert(0, str(root))
    before, path = dict(sys.modules), sys.path[:]
    with pytest.raises(ModuleNotFoundError) as info:
        import_string(form.format(pkg=pkg))
    assert info.value.name == "modutils_no_dep_x"
    assert_unchanged(before, path)


def test_import_string_leaves_no_half_initialised_entries(write_tree: WriteTree) -> None:
    pkg = unique("pkg")
    root = write_tree(
        {
            f"{pkg}/__init__.py": "from . import good\nraise RuntimeError('after good')\n",
            f"{pkg}/good.py": "",
        }
    )
    sys.path.insert(0, str(root))
    before, path = dict(sys.modules), sys.path[:]
    with pytest.raises(RuntimeError, match="after good"):
        import_string(f"{pkg}.good.thing")
    # importlib itself drops the failed package but leaves its submodule behind.
    assert f"{pkg}.good" not in sys.modules
    assert_unchanged(before, path)


# --- issue 11: property tests -------------------------------------------------------

_PREFIX = "_modutils_prop_"
_REAL_MODULES = ["os", "os.path", "json", "json.decoder", "collections.abc", "importlib.util"]
_REAL_ATTRIBUTES = ["join", "sep", "JSONDecoder", "Mapping", "decode", "find_spec", "__name__"]

# Never an existing module: ASCII names carry a prefix, the others are non-ASCII.
ascii_names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True).map(
    lambda s: _PREFIX + s
)
keywords = st.sampled_from(sorted(set(keyword.kwlist) | set(keyword.softkwlist)))
unicode_names = st.text(
    alphabet=st.characters(categories=["Lu", "Ll", "Lt", "Lm", "Lo", "Nl", "Mn", "Nd", "Pc"]),
    min_size=1,
    max_size=6,
).filter(lambda s: s.isidentifier() and not s.isascii())
identifiers = st.one_of(ascii_names, keywords, unicode_names)
module_names = st.lists(identifiers, min_size=1, max_size=3).map(".".join)
attribute_paths = st.lists(
    st.one_of(st.sampled_from(_REAL_ATTRIBUTES), identifiers), min_size=1, max_size=3
).map(".".join)


def well_formed(dotted: str) -> bool:
    """The test's own oracle for import_string's accepted syntax."""
    module, colon, attributes = dotted.partition(":")
    parts = module.split(".") + (attributes.split(".") if colon else [])
    return all(part.isidentifier() for part in parts)


bad_parts = st.sampled_from(["", "1a", "a-b", " a", "a b", "\u00e9-", "a:b", "..", "\u2167x"])
malformed_strings = st.one_of(
    st.text(max_size=20).filter(lambda s: not well_formed(s)),
    st.lists(st.one_of(identifiers, bad_parts), min_size=1, max_size=4)
    .map(".".join)
    .filter(lambda s: not well_formed(s)),
    st.sampled_from(["", "a..b", ":x", "os:", "os::path", "a:b:c", ":", "."]),
)
import_strings = st.one_of(
    module_names,
    st.builds(
        "{}:{}".format, st.one_of(st.sampled_from(_REAL_MODULES), module_names), attribute_paths
    ),
    st.builds("{}.{}".format, st.sampled_from(_REAL_MODULES), attribute_paths),
    malformed_strings,
)


@settings(max_examples=100, deadline=None)
@given(dotted=st.one_of(import_strings, st.integers(), st.binary(max_size=5), st.none()))
def test_property_import_string(dotted: object) -> None:
    before, path = dict(sys.modules), sys.path[:]
    try:
        import_string(dotted)  # type: ignore[arg-type]
    except TypeError:
        assert not isinstance(dotted, str)
    except ValueError:
        assert isinstance(dotted, str)
        assert not well_formed(dotted)
    except ImportError:  # ModuleNotFoundError included
        assert isinstance(dotted, str)
        assert well_formed(dotted)
    else:
        assert isinstance(dotted, str)
        assert well_formed(dotted)
        return
    assert_unchanged(before, path)


_SOURCES = {
    "VALUE = 1\n": None,
    "VALUE = 1\nraise RuntimeError('half-way')\n": RuntimeError,
    "VALUE = (\n": SyntaxError,
    f"import {_PREFIX}missing\n": ModuleNotFoundError,
}


malformed_names = st.one_of(
    st.text(max_size=12).filter(lambda s: not all(p.isidentifier() for p in s.split("."))),
    st.lists(st.one_of(identifiers, bad_parts), min_size=1, max_size=3)
    .map(".".join)
    .filter(lambda s: not all(p.isidentifier() for p in s.split("."))),
)
file_names = st.one_of(
    st.text(
        alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="/\0"),
        min_size=1,
        max_size=30,
    ).filter(lambda s: s not in (".", "..") and len(s.encode()) <= 200),
    st.sampled_from(
        ["my-tool.v2.py", "2fast.py", "\ufb01le.py", "class.py", "__init__.py", ".hidden", "x."]
    ),
)


@contextlib.contextmanager
def cleaned_up() -> Iterator[tuple[dict[str, types.ModuleType], list[str]]]:
    """sys.modules and sys.path now; whatever one example added is dropped afterwards."""
    before, path = dict(sys.modules), sys.path[:]
    try:
        yield before, path
    finally:
        for name in [name for name in sys.modules if name not in before]:
            del sys.modules[name]
        sys.modules.update(before)


def check_load_error(error: ModuleLoadError, source: str) -> None:
    expected = _SOURCES[source]
    assert expected is not None
    assert isinstance(error.__cause__, expected)


@settings(max_examples=100, deadline=None)
@given(
    name=st.one_of(module_names, malformed_names, st.integers(), st.binary(max_size=3)),
    source=st.sampled_from(list(_SOURCES)),
)
def test_property_import_path_names(name: object, source: str) -> None:
    with tempfile.TemporaryDirectory() as folder, cleaned_up() as (before, path):
        file = write(Path(folder, "target.py"), source)
        try:
            module = import_path(file, name=name)  # type: ignore[arg-type]
        except TypeError:
            assert not isinstance(name, str)
        except ValueError:
            assert isinstance(name, str)
            assert name in before or not all(p.isidentifier() for p in name.split("."))
        except ModuleLoadError as exc:
            assert isinstance(name, str)
            check_load_error(exc, source)
        else:
            assert _SOURCES[source] is None
            assert sys.modules[module.__name__] is module
            assert module.__name__ == name
            assert module.__file__ == os.path.realpath(file)
            return
        assert_unchanged(before, path)


@settings(max_examples=100, deadline=None)
@given(file_name=file_names, source=st.sampled_from(list(_SOURCES)))
def test_property_import_path_file_names(file_name: str, source: str) -> None:
    with tempfile.TemporaryDirectory() as folder, cleaned_up() as (before, path):
        file = write(Path(folder, file_name), source)
        try:
            module = import_path(file)
        except (ValueError, ModuleLoadError) as exc:
            error: Exception = exc
        else:
            assert _SOURCES[source] is None
            assert module.__name__.isidentifier()
            assert sys.modules[module.__name__] is module
            assert module.__file__ == os.path.realpath(file)
            return
        if isinstance(error, ModuleLoadError):
            check_load_error(error, source)
        else:  # the default name is that of an importable module
            assert "would shadow" in str(error)
        assert_unchanged(before, path)


def test_import_string_is_typed_any_so_results_are_usable_without_cast() -> None:
    # mypy --strict runs over the tests: with an `object` return these lines fail it.
    loads = import_string("json:loads")
    value: int = loads("41") + 1
    assert value == 42


# --- issue 18, proofs: import_string keeps another thread's import in progress ----------------


@pytest.mark.parametrize("target", ["{failing}", "{failing}:VALUE"], ids=["dotted", "colon"])
def test_a_failed_import_string_keeps_a_module_another_thread_is_still_loading(
    tmp_path: Path, shared: types.ModuleType, target: str
) -> None:
    # As for import_path above: the rollback of a failed import_string() must not
    # take the other thread's module out of sys.modules while its import runs.
    other, failing = unique("other"), unique("failing")
    write(
        tmp_path / f"{other}.py",
        _SLOW_OTHER.format(shared=shared.__name__),
    )
    write(
        tmp_path / f"{failing}.py",
        _FAILS_WHILE_OTHER_LOADS.format(shared=shared.__name__),
    )
    sys.path.insert(0, str(tmp_path))
    importlib.invalidate_caches()
    before = dict(sys.modules)
    loaded = _load_when_started(shared, lambda: importlib.import_module(other))
    try:
        # import_string() lets the module's own exception through, as import_module does.
        with pytest.raises(RuntimeError, match="while the other thread"):
            import_string(target.format(failing=failing))
        assert state_diff(before) == ([other], [], [])
    finally:
        shared.release.set()
    _wait_for(loaded)
    assert len(loaded) == 1
    assert isinstance(loaded[0], types.ModuleType), loaded
    assert loaded[0].DONE is True
    assert sys.modules[other] is loaded[0]
