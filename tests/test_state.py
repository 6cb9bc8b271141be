"""modutils._state: sys.modules put back exactly."""

from __future__ import annotations

import importlib
import importlib.machinery
import sys
import types
from pathlib import Path

import pytest

from modutils._state import ModulesSnapshot


def _module(name: str) -> types.ModuleType:
    module = types.ModuleType(name)
    sys.modules[name] = module
    return module


def test_restore_removes_added_and_puts_back_deleted_and_replaced() -> None:
    kept = _module("st_kept")
    deleted = _module("st_deleted")
    replaced = _module("st_replaced")
    modules = sys.modules
    snapshot = ModulesSnapshot()
    _module("st_added")
    del sys.modules["st_deleted"]
    _module("st_replaced")
    assert snapshot.added() == ["st_added"]
    assert snapshot.removed() == ["st_deleted"]
    assert snapshot.replaced() == ["st_replaced"]
    snapshot.restore()
    assert sys.modules is modules
    assert "st_added" not in sys.modules
    assert sys.modules["st_deleted"] is deleted
    assert sys.modules["st_replaced"] is replaced
    assert sys.modules["st_kept"] is kept
    assert snapshot.added() == snapshot.removed() == snapshot.replaced() == []


def test_restore_unlinks_new_submodules_from_saved_parents() -> None:
    parent = _module("st_pkg")
    old_child = _module("st_pkg.old")
    parent.old = old_child  # type: ignore[attr-defined]
    snapshot = ModulesSnapshot()
    parent.new = _module("st_pkg.new")  # type: ignore[attr-defined]
    parent.old = _module("st_pkg.old")  # type: ignore[attr-defined]
    parent.unrelated = 1  # type: ignore[attr-defined]
    snapshot.restore()
    assert not hasattr(parent, "new")
    assert parent.old is old_child
    assert parent.unrelated == 1


def test_keep_predicate_leaves_accepted_modules_loaded() -> None:
    parent = _module("st_keep")
    snapshot = ModulesSnapshot()
    survivor = _module("st_keep.survivor")
    parent.survivor = survivor  # type: ignore[attr-defined]
    _module("st_keep.dropped")
    snapshot.restore(keep=lambda name: name.endswith("survivor"))
    assert sys.modules["st_keep.survivor"] is survivor
    assert parent.survivor is survivor
    assert "st_keep.dropped" not in sys.modules


def test_restore_names_touches_only_the_names_given() -> None:
    parent = _module("st_names")
    original = _module("st_names.swapped")
    parent.swapped = original  # type: ignore[attr-defined]
    snapshot = ModulesSnapshot()
    parent.swapped = _module("st_names.swapped")  # type: ignore[attr-defined]
    parent.fresh = _module("st_names.fresh")  # type: ignore[attr-defined]
    other = _module("st_names.other")
    snapshot.restore_names(["st_names.swapped", "st_names.fresh", "st_names.never_there"])
    assert sys.modules["st_names.swapped"] is original
    assert parent.swapped is original
    assert "st_names.fresh" not in sys.modules
    assert not hasattr(parent, "fresh")
    assert sys.modules["st_names.other"] is other


class _Stop(BaseException):
    """Not an Exception: the rollback must not depend on except Exception."""


def test_with_block_that_raises_is_rolled_back_with_the_keep_predicate() -> None:
    replaced = _module("st_with_replaced")
    made: list[types.ModuleType] = []

    def fail() -> None:
        with ModulesSnapshot(keep_on_failure=lambda name: name == "st_with_kept"):
            _module("st_with_added")
            made.append(_module("st_with_kept"))
            _module("st_with_replaced")
            raise _Stop

    with pytest.raises(_Stop):
        fail()

    kept = made[0]
    assert "st_with_added" not in sys.modules
    assert sys.modules["st_with_kept"] is kept
    assert sys.modules["st_with_replaced"] is replaced


def test_with_block_that_ends_normally_changes_nothing() -> None:
    with ModulesSnapshot() as snapshot:
        added = _module("st_with_ok")

    assert sys.modules["st_with_ok"] is added
    assert snapshot.added() == ["st_with_ok"]


def test_restore_puts_back_the_import_lists_in_place_and_drops_new_cache_entries() -> None:
    path, meta_path, hooks, cache = sys.path, sys.meta_path, sys.path_hooks, sys.path_importer_cache
    items = (path[:], meta_path[:], hooks[:])
    cached = dict(cache)
    snapshot = ModulesSnapshot()
    sys.path = [*path, "/st_rebound"]
    meta_path.append(_NoFinder())
    sys.path_hooks = [*hooks, _no_hook]  # type: ignore[list-item]
    cache["/st_new_entry"] = None
    snapshot.restore()
    assert (sys.path, sys.meta_path, sys.path_hooks) == (path, meta_path, hooks)
    assert sys.path is path
    assert sys.meta_path is meta_path
    assert sys.path_hooks is hooks
    assert (path, meta_path, hooks) == items
    assert sys.path_importer_cache is cache
    assert cache == cached


# --- every capability: a failure leaves no residue beyond sys.modules ----------------


class _NoFinder:
    """A meta path finder that finds nothing."""

    def find_spec(self, *args: object) -> None:
        return None


def _no_hook(path: str) -> object:
    raise ImportError(path)


_RESIDUE = {
    "sys.path insert": "sys.path.insert(0, '/st_residue')",
    "sys.path rebound": "sys.path = [*sys.path, '/st_residue']",
    "sys.path emptied": "sys.path.clear()",
    "sys.meta_path": "sys.meta_path.insert(0, type('F', (), {'find_spec': lambda *a: None})())",
    "sys.path_hooks": "sys.path_hooks.append(lambda path: None)",
    "sys.path_importer_cache": "sys.path_importer_cache['/st_residue'] = None",
}


def _run_failing(capability: str, root: Path, name: str, residue: str) -> None:
    from modutils import import_path, import_string, import_submodules, reload

    failing = f"import sys\n{residue}\nraise RuntimeError('fails after the residue')\n"
    if capability == "import_path":
        (root / f"{name}.py").write_text(failing)
        import_path(root / f"{name}.py")
    elif capability == "import_string":
        (root / f"{name}.py").write_text(failing)
        import_string(f"{name}:attribute")
    elif capability == "import_submodules":
        (root / name).mkdir()
        (root / name / "__init__.py").write_text("")
        (root / name / "bad.py").write_text(failing)
        import_submodules(name)
    else:
        (root / f"{name}.py").write_text("X = 1\n")
        module = importlib.import_module(name)
        (root / f"{name}.py").write_text(f"{failing}\n# a different size\n")
        reload(module)


@pytest.mark.parametrize("residue", list(_RESIDUE))
@pytest.mark.parametrize(
    "capability", ["import_path", "import_string", "import_submodules", "reload"]
)
def test_a_failure_puts_back_the_import_lists(
    tmp_path: Path, capability: str, residue: str
) -> None:
    name = f"st_residue_{capability}_{abs(hash(residue))}"
    sys.path.insert(0, str(tmp_path))
    importlib.invalidate_caches()
    # The finder for tmp_path exists before the call, as after any earlier import.
    importlib.machinery.PathFinder.find_spec("st_not_a_module")
    path, meta_path, hooks, cache = sys.path, sys.meta_path, sys.path_hooks, sys.path_importer_cache
    items = (path[:], meta_path[:], hooks[:])
    cache_keys = set(cache)
    # import_string lets the module's own error through, as `import` does; the others
    # wrap it (ModuleLoadError, ReloadError).
    expected = RuntimeError if capability == "import_string" else ImportError
    with pytest.raises(expected) as info:
        _run_failing(capability, tmp_path, name, _RESIDUE[residue])
    assert "fails after the residue" in f"{info.value} {info.value.__cause__}"
    assert sys.path is path
    assert sys.meta_path is meta_path
    assert sys.path_hooks is hooks
    assert (path, meta_path, hooks) == items
    assert sys.path_importer_cache is cache
    assert set(cache) <= cache_keys


# --- C modules are never taken out: the interpreter may point into them ---------------


@pytest.mark.parametrize(
    "loader",
    [
        importlib.machinery.BuiltinImporter,
        importlib.machinery.ExtensionFileLoader("st_c_module", "/nowhere/st_c_module.so"),
    ],
    ids=["builtin", "extension"],
)
def test_restore_keeps_added_builtin_and_extension_modules(loader: object) -> None:
    parent = _module("st_c_pkg")
    snapshot = ModulesSnapshot()
    c_module = _module("st_c_pkg.st_c_module")
    c_module.__spec__ = importlib.machinery.ModuleSpec(c_module.__name__, loader)  # type: ignore[arg-type]
    parent.st_c_module = c_module  # type: ignore[attr-defined]
    _module("st_c_pkg.python_module")
    snapshot.restore()
    assert sys.modules["st_c_pkg.st_c_module"] is c_module
    assert parent.st_c_module is c_module
    # Python modules are still put back exactly.
    assert snapshot.added() == ["st_c_pkg.st_c_module"]
    assert snapshot.removed() == snapshot.replaced() == []


_NAMED_ESCAPE = (
    'BULLET = "\\N{BULLET}"\nraise RuntimeError("fails after compiling a named escape")\n'
)

# Runs in a fresh interpreter, where nothing has imported unicodedata yet: the
# failing module's \N{...} escape makes the compiler import it, the rollback must
# leave it, and a later compile of such an escape must not read freed memory.
_CRASH_SCRIPT = """
import gc, importlib, sys
from pathlib import Path

root = Path(sys.argv[1])
capability = sys.argv[2]
assert "unicodedata" not in sys.modules, "imported at start-up: the test proves nothing"
sys.path.insert(0, str(root))
import modutils

try:
    if capability == "import_path":
        modutils.import_path(root / "sc_bad.py")
    elif capability == "import_string":
        modutils.import_string("sc_bad:BULLET")
    elif capability == "import_submodules":
        modutils.import_submodules("sc_pkg")
    else:
        module = importlib.import_module("sc_reloaded")
        (root / "sc_reloaded.py").write_text((root / "sc_bad.py").read_text())
        modutils.reload(module)
except (ImportError, RuntimeError) as exc:
    assert "named escape" in f"{exc} {exc.__cause__}", exc
else:
    raise AssertionError("the failing module did not fail")
assert "unicodedata" in sys.modules, "the rollback dropped unicodedata"
gc.collect()
junk = [object() for _ in range(100_000)]
print(eval(compile('"\\\\N{BLACK STAR}"', "<check>", "eval")), end="")
"""


@pytest.mark.parametrize(
    "capability", ["import_path", "import_string", "import_submodules", "reload"]
)
def test_a_rollback_never_frees_unicodedata_under_the_compiler(
    tmp_path: Path, capability: str
) -> None:
    import subprocess

    (tmp_path / "sc_bad.py").write_text(_NAMED_ESCAPE, encoding="utf-8")
    (tmp_path / "sc_pkg").mkdir()
    (tmp_path / "sc_pkg" / "__init__.py").write_text("")
    (tmp_path / "sc_pkg" / "bad.py").write_text(_NAMED_ESCAPE, encoding="utf-8")
    (tmp_path / "sc_reloaded.py").write_text("X = 1\n")
    result = subprocess.run(
        [sys.executable, "-B", "-c", _CRASH_SCRIPT, str(tmp_path), capability],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )
    # Before the fix the process died of SIGSEGV (returncode -11).
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "\N{BLACK STAR}"
