"""The module-state snapshot: ``sys.modules`` as it was, put back exactly.

``preserve_import_state``, ``import_path``, ``import_submodules`` and ``reload``
all undo what a failed or finished import did to :data:`sys.modules`; they share
this one implementation.
"""

from __future__ import annotations

import sys

from modutils._compat import importing_elsewhere

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping
    from types import ModuleType, TracebackType

__all__ = ["ModulesSnapshot", "importing_elsewhere"]

_MISSING = object()


class ModulesSnapshot:
    """A copy of the ``name -> module`` mapping of :data:`sys.modules`, taken on creation.

    :meth:`restore` puts the mapping back in place (the same dict object): names
    added since are removed, names deleted or rebound are set back to the very
    same objects. Packages that existed before lose the attributes that pointed at
    submodules added since, and get back the ones that pointed at replaced
    submodules, so ``import pkg; pkg.sub`` behaves as it did before.

    Used as a context manager, it restores when the block raises (any
    :class:`BaseException`, which then propagates), with *keep_on_failure* as the
    *keep* predicate of :meth:`restore`; a block that ends normally changes nothing.
    """

    __slots__ = ("_keep_on_failure", "saved")

    def __init__(self, *, keep_on_failure: Callable[[str], bool] | None = None) -> None:
        self.saved: dict[str, ModuleType] = sys.modules.copy()
        self._keep_on_failure = keep_on_failure

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

        :param keep: a predicate on names: added modules it accepts stay loaded
            (with their package attributes), everything else is restored.
        """
        saved = self.saved
        added = [
            name
            for name in list(sys.modules)
            if name not in saved and (keep is None or not keep(name))
        ]
        self.restore_names(added)
        self.restore_names(saved)

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
