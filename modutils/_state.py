"""The module-state snapshot: ``sys.modules`` as it was, put back exactly.

``preserve_import_state``, ``import_path``, ``import_submodules`` and ``reload``
all undo what a failed or finished import did to :data:`sys.modules`; they share
this one implementation.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from types import ModuleType

__all__ = ["ModulesSnapshot"]

_MISSING = object()


class ModulesSnapshot:
    """A copy of the ``name -> module`` mapping of :data:`sys.modules`, taken on creation.

    :meth:`restore` puts the mapping back in place (the same dict object): names
    added since are removed, names deleted or rebound are set back to the very
    same objects. Packages that existed before lose the attributes that pointed at
    submodules added since, and get back the ones that pointed at replaced
    submodules, so ``import pkg; pkg.sub`` behaves as it did before.
    """

    __slots__ = ("saved",)

    def __init__(self) -> None:
        self.saved: dict[str, ModuleType] = sys.modules.copy()

    def added(self) -> list[str]:
        """Names in :data:`sys.modules` now that were not there on creation."""
        saved = self.saved
        return [name for name in list(sys.modules) if name not in saved]

    def removed(self) -> list[str]:
        """Names that were in :data:`sys.modules` on creation and are not there now."""
        modules = sys.modules
        return [name for name in self.saved if name not in modules]

    def replaced(self) -> list[str]:
        """Names still in :data:`sys.modules` but bound to a different object now."""
        modules = sys.modules
        return [
            name for name, module in self.saved.items() if modules.get(name, module) is not module
        ]

    def restore(self, *, keep: Callable[[str], bool] | None = None) -> None:
        """Put :data:`sys.modules` back as it was on creation.

        :param keep: a predicate on names: added modules it accepts stay loaded
            (with their package attributes), everything else is restored.
        """
        modules = sys.modules
        saved = self.saved
        for name in list(modules):
            if name in saved or (keep is not None and keep(name)):
                continue
            module = modules.pop(name, None)
            self._unlink(name, module, None)
        for name, module in saved.items():
            current = modules.get(name, _MISSING)
            if current is not module:
                modules[name] = module
                if current is not _MISSING:
                    self._unlink(name, current, module)

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
