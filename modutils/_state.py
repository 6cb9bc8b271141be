"""The import-state snapshot: ``sys.modules`` and the import lists as they were, put back.

``preserve_import_state``, ``import_path``, ``import_string``, ``import_submodules``
and ``reload`` all undo what a failed or finished import did to :data:`sys.modules`,
:data:`sys.path`, :data:`sys.meta_path`, :data:`sys.path_hooks` and
:data:`sys.path_importer_cache`; they share this one implementation.
"""

from __future__ import annotations

import sys

from modutils._compat import importing_elsewhere, is_compiled_module

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping
    from types import ModuleType, TracebackType
    from typing import Any

__all__ = ["ModulesSnapshot", "importing_elsewhere", "is_compiled_module"]

_MISSING = object()


class ModulesSnapshot:
    """A copy of :data:`sys.modules` and of the import system's lists, taken on creation.

    :meth:`restore` puts the ``name -> module`` mapping back in place (the same dict
    object): names added since are removed, names deleted or rebound are set back to
    the very same objects. Packages that existed before lose the attributes that
    pointed at submodules added since, and get back the ones that pointed at replaced
    submodules, so ``import pkg; pkg.sub`` behaves as it did before. It also puts
    back :data:`sys.path`, :data:`sys.meta_path` and :data:`sys.path_hooks` (the same
    list objects, even where they were rebound, with the same items) and drops the
    :data:`sys.path_importer_cache` entries added since. Attributes set on other
    modules (``json.x = 1``) are not tracked. Builtin and extension modules added
    since stay loaded (see :meth:`restore`).

    Used as a context manager, it restores when the block raises (any
    :class:`BaseException`, which then propagates), with *keep_on_failure* as the
    *keep* predicate of :meth:`restore`; a block that ends normally changes nothing.
    """

    __slots__ = ("_keep_on_failure", "_lists", "saved")

    def __init__(self, *, keep_on_failure: Callable[[str], bool] | None = None) -> None:
        self.saved: dict[str, ModuleType] = sys.modules.copy()
        self._keep_on_failure = keep_on_failure
        # Each list object with a copy of its items, and the cache with a copy: one
        # tuple, as every import_path() call takes a snapshot.
        self._lists: tuple[Any, ...] = (
            sys.path,
            sys.path[:],
            sys.meta_path,
            sys.meta_path[:],
            sys.path_hooks,
            sys.path_hooks[:],
            sys.path_importer_cache,
            sys.path_importer_cache.copy(),
        )

    def __enter__(self) -> ModulesSnapshot:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            self.restore(keep=self._keep_on_failure)

    def added(self, current: Mapping[str, object] | None = None) -> list[str]:
        """Names in :data:`sys.modules` (or *current*) now that were not there on creation."""
        saved = self.saved
        return [
            name for name in list(sys.modules if current is None else current) if name not in saved
        ]

    def removed(self, current: Mapping[str, object] | None = None) -> list[str]:
        """Names in :data:`sys.modules` on creation that are not in it (or *current*) now."""
        modules = sys.modules if current is None else current
        return [name for name in self.saved if name not in modules]

    def replaced(self, current: Mapping[str, object] | None = None) -> list[str]:
        """Names still in :data:`sys.modules` (or *current*) but bound to a different object now."""
        modules = sys.modules if current is None else current
        return [
            name for name, module in self.saved.items() if modules.get(name, module) is not module
        ]

    def restore(self, *, keep: Callable[[str], bool] | None = None) -> None:
        """Put :data:`sys.modules` back as it was on creation.

        Added builtin and extension modules always stay (with their package
        attributes): C code, the interpreter's own included, keeps pointers into
        them that the module object does not know of (``unicodeobject.c`` caches
        the C API of ``unicodedata`` the first time it compiles a ``\\N{...}``
        escape), so freeing one crashes the process on next use, and a
        single-phase-init module cannot be initialised again anyway. They hold no
        half-built Python state: a C module whose initialisation fails is never
        registered.

        :param keep: a predicate on names: added modules it accepts stay loaded
            (with their package attributes), everything else is restored.
        """
        try:
            self.restore_lists()
        finally:
            self.restore_modules(keep=keep)

    def restore_modules(self, *, keep: Callable[[str], bool] | None = None) -> None:
        """Put back :data:`sys.modules` only, as :meth:`restore` does; the lists stay."""
        saved = self.saved
        modules = sys.modules
        added = [
            name
            for name in list(modules)
            if name not in saved
            and not is_compiled_module(modules.get(name))
            and (keep is None or not keep(name))
        ]
        self.restore_names(added)
        self.restore_names(saved)

    def restore_lists(self) -> None:
        """Put back :data:`sys.path`, :data:`sys.meta_path`, :data:`sys.path_hooks`, the cache.

        Each list is the object it was on creation, with the items it had; the
        :data:`sys.path_importer_cache` dict is the one it was, without the entries
        added since (entries that were there keep their current finder).
        """
        path, path_items, meta_path, meta_path_items, hooks, hooks_items, cache, cache_items = (
            self._lists
        )
        for attribute, saved_list, items in (
            ("path", path, path_items),
            ("meta_path", meta_path, meta_path_items),
            ("path_hooks", hooks, hooks_items),
        ):
            if getattr(sys, attribute) is not saved_list:
                setattr(sys, attribute, saved_list)
            if saved_list != items:
                saved_list[:] = items
        if sys.path_importer_cache is not cache:
            sys.path_importer_cache = cache
        if len(cache) != len(cache_items) or cache.keys() != cache_items.keys():
            for key in [key for key in cache if key not in cache_items]:
                del cache[key]

    def restore_names(self, names: Iterable[str]) -> None:
        """Put back only *names*, as :meth:`restore` would: drop the added, rebind the others."""
        modules = sys.modules
        saved = self.saved
        for name in names:
            current = modules.get(name, _MISSING)
            if name in saved:
                previous = saved[name]
                if current is not previous:
                    modules[name] = previous
                    if current is not _MISSING:
                        self._unlink(name, current, previous)
            elif current is not _MISSING:
                del modules[name]
                self._unlink(name, current, None)

    def _unlink(self, name: str, module: object, previous: ModuleType | None) -> None:
        """Make a saved parent package stop pointing at *module*, the child *name*."""
        parent_name, _, child = name.rpartition(".")
        if not parent_name:
            return
        namespace = getattr(self.saved.get(parent_name), "__dict__", None)
        if namespace is None or namespace.get(child, _MISSING) is not module:
            return
        if previous is None:
            del namespace[child]
        else:
            namespace[child] = previous
