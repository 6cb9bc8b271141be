"""modutils' own imports through the standard finders, whatever ``sys.meta_path`` holds.

A process may replace :data:`sys.meta_path` with finders of its own (editable
installs, astroid do); modutils' own modules and lazy dependencies must still be
found. This module is what ``modutils.__getattr__`` falls back on when importing a
capability module fails, so it imports only what the interpreter has loaded before
any user code runs (``sys``, ``_thread`` and the import system itself), and it has
no ``from __future__`` import (the ``__future__`` module may not be loaded yet, and
would be looked up through the caller's finders): its annotations are strings.
"""

import _frozen_importlib as _bootstrap
import _frozen_importlib_external as _bootstrap_external
import sys
from _thread import allocate_lock, get_ident

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from importlib.machinery import ModuleSpec
    from types import ModuleType
    from typing import Any

__all__ = ["import_own", "own_imports"]


# The finders a fresh interpreter puts on sys.meta_path, bound from the modules
# that define them so that using them imports nothing.
_STANDARD_FINDERS: "tuple[Any, ...]" = (
    _bootstrap.BuiltinImporter,
    _bootstrap.FrozenImporter,
    _bootstrap_external.PathFinder,
)


class _StandardFinders:
    """A meta path finder that answers, for its owner threads only, with the standard finders.

    Put first on ``sys.meta_path`` while :class:`own_imports` imports modutils' own
    dependencies; every other thread's imports pass through it untouched.
    """

    __slots__ = ("owners",)

    def __init__(self) -> None:
        #: Thread id -> how many own_imports blocks that thread is inside.
        self.owners: dict[int, int] = {}

    def find_spec(
        self, name: str, path: "Sequence[str] | None" = None, target: "ModuleType | None" = None
    ) -> "ModuleSpec | None":
        if get_ident() not in self.owners:
            return None
        for finder in _STANDARD_FINDERS:
            spec: ModuleSpec | None = finder.find_spec(name, path, target)
            if spec is not None:
                return spec
        # Not a standard location: the caller's finders may still know it.
        return None


_standard_finders = _StandardFinders()
# Held only to install or remove the finder, never during an import (an import
# can wait on another thread's import lock, and that thread on this one).
_own_imports_lock = allocate_lock()
# While any thread is inside own_imports: the caller's sys.meta_path list, the
# list bound instead (the finder first), and the caller's entries at that time.
_own_imports_state: "tuple[list[object], list[object], list[object]] | None" = None


class own_imports:
    """Import modutils' own lazy dependencies with the standard finders while inside.

    A process may replace :data:`sys.meta_path` with finders of its own (editable
    installs, astroid); modutils' dependencies (``importlib_metadata``,
    ``pathlib``, ``json``...) must not depend on them. While any thread is inside,
    a new list headed by a finder that answers for those threads with
    ``BuiltinImporter``, ``FrozenImporter`` and ``PathFinder`` is bound to
    ``sys.meta_path``; other threads pass through it to the caller's finders as
    before. When the last thread leaves, the caller's list object is bound again,
    with the finders added meanwhile (``importlib_metadata`` installs one) and
    those removed meanwhile carried over, as a plain import would leave them; if
    someone else rebound ``sys.meta_path`` meanwhile, theirs is kept. Given
    *names*, nothing happens when every one is already imported; without, the
    standard finders answer for every import inside (code that imports lazily
    while it runs, as ``importlib_metadata`` does, runs inside).
    """

    __slots__ = ("_active", "_names")

    def __init__(self, *names: str) -> None:
        self._names = names
        self._active = False

    def __enter__(self) -> None:
        global _own_imports_state
        modules = sys.modules
        if self._names and all(name in modules for name in self._names):
            return
        me = get_ident()
        with _own_imports_lock:
            owners = _standard_finders.owners
            owners[me] = owners.get(me, 0) + 1
            self._active = True
            if _own_imports_state is None:
                saved: list[object] = sys.meta_path  # type: ignore[assignment]
                temp: list[object] = [_standard_finders, *saved]
                _own_imports_state = (saved, temp, saved[:])
                sys.meta_path = temp  # type: ignore[assignment]

    def __exit__(self, *exc_info: object) -> None:
        global _own_imports_state
        if not self._active:
            return
        self._active = False
        me = get_ident()
        with _own_imports_lock:
            owners = _standard_finders.owners
            count = owners[me] - 1
            if count:
                owners[me] = count
            else:
                del owners[me]
            state = _own_imports_state
            if owners or state is None:
                return
            _own_imports_state = None
            saved, temp, before = state
            if sys.meta_path is not temp:
                # Rebound meanwhile (by the imported code or another thread): theirs
                # wins; the finder left in it answers for no thread any more.
                return
            # What was done to the list meanwhile (importlib_metadata appends its
            # finder; another thread may add or remove one) is done to the caller's.
            for finder in before:
                if finder not in temp and finder in saved:
                    saved.remove(finder)
            saved.extend(finder for finder in temp[1:] if finder not in before)
            sys.meta_path = saved  # type: ignore[assignment]


def import_own(name: str) -> None:
    """Import modutils' module *name* (and all it imports) with the standard finders first."""
    with own_imports():
        __import__(name)
