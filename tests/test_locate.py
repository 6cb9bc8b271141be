"""Tests for modutils.locate: locate_module(), is_stdlib_module() and the distribution cache."""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import itertools
import json
import keyword
import os
import py_compile
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Callable, Iterator, Mapping
from importlib.machinery import EXTENSION_SUFFIXES, ExtensionFileLoader, ModuleSpec
from pathlib import Path
from types import ModuleType

import importlib_metadata
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import modutils
from conftest import register_lazily
from modutils import (
    ModuleKind,
    ModuleLocation,
    clear_locate_cache,
    is_stdlib_module,
    iter_submodules,
    locate_module,
)
from modutils.locate import _Cache

TYPE_CHECKING = False
if TYPE_CHECKING:
    from conftest import WriteTree

_counter = itertools.count()


def unique(prefix: str) -> str:
    """A module name no other test (or run) uses, so sys.modules never collides."""
    return f"{prefix}_{os.getpid()}_{next(_counter)}"


def install(
    site: Path,
    name: str,
    version: str,
    files: dict[str, str],
    *,
    top_level: list[str] | None = None,
    direct_url: Mapping[str, object] | None = None,
) -> Path:
    """Write *files* under *site* and a ``.dist-info`` whose RECORD lists them."""
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    for relative, source in files.items():
        target = site / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(source, encoding="utf-8")
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8"
    )
    record = [*files, f"{info.name}/METADATA", f"{info.name}/RECORD"]
    if top_level is not None:
        (info / "top_level.txt").write_text("\n".join(top_level) + "\n", encoding="utf-8")
        record.append(f"{info.name}/top_level.txt")
    if direct_url is not None:
        (info / "direct_url.json").write_text(json.dumps(direct_url), encoding="utf-8")
        record.append(f"{info.name}/direct_url.json")
    (info / "RECORD").write_text("".join(f"{entry},,\n" for entry in record), encoding="utf-8")
    return info


def state() -> tuple[dict[str, ModuleType], list[str]]:
    return sys.modules.copy(), sys.path[:]


def assert_state_unchanged(before: tuple[dict[str, ModuleType], list[str]]) -> None:
    modules, path = before
    assert sys.path == path
    added = sorted(set(sys.modules) - set(modules))
    removed = sorted(set(modules) - set(sys.modules))
    replaced = sorted(name for name in modules if sys.modules.get(name) is not modules[name])
    assert (added, removed, replaced) == ([], [], [])


@pytest.fixture(scope="module", autouse=True)
def _lazy_dependencies_imported() -> None:
    """Import what locate itself imports on first use (importlib_metadata, sysconfig, ...).

    Those imports are modutils' own dependencies, not the located modules, and the
    tests below assert that a call leaves sys.modules exactly as it found it.
    """
    clear_locate_cache()
    locate_module("pytest")  # the distribution map and metadata reading
    locate_module(__name__)  # the file-list index and the editable-install scan
    locate_module("json")  # the standard library's folders


def test_stdlib_lookup_never_imports_importlib_metadata() -> None:
    code = (
        "import sys, modutils\n"
        "for name in ('json', 'os.path', 'sys', 'this', 'email.parser'):\n"
        "    assert modutils.locate_module(name).is_stdlib, name\n"
        "print('importlib_metadata' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


@pytest.fixture
def fresh_cache() -> Iterator[None]:
    """A cold distribution map, and no map built from this test's folders afterwards."""
    clear_locate_cache()
    yield
    clear_locate_cache()


# -- locating without running anything ---------------------------------------------


@pytest.mark.parametrize("target", ["package", "submodule", "namespace_child"])
def test_locates_code_that_would_raise_without_running_it(
    write_tree: WriteTree, target: str
) -> None:
    pkg = unique("boom")
    root = write_tree(
        {
            f"{pkg}/__init__.py": "raise RuntimeError('package executed')",
            f"{pkg}/sub.py": "raise RuntimeError('submodule executed')",
            f"{pkg}/nsub/leaf.py": "raise RuntimeError('leaf executed')",
        }
    )
    sys.path.insert(0, str(root))
    name, path, kind, is_package = {
        "package": (pkg, root / pkg / "__init__.py", ModuleKind.SOURCE, True),
        "submodule": (f"{pkg}.sub", root / pkg / "sub.py", ModuleKind.SOURCE, False),
        "namespace_child": (f"{pkg}.nsub", None, ModuleKind.NAMESPACE, True),
    }[target]
    before = state()

    loc = locate_module(name)

    assert_state_unchanged(before)
    assert loc is not None
    assert (loc.name, loc.path, loc.kind, loc.is_package) == (name, path, kind, is_package)
    assert (loc.distribution, loc.version, loc.is_stdlib) == (None, None, False)
    expected_folders = (str(root / pkg),) if target == "package" else ()
    if target == "namespace_child":
        expected_folders = (str(root / pkg / "nsub"),)
    assert loc.search_locations == expected_folders


def test_stdlib_find_spec_runs_the_parent_that_locate_module_does_not(
    write_tree: WriteTree,
) -> None:
    pkg = unique("boom_parent")
    root = write_tree({f"{pkg}/__init__.py": "raise RuntimeError('ran')", f"{pkg}/leaf.py": ""})
    sys.path.insert(0, str(root))
    before = state()

    loc = locate_module(f"{pkg}.leaf")

    assert_state_unchanged(before)
    assert loc is not None
    assert loc.path == root / pkg / "leaf.py"
    # What the standard library does instead: it imports the parent to find the child.
    with pytest.raises(RuntimeError, match="ran"):
        importlib.util.find_spec(f"{pkg}.leaf")


def _unimported_builtin() -> str:
    names = [name for name in sys.builtin_module_names if name not in sys.modules]
    return names[0] if names else "sys"


@pytest.mark.parametrize("name", ["sys", _unimported_builtin()])
def test_builtin_module(name: str) -> None:
    before = state()
    loc = locate_module(name)
    assert_state_unchanged(before)
    assert loc is not None
    assert (loc.kind, loc.path, loc.is_package, loc.search_locations) == (
        ModuleKind.BUILTIN,
        None,
        False,
        (),
    )
    assert (loc.distribution, loc.version) == (None, None)
    assert loc.is_stdlib is (name in sys.stdlib_module_names)


@pytest.mark.parametrize(
    ("name", "is_package"), [("__hello__", False), ("__phello__", True), ("__phello__.spam", False)]
)
def test_frozen_module_is_located_not_run(
    name: str, is_package: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    import _imp

    if not _imp.is_frozen(name):
        pytest.skip(f"{name} is not frozen into this interpreter")
    before = state()

    loc = locate_module(name)

    assert_state_unchanged(before)
    assert loc is not None
    assert (loc.kind, loc.is_package) == (ModuleKind.FROZEN, is_package)
    # The source file FrozenImporter records (Lib/__phello__/spam.py), as on disk.
    # 3.10 records none.
    spec = importlib.machinery.FrozenImporter.find_spec(name)  # imports no parent
    source = getattr(getattr(spec, "loader_state", None), "filename", None)
    assert loc.path == (Path(source) if source and os.path.isfile(source) else None)
    assert loc.distribution is None
    # Importing these frozen test modules prints "Hello world!".
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("template", ["{unique}", "json.{unique}", "sys.child", "{pkg}.missing"])
def test_missing_module_is_none(write_tree: WriteTree, template: str) -> None:
    pkg = unique("has_no_child")
    root = write_tree({f"{pkg}.py": "raise RuntimeError('ran')"})
    sys.path.insert(0, str(root))
    before = state()
    assert locate_module(template.format(unique=unique("nowhere"), pkg=pkg)) is None
    assert_state_unchanged(before)


MALFORMED = ["", "a..b", ".a", "a.", "a/b", "é..", "a\0b", "pkg/../os"]
# Names importlib.import_module accepts (it raises ModuleNotFoundError for them
# here): each part is looked up as a file name, identifier or not.
NOT_IDENTIFIERS = ["not a name", "1abc", "a-b", "a.b c", "0001_initial", "hook-numpy"]
NOT_STR: list[object] = [None, b"os", 1, Path("os"), ["os"]]


@pytest.mark.parametrize("func", [locate_module, is_stdlib_module])
@pytest.mark.parametrize("name", MALFORMED)
def test_malformed_name_raises_value_error(func: object, name: str) -> None:
    assert callable(func)
    before = state()
    with pytest.raises(ValueError, match="malformed module name") as info:
        func(name)
    assert repr(name) in str(info.value)
    assert_state_unchanged(before)


@pytest.mark.parametrize("func", [locate_module, is_stdlib_module])
@pytest.mark.parametrize("name", NOT_STR)
def test_non_str_name_raises_type_error(func: object, name: object) -> None:
    assert callable(func)
    before = state()
    with pytest.raises(TypeError, match="must be a str"):
        func(name)
    assert_state_unchanged(before)


# -- kinds ----------------------------------------------------------------------------


def test_module_inside_a_zip(tmp_path: Path) -> None:
    mod, pkg = unique("zipped"), unique("zipped_pkg")
    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(f"{mod}.py", "raise RuntimeError('ran')")
        zf.writestr(f"{pkg}/__init__.py", "raise RuntimeError('ran')")
        zf.writestr(f"{pkg}/sub.py", "raise RuntimeError('ran')")
    sys.path.append(str(archive))
    before = state()

    found = {name: locate_module(name) for name in (mod, pkg, f"{pkg}.sub")}

    assert_state_unchanged(before)
    assert found == {
        mod: ModuleLocation(
            mod, archive / f"{mod}.py", False, ModuleKind.ZIP, (), None, None, False
        ),
        pkg: ModuleLocation(
            pkg,
            archive / pkg / "__init__.py",
            True,
            ModuleKind.ZIP,
            (os.path.join(str(archive), pkg),),
            None,
            None,
            False,
        ),
        f"{pkg}.sub": ModuleLocation(
            f"{pkg}.sub", archive / pkg / "sub.py", False, ModuleKind.ZIP, (), None, None, False
        ),
    }


def test_namespace_package_spanning_two_folders(tmp_path: Path) -> None:
    ns = unique("ns")
    first, second = tmp_path / "first", tmp_path / "second"
    for folder, part in ((first, "one"), (second, "two")):
        (folder / ns).mkdir(parents=True)
        (folder / ns / f"{part}.py").write_text("raise RuntimeError('ran')", encoding="utf-8")
    sys.path[:0] = [str(first), str(second)]
    before = state()

    loc = locate_module(ns)
    two = locate_module(f"{ns}.two")

    assert_state_unchanged(before)
    assert loc == ModuleLocation(
        ns, None, True, ModuleKind.NAMESPACE, (str(first / ns), str(second / ns)), None, None, False
    )
    assert two is not None
    assert (two.kind, two.path) == (ModuleKind.SOURCE, second / ns / "two.py")


def test_sourceless_bytecode_module(write_tree: WriteTree) -> None:
    name = unique("compiled")
    root = write_tree({f"{name}.py": "raise RuntimeError('ran')"})
    # A legacy .pyc beside no source is importable (PEP 3147, "sourceless" loading).
    py_compile.compile(str(root / f"{name}.py"), cfile=str(root / f"{name}.pyc"), doraise=True)
    (root / f"{name}.py").unlink()
    sys.path.insert(0, str(root))
    loc = locate_module(name)
    assert loc is not None
    assert (loc.kind, loc.path) == (ModuleKind.BYTECODE, root / f"{name}.pyc")


def test_extension_module() -> None:
    names = [
        name
        for name, module in list(sys.modules.items())
        if isinstance(
            getattr(getattr(module, "__spec__", None), "loader", None), ExtensionFileLoader
        )
        and "." not in name
    ]
    if not names:
        pytest.skip("no extension module is imported in this interpreter")
    loc = locate_module(names[0])
    assert loc is not None
    assert loc.kind is ModuleKind.EXTENSION
    assert loc.path is not None
    assert loc.path.name.endswith(tuple(EXTENSION_SUFFIXES))


def test_file_loaded_by_a_third_party_loader_is_classified_by_its_suffix() -> None:
    # pytest imports this very file with its assertion-rewriting loader.
    loc = locate_module(__name__)
    assert loc is not None
    spec = sys.modules[__name__].__spec__
    assert spec is not None
    assert type(spec.loader).__name__ == "AssertionRewritingHook"
    assert (loc.kind, loc.path) == (ModuleKind.SOURCE, Path(__file__))


class _CustomFinder:
    """A meta path finder whose loader loads no file."""

    def __init__(self, name: str) -> None:
        self.name = name

    def find_spec(self, name: str, path: object, target: object = None) -> ModuleSpec | None:
        return ModuleSpec(name, loader=None, origin="generated") if name == self.name else None


def test_custom_loader_without_location_is_other() -> None:
    name = unique("generated")
    sys.meta_path.insert(0, _CustomFinder(name))
    loc = locate_module(name)
    assert loc == ModuleLocation(name, None, False, ModuleKind.OTHER, (), None, None, False)


class _ImportingFinder:
    """A meta path finder that imports while it answers, as setuptools' distutils shim does."""

    def __init__(self, trigger: str, victim: str) -> None:
        self.trigger, self.victim = trigger, victim

    def find_spec(self, name: str, path: object, target: object = None) -> ModuleSpec | None:
        if name == self.trigger:
            importlib.import_module(self.victim)
        return None


def test_finder_that_imports_is_undone(write_tree: WriteTree) -> None:
    trigger, victim = unique("trigger"), unique("victim")
    root = write_tree({f"{victim}.py": ""})
    sys.path.insert(0, str(root))
    sys.meta_path.insert(0, _ImportingFinder(trigger, victim))
    before = state()

    assert locate_module(trigger) is None

    assert_state_unchanged(before)
    # What the standard library does instead: the finder's import stays.
    assert importlib.util.find_spec(trigger) is None
    assert victim in sys.modules


def test_imported_package_reports_its_live_path(write_tree: WriteTree, tmp_path: Path) -> None:
    pkg = unique("livepath")
    root = write_tree({f"{pkg}/__init__.py": ""})
    sys.path.insert(0, str(root))
    module = importlib.import_module(pkg)
    extra = str(tmp_path / "extra")
    # As pkgutil.extend_path does: a new list, so the spec's list no longer matches.
    module.__path__ = [*module.__path__, extra]
    loc = locate_module(pkg)
    assert loc is not None
    assert loc.search_locations == (str(root / pkg), extra)


def test_kind_values_serialize_as_strings() -> None:
    assert [str(kind) for kind in ModuleKind] == [kind.value for kind in ModuleKind]
    assert {kind.value for kind in ModuleKind} == {
        "source",
        "bytecode",
        "extension",
        "builtin",
        "frozen",
        "namespace",
        "zip",
        "other",
    }
    loc = locate_module("json")
    assert loc is not None
    dumped = json.loads(json.dumps(loc._asdict(), default=str))
    assert dumped["kind"] == "source"
    assert dumped["path"] == str(loc.path)


def test_location_is_immutable_and_hashable() -> None:
    loc = locate_module("json")
    assert loc is not None
    with pytest.raises(AttributeError):
        loc.path = None  # type: ignore[misc]
    assert hash(loc) == hash(locate_module("json"))


# -- the standard library -----------------------------------------------------------


@pytest.mark.parametrize("name", ["json", "json.decoder", "os", "os.path", "this", "antigravity"])
def test_stdlib_module_has_no_distribution_and_needs_no_map(
    name: str,
    fresh_cache: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def no_map(self: _Cache) -> dict[str, tuple[str, ...]]:
        raise AssertionError("the distribution map was built for a stdlib module")

    monkeypatch.setattr(_Cache, "top_level", no_map)
    monkeypatch.setattr(_Cache, "file_owners", no_map)
    before = state()

    loc = locate_module(name)

    assert_state_unchanged(before)
    assert loc is not None
    assert (loc.is_stdlib, loc.distribution, loc.version) == (True, None, None)
    # 3.11+ freezes os and posixpath into the interpreter; their source files
    # stay on disk and are reported all the same.
    assert loc.path is not None
    assert loc.path.is_file()
    assert loc.path.name == ("posixpath.py" if name == "os.path" else f"{loc.path.stem}.py")
    assert capsys.readouterr().out == ""  # "this" prints the Zen when imported


def test_file_shadowing_a_stdlib_name_is_not_stdlib(write_tree: WriteTree) -> None:
    name = next(name for name in ("antigravity", "this", "tabnanny") if name not in sys.modules)
    root = write_tree({f"{name}.py": "raise RuntimeError('ran')"})
    real = locate_module(name)
    sys.path.insert(0, str(root))

    shadow = locate_module(name)

    assert real is not None
    assert real.is_stdlib
    assert shadow is not None
    assert (shadow.path, shadow.is_stdlib, shadow.distribution) == (
        root / f"{name}.py",
        False,
        None,
    )
    assert is_stdlib_module(name)  # the name check does not look at files


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("os", True),
        ("os.path", True),
        ("json.decoder", True),
        ("sys", True),
        ("__future__", True),
        ("json.not_a_submodule", True),
        ("pytest", False),
        ("_pytest.python", False),
        ("modutils", False),
        ("jsonx", False),
        ("class", False),
    ],
)
def test_is_stdlib_module(name: str, expected: bool) -> None:
    before = state()
    assert is_stdlib_module(name) is expected
    assert_state_unchanged(before)


# -- distributions ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["pytest", "_pytest.python", "py"])
def test_real_installed_distribution(name: str) -> None:
    loc = locate_module(name)
    assert loc is not None
    assert (loc.distribution, loc.version, loc.is_stdlib) == ("pytest", pytest.__version__, False)


def test_modutils_itself_editable_or_not() -> None:
    loc = locate_module("modutils")
    assert loc is not None
    assert loc.path == Path(modutils.__file__)
    assert (loc.distribution, loc.version) == ("modutils", importlib_metadata.version("modutils"))


def test_distribution_from_the_declared_top_level(tmp_path: Path, fresh_cache: None) -> None:
    top = unique("declared")
    site = tmp_path / "site"
    install(
        site,
        "Fake-Dist",
        "1.2.3",
        {f"{top}/__init__.py": "raise RuntimeError", f"{top}/sub.py": ""},
        top_level=[top],
    )
    sys.path.append(str(site))
    for name in (top, f"{top}.sub"):
        loc = locate_module(name)
        assert loc is not None
        assert (loc.distribution, loc.version) == ("Fake-Dist", "1.2.3")


def test_several_distributions_claim_the_name_the_one_found_wins(
    tmp_path: Path, fresh_cache: None
) -> None:
    top = unique("contested")
    first, second = tmp_path / "first", tmp_path / "second"
    install(first, "first-dist", "1.0", {f"{top}.py": ""}, top_level=[top])
    install(second, "second-dist", "2.0", {f"{top}.py": ""}, top_level=[top])

    sys.path[:0] = [str(first), str(second)]
    winner = locate_module(top)
    sys.path[:2] = [str(second), str(first)]
    importlib.invalidate_caches()
    other = locate_module(top)

    assert winner is not None
    assert other is not None
    assert (winner.path, winner.distribution, winner.version) == (
        first / f"{top}.py",
        "first-dist",
        "1.0",
    )
    assert (other.path, other.distribution, other.version) == (
        second / f"{top}.py",
        "second-dist",
        "2.0",
    )


def test_top_level_module_missing_from_top_level_txt_is_found_in_the_file_lists(
    tmp_path: Path, fresh_cache: None
) -> None:
    declared, extra = unique("declared"), unique("extra")
    site = tmp_path / "site"
    files = {f"{declared}/__init__.py": "", f"{extra}.py": "raise RuntimeError"}
    install(site, "partly-declared", "0.1", files, top_level=[declared])
    sys.path.append(str(site))
    assert extra not in importlib_metadata.packages_distributions()

    loc = locate_module(extra)

    assert loc is not None
    assert (loc.distribution, loc.version) == ("partly-declared", "0.1")


def test_broken_dist_info_does_not_hide_the_others(tmp_path: Path, fresh_cache: None) -> None:
    top, orphan = unique("beside_broken"), unique("orphan")
    site = tmp_path / "site"
    install(site, "good-dist", "1.0", {f"{top}.py": ""}, top_level=[top])
    broken = install(site, "broken", "1.0", {f"{orphan}.py": ""})
    (broken / "METADATA").write_text("Metadata-Version: 2.1\n", encoding="utf-8")  # no Name
    sys.path.append(str(site))
    with pytest.raises(KeyError):
        importlib_metadata.packages_distributions()  # what the backport does alone

    loc, orphaned = locate_module(top), locate_module(orphan)

    assert loc is not None
    assert (loc.distribution, loc.version) == ("good-dist", "1.0")
    assert orphaned is not None
    assert (orphaned.distribution, orphaned.version) == (None, None)


def test_file_shadowing_an_installed_name_has_no_distribution(
    tmp_path: Path, write_tree: WriteTree, fresh_cache: None
) -> None:
    top = unique("shadowed")
    site = tmp_path / "site"
    install(site, "shadowed-dist", "3.0", {f"{top}.py": ""}, top_level=[top])
    root = write_tree({f"{top}.py": ""})
    sys.path[:0] = [str(root), str(site)]

    loc = locate_module(top)

    assert loc is not None
    assert (loc.path, loc.distribution, loc.version) == (root / f"{top}.py", None, None)


def test_folder_on_sys_path_has_no_distribution(write_tree: WriteTree) -> None:
    name = unique("loose")
    root = write_tree({f"{name}/__init__.py": ""})
    sys.path.insert(0, str(root))
    loc = locate_module(name)
    assert loc is not None
    assert (loc.distribution, loc.version, loc.is_stdlib) == (None, None, False)


def test_namespace_package_shared_by_two_distributions(tmp_path: Path, fresh_cache: None) -> None:
    ns, alone = unique("shared_ns"), unique("lone_ns")
    site = tmp_path / "site"
    install(site, "ns-one", "1", {f"{ns}/one/__init__.py": "", f"{alone}/x.py": ""})
    install(site, "ns-two", "2", {f"{ns}/two/__init__.py": ""})
    sys.path.append(str(site))

    shared, one, single = locate_module(ns), locate_module(f"{ns}.one"), locate_module(alone)

    assert shared is not None
    assert one is not None
    assert single is not None
    assert (shared.kind, shared.distribution) == (ModuleKind.NAMESPACE, None)
    assert (one.distribution, one.version) == ("ns-one", "1")
    assert (single.kind, single.distribution) == (ModuleKind.NAMESPACE, "ns-one")


def test_editable_install_matches_its_project_folder_and_name(
    tmp_path: Path, fresh_cache: None
) -> None:
    top, helper = unique("editable"), unique("helper")
    project, site = tmp_path / "project", tmp_path / "site"
    (project / top).mkdir(parents=True)
    (project / top / "__init__.py").write_text("", encoding="utf-8")
    (project / f"{helper}.py").write_text("", encoding="utf-8")
    url = {"url": project.as_uri(), "dir_info": {"editable": True}}
    install(site, top.replace("_", "-"), "0.dev0", {}, direct_url=url)
    sys.path[:0] = [str(site), str(project)]

    loc, other = locate_module(top), locate_module(helper)

    assert loc is not None
    assert other is not None
    assert (loc.distribution, loc.version) == (top.replace("_", "-"), "0.dev0")
    # Same project folder, but not a module the distribution is named after.
    assert other.distribution is None


def test_distribution_map_is_cached_until_cleared(tmp_path: Path, fresh_cache: None) -> None:
    top = unique("late")
    site = tmp_path / "site"
    (site / top).mkdir(parents=True)
    (site / top / "__init__.py").write_text("", encoding="utf-8")
    sys.path.append(str(site))
    before = locate_module(top)
    install(site, "late-dist", "9", {f"{top}/__init__.py": ""}, top_level=[top])

    cached = locate_module(top)
    clear_locate_cache()
    fresh = locate_module(top)

    assert before is not None
    assert cached is not None
    assert fresh is not None
    assert before.distribution is None
    assert cached.distribution is None
    assert (fresh.distribution, fresh.version) == ("late-dist", "9")


def test_cold_cache_is_built_once_across_threads(
    fresh_cache: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    real = importlib_metadata.packages_distributions

    def slow_packages_distributions() -> object:
        calls.append(threading.get_ident())
        time.sleep(0.05)  # widen the window in which other threads find no map
        return real()

    monkeypatch.setattr(importlib_metadata, "packages_distributions", slow_packages_distributions)
    barrier = threading.Barrier(8)
    results: list[ModuleLocation | None] = []

    def work() -> None:
        barrier.wait()
        results.append(locate_module("pytest"))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(calls) == 1
    assert len(results) == 8
    assert {loc.distribution if loc else None for loc in results} == {"pytest"}


def test_clear_while_other_threads_locate(fresh_cache: None) -> None:
    errors: list[BaseException] = []
    stop = threading.Event()

    def work() -> None:
        try:
            while not stop.is_set():
                loc = locate_module("_pytest.python")
                assert loc is not None
                assert loc.distribution == "pytest"
        except BaseException as exc:  # reported below, on the main thread
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for _ in range(20):
        clear_locate_cache()
        time.sleep(0.005)
    stop.set()
    for thread in threads:
        thread.join()
    assert errors == []


# -- properties (issue 11) ----------------------------------------------------------

_ascii_identifiers = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,10}", fullmatch=True)
_unicode_identifiers = st.text(min_size=1, max_size=6).filter(str.isidentifier)
_installed_names = ["pytest", "_pytest", "py", "hypothesis", "modutils", "importlib_metadata"]
_known_names = st.sampled_from([*sorted(sys.stdlib_module_names), *_installed_names, "__phello__"])
_parts = st.one_of(
    _ascii_identifiers,
    _unicode_identifiers,
    st.sampled_from([*keyword.kwlist, *keyword.softkwlist]),
    _known_names,
)
valid_names = st.lists(_parts, min_size=1, max_size=3).map(".".join)


def _well_formed(name: str) -> bool:
    # What importlib.import_module can look up: no empty part, no path separator, no NUL.
    return "" not in name.split(".") and not any(bad in name for bad in ("/", os.sep, "\0"))


malformed_names = st.one_of(
    st.text(max_size=12).filter(lambda name: not _well_formed(name)),
    st.sampled_from(MALFORMED),
    valid_names.map(lambda name: name + "."),
    valid_names.map(lambda name: "." + name),
    valid_names.map(lambda name: name.replace(".", "..", 1) if "." in name else name + " x"),
)


@settings(max_examples=100, deadline=None)
@given(name=st.one_of(valid_names, malformed_names))
def test_property_locate_module(name: str) -> None:
    before = state()
    try:
        loc = locate_module(name)
    except ValueError as exc:
        assert not _well_formed(name)
        message = str(exc)
        assert repr(name) in message
    else:
        assert _well_formed(name)
        if loc is not None:
            assert loc.name == name
            assert isinstance(loc.kind, ModuleKind)
            if not loc.is_package:
                assert loc.search_locations == ()
            if loc.kind in (ModuleKind.BUILTIN, ModuleKind.NAMESPACE):
                assert loc.path is None
            assert loc.is_stdlib is False or is_stdlib_module(name)
            assert (loc.distribution is None) is (loc.version is None)
    assert_state_unchanged(before)


@settings(max_examples=100, deadline=None)
@given(name=st.one_of(valid_names, malformed_names))
def test_property_is_stdlib_module(name: str) -> None:
    before = state()
    try:
        result = is_stdlib_module(name)
    except ValueError:
        assert not _well_formed(name)
    else:
        assert _well_formed(name)
        top = name.split(".")[0]
        assert result is (top in sys.stdlib_module_names or top.startswith("_sysconfigdata_"))
    assert_state_unchanged(before)


@settings(max_examples=50, deadline=None)
@given(name=st.one_of(st.none(), st.integers(), st.binary(max_size=8), st.lists(st.text())))
def test_property_non_str_names(name: object) -> None:
    before = state()
    for func in (locate_module, is_stdlib_module):
        with pytest.raises(TypeError):
            func(name)  # type: ignore[arg-type]
    assert_state_unchanged(before)


# -- issue 19: names, frozen sources, pkgutil-style namespaces, foreign meta paths --


@pytest.mark.parametrize("name", NOT_IDENTIFIERS)
def test_names_import_module_accepts_are_not_rejected(name: str) -> None:
    before = state()

    assert locate_module(name) is None
    assert is_stdlib_module(name) is False

    assert_state_unchanged(before)
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module(name)


REAL_NON_IDENTIFIERS = [
    "0001_initial",  # django migrations
    "unicode17-0-0",  # rich's unicode tables
    "hook-numpy",  # PyInstaller hooks
    "_sysconfigdata__linux_x86_64-linux-gnu",  # the stdlib's build data
]


@pytest.mark.parametrize("stem", REAL_NON_IDENTIFIERS)
def test_real_non_identifier_module_is_located_as_import_finds_it(
    write_tree: WriteTree, stem: str
) -> None:
    pkg = unique("odd_names")
    root = write_tree({f"{pkg}/__init__.py": "", f"{pkg}/{stem}.py": "VALUE = 1\n"})
    sys.path.insert(0, str(root))
    before = state()

    loc = locate_module(f"{pkg}.{stem}")

    assert_state_unchanged(before)
    assert loc is not None
    assert (loc.path, loc.kind) == (root / pkg / f"{stem}.py", ModuleKind.SOURCE)
    assert importlib.import_module(f"{pkg}.{stem}").__file__ == str(loc.path)


def test_stdlib_sysconfigdata_module_is_stdlib() -> None:
    import sysconfig

    name = sysconfig._get_sysconfigdata_name()  # type: ignore[attr-defined]
    loc = locate_module(name)

    assert is_stdlib_module(name) is True
    assert loc is not None
    assert loc.is_stdlib is True
    assert loc.path is not None
    assert loc.path.name == f"{name}.py"


@pytest.mark.skipif(sys.version_info < (3, 11), reason="3.10 freezes no stdlib module")
@pytest.mark.parametrize(("package", "name"), [("importlib", "importlib.util"), ("os", "os")])
def test_frozen_module_source_is_the_same_in_locate_and_iter_submodules(
    package: str, name: str
) -> None:
    loc = locate_module(name)

    assert loc is not None
    assert loc.kind is ModuleKind.FROZEN
    assert loc.path == Path(importlib.util.find_spec(name).loader_state.filename)  # type: ignore[union-attr]
    if package != name:
        listed = {info.name: info.path for info in iter_submodules(package)}
        assert listed[name] == loc.path


PKGUTIL_IDIOMS = [
    "__path__ = __import__('pkgutil').extend_path(__path__, __name__)\n",
    "from pkgutil import extend_path\n__path__ = extend_path( __path__,\n    __name__ )\n",
]


@pytest.mark.parametrize("idiom", PKGUTIL_IDIOMS)
def test_pkgutil_style_namespace_is_searched_in_every_portion(tmp_path: Path, idiom: str) -> None:
    ns = unique("legns")
    first, second = tmp_path / "first", tmp_path / "second"
    for folder, sub in ((first, "alpha"), (second, "beta")):
        (folder / ns).mkdir(parents=True)
        (folder / ns / "__init__.py").write_text(idiom, encoding="utf-8")
        (folder / ns / f"{sub}.py").write_text(f"NAME = {sub!r}\n", encoding="utf-8")
    sys.path[:0] = [str(first), str(second)]
    before = state()

    top, beta = locate_module(ns), locate_module(f"{ns}.beta")
    listed = [info.name for info in iter_submodules(ns)]

    assert_state_unchanged(before)
    assert top is not None
    assert beta is not None
    assert top.search_locations == (str(first / ns), str(second / ns))
    assert beta.path == second / ns / "beta.py"
    assert listed == [f"{ns}.alpha", f"{ns}.beta"]
    # The import agrees, and the live __path__ answers the same once imported.
    assert importlib.import_module(f"{ns}.beta").NAME == "beta"
    assert locate_module(ns) == top


def test_package_without_the_idiom_is_searched_in_its_own_folder_only(tmp_path: Path) -> None:
    ns = unique("plain")
    first, second = tmp_path / "first", tmp_path / "second"
    for folder, sub in ((first, "alpha"), (second, "beta")):
        (folder / ns).mkdir(parents=True)
        (folder / ns / "__init__.py").write_text("# extend_path is not called\n", encoding="utf-8")
        (folder / ns / f"{sub}.py").write_text("", encoding="utf-8")
    sys.path[:0] = [str(first), str(second)]

    assert locate_module(f"{ns}.beta") is None
    assert [info.name for info in iter_submodules(ns)] == [f"{ns}.alpha"]
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module(f"{ns}.beta")


FOREIGN_META_PATH = """
import sys
from importlib.machinery import BuiltinImporter, FrozenImporter, PathFinder
import {first_import}

class ProjectFinder:
    # Finds only the user's project folder, as an editable-install finder does.
    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name.partition(".")[0] != {top!r}:
            return None
        return PathFinder.find_spec(name, path if path is not None else [{folder!r}])

sys.meta_path[:] = {finders}
before = list(sys.meta_path)
loc = modutils.locate_module({top!r})
assert loc is not None and loc.path is not None, loc
assert "importlib_metadata" in sys.modules
assert sys.meta_path[:len(before)] == before, sys.meta_path
assert [info.name for info in modutils.iter_submodules({top!r})] == [{top!r} + ".sub"]
print("ok", loc.path.name)
"""


@pytest.mark.parametrize(
    ("first_import", "finders"),
    [
        ("modutils.locate", "[BuiltinImporter, FrozenImporter, ProjectFinder]"),
        # Only an editable-install finder: modutils' own capability modules too are
        # imported after the list was replaced (modutils.__getattr__).
        ("modutils", "[ProjectFinder]"),
    ],
)
def test_own_lazy_imports_do_not_go_through_a_replaced_meta_path(
    tmp_path: Path, first_import: str, finders: str
) -> None:
    top = unique("project")
    (tmp_path / top).mkdir()
    (tmp_path / top / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / top / "sub.py").write_text("", encoding="utf-8")
    code = FOREIGN_META_PATH.format(
        top=top, folder=str(tmp_path), first_import=first_import, finders=finders
    )

    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["ok", "__init__.py"]


# -- issue 18: lazy modules stay lazy, finders' sys.path edits, editable siblings ---


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        ("locate:{pkg}", "__init__.py"),
        ("locate:{pkg}.sub", "sub.py"),
        ("walk:{pkg}", "sub.py"),
        ("walk-module", "sub.py"),
    ],
)
def test_lazily_registered_package_is_not_executed(
    write_tree: WriteTree, call: str, expected: str
) -> None:
    pkg = unique("lazypkg")
    root = write_tree(
        {f"{pkg}/__init__.py": "raise RuntimeError('lazy package ran')\n", f"{pkg}/sub.py": ""}
    )
    sys.path.insert(0, str(root))
    module = register_lazily(pkg)
    kind, _, target = call.format(pkg=pkg).partition(":")

    try:
        if kind == "locate":
            loc = locate_module(target)
            assert loc is not None
            path = loc.path
        else:
            (info,) = iter_submodules(module if kind == "walk-module" else target)
            path = info.path
    finally:
        # The shared clean-up reads __spec__ with getattr, which would run it now.
        del sys.modules[pkg]

    assert path == root / pkg / expected
    # Still the lazy class: nothing read an attribute through it.
    assert type(module).__name__ == "_LazyModule"


def test_pep562_getattr_is_not_asked_for_path(write_tree: WriteTree) -> None:
    name = unique("dynamic")
    root = write_tree(
        {
            f"{name}.py": """
            ASKED = []

            def __getattr__(attr):
                ASKED.append(attr)
                raise AttributeError(attr)
            """
        }
    )
    sys.path.insert(0, str(root))
    module = importlib.import_module(name)

    loc, child = locate_module(name), locate_module(f"{name}.child")
    # Discovery reads the same module state, by name and from the module object.
    for package in (module, name):
        with pytest.raises(ValueError, match="not a package"):
            iter_submodules(package)

    assert loc is not None
    assert (loc.is_package, child) == (False, None)
    assert module.ASKED == []


class _PathEditingFinder:
    """A third-party finder that inserts into sys.path while it answers."""

    @staticmethod
    def find_spec(name: str, path: object = None, target: object = None) -> None:
        sys.path.insert(0, "/added/by/a/finder")


@pytest.mark.parametrize(
    "look_up",
    [
        lambda: locate_module("json"),
        lambda: locate_module(unique("absent")),
        lambda: next(iter_submodules("json")),
        lambda: next(iter_submodules("email.mime")),
    ],
    ids=["locate", "locate-missing", "iter_submodules", "iter_submodules-subpackage"],
)
def test_finder_that_edits_sys_path_leaves_nothing_behind(look_up: Callable[[], object]) -> None:
    sys.meta_path.insert(0, _PathEditingFinder)
    path = sys.path
    before = path[:]

    look_up()

    assert sys.path is path
    assert sys.path == before


def test_sibling_folder_sharing_an_editable_projects_prefix_is_not_credited(
    tmp_path: Path, fresh_cache: None
) -> None:
    top = unique("editable")
    project, sibling, site = tmp_path / "proj", tmp_path / "proj_sibling", tmp_path / "site"
    (project / top).mkdir(parents=True)
    (project / top / "__init__.py").write_text("", encoding="utf-8")
    (sibling / top).mkdir(parents=True)
    (sibling / top / "__init__.py").write_text("", encoding="utf-8")
    url = {"url": project.as_uri(), "dir_info": {"editable": True}}
    install(site, top.replace("_", "-"), "0.dev0", {}, direct_url=url)
    # The sibling's copy shadows the project: its path starts with the project's
    # folder name as a string, but it is not inside the project.
    sys.path[:0] = [str(site), str(sibling)]

    loc = locate_module(top)

    assert loc is not None
    assert loc.path == sibling / top / "__init__.py"
    assert (loc.distribution, loc.version) == (None, None)


LEAVES_NOTHING = """
import sys
import modutils
path, meta_path, hooks = sys.path[:], sys.meta_path[:], sys.path_hooks[:]
cache = dict(sys.path_importer_cache)
loc = modutils.locate_module("pytest")
assert loc is not None and loc.distribution == "pytest", loc
assert "importlib_metadata" in sys.modules
added = [finder for finder in sys.meta_path if finder not in meta_path]
print(sys.path == path, sys.path_hooks == hooks, [type(f).__name__ for f in added])
print(sys.meta_path[: len(meta_path)] == meta_path, set(cache) <= set(sys.path_importer_cache))
"""


def test_first_locate_outside_the_stdlib_leaves_only_importlib_metadatas_finder() -> None:
    result = subprocess.run(
        [sys.executable, "-c", LEAVES_NOTHING],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["True True ['MetadataPathFinder']", "True True"]


# -- modutils' own imports: the standard finders, for the importing thread only ------


class _RecordingFinder:
    """A user's meta path finder that only records which names it was asked for."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, int]] = []

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        self.asked.append((name, threading.get_ident()))


def test_own_imports_skip_the_users_finders_in_this_thread_only(tmp_path: Path) -> None:
    from modutils._own import own_imports

    mine, theirs = unique("mine"), unique("theirs")
    for name in (mine, theirs):
        (tmp_path / f"{name}.py").write_text("", encoding="utf-8")
    sys.path.insert(0, str(tmp_path))
    recorder = _RecordingFinder()
    sys.meta_path.insert(0, recorder)
    meta_path = sys.meta_path
    before = meta_path[:]
    inside, done = threading.Event(), threading.Event()

    def other_thread() -> None:
        inside.wait(10)
        importlib.import_module(theirs)
        done.set()

    thread = threading.Thread(target=other_thread)
    thread.start()
    with own_imports():
        importlib.import_module(mine)
        inside.set()
        assert done.wait(10)
        added = _RecordingFinder()
        sys.meta_path.append(added)  # as importlib_metadata installs its finder
    thread.join(10)

    asked = {name for name, _ in recorder.asked}
    assert mine not in asked
    assert theirs in asked
    assert sys.meta_path is meta_path
    assert sys.meta_path == [*before, added]


def test_own_imports_overlapping_in_threads_put_the_callers_list_back() -> None:
    from modutils._own import own_imports

    meta_path = sys.meta_path
    before = meta_path[:]
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with own_imports():
                first_in.set()
                assert second_in.wait(10)
            first_out.set()
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    def second() -> None:
        try:
            assert first_in.wait(10)
            with own_imports():
                second_in.set()
                # Leaves after the first thread: the last one out restores.
                assert first_out.wait(10)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert errors == []
    assert sys.meta_path is meta_path
    assert sys.meta_path == before


def test_idiom_added_to_an_init_later_is_seen(tmp_path: Path) -> None:
    ns = unique("later")
    first, second = tmp_path / "first", tmp_path / "second"
    for folder, sub in ((first, "alpha"), (second, "beta")):
        (folder / ns).mkdir(parents=True)
        (folder / ns / "__init__.py").write_text("", encoding="utf-8")
        (folder / ns / f"{sub}.py").write_text("", encoding="utf-8")
    sys.path[:0] = [str(first), str(second)]
    assert locate_module(f"{ns}.beta") is None

    # The check is cached per file version (mtime and size): a new version is read.
    (first / ns / "__init__.py").write_text(PKGUTIL_IDIOMS[0], encoding="utf-8")

    beta = locate_module(f"{ns}.beta")
    assert beta is not None
    assert beta.path == second / ns / "beta.py"


def test_own_imports_carry_a_removal_made_meanwhile_over() -> None:
    from modutils._own import own_imports

    recorder = _RecordingFinder()
    sys.meta_path.append(recorder)
    meta_path = sys.meta_path
    before = meta_path[:]

    with own_imports():
        sys.meta_path.remove(recorder)  # another thread's clean-up, say

    assert sys.meta_path is meta_path
    assert sys.meta_path == [finder for finder in before if finder is not recorder]
