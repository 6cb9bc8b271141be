"""Tests for modutils.lazy: lazy_import, lazy_attach and its typed forms."""

from __future__ import annotations

import gc
import importlib
import pickle
import sys
import threading
import types
import weakref
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

import modutils
from conftest import WriteTree
from modutils import (
    ModuleLoadError,
    lazy_attach,
    lazy_attach_stub,
    lazy_attach_type_checking,
    lazy_import,
)
from modutils.cli import main
from modutils.lazy import resolve_attached

PROBE = "_modutils_lazy_probe"
_COUNTER = 0


def _unique(stem: str) -> str:
    global _COUNTER
    _COUNTER += 1
    return f"_lazy_{stem}_{_COUNTER}"


@pytest.fixture
def probe() -> types.ModuleType:
    """A module the test packages record their execution in (``probe.ran``)."""
    module = types.ModuleType(PROBE)
    module.ran = []  # type: ignore[attr-defined]
    module.fail = True  # type: ignore[attr-defined]
    sys.modules[PROBE] = module
    return module


def _ran(probe: types.ModuleType) -> list[str]:
    ran: list[str] = probe.ran
    return ran


RECORD = f"import {PROBE}\n{PROBE}.ran.append(__name__)\n"


@pytest.fixture
def tree(write_tree: WriteTree, probe: types.ModuleType) -> str:
    """A package with ``mod``, ``sub/inner`` and ``other``, all recording, on sys.path."""
    name = _unique("pkg")
    root = write_tree(
        {
            f"{name}/__init__.py": RECORD + "PKG_VALUE = 1\n",
            f"{name}/mod.py": RECORD + "VALUE = 42\n\ndef func():\n    return VALUE\n\n"
            "class Thing:\n    pass\n",
            f"{name}/sub/__init__.py": RECORD,
            f"{name}/sub/inner.py": RECORD + "INNER = 'inner'\n",
            f"{name}/other.py": RECORD + "OTHER = 'other'\n",
        }
    )
    sys.path.insert(0, str(root))
    return name


# --- lazy_import: finding without executing -------------------------------------------


def test_nothing_runs_until_first_use(tree: str, probe: types.ModuleType) -> None:
    module = lazy_import(f"{tree}.mod")
    assert _ran(probe) == []
    assert tree not in sys.modules  # no parent imported either
    assert sys.modules[f"{tree}.mod"] is module
    assert isinstance(module, types.ModuleType)
    assert "not executed yet" in repr(module)
    # What describes a module is readable without executing it.
    assert module.__name__ == f"{tree}.mod"
    assert module.__spec__ is not None
    assert module.__file__ is not None
    assert module.__file__.endswith("mod.py")
    assert "VALUE" not in vars(module)
    assert _ran(probe) == []
    assert module.VALUE == 42
    assert _ran(probe) == [tree, f"{tree}.mod"]  # the parent first, as import does
    assert type(module) is types.ModuleType
    assert sys.modules[f"{tree}.mod"] is module
    assert sys.modules[tree].mod is module
    assert module.VALUE == 42
    assert _ran(probe) == [tree, f"{tree}.mod"]


def test_plain_import_of_a_lazy_module_keeps_it_lazy(tree: str, probe: types.ModuleType) -> None:
    module = lazy_import(f"{tree}.other")
    imported = importlib.import_module(f"{tree}.other")
    assert imported is module
    assert f"{tree}.other" not in _ran(probe)
    assert imported.OTHER == "other"
    assert _ran(probe) == [tree, f"{tree}.other"]


def _touch_attribute(module: types.ModuleType) -> None:
    assert module.VALUE == 42


def _touch_dir(module: types.ModuleType) -> None:
    assert "VALUE" in dir(module)


def _touch_hasattr(module: types.ModuleType) -> None:
    assert hasattr(module, "func")


def _touch_setattr(module: types.ModuleType) -> None:
    module.EXTRA = 1  # type: ignore[attr-defined]


def _touch_from_import(module: types.ModuleType) -> None:
    namespace: dict[str, object] = {}
    exec(f"from {module.__name__} import VALUE", namespace)
    assert namespace["VALUE"] == 42


@pytest.mark.parametrize(
    "touch",
    [_touch_attribute, _touch_dir, _touch_hasattr, _touch_setattr, _touch_from_import],
)
def test_first_use_of_any_kind_executes(
    tree: str, probe: types.ModuleType, touch: Callable[[types.ModuleType], None]
) -> None:
    module = lazy_import(f"{tree}.mod")
    touch(module)
    assert _ran(probe) == [tree, f"{tree}.mod"]
    assert type(module) is types.ModuleType
    assert module.func() == 42


def test_relative_name(tree: str, probe: types.ModuleType) -> None:
    module = lazy_import(".inner", package=f"{tree}.sub")
    assert module.__name__ == f"{tree}.sub.inner"
    assert lazy_import("..other", package=f"{tree}.sub").__name__ == f"{tree}.other"
    assert lazy_import(".", package=tree).__name__ == tree
    assert _ran(probe) == []


def test_already_imported_module_is_returned_as_is() -> None:
    import json

    assert lazy_import("json") is json
    assert type(lazy_import("json")) is types.ModuleType


def _created_executed(kind: str) -> list[str]:
    """Modules not imported yet whose code runs when the module object is created."""
    from importlib.machinery import ExtensionFileLoader

    from modutils._spec import find_spec_static

    if kind == "builtin":
        return [name for name in sys.builtin_module_names if name not in sys.modules]
    candidates = ["_bisect", "_csv", "_heapq", "_json", "_lsprof", "_queue", "mmap", "_bz2"]
    return [
        name
        for name in candidates
        if name not in sys.modules
        and isinstance(getattr(find_spec_static(name), "loader", None), ExtensionFileLoader)
    ]


@pytest.mark.parametrize("kind", ["builtin", "extension"])
def test_builtin_and_extension_modules_are_imported_at_once(kind: str) -> None:
    names = _created_executed(kind)
    assert names, f"no {kind} module left unimported to try"
    module = lazy_import(names[0])
    assert type(module) is types.ModuleType
    assert sys.modules[names[0]] is module


def test_module_in_a_zip_file(tmp_path: Path, probe: types.ModuleType) -> None:
    name = _unique("zipped")
    archive = tmp_path / "modules.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr(f"{name}.py", RECORD + "VALUE = 'from zip'\n")
    sys.path.insert(0, str(archive))
    module = lazy_import(name)
    assert _ran(probe) == []
    assert module.VALUE == "from zip"
    assert _ran(probe) == [name]
    assert type(module) is types.ModuleType


def test_lazy_import_twice_gives_the_same_lazy_module(tree: str, probe: types.ModuleType) -> None:
    first = lazy_import(f"{tree}.mod")
    assert lazy_import(f"{tree}.mod") is first
    assert _ran(probe) == []


@pytest.mark.parametrize(
    "name",
    ["{tree}.missing", "{tree}.mod.child", "{tree}.nope.deeper", "_modutils_no_such_top_level"],
)
def test_missing_module_fails_at_the_call(tree: str, name: str) -> None:
    full = name.format(tree=tree)
    before = dict(sys.modules)
    with pytest.raises(ModuleNotFoundError, match=full.replace(".", r"\.")) as info:
        lazy_import(full)
    assert info.value.name == full
    assert sys.modules == before


def test_blocked_module_fails_at_the_call(tree: str) -> None:
    sys.modules[f"{tree}.mod"] = None  # type: ignore[assignment]
    with pytest.raises(ModuleNotFoundError, match="halted"):
        lazy_import(f"{tree}.mod")


@pytest.mark.parametrize(
    ("name", "package", "error", "match"),
    [
        (3, None, TypeError, "must be a str"),
        (b"json", None, TypeError, "must be a str"),
        ("", None, ValueError, "malformed"),
        ("a..b", None, ValueError, "malformed"),
        ("not a name", None, ValueError, "malformed"),
        (".sub", None, TypeError, "'package' argument is required"),
        (".sub", 3, TypeError, "must be a str"),
        ("...x", "a.b", ValueError, "above the top-level package"),
    ],
)
def test_bad_input(name: object, package: object, error: type[Exception], match: str) -> None:
    before = dict(sys.modules)
    with pytest.raises(error, match=match):
        lazy_import(name, package=package)  # type: ignore[arg-type]
    assert sys.modules == before


# --- lazy_import: failures ---------------------------------------------------------------


def test_failing_module_raises_at_first_use_with_the_call_site_and_retries(
    write_tree: WriteTree, probe: types.ModuleType
) -> None:
    name = _unique("pkg")
    root = write_tree(
        {
            f"{name}/__init__.py": "",
            f"{name}/helper.py": "HELPER = 1\n",
            f"{name}/bad.py": RECORD + f"from . import helper\nif {PROBE}.fail:\n"
            "    raise ValueError('boom in bad')\nGOOD = True\n",
        }
    )
    sys.path.insert(0, str(root))
    import_package = importlib.import_module(name)
    call_line = sys._getframe().f_lineno + 1
    module = lazy_import(f"{name}.bad")
    assert import_package.bad is module
    with pytest.raises(ModuleLoadError, match="boom in bad") as info:
        _ = module.GOOD
    error = info.value
    assert isinstance(error.__cause__, ValueError)
    assert error.name == f"{name}.bad"
    assert error.path is not None
    assert error.path.endswith("bad.py")
    assert getattr(error, "__notes__", None) == [
        f"lazy_import('{name}.bad') was called at {__file__}, line {call_line}"
    ]
    # As after a failed import: the module is out of sys.modules and its parent,
    # what it imported before failing stays.
    assert f"{name}.bad" not in sys.modules
    assert "bad" not in vars(import_package)
    assert f"{name}.helper" in sys.modules
    assert type(module) is not types.ModuleType
    # The next access tries again (and fails again the same way).
    with pytest.raises(ModuleLoadError, match="boom in bad"):
        module.GOOD  # noqa: B018
    assert _ran(probe) == [f"{name}.bad", f"{name}.bad"]
    probe.fail = False  # type: ignore[attr-defined]
    assert module.GOOD is True
    assert sys.modules[f"{name}.bad"] is module
    assert import_package.bad is module
    assert type(module) is types.ModuleType


def test_hasattr_does_not_hide_a_failure(write_tree: WriteTree) -> None:
    name = _unique("broken")
    sys.path.insert(0, str(write_tree({f"{name}.py": "raise AttributeError('inside')\n"})))
    module = lazy_import(name)
    with pytest.raises(ModuleLoadError, match="inside"):
        hasattr(module, "anything")
    assert name not in sys.modules


def test_failing_parent_package_fails_the_child(write_tree: WriteTree) -> None:
    name = _unique("pkg")
    root = write_tree({f"{name}/__init__.py": "raise RuntimeError('parent')\n", f"{name}/c.py": ""})
    sys.path.insert(0, str(root))
    child = lazy_import(f"{name}.c")
    with pytest.raises(ModuleLoadError, match="parent") as info:
        child.anything  # noqa: B018
    assert isinstance(info.value.__cause__, RuntimeError)
    assert name not in sys.modules
    assert f"{name}.c" not in sys.modules


def test_a_module_reading_itself_while_it_runs_sees_its_namespace_so_far(
    write_tree: WriteTree,
) -> None:
    name = _unique("selfref")
    source = f"FIRST = 1\nimport {name} as me\nSEEN = me.FIRST\nNAMES = dir(me)\nLATER = 2\n"
    sys.path.insert(0, str(write_tree({f"{name}.py": source})))
    module = lazy_import(name)
    assert module.SEEN == 1
    assert "FIRST" in module.NAMES
    assert "LATER" not in module.NAMES
    assert module.LATER == 2


# --- lazy_import: threads ----------------------------------------------------------------

# The first-touch race. Measured on this machine (2 cores) with the same module body
# and 50 threads behind a barrier, importlib.util.LazyLoader let at least one thread
# see a half-executed module (AttributeError on LAST) in 97 of 100 rounds on 3.11.7,
# 98/100 on 3.10.13 and 100/100 on 3.12.1 (3.13.0 has the gh-114763 lock: 0/100).
# 20 rounds would therefore all pass under LazyLoader with a probability below 1e-30.
RACE_ROUNDS = 20
RACE_THREADS = 50
RACE_BODY = RECORD + "FIRST = 1\ndata = [i * i for i in range(2000)]\nLAST = sum(data)\n"


def _race(read: Callable[[int], object]) -> list[object]:
    """What RACE_THREADS threads released at once got from ``read(index)`` (or raised)."""
    barrier = threading.Barrier(RACE_THREADS)
    seen: list[object] = []

    def touch(index: int) -> None:
        barrier.wait(timeout=30)
        try:
            seen.append(read(index))
        except Exception as exc:
            seen.append(exc)

    threads = [threading.Thread(target=touch, args=(i,)) for i in range(RACE_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return seen


def test_first_touch_race_executes_once_and_never_shows_a_partial_module(
    write_tree: WriteTree, probe: types.ModuleType
) -> None:
    names = [_unique("race") for _ in range(RACE_ROUNDS)]
    sys.path.insert(0, str(write_tree({f"{name}.py": RACE_BODY for name in names})))
    expected = sum(i * i for i in range(2000))
    for name in names:
        module = lazy_import(name)

        def read(index: int, module: types.ModuleType = module) -> object:
            if index % 2:  # half of them through the import system, as `import name`
                return importlib.import_module(module.__name__).LAST
            return module.LAST

        assert _race(read) == [expected] * RACE_THREADS, name
        assert _ran(probe).count(name) == 1
        assert sys.modules[name] is module
        assert type(module) is types.ModuleType


def test_a_module_another_thread_is_importing_is_returned_complete(
    write_tree: WriteTree, probe: types.ModuleType
) -> None:
    name = _unique("busy")
    probe.started = threading.Event()  # type: ignore[attr-defined]
    probe.release = threading.Event()  # type: ignore[attr-defined]
    source = f"import {PROBE}\n{PROBE}.started.set()\n{PROBE}.release.wait(30)\nLAST = 1\n"
    sys.path.insert(0, str(write_tree({f"{name}.py": source})))
    complete: list[bool] = []
    importer = threading.Thread(target=importlib.import_module, args=(name,))
    importer.start()
    assert probe.started.wait(30)
    # The importer is inside the module's code now, holding its import lock.
    asker = threading.Thread(target=lambda: complete.append(hasattr(lazy_import(name), "LAST")))
    asker.start()
    asker.join(timeout=0.5)
    probe.release.set()
    for thread in (importer, asker):
        thread.join(timeout=30)
        assert not thread.is_alive()
    assert complete == [True]


def test_concurrent_lazy_imports_of_one_name_give_one_module(
    write_tree: WriteTree, probe: types.ModuleType
) -> None:
    names = [_unique("twice") for _ in range(RACE_ROUNDS)]
    sys.path.insert(0, str(write_tree({f"{name}.py": RACE_BODY for name in names})))
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        for name in names:

            def ask(index: int, name: str = name) -> object:
                return lazy_import(name)

            got = _race(ask)
            assert [m for m in got if m is not sys.modules[name]] == [], name
            assert _ran(probe) == []
    finally:
        sys.setswitchinterval(interval)


def test_lazy_attach_first_touch_race(write_tree: WriteTree, probe: types.ModuleType) -> None:
    name = _unique("attrace")
    sys.path.insert(0, str(write_tree({
        f"{name}/__init__.py": "from modutils import lazy_attach\n"
        "__getattr__, __dir__, __all__ = lazy_attach(__name__, attributes={'slow': ['LAST']})\n",
        f"{name}/slow.py": RACE_BODY,
    })))  # fmt: skip
    package = importlib.import_module(name)
    seen = _race(lambda index: package.LAST)
    assert seen == [sum(i * i for i in range(2000))] * RACE_THREADS
    assert _ran(probe).count(f"{name}.slow") == 1


# --- lazy_import: packages, pickle, reload, eager mode -----------------------------------


def test_lazy_submodule_of_a_lazy_package(tree: str, probe: types.ModuleType) -> None:
    package = lazy_import(tree)
    sub = lazy_import(f"{tree}.sub")
    inner = lazy_import(f"{tree}.sub.inner")
    assert _ran(probe) == []
    assert vars(package)["sub"] is sub  # bound as after `import pkg.sub`
    assert vars(sub)["inner"] is inner
    assert inner.INNER == "inner"
    assert _ran(probe) == [tree, f"{tree}.sub", f"{tree}.sub.inner"]
    assert package.sub.inner is inner
    assert all(type(m) is types.ModuleType for m in (package, sub, inner))


def test_touching_a_lazy_package_leaves_its_lazy_submodule_alone(
    tree: str, probe: types.ModuleType
) -> None:
    package = lazy_import(tree)
    sub = lazy_import(f"{tree}.sub")
    assert package.PKG_VALUE == 1
    assert _ran(probe) == [tree]
    assert package.sub is sub
    assert "not executed yet" in repr(sub)


def test_lazy_grandchild_of_a_lazy_package(tree: str, probe: types.ModuleType) -> None:
    lazy_import(tree)
    inner = lazy_import(f"{tree}.sub.inner")
    assert f"{tree}.sub" not in sys.modules
    assert _ran(probe) == []
    assert inner.INNER == "inner"
    assert _ran(probe) == [tree, f"{tree}.sub", f"{tree}.sub.inner"]
    assert sys.modules[f"{tree}.sub"].inner is inner


def test_lazy_namespace_package_and_its_submodule(write_tree: WriteTree) -> None:
    name = _unique("ns")
    sys.path.insert(0, str(write_tree({f"{name}/mod.py": "VALUE = 7\n"})))
    package = lazy_import(name)
    module = lazy_import(f"{name}.mod")
    assert module.VALUE == 7
    assert type(package) is types.ModuleType
    assert list(package.__path__) == [str(Path(sys.path[0], name))]
    assert package.mod is module


def test_an_unused_lazy_module_is_not_kept_alive(tree: str) -> None:
    module = lazy_import(f"{tree}.other")
    ref = weakref.ref(module)
    del sys.modules[f"{tree}.other"], module
    gc.collect()
    assert ref() is None


def test_an_unused_lazy_module_is_freed_without_the_garbage_collector(tree: str) -> None:
    # No reference cycle (the pending state does not point back to the spec), so that
    # many lazy_import calls leave no work for the collector.
    module = lazy_import(f"{tree}.other")
    module_ref, spec_ref = weakref.ref(module), weakref.ref(module.__spec__)
    enabled = gc.isenabled()
    gc.disable()
    try:
        del sys.modules[f"{tree}.other"], module
        assert module_ref() is None
        assert spec_ref() is None
    finally:
        if enabled:
            gc.enable()


def test_pickle_objects_from_a_lazy_module(tree: str) -> None:
    module = lazy_import(f"{tree}.mod")
    thing = module.Thing()
    for obj in (module.func, module.Thing):
        assert pickle.loads(pickle.dumps(obj)) is obj
    copy = pickle.loads(pickle.dumps(thing))
    assert type(copy) is module.Thing


def test_reload_after_a_lazy_load(tree: str, probe: types.ModuleType) -> None:
    module = lazy_import(f"{tree}.mod")
    assert module.VALUE == 42
    path = Path(str(module.__file__))
    path.write_text("VALUE = 43\n", encoding="utf-8")
    importlib.invalidate_caches()
    assert modutils.reload(module) is module
    assert module.VALUE == 43
    assert sys.modules[f"{tree}.mod"] is module


SELF_READING = RECORD + (
    "import sys\n"
    f"if {PROBE}.fail:\n"
    "    raise RuntimeError('fails while probe.fail')\n"
    "VALUE = 42\n"
    "SEEN = sys.modules[__name__].VALUE  # its own code reads it while it runs\n"
)


@pytest.mark.parametrize(
    ("reload", "parent_loaded"),
    [
        pytest.param(modutils.reload, True, id="modutils-new-spec"),
        # Its parent not loaded: modutils.reload re-executes it from its own spec.
        pytest.param(modutils.reload, False, id="modutils-own-spec"),
        pytest.param(importlib.reload, True, id="importlib"),
    ],
)
def test_reload_of_a_lazy_module_never_executed_runs_it_once(
    write_tree: WriteTree,
    probe: types.ModuleType,
    reload: Callable[[types.ModuleType], types.ModuleType],
    parent_loaded: bool,
) -> None:
    name = _unique("pkg")
    sys.path.insert(0, str(write_tree({f"{name}/__init__.py": "", f"{name}/mod.py": SELF_READING})))
    probe.fail = False  # type: ignore[attr-defined]
    if parent_loaded:
        importlib.import_module(name)
    module = lazy_import(f"{name}.mod")
    assert reload(module) is module
    assert _ran(probe) == [f"{name}.mod"]  # the reload was its first (and only) execution
    assert (module.VALUE, module.SEEN) == (42, 42)
    assert type(module) is types.ModuleType
    assert sys.modules[f"{name}.mod"] is module
    assert _ran(probe) == [f"{name}.mod"]


@pytest.mark.parametrize("parent_loaded", [True, False], ids=["new-spec", "own-spec"])
def test_failed_reload_of_a_lazy_module_leaves_it_lazy(
    write_tree: WriteTree, probe: types.ModuleType, parent_loaded: bool
) -> None:
    name = _unique("pkg")
    sys.path.insert(0, str(write_tree({f"{name}/__init__.py": "", f"{name}/mod.py": SELF_READING})))
    if parent_loaded:
        importlib.import_module(name)
    module = lazy_import(f"{name}.mod")
    spec = module.__spec__
    with pytest.raises(modutils.ReloadError):
        modutils.reload(module)
    assert _ran(probe) == [f"{name}.mod"]  # the failed attempt
    assert "not executed yet" in repr(module)
    assert module.__spec__ is spec
    assert sys.modules[f"{name}.mod"] is module
    probe.fail = False  # type: ignore[attr-defined]
    assert module.SEEN == 42  # its first use executes it, once
    assert _ran(probe) == [f"{name}.mod", f"{name}.mod"]
    assert type(module) is types.ModuleType


@pytest.mark.parametrize("parent_loaded", [True, False], ids=["new-spec", "own-spec"])
def test_a_thread_touching_a_lazy_module_a_reload_executes_waits_for_it(
    write_tree: WriteTree, probe: types.ModuleType, parent_loaded: bool
) -> None:
    name = _unique("pkg")
    source = RECORD + f"{PROBE}.started.set()\nassert {PROBE}.go.wait(10)\nVALUE = 42\n"
    sys.path.insert(0, str(write_tree({f"{name}/__init__.py": "", f"{name}/mod.py": source})))
    probe.started, probe.go = threading.Event(), threading.Event()  # type: ignore[attr-defined]
    if parent_loaded:
        importlib.import_module(name)
    module = lazy_import(f"{name}.mod")
    seen: dict[str, object] = {}

    def record(role: str, action: Callable[[], object]) -> None:
        try:
            seen[role] = action()
        except Exception as exc:  # recorded, so that the test shows it
            seen[role] = exc

    reloader = threading.Thread(target=record, args=("reload", lambda: modutils.reload(module)))
    reader = threading.Thread(target=record, args=("read", lambda: module.VALUE))
    reloader.start()
    try:
        assert probe.started.wait(10)
        reader.start()
        reader.join(0.2)
        assert reader.is_alive(), seen  # waiting for the reload, not reading a half module
    finally:
        probe.go.set()
        reloader.join(10)
        if reader.ident is not None:
            reader.join(10)
    assert not reloader.is_alive()
    assert not reader.is_alive()
    assert seen == {"reload": module, "read": 42}
    assert _ran(probe) == [f"{name}.mod"]


def test_functions_of_a_failed_lazy_module_keep_their_builtins(
    write_tree: WriteTree, probe: types.ModuleType
) -> None:
    # A failed execution takes __builtins__ out of the namespace again (see _execute).
    name = _unique("mod")
    source = f"import {PROBE}\ndef size():\n    return len('ab')\n{PROBE}.size = size\n1 / 0\n"
    sys.path.insert(0, str(write_tree({f"{name}.py": source})))
    module = lazy_import(name)
    with pytest.raises(ModuleLoadError):
        module.size  # noqa: B018
    assert "__builtins__" not in vars(module)
    assert probe.size() == 2


def test_eager_environment_imports_at_once(
    tree: str, probe: types.ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MODUTILS_EAGER_IMPORTS", "1")
    module = lazy_import(f"{tree}.mod")
    assert _ran(probe) == [tree, f"{tree}.mod"]
    assert type(module) is types.ModuleType


@pytest.mark.parametrize("value", ["", "0"])
def test_eager_environment_off_values(
    tree: str, probe: types.ModuleType, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("MODUTILS_EAGER_IMPORTS", value)
    lazy_import(f"{tree}.mod")
    assert _ran(probe) == []


# --- lazy_attach --------------------------------------------------------------------------

ATTACH_INIT = (
    RECORD
    + "from modutils import lazy_attach\n"
    + "__getattr__, __dir__, __all__ = lazy_attach(\n"
    + "    __name__, submodules=['other', 'sub'], attributes={'mod': ['func', 'VALUE'],"
    + " 'sub.inner': ['INNER']}\n)\n"
)


@pytest.fixture
def attached(write_tree: WriteTree, probe: types.ModuleType) -> str:
    name = _unique("att")
    root = write_tree(
        {
            f"{name}/__init__.py": ATTACH_INIT,
            f"{name}/mod.py": RECORD + "VALUE = 42\n\ndef func():\n    return VALUE\n",
            f"{name}/other.py": RECORD + "OTHER = 'other'\n",
            f"{name}/sub/__init__.py": RECORD,
            f"{name}/sub/inner.py": RECORD + "INNER = 'inner'\n",
        }
    )
    sys.path.insert(0, str(root))
    return name


def test_lazy_attach_resolves_on_first_use_and_caches(
    attached: str, probe: types.ModuleType
) -> None:
    package = importlib.import_module(attached)
    assert _ran(probe) == [attached]
    assert package.__all__ == ["INNER", "VALUE", "func", "other", "sub"]
    assert package.VALUE == 42
    assert _ran(probe) == [attached, f"{attached}.mod"]
    assert vars(package)["VALUE"] == 42  # cached: the next read skips __getattr__
    assert package.func() == 42
    assert package.other is sys.modules[f"{attached}.other"]
    assert package.INNER == "inner"
    assert _ran(probe)[-2:] == [f"{attached}.sub", f"{attached}.sub.inner"]
    assert set(package.__all__) <= set(dir(package))
    namespace: dict[str, object] = {}
    exec(f"from {attached} import *", namespace)
    assert namespace["other"] is package.other


def test_lazy_attach_unknown_name_is_an_attribute_error(attached: str) -> None:
    package = importlib.import_module(attached)
    with pytest.raises(AttributeError, match="has no attribute 'nope'") as info:
        package.nope  # noqa: B018
    assert info.value.name == "nope"
    assert not hasattr(package, "nope")
    assert getattr(package, "nope", None) is None


def test_lazy_attach_attribute_missing_from_its_submodule(write_tree: WriteTree) -> None:
    name = _unique("att")
    sys.path.insert(0, str(write_tree({
        f"{name}/__init__.py": "from modutils import lazy_attach\n"
        "__getattr__, __dir__, __all__ = lazy_attach(__name__, attributes={'m': ['gone']})\n",
        f"{name}/m.py": "here = 1\n",
    })))  # fmt: skip
    package = importlib.import_module(name)
    with pytest.raises(AttributeError, match=r"'gone'") as info:
        package.gone  # noqa: B018
    assert isinstance(info.value.__cause__, AttributeError)


def test_lazy_attach_touches_only_the_package_it_is_installed_on(write_tree: WriteTree) -> None:
    name = _unique("att")
    sys.path.insert(0, str(write_tree({f"{name}/__init__.py": "", f"{name}/m.py": "v = 1\n"})))
    package = importlib.import_module(name)
    getattr_, _, _ = lazy_attach(name, attributes={"m": ["v", "gone"]})
    assert getattr_("v") == 1
    assert "v" not in vars(package)
    assert resolve_attached([name]) == []  # not installed: not the package's lazy names
    vars(package)["__getattr__"] = getattr_
    failures = resolve_attached([name])
    assert [(failed, type(exc)) for failed, exc in failures] == [(f"{name}.gone", AttributeError)]
    assert vars(package)["v"] == 1


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"submodules": "sub"}, TypeError, "not the str"),
        ({"submodules": [3]}, TypeError, "must be a str"),
        ({"submodules": ["a.b"]}, ValueError, "not an identifier"),
        ({"submodules": ["a", "a"]}, ValueError, "given twice"),
        ({"submodules": ["a"], "attributes": {"m": ["a"]}}, ValueError, "given twice"),
        ({"attributes": {"m": "name"}}, TypeError, "not a str"),
        ({"attributes": {"m..x": ["name"]}}, ValueError, "malformed"),
        ({"attributes": {"m": ["not-a-name"]}}, ValueError, "not an identifier"),
    ],
)
def test_lazy_attach_bad_input(
    kwargs: dict[str, object], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        lazy_attach("somepkg", **kwargs)  # type: ignore[arg-type]


def test_lazy_attach_bad_package_name() -> None:
    with pytest.raises(TypeError):
        lazy_attach(3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="malformed"):
        lazy_attach("a b")


def test_lazy_attach_eager_environment(
    attached: str, probe: types.ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MODUTILS_EAGER_IMPORTS", "1")
    package = importlib.import_module(attached)
    assert set(_ran(probe)) == {
        attached,
        f"{attached}.mod",
        f"{attached}.other",
        f"{attached}.sub",
        f"{attached}.sub.inner",
    }
    assert {"VALUE", "func", "other", "sub", "INNER"} <= set(vars(package))


def test_eager_environment_catches_a_broken_lazy_name(
    write_tree: WriteTree, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = _unique("att")
    sys.path.insert(0, str(write_tree({
        f"{name}/__init__.py": "from modutils import lazy_attach\n"
        "__getattr__, __dir__, __all__ = lazy_attach(__name__, submodules=['typo'])\n",
    })))  # fmt: skip
    importlib.import_module(name)  # lazy: the typo goes unnoticed
    del sys.modules[name]
    monkeypatch.setenv("MODUTILS_EAGER_IMPORTS", "1")
    with pytest.raises(ModuleNotFoundError, match="typo"):
        importlib.import_module(name)


# --- typed forms: a stub, or the TYPE_CHECKING block --------------------------------------

TYPED_IMPORTS = (
    "from . import other\n"
    "from .mod import func, VALUE as value\n"
    "from .sub.inner import INNER\n"
    "import json as jsonlib\n"
    "from json import dumps\n"
)


def _typed_package(write_tree: WriteTree, init: str, stub: str | None) -> str:
    name = _unique("typed")
    files = {
        f"{name}/__init__.py": RECORD + init,
        f"{name}/mod.py": RECORD + "VALUE = 42\n\ndef func():\n    return VALUE\n",
        f"{name}/other.py": RECORD + "OTHER = 'other'\n",
        f"{name}/sub/__init__.py": RECORD,
        f"{name}/sub/inner.py": RECORD + "INNER = 'inner'\n",
    }
    if stub is not None:
        files[f"{name}/__init__.pyi"] = stub
    sys.path.insert(0, str(write_tree(files)))
    return name


@pytest.mark.parametrize("form", ["stub", "type_checking"])
def test_typed_forms(write_tree: WriteTree, probe: types.ModuleType, form: str) -> None:
    if form == "stub":
        init = (
            "from modutils import lazy_attach_stub\n"
            "__getattr__, __dir__, __all__ = lazy_attach_stub(__name__, __file__)\n"
        )
        name = _typed_package(write_tree, init, TYPED_IMPORTS + "def declared() -> int: ...\n")
    else:
        block = "".join(f"    {line}\n" for line in TYPED_IMPORTS.splitlines())
        init = (
            "from modutils import lazy_attach_type_checking\n"
            "TYPE_CHECKING = False\n"
            f"if TYPE_CHECKING:\n{block}    X: int = 1\n"
            "__getattr__, __dir__, __all__ = lazy_attach_type_checking(__name__, __file__)\n"
        )
        name = _typed_package(write_tree, init, None)
    package = importlib.import_module(name)
    assert package.__all__ == ["INNER", "dumps", "func", "jsonlib", "other", "value"]
    assert _ran(probe) == [name]
    assert package.value == 42
    assert package.func() == 42
    assert package.other is sys.modules[f"{name}.other"]
    assert package.INNER == "inner"
    import json

    assert package.jsonlib is json
    assert package.dumps is json.dumps


@pytest.mark.parametrize(
    ("stub", "match"),
    [
        ("from .mod import *\n", "star import"),
        ("from .mod import func\nfrom .other import func\n", "bound twice"),
        ("from ... import x\n", "above the top-level"),
    ],
)
def test_bad_stubs(write_tree: WriteTree, stub: str, match: str) -> None:
    name = _typed_package(write_tree, "", stub)
    init = str(Path(sys.path[0], name, "__init__.py"))
    with pytest.raises(ValueError, match=match) as info:
        lazy_attach_stub(name, init)
    assert "__init__.pyi, line" in str(info.value)


def test_typed_forms_bad_files(write_tree: WriteTree, tmp_path: Path) -> None:
    name = _typed_package(write_tree, "", None)
    init = str(Path(sys.path[0], name, "__init__.py"))
    with pytest.raises(FileNotFoundError, match=r"__init__\.pyi"):
        lazy_attach_stub(name, init)
    with pytest.raises(FileNotFoundError, match="nope"):
        lazy_attach_type_checking(name, str(tmp_path / "nope.py"))
    with pytest.raises(TypeError):
        lazy_attach_stub(name, Path(init))  # type: ignore[arg-type]
    broken = tmp_path / "broken.py"
    broken.write_text("if TYPE_CHECKING:\n    from . import (\n", encoding="utf-8")
    with pytest.raises(SyntaxError):
        lazy_attach_type_checking(name, str(broken))


# --- modutils check --------------------------------------------------------------------------


def test_check_resolves_every_lazily_attached_name(
    write_tree: WriteTree, capsys: pytest.CaptureFixture[str]
) -> None:
    name = _unique("chk")
    sys.path.insert(0, str(write_tree({
        f"{name}/__init__.py": "from modutils import lazy_attach\n"
        "__getattr__, __dir__, __all__ = lazy_attach(\n"
        "    __name__, submodules=['good', 'typo'], attributes={'good': ['ok', 'gone']}\n)\n",
        f"{name}/good.py": "ok = 1\n",
    })))  # fmt: skip
    assert main(["check", "--quiet", name]) == 1
    out = capsys.readouterr().out
    assert f"FAILED {name}.typo: ModuleNotFoundError: No module named '{name}.typo'" in out
    assert f"FAILED {name}.gone: AttributeError: " in out
    assert f"FAILED {name}.ok" not in out
    assert out.endswith(f"{name}: 2 modules imported, 2 failed\n")


def test_check_passes_a_package_whose_lazy_names_resolve(
    attached: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--quiet", attached]) == 0
    assert "0 failed" in capsys.readouterr().out
