"""Module names and where a module would come from, found without importing anything.

This is the one place that answers "where would ``import name`` come from?" for
discovery, locate, static member listing and reload. Unlike
:func:`importlib.util.find_spec`, it never imports the parent packages of a dotted
name: it asks the finders on :data:`sys.meta_path` for each level in turn, handing
them the parent's search locations, exactly as ``importlib._bootstrap._find_spec``
does once the parent has been imported.
"""

from __future__ import annotations

import os
import sys

from modutils._state import ModulesSnapshot

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from importlib.machinery import ModuleSpec
    from typing import TypeVar

    _T = TypeVar("_T")

__all__ = [
    "check_module_name",
    "find_spec_static",
    "is_missing",
    "search_locations",
    "source_path",
]

_SOURCE_SUFFIXES = (".py", ".pyw")


def check_module_name(name: object, *, what: str = "module name") -> str:
    """Return *name* if it is a well-formed dotted module name.

    Every dot-separated part must be an identifier (``str.isidentifier``); keywords
    are accepted, as :func:`importlib.import_module` accepts them.

    :raises TypeError: *name* is not a ``str``.
    :raises ValueError: *name* is empty or has a part that is not an identifier.
    """
    if not isinstance(name, str):
        raise TypeError(f"{what} must be a str, not {type(name).__name__}: {name!r}")
    if not name or not all(part.isidentifier() for part in name.split(".")):
        raise ValueError(f"malformed {what} {name!r}: expected dotted identifiers like 'pkg.mod'")
    return name


def is_missing(exc: ModuleNotFoundError, name: str) -> bool:
    """Whether *exc*, raised by importing *name*, says *name* itself cannot be found.

    importlib sets ``exc.name`` to the module it could not find: *name*, or a
    parent that does not exist or is not a package. Any other name comes from an
    import inside a module that does exist: that module is broken, not missing.
    """
    missing = exc.name
    return missing is not None and (missing == name or name.startswith(missing + "."))


# Finders known to answer without importing anything. Any other finder on
# sys.meta_path may import while it answers (setuptools' distutils shim imports
# setuptools._distutils when asked for "distutils"), so the look-up then runs
# inside a snapshot of sys.modules that is put back afterwards.
_QUIET_FINDER_MODULES = frozenset({"_frozen_importlib", "_frozen_importlib_external"})
_QUIET_FINDER_CLASSES = frozenset({("importlib_metadata", "MetadataPathFinder")})


def find_spec_static(name: str) -> ModuleSpec | None:
    """The spec ``import name`` would use, or ``None`` where it would fail.

    A module already in :data:`sys.modules` answers with its own ``__spec__``; a
    ``None`` entry there (an import blocked on purpose) answers ``None``. Parent
    packages are resolved the same way, level by level, and never executed; if a
    third-party finder imports something while it answers, :data:`sys.modules` is
    put back. *name* must already have passed :func:`check_module_name`.
    """
    return _guarded(_find, name)


def search_locations(package: str) -> list[str] | None:
    """The folders (or zip paths) that *package*'s submodules are looked up in.

    ``None`` when *package* cannot be found or is a plain module. An imported
    package answers with its live ``__path__``, which may differ from its spec's.
    """
    return _guarded(_search_locations, package)


def _guarded(find: Callable[[str], _T], name: str) -> _T:
    for finder in sys.meta_path:
        cls = finder if isinstance(finder, type) else type(finder)
        if (
            cls.__module__ not in _QUIET_FINDER_MODULES
            and (cls.__module__, cls.__name__) not in _QUIET_FINDER_CLASSES
        ):
            break
    else:
        return find(name)
    snapshot = ModulesSnapshot()
    try:
        return find(name)
    finally:
        if sys.modules != snapshot.saved:
            snapshot.restore()


def _find(name: str) -> ModuleSpec | None:
    if name in sys.modules:
        module: object = sys.modules[name]
        if module is None:  # an import blocked on purpose: `import name` raises
            return None
        spec: ModuleSpec | None = getattr(module, "__spec__", None)
        if spec is not None:
            return spec
    parent, _, _ = name.rpartition(".")
    path: list[str] | None = None
    if parent:
        path = _search_locations(parent)
        if path is None:
            return None
    return _ask_finders(name, path)


def _search_locations(package: str) -> list[str] | None:
    module = sys.modules.get(package)
    if module is not None:
        path = getattr(module, "__path__", None)
        if path is not None:
            return [os.fspath(entry) for entry in path]
        return None
    spec = _find(package)
    if spec is None or spec.submodule_search_locations is None:
        return None
    return list(spec.submodule_search_locations)


def source_path(spec: ModuleSpec | None, file: object = None) -> str | None:
    """The Python source file (``.py``/``.pyw``) behind *spec*, or ``None``.

    The spec's ``origin`` when it is a source file; for frozen stdlib modules
    (``os``, ``codecs``... since 3.11, whose origin is ``"frozen"``) the file
    ``FrozenImporter`` records in ``loader_state.filename``; else *file* (a
    module's ``__file__``) when it names a source file. Extension modules,
    sourceless ``.pyc`` files, builtins and namespace packages give ``None``.
    Nothing is checked on disk.
    """
    origin = getattr(spec, "origin", None)
    if isinstance(origin, str) and origin.endswith(_SOURCE_SUFFIXES):
        return origin
    filename = getattr(getattr(spec, "loader_state", None), "filename", None)
    if isinstance(filename, str) and filename.endswith(_SOURCE_SUFFIXES):
        return filename
    if isinstance(file, str) and file.endswith(_SOURCE_SUFFIXES):
        return file
    return None


def _ask_finders(name: str, path: list[str] | None) -> ModuleSpec | None:
    for finder in sys.meta_path:
        find_spec = getattr(finder, "find_spec", None)
        if find_spec is None:
            continue
        try:
            spec: ModuleSpec | None = find_spec(name, path)
        except KeyError:
            # PathFinder builds a _NamespacePath for a namespace package, whose
            # constructor reads sys.modules[parent] (importlib._bootstrap_external):
            # with the parent not imported that lookup fails. Build the same
            # namespace spec from the parent's locations instead.
            if path is None:
                raise
            spec = _namespace_spec(name, path)
        if spec is not None:
            return spec
    return None


def _namespace_spec(name: str, path: list[str]) -> ModuleSpec | None:
    from importlib.machinery import ModuleSpec

    tail = name.rpartition(".")[2]
    locations = [os.path.join(entry, tail) for entry in path]
    locations = [entry for entry in locations if os.path.isdir(entry)]
    if not locations:
        return None
    spec = ModuleSpec(name, None, is_package=True)
    spec.submodule_search_locations = locations
    return spec
