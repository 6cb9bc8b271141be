"""The one home of CPython's private import machinery (modutils._compat)."""

from __future__ import annotations

import threading
import types
from importlib.machinery import ModuleSpec

import pytest

from modutils import _compat


@pytest.fixture(params=["import-locks", "fallback-locks"])
def lock_kind(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run with importlib's module locks, and with modutils' own when they are missing."""
    if request.param == "fallback-locks":
        monkeypatch.setattr(_compat, "_get_module_lock", None)
    return str(request.param)


def test_module_lock_makes_another_thread_wait(lock_kind: str) -> None:
    name = f"_modutils_compat_{lock_kind.replace('-', '_')}"
    entered, order = threading.Event(), []

    def other() -> None:
        entered.set()
        with _compat.module_lock(name):
            order.append("other")

    with _compat.module_lock(name):
        thread = threading.Thread(target=other)
        thread.start()
        assert entered.wait(10)
        thread.join(0.2)
        # Still waiting for the lock this thread holds.
        assert thread.is_alive()
        order.append("holder")
    thread.join(10)
    assert order == ["holder", "other"]


def test_module_lock_is_reentrant_and_released_on_error(lock_kind: str) -> None:
    name = f"_modutils_compat_reentrant_{lock_kind.replace('-', '_')}"
    with pytest.raises(KeyError), _compat.module_lock(name), _compat.module_lock(name):
        raise KeyError(name)
    acquired: list[bool] = []
    thread = threading.Thread(target=lambda: acquired.append(_acquire_and_release(name)))
    thread.start()
    thread.join(10)
    assert acquired == [True]


def _acquire_and_release(name: str) -> bool:
    lock = _compat.get_module_lock(name)
    result = lock.acquire()
    lock.release()
    return result is not False


def test_fallback_locks_are_one_per_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_compat, "_get_module_lock", None)
    first = _compat.get_module_lock("a")
    assert _compat.get_module_lock("a") is first
    assert _compat.get_module_lock("b") is not first


@pytest.mark.parametrize("before", [None, True, False])
def test_initializing_sets_the_flag_and_puts_it_back(before: bool | None) -> None:
    spec = ModuleSpec("m", None)
    if before is not None:
        spec._initializing = before  # type: ignore[attr-defined]
    with _compat.Initializing(spec):
        assert spec._initializing is True  # type: ignore[attr-defined]
    # importlib leaves False on a spec after loading from it.
    assert spec._initializing is (False if before is None else before)  # type: ignore[attr-defined]


@pytest.mark.parametrize("spec", [None, object()])
def test_initializing_ignores_what_cannot_be_flagged(spec: object) -> None:
    with _compat.Initializing(spec):
        pass
    assert not hasattr(spec, "_initializing")


def test_importing_elsewhere_sees_other_threads_locks_only() -> None:
    name = "_modutils_compat_elsewhere"
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with _compat.module_lock(name):
            holding.set()
            release.wait(10)

    with _compat.module_lock(f"{name}_own"):
        assert not _compat.importing_elsewhere(f"{name}_own")
    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert holding.wait(10)
        assert _compat.importing_elsewhere(name)
        # Submodules of a package another thread is importing are kept too.
        assert _compat.importing_elsewhere(f"{name}.sub")
        assert not _compat.importing_elsewhere(f"{name}_other")
    finally:
        release.set()
        thread.join(10)
    assert not _compat.importing_elsewhere(name)


def test_private_helpers_are_importlibs_own() -> None:
    spec = _compat.find_spec_in("json", None, None)
    assert spec is not None
    assert spec.name == "json"
    module = types.ModuleType("json")
    _compat.init_module_attrs(spec, module, override=True)
    assert module.__spec__ is spec
    assert module.__loader__ is spec.loader
