"""modutils._state: sys.modules put back exactly."""

from __future__ import annotations

import sys
import types

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
