"""Tests for modutils.discovery: iter_submodules() and import_submodules()."""

from __future__ import annotations

import copy
import importlib
import importlib.machinery
import importlib.util
import itertools
import os
import pickle
import pkgutil
import py_compile
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import modutils
import modutils._walk as walk
from conftest import WriteTree
from modutils import ModuleInfo, ModuleLoadError, import_submodules, iter_submodules

# A module body that fails loudly if anything ever executes it.
RAISE = "raise RuntimeError('executed ' + __name__)\n"
EXTENSION = importlib.machinery.EXTENSION_SUFFIXES[0]

_counter = itertools.count()


@pytest.fixture
def name() -> str:
    """A package name no other test uses, so tests never meet in sys.modules."""
    return f"dpkg{next(_counter)}_{os.getpid()}"


@pytest.fixture
def on_path(write_tree: WriteTree) -> Callable[[dict[str, str]], Path]:
    """Write a tree and put its root first on sys.path (the autouse fixture undoes it)."""

    def write(files: dict[str, str]) -> Path:
        root = write_tree(files)
        sys.path.insert(0, str(root))
        importlib.invalidate_caches()
        return root

    return write


def relative(infos: Iterable[ModuleInfo], package: str) -> list[str]:
    """The names of *infos* without the ``package.`` prefix."""
    return [info.name[len(package) + 1 :] for info in infos]


def compile_to(source: Path, target: Path) -> None:
    """Write a sourceless module: *source* compiled to *target* (a ``.pyc`` beside it)."""
    py_compile.compile(str(source), cfile=str(target), doraise=True)


def assert_agrees_with_import_system(infos: Sequence[ModuleInfo]) -> None:
    """Each record names what importlib would load: same file, same package-ness.

    importlib.util.find_spec imports the parents, so only use benign trees.
    """
    for info in infos:
        spec = importlib.util.find_spec(info.name)
        assert spec is not None, info.name
        assert (spec.submodule_search_locations is not None) == info.is_package, info.name
        origin = spec.origin if spec.loader is not None else None
        assert (None if info.path is None else str(info.path)) == origin, info.name


# --- what iter_submodules finds ------------------------------------------------------


def test_finds_sources_bytecode_extensions_and_subpackages_without_running_them(
    on_path: Callable[[dict[str, str]], Path], name: str
) -> None:
    root = on_path(
        {
            f"{name}/__init__.py": RAISE,
            f"{name}/a.py": RAISE,
            f"{name}/_speedups{EXTENSION}": "",
            f"{name}/sub/__init__.py": RAISE,
            f"{name}/sub/c.py": RAISE,
            f"{name}/sub/deep/__init__.py": RAISE,
            f"{name}/sub/deep/d.py": RAISE,
            "b_source.py": RAISE,
        }
    )
    compile_to(root / "b_source.py", root / name / "b.pyc")
    before = dict(sys.modules)

    infos = list(iter_submodules(name))

    assert sys.modules == before
    assert infos == [
        ModuleInfo(f"{name}._speedups", root / name / f"_speedups{EXTENSION}", False),
        ModuleInfo(f"{name}.a", root / name / "a.py", False),
        ModuleInfo(f"{name}.b", root / name / "b.pyc", False),
        ModuleInfo(f"{name}.sub", root / name / "sub" / "__init__.py", True),
        ModuleInfo(f"{name}.sub.c", root / name / "sub" / "c.py", False),
        ModuleInfo(f"{name}.sub.deep", root / name / "sub" / "deep" / "__init__.py", True),
        ModuleInfo(f"{name}.sub.deep.d", root / name / "sub" / "deep" / "d.py", False),
    ]
    assert all(isinstance(info.path, Path) for info in infos)


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_dotted_name_whose_parents_would_raise_is_resolved_statically(
    on_path: Callable[[dict[str, str]], Path], name: str, depth: int
) -> None:
    parts = [name, *(f"level{i}" for i in range(1, depth))]
    folder = "/".join(parts)
    files = {"/".join(parts[: i + 1]) + "/__init__.py": RAISE for i in range(depth)}
    on_path({**files, f"{folder}/leaf.py": RAISE, f"{folder}/inner/__init__.py": RAISE})
    before = dict(sys.modules)

    found = list(iter_submodules(".".join(parts)))

    assert sys.modules == before
    assert relative(found, ".".join(parts)) == ["inner", "leaf"]


@pytest.mark.parametrize("suffix", importlib.machinery.EXTENSION_SUFFIXES)
def test_extension_module_names_drop_the_abi_tag(
    on_path: Callable[[dict[str, str]], Path], name: str, suffix: str
) -> None:
    root = on_path({f"{name}/__init__.py": RAISE, f"{name}/_speedups{suffix}": ""})

    (info,) = iter_submodules(name)

    assert info == ModuleInfo(f"{name}._speedups", root / name / f"_speedups{suffix}", False)


@pytest.mark.parametrize(
    "skipped",
    [
        "dotted.name.py",
        "__main__.py",
        "data.txt",
        "README",
        "noext",
        "__pycache__/ok.cpython-311.pyc",
        "__pycache__/__init__.py",
        "has.dot/__init__.py",
        "__main__/__init__.py",
        "ok.py/__init__.py",  # a folder named like a module file is neither
    ],
)
def test_skips_names_import_cannot_reach(
    on_path: Callable[[dict[str, str]], Path], name: str, skipped: str
) -> None:
    on_path({f"{name}/__init__.py": RAISE, f"{name}/{skipped}": RAISE, f"{name}/zz.py": RAISE})

    assert relative(iter_submodules(name), name) == ["zz"]


def test_order_is_by_name_with_each_package_before_its_children(
    on_path: Callable[[dict[str, str]], Path], name: str
) -> None:
    files = {f"{name}/__init__.py": ""}
    for module in ["b/z", "b/a", "a", "c", "b/m/y", "b/m/b", "ab"]:
        folder = module.rpartition("/")[0]
        if folder:
            for i in range(folder.count("/") + 1):
                files[f"{name}/{'/'.join(folder.split('/')[: i + 1])}/__init__.py"] = ""
        files[f"{name}/{module}.py"] = ""
    on_path(files)

    found = list(iter_submodules(name))

    assert relative(found, name) == ["a", "ab", "b", "b.a", "b.m", "b.m.b", "b.m.y", "b.z", "c"]
    assert_agrees_with_import_system(found)


def test_recursive_false_lists_one_level(
    on_path: Callable[[dict[str, str]], Path], name: str
) -> None:
    on_path({f"{name}/__init__.py": RAISE, f"{name}/a.py": "", f"{name}/sub/__init__.py": ""})
    on_path({f"{name}/sub/hidden.py": ""})

    found = list(iter_submodules(name, recursive=False))

    assert [(info.name, info.is_package) for info in found] == [
        (f"{name}.a", False),
        (f"{name}.sub", True),
    ]


@pytest.mark.parametrize(
    "files",
    [
        # A folder with __init__ beats a module file of the same name.
        {"x.py": "", "x/__init__.py": "", "x/inner.py": ""},
        # A module file beats a folder without __init__ (a namespace portion).
        {"y.py": "", "y/m.py": ""},
        # Extensions beat sources, sources beat sourceless bytecode.
        {"z.py": "", f"z{EXTENSION}": ""},
        # Among extensions, the ABI-tagged suffix comes first (found by hypothesis).
        {f"v{importlib.machinery.EXTENSION_SUFFIXES[-1]}": "", f"v{EXTENSION}": ""},
        {"w.py": "", "w.pyc": ""},
        # Any __init__ suffix makes the folder a package.
        {"p/__init__.pyc": "", "p/q.py": ""},
    ],
    ids=[
        "package-over-module",
        "module-over-namespace",
        "extension",
        "abi-tag-order",
        "source",
        "init-pyc",
    ],
)
def test_precedence_follows_the_import_system(
    on_path: Callable[[dict[str, str]], Path], name: str, files: dict[str, str]
) -> None:
    root = on_path({f"{name}/__init__.py": "", **{f"{name}/{k}": v for k, v in files.items()}})
    for pyc in (root / name).rglob("*.pyc"):
        pyc.with_suffix(".src").write_text("", encoding="utf-8")
        compile_to(pyc.with_suffix(".src"), pyc)

    found = list(iter_submodules(name, namespace_packages=True))

    assert found
    assert_agrees_with_import_system(found)


def test_namespace_subpackages_only_on_request(
    on_path: Callable[[dict[str, str]], Path], name: str
) -> None:
    on_path(
        {
            f"{name}/__init__.py": RAISE,
            f"{name}/mod.py": RAISE,
            f"{name}/ns/m.py": RAISE,
            f"{name}/ns/deeper/n.py": RAISE,
            f"{name}/outer/inner/o.py": RAISE,  # a namespace holding only a namespace
            f"{name}/data/readme.txt": "",  # no module anywhere below: never a package
            f"{name}/tool/__main__.py": RAISE,  # only a __main__: nothing importable
        }
    )
    (Path(sys.path[0]) / name / "empty").mkdir()

    assert relative(iter_submodules(name), name) == ["mod"]
    found = list(iter_submodules(name, namespace_packages=True))
    assert relative(found, name) == [
        "mod",
        "ns",
        "ns.deeper",
        "ns.deeper.n",
        "ns.m",
        "outer",
        "outer.inner",
        "outer.inner.o",
    ]
    assert [(info.path, info.is_package) for info in found if info.path is None] == [
        (None, True)
    ] * 4
    shallow = iter_submodules(name, recursive=False, namespace_packages=True)
    assert relative(shallow, name) == ["mod", "ns", "outer"]


def test_namespace_package_spread_over_path_entries_follows_path_order(
    write_tree: WriteTree, tmp_path: Path, name: str
) -> None:
    first = write_tree({f"{name}/a.py": "", f"{name}/shared.py": "", f"{name}/sub.py": ""})
    second = tmp_path / "second"
    for relative_path in ["b.py", "shared.py", "sub/__init__.py", "sub/s.py"]:
        target = second / name / relative_path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("", encoding="utf-8")
    sys.path[:0] = [str(first), str(second)]
    importlib.invalidate_caches()

    found = list(iter_submodules(name))

    assert relative(found, name) == ["a", "b", "shared", "sub"]
    assert found[2].path == first / name / "shared.py"
    assert found[3] == ModuleInfo(f"{name}.sub", first / name / "sub.py", False)
    assert_agrees_with_import_system(found)


# --- zip archives, editable installs, symlinks ---------------------------------------


@pytest.mark.parametrize("folder_entries", [True, False], ids=["dir-entries", "implicit-dirs"])
def test_package_inside_a_zip_archive(tmp_path: Path, name: str, folder_entries: bool) -> None:
    archive = tmp_path / "bundle.zip"
    source = tmp_path / "compiled.py"
    source.write_text("VALUE = 'from pyc'\n", encoding="utf-8")
    compile_to(source, tmp_path / "compiled.pyc")
    with zipfile.ZipFile(archive, "w") as zf:
        if folder_entries:
            for folder in [f"{name}/", f"{name}/sub/", f"{name}/ns/"]:
                zf.writestr(folder, "")
        zf.writestr(f"{name}/__init__.py", "")
        zf.writestr(f"{name}/a.py", "VALUE = 'a'\n")
        zf.writestr(f"{name}/not-a-module.py", "VALUE = 'dash'\n")
        zf.writestr(f"{name}/_ext{EXTENSION}", "")  # zipimport cannot load extensions
        zf.writestr(f"{name}/sub/__init__.py", "")
        zf.writestr(f"{name}/sub/b.py", "VALUE = 'b'\n")
        zf.writestr(f"{name}/ns/readme.txt", "")
        zf.write(tmp_path / "compiled.pyc", f"{name}/c.pyc")
    sys.path.insert(0, str(archive))
    before = dict(sys.modules)

    found = list(iter_submodules(name))

    assert sys.modules == before
    inside = archive / name
    assert found == [
        ModuleInfo(f"{name}.a", inside / "a.py", False),
        ModuleInfo(f"{name}.c", inside / "c.pyc", False),
        ModuleInfo(f"{name}.not-a-module", inside / "not-a-module.py", False),
        ModuleInfo(f"{name}.sub", inside / "sub" / "__init__.py", True),
        ModuleInfo(f"{name}.sub.b", inside / "sub" / "b.py", False),
    ]
    modules = import_submodules(name)
    assert list(modules) == [name, *(info.name for info in found)]
    assert modules[f"{name}.c"].VALUE == "from pyc"
    assert [Path(modules[info.name].__file__ or "") for info in found] == [
        info.path for info in found
    ]


class _EditableFinder:
    """Maps top-level names to folders off sys.path, as setuptools' editable finder does."""

    def __init__(self, mapping: dict[str, str]) -> None:
        self.mapping = mapping

    def find_spec(
        self, fullname: str, path: object = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        folder = self.mapping.get(fullname)
        if folder is None:
            return None
        return importlib.util.spec_from_file_location(
            fullname, os.path.join(folder, "__init__.py"), submodule_search_locations=[folder]
        )


@pytest.fixture
def editable(tmp_path: Path, name: str) -> Callable[[str], Path]:
    """Write an editable-style package under tmp_path/src (not on sys.path); map it."""

    def install(body: str) -> Path:
        folder = tmp_path / "src" / "elsewhere"
        for relative_path in ["__init__.py", "a.py", "sub/__init__.py", "sub/b.py"]:
            (folder / relative_path).parent.mkdir(parents=True, exist_ok=True)
            (folder / relative_path).write_text(body, encoding="utf-8")
        sys.meta_path.append(_EditableFinder({name: str(folder)}))
        return folder

    return install


def test_editable_install_found_through_its_meta_path_finder(
    editable: Callable[[str], Path], name: str
) -> None:
    folder = editable(RAISE)
    before = dict(sys.modules)

    found = list(iter_submodules(name))
    below = list(iter_submodules(f"{name}.sub"))

    assert sys.modules == before
    assert found == [
        ModuleInfo(f"{name}.a", folder / "a.py", False),
        ModuleInfo(f"{name}.sub", folder / "sub" / "__init__.py", True),
        ModuleInfo(f"{name}.sub.b", folder / "sub" / "b.py", False),
    ]
    assert below == found[2:]


def test_editable_install_imports(editable: Callable[[str], Path], name: str) -> None:
    folder = editable("")

    modules = import_submodules(name)

    assert list(modules) == [name, f"{name}.a", f"{name}.sub", f"{name}.sub.b"]
    assert modules[f"{name}.sub.b"].__file__ == str(folder / "sub" / "b.py")


def test_symlink_loops_terminate_and_report_each_file_once(
    on_path: Callable[[dict[str, str]], Path], name: str
) -> None:
    root = on_path(
        {f"{name}/__init__.py": RAISE, f"{name}/a.py": RAISE, f"{name}/sub/__init__.py": RAISE}
    )
    package = root / name
    (package / "loop").symlink_to(package, target_is_directory=True)
    (package / "sub" / "up").symlink_to(package, target_is_directory=True)
    (package / "sub" / "itself").symlink_to(package / "sub", target_is_directory=True)
    (package / "sub" / "dangling").symlink_to(package / "missing", target_is_directory=True)
    (package / "sub" / "ping").symlink_to(package / "sub" / "pong")
    (package / "sub" / "pong").symlink_to(package / "sub" / "ping")

    # Bounded, so that a walk that loops fails here instead of hanging.
    found = list(itertools.islice(iter_submodules(name), 50))

    assert relative(found, name) == ["a", "sub"]


def test_folder_reached_through_two_names_is_reported_once(
    on_path: Callable[[dict[str, str]], Path], name: str
) -> None:
    root = on_path(
        {
            f"{name}/__init__.py": RAISE,
            f"{name}/real/__init__.py": RAISE,
            f"{name}/real/m.py": RAISE,
            f"{name}/other/__init__.py": RAISE,
        }
    )
    # Sorted first, the alias claims the folder; the real name then finds it taken.
    (root / name / "alias").symlink_to(root / name / "real", target_is_directory=True)
    (root / name / "other" / "back").symlink_to(root / name / "real", target_is_directory=True)

    found = list(iter_submodules(name))

    assert relative(found, name) == ["alias", "alias.m", "other"]
    files = [info.path.resolve() for info in found]
    assert len(files) == len(set(files))


@pytest.mark.parametrize("how", ["duplicate-entry", "symlinked-entry"])
def test_path_entry_listed_twice_yields_each_module_once(
    write_tree: WriteTree, tmp_path: Path, name: str, how: str
) -> None:
    root = write_tree({f"{name}/a.py": RAISE, f"{name}/sub/__init__.py": RAISE})
    twin = root
    if how == "symlinked-entry":
        twin = tmp_path / "twin"
        twin.symlink_to(root, target_is_directory=True)
    sys.path[:0] = [str(root), str(twin)]
    importlib.invalidate_caches()

    assert relative(iter_submodules(name), name) == ["a", "sub"]


@pytest.mark.parametrize("kind", ["missing", "below-missing", "plain-file", "corrupt-zip"])
def test_unusable_locations_hold_nothing(
    on_path: Callable[[dict[str, str]], Path], tmp_path: Path, name: str, kind: str
) -> None:
    root = on_path({f"{name}/__init__.py": "", f"{name}/real.py": ""})
    other = tmp_path / "other"
    if kind == "plain-file":
        other.write_text("just text", encoding="utf-8")
    elif kind == "corrupt-zip":
        other.write_bytes(b"PK\x03\x04 not really a zip")
    location = other / "deeper" if kind == "below-missing" else other
    package = ModuleType(name)
    package.__path__ = [str(location), str(root / name)]

    assert relative(iter_submodules(package), name) == ["real"]


def test_module_argument_uses_its_live___path__(
    on_path: Callable[[dict[str, str]], Path], tmp_path: Path, name: str
) -> None:
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "added.py").write_text(RAISE, encoding="utf-8")
    on_path({f"{name}/__init__.py": f"__path__.append({str(extra)!r})\n", f"{name}/own.py": RAISE})
    assert relative(iter_submodules(name), name) == ["own"]  # static: __init__ not run

    package = importlib.import_module(name)

    assert relative(iter_submodules(package), name) == ["added", "own"]
    assert relative(iter_submodules(name), name) == ["added", "own"]


def test_concurrent_walks_agree(on_path: Callable[[dict[str, str]], Path], name: str) -> None:
    files = {f"{name}/__init__.py": RAISE}
    for i in range(20):
        files[f"{name}/p{i}/__init__.py"] = RAISE
        files.update({f"{name}/p{i}/m{j}.py": RAISE for j in range(10)})
    on_path(files)
    expected = list(iter_submodules(name))

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: list(iter_submodules(name)), range(32)))

    assert len(expected) == 220
    assert all(result == expected for result in results)


@pytest.mark.parametrize(
    "package", ["email", "json", "xml", "concurrent", "venv", "importlib", "encodings", "ctypes"]
)
def test_same_modules_as_pkgutil_walk_packages(package: str) -> None:
    ours = [info.name for info in iter_submodules(package)]
    module = importlib.import_module(package)
    failed: list[str] = []

    theirs = [
        info.name
        for info in pkgutil.walk_packages(module.__path__, f"{package}.", onerror=failed.append)
    ]

    assert not failed
    # walk_packages reports __main__ modules; iter_submodules skips them on purpose.
    assert ours == [name for name in theirs if not name.endswith(".__main__")]
    assert theirs


def test_module_info_is_an_immutable_record() -> None:
    info: ModuleInfo = ModuleInfo("pkg.mod", Path("/x/mod.py"), False)

    for field in ("name", "path", "is_package"):
        with pytest.raises(AttributeError):
            setattr(info, field, "other")
        with pytest.raises(AttributeError):
            delattr(info, field)
    with pytest.raises(AttributeError):
        info.extra = 1  # type: ignore[attr-defined]
    assert (info.name, info.path, info.is_package) == ("pkg.mod", Path("/x/mod.py"), False)
    name, path, is_package = info
    assert (name, path, is_package) == ("pkg.mod", Path("/x/mod.py"), False)
    same = ModuleInfo(name="pkg.mod", path=Path("/x/mod.py"), is_package=False)
    assert info == same
    assert hash(info) == hash(same)
    assert info != ModuleInfo("pkg.mod", Path("/x/mod.py"), True)
    no_file: object = ModuleInfo("pkg.mod", None, False)
    assert info != no_file
    # As a named tuple equals its plain tuple.
    assert info == ("pkg.mod", Path("/x/mod.py"), False)
    assert hash(info) == hash(("pkg.mod", Path("/x/mod.py"), False))
    assert repr(info) == f"ModuleInfo(name='pkg.mod', path={Path('/x/mod.py')!r}, is_package=False)"
    assert pickle.loads(pickle.dumps(info)) == info
    assert copy.copy(info) == info
    match info:
        case ModuleInfo(found, _, False):
            assert found == "pkg.mod"
        case _:  # pragma: no cover - the match above must succeed
            pytest.fail("ModuleInfo does not match positionally")


def test_walk_records_make_their_path_on_first_read(
    on_path: Callable[[dict[str, str]], Path], name: str
) -> None:
    root = on_path({f"{name}/__init__.py": "", f"{name}/a.py": "", f"{name}/sub/__init__.py": ""})
    # The run-time records, not the named tuple type checkers see.
    infos: list[walk._LazyModuleInfo] = list(iter_submodules(name))  # type: ignore[arg-type]
    lazy = [info for info in infos if info._listing is not None]

    first = [info.path for info in infos]

    assert lazy == infos  # no Path made before it was asked for
    assert first == [root / name / "a.py", root / name / "sub" / "__init__.py"]
    assert all(info._listing is None for info in infos)  # the listing is let go
    assert all(info.path is path for info, path in zip(infos, first, strict=True))  # made once
    found: dict[object, str] = {info: info.name for info in infos}
    assert found[ModuleInfo(f"{name}.a", root / name / "a.py", False)] == f"{name}.a"
    assert pickle.loads(pickle.dumps(infos)) == infos


def test_paths_behave_like_paths_the_constructor_made(
    on_path: Callable[[dict[str, str]], Path], name: str
) -> None:
    # The walk fills pathlib's slots itself (walk._fast_paths), not through
    # Path(): its paths must be indistinguishable in every use, and the fast
    # factory must be the one in use (a silent fallback would cost 5x per file).
    root = on_path({f"{name}/__init__.py": "", f"{name}/a.py": "", f"{name}/sub/__init__.py": ""})
    expected = {
        f"{name}.a": root / name / "a.py",
        f"{name}.sub": root / name / "sub" / "__init__.py",
    }

    infos = list(iter_submodules(name))
    assert [info.path for info in infos] == list(expected.values())

    assert walk._make_paths is walk._fast_paths
    assert [info.name for info in infos] == list(expected)
    for info in infos:
        path, built = info.path, Path(str(expected[info.name]))
        assert path is not None
        assert type(path) is type(built)
        assert (str(path), os.fspath(path), path.as_posix()) == (
            str(built),
            os.fspath(built),
            built.as_posix(),
        )
        assert path == built
        assert hash(path) == hash(built)
        assert (path.parts, path.parent, path.name, path.suffix) == (
            built.parts,
            built.parent,
            built.name,
            built.suffix,
        )
        assert path / "x" == built / "x"
        assert path.is_file()
        assert pickle.loads(pickle.dumps(path)) == built


def test_fallback_path_factory_finds_the_same(
    on_path: Callable[[dict[str, str]], Path], name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_path({f"{name}/__init__.py": "", f"{name}/a.py": "", f"{name}/sub/__init__.py": ""})
    fast = [(info.name, info.path, info.is_package) for info in iter_submodules(name)]

    monkeypatch.setattr(walk, "_make_paths", walk._plain_paths)

    assert [(info.name, info.path, info.is_package) for info in iter_submodules(name)] == fast


# --- bad input -----------------------------------------------------------------------


def _plain_module() -> ModuleType:
    import json.decoder

    return json.decoder


BAD_INPUT: list[tuple[object, type[Exception], str]] = [
    (42, TypeError, "int"),
    (b"json", TypeError, "bytes"),
    (None, TypeError, "None"),
    (Path("json"), TypeError, "json"),
    ("", ValueError, "''"),
    ("not a name", ModuleNotFoundError, "not a name"),
    ("json/decoder", ValueError, "json/decoder"),
    ("json\0", ValueError, "json\\x00"),
    ("json..decoder", ValueError, "json..decoder"),
    ("json.", ValueError, "json."),
    ("json.decoder", ValueError, "json.decoder"),
    ("no_such_package_at_all", ModuleNotFoundError, "no_such_package_at_all"),
    ("json.no_such_sub", ModuleNotFoundError, "json.no_such_sub"),
    ("json.decoder.below", ModuleNotFoundError, "json.decoder.below"),
]


@pytest.mark.parametrize("function", [iter_submodules, import_submodules])
@pytest.mark.parametrize(("package", "error", "message"), BAD_INPUT)
def test_bad_input_raises_at_call_time_and_changes_nothing(
    function: Callable[[object], object], package: object, error: type[Exception], message: str
) -> None:
    before = dict(sys.modules)
    path = list(sys.path)

    with pytest.raises(error, match=None) as caught:
        function(package)  # no iteration: the check is eager

    assert type(caught.value) is error
    assert message in str(caught.value)
    assert sys.modules == before
    assert sys.path == path


@pytest.mark.parametrize("function", [iter_submodules, import_submodules])
def test_plain_module_object_is_a_value_error(function: Callable[[object], object]) -> None:
    with pytest.raises(ValueError, match=r"json\.decoder.*not a package"):
        function(_plain_module())


def test_blocked_module_is_not_found(name: str) -> None:
    sys.modules[name] = None  # type: ignore[assignment]

    with pytest.raises(ModuleNotFoundError) as caught:
        iter_submodules(name)

    assert caught.value.name == name


# --- import_submodules ----------------------------------------------------------------


def test_imports_package_and_submodules_in_order(
    on_path: Callable[[dict[str, str]], Path], name: str
) -> None:
    on_path(
        {
            f"{name}/__init__.py": "",
            f"{name}/b.py": "",
            f"{name}/a/__init__.py": "",
            f"{name}/a/x.py": "",
            f"{name}/__main__.py": RAISE,
        }
    )
    announced: list[tuple[str, bool]] = []

    modules = import_submodules(
        name, on_import=lambda module: announced.append((module, module in sys.modules))
    )

    expected = [name, f"{name}.a", f"{name}.a.x", f"{name}.b"]
    assert list(modules) == expected
    assert all(modules[module] is sys.modules[module] for module in expected)
    # on_import runs right before each import: the module is not loaded yet.
    assert announced == [(module, False) for module in expected]


def test_recursive_false_imports_one_level(
    on_path: Callable[[dict[str, str]], Path], name: str
) -> None:
    on_path({f"{name}/__init__.py": "", f"{name}/a/__init__.py": "", f"{name}/a/x.py": RAISE})

    modules = import_submodules(name, recursive=False)

    assert list(modules) == [name, f"{name}.a"]
    assert f"{name}.a.x" not in sys.modules


def test_module_argument_is_included_and_not_reimported(
    on_path: Callable[[dict[str, str]], Path], name: str
) -> None:
    on_path({f"{name}/__init__.py": "COUNT = []\nCOUNT.append(1)\n", f"{name}/a.py": ""})
    package = importlib.import_module(name)
    announced: list[str] = []

    modules = import_submodules(package, on_import=announced.append)

    assert modules == {name: package, f"{name}.a": sys.modules[f"{name}.a"]}
    assert package.COUNT == [1]
    assert announced == [name, f"{name}.a"]


def test_children_come_from_the_live___path__(
    on_path: Callable[[dict[str, str]], Path], tmp_path: Path, name: str
) -> None:
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "plugin.py").write_text("", encoding="utf-8")
    on_path({f"{name}/__init__.py": f"__path__.append({str(extra)!r})\n", f"{name}/own.py": ""})

    modules = import_submodules(name)

    assert list(modules) == [name, f"{name}.own", f"{name}.plugin"]


def test_never_imports___main__(on_path: Callable[[dict[str, str]], Path], name: str) -> None:
    """Issue 11: a package's command-line entry point is not part of its API."""
    on_path(
        {
            f"{name}/__init__.py": "",
            f"{name}/__main__.py": "raise SystemExit('the CLI ran')\n",
            f"{name}/tool/__init__.py": "",
            f"{name}/tool/__main__.py": "raise SystemExit('the CLI ran')\n",
            f"{name}/cli/__main__/__init__.py": "raise SystemExit('the CLI ran')\n",
        }
    )
    # The standard library reports it, and a loop importing what it reports runs it.
    walked = [info.name for info in pkgutil.walk_packages([sys.path[0]]) if name in info.name]
    assert f"{name}.__main__" in walked

    modules = import_submodules(name)

    assert list(modules) == [name, f"{name}.tool"]
    assert not [module for module in sys.modules if module.endswith("__main__") and name in module]


def test_stdlib_package_with_a_cli_is_imported_without_running_it() -> None:
    assert [info.name for info in iter_submodules("venv")] == []

    modules = import_submodules("venv")

    assert list(modules) == ["venv"]
    assert "venv.__main__" not in sys.modules


FAILURES = [
    pytest.param("raise SystemExit(3)\n", SystemExit, id="SystemExit"),
    pytest.param("raise GeneratorExit\n", GeneratorExit, id="GeneratorExit"),
    pytest.param("class Boom(BaseException): pass\nraise Boom\n", BaseException, id="custom"),
    pytest.param("raise RuntimeError('boom')\n", RuntimeError, id="RuntimeError"),
    pytest.param("import no_such_dependency_xyz\n", ModuleNotFoundError, id="missing-dep"),
    pytest.param("def broken(:\n", SyntaxError, id="SyntaxError"),
]


@pytest.mark.parametrize(("body", "error"), FAILURES)
def test_on_error_reports_any_failure_and_goes_on(
    on_path: Callable[[dict[str, str]], Path], name: str, body: str, error: type[BaseException]
) -> None:
    """Issue 11: SystemExit and other BaseExceptions are reported, not fatal."""
    on_path(
        {
            f"{name}/__init__.py": "",
            f"{name}/a_bad/__init__.py": f"from . import helper\n{body}",
            f"{name}/a_bad/helper.py": "",
            f"{name}/a_bad/child.py": RAISE,  # its package failed: never attempted
            f"{name}/b_good.py": "",
            f"{name}/c_bad.py": body,
        }
    )
    reported: list[tuple[str, BaseException]] = []
    announced: list[str] = []

    modules = import_submodules(
        name,
        on_error=lambda module, exc: reported.append((module, exc)),
        on_import=announced.append,
    )

    assert [module for module, _ in reported] == [f"{name}.a_bad", f"{name}.c_bad"]
    assert all(isinstance(exc, error) for _, exc in reported)
    assert list(modules) == [name, f"{name}.b_good"]
    assert announced == [name, f"{name}.a_bad", f"{name}.b_good", f"{name}.c_bad"]
    # Nothing half-initialised: not the failed modules, not what they imported.
    assert sorted(module for module in sys.modules if module.startswith(name)) == [
        name,
        f"{name}.b_good",
    ]
    assert not hasattr(sys.modules[name], "a_bad")
    assert sys.modules[name].b_good is modules[f"{name}.b_good"]


def test_stdlib_walk_packages_aborts_on_system_exit(
    on_path: Callable[[dict[str, str]], Path], name: str
) -> None:
    """What import_submodules does instead of this: report and go on."""
    on_path({f"{name}/__init__.py": "", f"{name}/bad/__init__.py": "raise SystemExit(3)\n"})
    package = importlib.import_module(name)

    with pytest.raises(SystemExit):
        list(pkgutil.walk_packages(package.__path__, f"{name}.", onerror=lambda _: None))


def test_failed_module_takes_what_it_imported_with_it(
    on_path: Callable[[dict[str, str]], Path], name: str
) -> None:
    sidecar = f"{name}_sidecar"
    on_path(
        {
            f"{name}/__init__.py": "",
            f"{name}/bad.py": f"import {sidecar}\nfrom . import good\nraise RuntimeError\n",
            f"{name}/good.py": "",
            f"{sidecar}.py": "",
        }
    )
    reported: list[str] = []

    modules = import_submodules(name, on_error=lambda module, exc: reported.append(module))

    assert reported == [f"{name}.bad"]
    assert sidecar not in sys.modules
    # good is imported again, in its own turn, after bad's rollback.
    assert list(modules) == [name, f"{name}.good"]


@pytest.mark.parametrize("preimported", [False, True])
@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("raise RuntimeError('boom')\n", ModuleLoadError),
        ("raise SystemExit(3)\n", SystemExit),
        ("raise KeyboardInterrupt\n", KeyboardInterrupt),
    ],
)
def test_failure_without_on_error_propagates_and_rolls_everything_back(
    on_path: Callable[[dict[str, str]], Path],
    name: str,
    body: str,
    error: type[BaseException],
    preimported: bool,
) -> None:
    root = on_path({f"{name}/__init__.py": "", f"{name}/a.py": "", f"{name}/b.py": body})
    if preimported:
        importlib.import_module(name)
    before = dict(sys.modules)

    with pytest.raises(error) as caught:
        import_submodules(name)

    assert sys.modules == before
    if preimported:
        assert not hasattr(sys.modules[name], "a")
    if isinstance(caught.value, ModuleLoadError):
        assert caught.value.name == f"{name}.b"
        assert caught.value.path == str(root / name / "b.py")
        assert isinstance(caught.value.__cause__, RuntimeError)
        assert f"{name}.b" in str(caught.value)
        assert str(root / name / "b.py") in str(caught.value)


def test_keyboard_interrupt_propagates_even_with_on_error(
    on_path: Callable[[dict[str, str]], Path], name: str
) -> None:
    on_path(
        {f"{name}/__init__.py": "", f"{name}/a.py": "", f"{name}/b.py": "raise KeyboardInterrupt\n"}
    )
    before = dict(sys.modules)
    reported: list[str] = []

    with pytest.raises(KeyboardInterrupt):
        import_submodules(name, on_error=lambda module, exc: reported.append(module))

    assert reported == []
    assert sys.modules == before


@pytest.mark.parametrize("hook", ["on_error", "on_import"])
def test_raising_callback_propagates_and_rolls_back(
    on_path: Callable[[dict[str, str]], Path], name: str, hook: str
) -> None:
    on_path({f"{name}/__init__.py": "", f"{name}/a.py": "", f"{name}/b.py": RAISE})
    before = dict(sys.modules)

    def callback(module: str, exc: BaseException | None = None) -> None:
        if module == f"{name}.b":
            raise LookupError(module)

    with pytest.raises(LookupError, match=f"{name}.b"):
        import_submodules(name, **{hook: callback})  # type: ignore[arg-type]

    assert sys.modules == before


def test_failing_package_itself_is_reported(
    on_path: Callable[[dict[str, str]], Path], name: str
) -> None:
    on_path({f"{name}/__init__.py": "raise SystemExit(1)\n", f"{name}/a.py": RAISE})
    before = dict(sys.modules)
    reported: list[str] = []

    modules = import_submodules(name, on_error=lambda module, exc: reported.append(module))

    assert modules == {}
    assert reported == [name]
    assert sys.modules == before


# --- properties -------------------------------------------------------------------------

_identifier = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True)
_unicode_identifier = st.text(
    st.characters(categories=["Lu", "Ll", "Lo", "Nd", "Mn", "Pc"]), min_size=1, max_size=6
).filter(str.isidentifier)
_module_names = st.one_of(
    st.sampled_from(sorted(sys.stdlib_module_names)),
    st.sampled_from(["json", "email", "email.mime", "xml.dom", "os.path", "json.decoder"]),
    st.lists(st.one_of(_identifier, _unicode_identifier), min_size=1, max_size=3).map(".".join),
    st.sampled_from(["class", "def", "None", "import.x", "json.class"]),
    st.text(max_size=12),  # mostly malformed
)
_non_strings = st.one_of(st.none(), st.integers(), st.binary(max_size=5), st.just(["json"]))


@settings(max_examples=100, deadline=None)
@given(package=st.one_of(_module_names, _non_strings))
def test_property_iter_submodules_succeeds_or_raises_the_documented_error(
    package: object,
) -> None:
    modules = dict(sys.modules)
    path = list(sys.path)
    try:
        found = list(iter_submodules(package, recursive=False))  # type: ignore[call-overload]
    except (TypeError, ValueError, ModuleNotFoundError):
        pass
    else:
        assert all(info.name.startswith(f"{package}.") for info in found)
    assert sys.modules == modules
    assert sys.path == path


@settings(max_examples=100, deadline=None)
@given(
    package=st.one_of(
        st.lists(_identifier, min_size=1, max_size=3).map(lambda p: "zz_absent_" + ".".join(p)),
        st.text(max_size=12).filter(lambda text: not text.isidentifier()),
        _non_strings,
    )
)
def test_property_import_submodules_rejects_bad_input_and_changes_nothing(
    package: object,
) -> None:
    modules = dict(sys.modules)
    path = list(sys.path)

    with pytest.raises((TypeError, ValueError, ModuleNotFoundError)):
        import_submodules(package)  # type: ignore[arg-type]

    assert sys.modules == modules
    assert sys.path == path


_stems = st.one_of(
    _identifier,
    _unicode_identifier,
    st.sampled_from(["__init__", "__main__", "class", "not-valid", "dotted.name", "9lives", ""]),
)
_suffixes = st.sampled_from(
    [
        *importlib.machinery.all_suffixes(),
        ".txt",
        ".py.bak",
        "",
        "/__init__.py",  # a regular subpackage
        "/mod.py",  # a namespace folder
    ]
)


@settings(max_examples=100, deadline=None)
@given(files=st.lists(st.tuples(_stems, _suffixes), min_size=1, max_size=8))
def test_property_file_names_found_exactly_when_importlib_finds_them(
    files: list[tuple[str, str]],
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        package = Path(folder) / "hyp_pkg"
        package.mkdir()
        (package / "__init__.py").write_text("", encoding="utf-8")
        for stem, suffix in files:
            target = package / f"{stem}{suffix}"
            if not stem or target.exists() or target.parent.is_file():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.parent.is_dir():
                continue
            target.write_text("", encoding="utf-8")
        importlib.invalidate_caches()

        found = {
            info.name.partition(".")[2]: info
            for info in iter_submodules(_package_module(package), recursive=False)
        }

        # FileFinder maps the last name part to a file or folder name: every
        # stem without a dot is importable, identifier or not.
        candidates = {stem for stem, _ in files if stem and "." not in stem} - {
            "__init__",
            "__main__",
        }
        for stem in candidates:
            # PathFinder with an explicit path: what `import hyp_pkg.<stem>` would find.
            spec = importlib.machinery.PathFinder.find_spec(stem, [str(package)])
            if spec is None or spec.loader is None:
                assert stem not in found
            else:
                assert stem in found
                assert str(found[stem].path) == spec.origin
                assert found[stem].is_package == (spec.submodule_search_locations is not None)
        assert set(found) <= candidates


def _package_module(folder: Path) -> ModuleType:
    """A package object for *folder* that never ran any code: only ``__path__`` matters."""
    module = ModuleType("hyp_pkg")
    module.__path__ = [str(folder)]
    return module


# --- issue 19: names import accepts, zip namespaces --------------------------------

NON_IDENTIFIER_STEMS = [
    "0001_initial",  # django migrations
    "unicode17-0-0",  # rich's unicode tables
    "hook-numpy",  # PyInstaller hooks
    "_sysconfigdata__linux_x86_64-linux-gnu",  # the stdlib's build data
    "not a name",
]


@pytest.mark.parametrize("stem", NON_IDENTIFIER_STEMS)
@pytest.mark.parametrize("layout", ["{stem}.py", "{stem}/__init__.py"])
def test_non_identifier_names_are_listed_and_imported_as_import_module_does(
    on_path: Callable[[dict[str, str]], Path], name: str, stem: str, layout: str
) -> None:
    relative_file = layout.format(stem=stem)
    root = on_path({f"{name}/__init__.py": "", f"{name}/{relative_file}": "VALUE = 1\n"})

    found = list(iter_submodules(name))
    modules = import_submodules(name)

    assert found == [ModuleInfo(f"{name}.{stem}", root / name / relative_file, "/" in layout)]
    assert modules[f"{name}.{stem}"] is importlib.import_module(f"{name}.{stem}")
    assert_agrees_with_import_system(found)


@pytest.mark.parametrize("folder_entries", [True, False], ids=["dir-entries", "implicit-dirs"])
def test_zip_namespace_folder_is_listed_only_when_zipimport_can_import_it(
    tmp_path: Path, name: str, folder_entries: bool
) -> None:
    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        if folder_entries:
            zf.writestr(f"{name}/ns/", "")
        zf.writestr(f"{name}/__init__.py", "")
        zf.writestr(f"{name}/ns/mod.py", "VALUE = 'ns'\n")
    sys.path.insert(0, str(archive))

    found = [info.name for info in iter_submodules(name, namespace_packages=True)]

    expected = [f"{name}.ns", f"{name}.ns.mod"] if folder_entries else []
    assert found == expected
    importable = True
    try:
        importlib.import_module(f"{name}.ns.mod")
    except ModuleNotFoundError:
        importable = False
    assert importable is folder_entries


# --- issue 18: static means static (lazy modules, PEP 562: see test_locate.py) --------


def test_subpackage_appending_an_already_walked_folder_imports_no_duplicate(
    on_path: Callable[[dict[str, str]], Path], name: str
) -> None:
    imported: list[str] = []
    root = on_path(
        {
            f"{name}/__init__.py": "",
            f"{name}/a.py": "",
            f"{name}/sub/__init__.py": "import os\n__path__.append(os.path.dirname(__path__[0]))\n",
            f"{name}/sub/b.py": "",
        }
    )
    assert (root / name).is_dir()

    modules = import_submodules(name, on_import=imported.append)

    # The parent's folder, appended to sub.__path__, is already walked: its
    # modules are not imported again as sub.a, sub.sub...
    assert imported == [name, f"{name}.a", f"{name}.sub", f"{name}.sub.b"]
    assert sorted(modules) == sorted(imported)


# --- issue 20: first use in a fresh process ------------------------------------------

FIRST_USE = """
import sys
sys.path.insert(0, {root!r})
import modutils
names = [info.name for info in modutils.iter_submodules("email")]
assert "email.mime.text" in names, names
print(sorted(set(sys.modules) & {{"pathlib", "re", "fnmatch", "urllib.parse"}}))
first = next(modutils.iter_submodules("email"))
print(first.path.name, "pathlib" in sys.modules)
"""


def test_first_walk_in_a_fresh_process_imports_no_pathlib() -> None:
    # -S: no site, so no .pth file imports pathlib before modutils does.
    root = os.path.dirname(os.path.dirname(os.path.abspath(modutils.__file__)))
    code = FIRST_USE.format(root=root)

    result = subprocess.run(
        [sys.executable, "-S", "-c", code], capture_output=True, text=True, timeout=60, check=False
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["[]", "_encoded_words.py True"]


# --- issue 21: records typed and behaving as a named tuple ---------------------------


def test_unpacking_is_typed_precisely() -> None:
    # mypy --strict (the typecheck session) checks the assert_type calls statically.
    from typing_extensions import assert_type

    count = 0
    for name, path, is_package in iter_submodules("email"):
        assert_type(name, str)
        assert_type(path, Path)
        assert_type(is_package, bool)
        assert (type(name), isinstance(path, Path), type(is_package)) == (str, True, bool)
        assert path.suffix == ".py"  # no union-attr: path is a Path
        count += 1
    assert count > 10
    for info in iter_submodules("email", namespace_packages=True):
        assert_type(info.path, Path | None)


def test_records_behave_as_the_named_tuple_they_are_typed_as() -> None:
    info = ModuleInfo("pkg.mod", Path("/x/mod.py"), False)
    triple = ("pkg.mod", Path("/x/mod.py"), False)

    assert (info[0], info[1], info[2], info[-1], info[:2]) == (*triple, False, triple[:2])
    assert (len(info), tuple(info), list(info)) == (3, triple, list(triple))
    assert info._fields == ("name", "path", "is_package")
    assert info._asdict() == {"name": "pkg.mod", "path": Path("/x/mod.py"), "is_package": False}
    assert info._replace(is_package=True) == ModuleInfo("pkg.mod", Path("/x/mod.py"), True)
    assert info == triple
    assert hash(info) == hash(triple)
    with pytest.raises(ValueError, match="unexpected field"):
        info._replace(kind="source")  # type: ignore[call-arg]
    with pytest.raises(IndexError):
        info[3]  # type: ignore[misc]
    match info:
        case ModuleInfo(name, path, is_package):
            assert (name, path, is_package) == triple


# --- issue 19: pkgutil-style namespace subpackages ------------------------------------

PKGUTIL_INIT = "__path__ = __import__('pkgutil').extend_path(__path__, __name__)\n"


@pytest.mark.parametrize("inner_idiom", [True, False], ids=["pkgutil-inner", "plain-inner"])
def test_pkgutil_style_subpackage_is_walked_in_every_portion(
    tmp_path: Path, name: str, inner_idiom: bool
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    for folder, module in ((first, "a"), (second, "b")):
        (folder / name / "inner").mkdir(parents=True)
        (folder / name / "__init__.py").write_text(PKGUTIL_INIT, encoding="utf-8")
        inner = PKGUTIL_INIT if inner_idiom else ""
        (folder / name / "inner" / "__init__.py").write_text(inner, encoding="utf-8")
        (folder / name / "inner" / f"{module}.py").write_text("", encoding="utf-8")
    sys.path[:0] = [str(first), str(second)]
    importlib.invalidate_caches()

    found = [info.name for info in iter_submodules(name)]

    inner_modules = [f"{name}.inner.a", f"{name}.inner.b"] if inner_idiom else [f"{name}.inner.a"]
    assert found == [f"{name}.inner", *inner_modules]
    # What the import finds, once the idiom has run.
    inner_package = importlib.import_module(f"{name}.inner")
    imported = [
        info.name for info in pkgutil.iter_modules(inner_package.__path__, f"{name}.inner.")
    ]
    assert imported == inner_modules
