"""Discover a package's submodules without running them, and import them on request.

:func:`iter_submodules` lists what ``import package.x`` could find, from the file
system (and zip archives) alone: no code of the package, of its parents or of its
submodules runs, and :data:`sys.modules` is left alone. :func:`import_submodules`
then imports what it finds, one module at a time, rolling back each failure. The
walk itself (folder listings, precedence, zip archives, the records) lives in
:mod:`modutils._walk`.
"""

from __future__ import annotations

import os
from itertools import chain

from modutils._compat import namespace_of
from modutils._spec import check_import_name, find_spec_static, search_locations
from modutils._state import ModulesSnapshot
from modutils._walk import ModuleInfo, Walker, children_by_name, walk_segments
from modutils.errors import ModuleLoadError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path
    from types import ModuleType
    from typing import Any, Literal, overload
else:
    # types.ModuleType without importing types (a first use pays for every import).
    ModuleType = type(os)

    # The overloads are for type checkers; typing is not imported at run time.
    def overload(func: object) -> object:
        return func


__all__ = ["ModuleInfo", "import_submodules", "iter_submodules"]


@overload
def iter_submodules(
    package: ModuleType | str, *, recursive: bool = ..., namespace_packages: Literal[False] = ...
) -> Iterator[ModuleInfo[Path]]: ...


@overload
def iter_submodules(  # noqa: F811 - the run-time overload() is not typing's
    package: ModuleType | str, *, recursive: bool = ..., namespace_packages: bool
) -> Iterator[ModuleInfo[Path | None]]: ...


def iter_submodules(  # noqa: F811
    package: ModuleType | str, *, recursive: bool = True, namespace_packages: bool = False
) -> Iterator[ModuleInfo[Any]]:
    """Yield the submodules of *package*, found on disk without importing anything.

    *package* is an imported package or a dotted name. Its location is resolved
    through the finders on :data:`sys.meta_path` as ``import`` would (editable
    installs included), but no code of the package, its parents or its submodules
    runs and :data:`sys.modules` is not touched. Source files, sourceless ``.pyc``
    files, extension modules (``_speedups.cpython-311-x86_64-linux-gnu.so`` is
    ``_speedups``) and subpackages are found, in folders and in zip archives;
    subpackages are walked too unless *recursive* is false. Folders without an
    ``__init__`` file that hold modules are namespace subpackages, yielded only
    with *namespace_packages*.

    Names import cannot reach (``dotted.name.py``), ``__init__``,
    ``__pycache__`` and ``__main__`` (a package's command-line entry point:
    importing it would run the tool) are skipped; names that are not
    identifiers (``0001_initial.py``, ``hook-numpy.py``) are listed, as
    :func:`importlib.import_module` imports them. Modules come
    sorted by name within each package, each package right before its children.
    A folder reached a second time (symlinks, duplicate path entries) is skipped
    with everything under it, so symlink loops end and each file is reported
    once, under the first name found. The package itself is not yielded.
    Arguments are checked when the function is called; folders are read as the
    iterator advances.

    Example:
        >>> [info.name for info in iter_submodules("json")]
        ['json.decoder', 'json.encoder', 'json.scanner', 'json.tool']
        >>> [(info.name, info.is_package) for info in iter_submodules("email", recursive=False)][:2]
        [('email._encoded_words', False), ('email._header_value_parser', False)]
        >>> next(iter_submodules("email.mime")).path.name
        'application.py'

    :raises TypeError: *package* is neither a module nor a ``str``.
    :raises ValueError: *package* is a malformed name, or a plain module rather
        than a package.
    :raises ModuleNotFoundError: no package of that name can be found.
    """
    name, locations = _resolve_package(package)
    walker = Walker(namespace_packages=namespace_packages)
    # The records behave as the ModuleInfo named tuple type checkers see (see _walk).
    segments: Iterator[list[Any]] = walk_segments(
        walker, name, walker.claim(locations), recursive=recursive
    )
    return chain.from_iterable(segments)


def import_submodules(
    package: ModuleType | str,
    *,
    recursive: bool = True,
    on_error: Callable[[str, BaseException], object] | None = None,
    on_import: Callable[[str], object] | None = None,
) -> dict[str, ModuleType]:
    """Import *package* and every submodule :func:`iter_submodules` finds; return them by name.

    Modules are imported one at a time, in :func:`iter_submodules` order, the
    package first; after a package is imported its children are looked up in its
    live ``__path__``, so folders its ``__init__`` adds are walked too.
    ``__main__`` modules are never imported. *on_import*, if given, is called with
    each module's name right before its import, for progress reports: once per
    module attempted, the package included (also when passed as a module object,
    which is not imported again).

    Without *on_error*, the first failure propagates and every module this call
    imported is removed again: :data:`sys.modules` is exactly as before. With
    *on_error*, each failure is passed to ``on_error(name, exception)`` and skipped,
    and the walk goes on: ``SystemExit`` and any other :class:`BaseException`
    count as failures, except :class:`KeyboardInterrupt`, which propagates (with
    the same full rollback). The children of a package that failed are not
    attempted. Either way a module that failed leaves nothing behind in
    :data:`sys.modules`, nor anything it imported before failing.

    Example:
        >>> modules = import_submodules("json")
        >>> sorted(modules)
        ['json', 'json.decoder', 'json.encoder', 'json.scanner', 'json.tool']
        >>> failed = []
        >>> modules = import_submodules("json", on_error=lambda name, exc: failed.append(name))
        >>> failed
        []

    :raises TypeError: *package* is neither a module nor a ``str``.
    :raises ValueError: *package* is a malformed name, or a plain module rather
        than a package.
    :raises ModuleNotFoundError: no package of that name can be found.
    :raises ModuleLoadError: without *on_error*, a module's code raised an
        :class:`Exception` (the ``__cause__``; ``name`` and ``path`` say which).
        Other exceptions (``SystemExit``, ``KeyboardInterrupt``...) propagate as
        they are.
    """
    name, locations = _resolve_package(package)
    walker = Walker(namespace_packages=False)
    static = walker.claim(locations)
    modules: dict[str, ModuleType] = {}
    with ModulesSnapshot():
        if isinstance(package, ModuleType):
            root: ModuleType | None = package
            if on_import is not None:
                on_import(name)
        else:
            spec = find_spec_static(name)
            origin = None if spec is None else spec.origin
            root = _import_reporting_failure(name, origin, on_error, on_import)
        if root is not None:
            modules[name] = root
            live = walker.claim(getattr(root, "__path__", ()), own=static)
            stack = [children_by_name(walker, name, live)]
            while stack:
                remaining, packages = stack[-1]
                for info in remaining:
                    module = _import_reporting_failure(info.name, info.path, on_error, on_import)
                    if module is None:
                        continue
                    modules[info.name] = module
                    if recursive and info.is_package:
                        path = getattr(module, "__path__", ())
                        live = walker.claim(path, own=packages[info.name])
                        stack.append(children_by_name(walker, info.name, live))
                        break
                else:
                    stack.pop()
    return modules


def _resolve_package(package: object) -> tuple[str, list[str]]:
    """The name and search locations of *package*, found without importing it."""
    if isinstance(package, ModuleType):
        # Read without attribute hooks, so that a LazyLoader module stays unloaded
        # and a PEP 562 __getattr__ is not asked for __path__ (see namespace_of).
        namespace = namespace_of(package) or {}
        name = namespace.get("__name__")
        if not isinstance(name, str):
            raise ValueError(f"module {package!r} has no __name__")
        path = namespace.get("__path__")
        if path is None:
            origin = namespace.get("__file__")
            raise ValueError(f"{name!r} is a module, not a package (no __path__): {origin}")
        return name, [os.fspath(entry) for entry in path]  # type: ignore[attr-defined]
    if not isinstance(package, str):
        raise TypeError(
            f"package must be a module or a dotted name (str), not {type(package).__name__}: "
            f"{package!r}"
        )
    name = check_import_name(package, what="package name")
    locations = search_locations(name)
    if locations is None:
        # Only now tell "not found" from "not a package": one look-up on success.
        spec = find_spec_static(name)
        if spec is None:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        raise ValueError(f"{name!r} is a module, not a package: {spec.origin}")
    return name, locations


def _import_reporting_failure(
    name: str,
    path: str | os.PathLike[str] | None,
    on_error: Callable[[str, BaseException], object] | None,
    on_import: Callable[[str], object] | None,
) -> ModuleType | None:
    """Import *name*; on failure restore sys.modules, then report (``None``) or raise."""
    from importlib import import_module

    if on_import is not None:
        on_import(name)
    snapshot = ModulesSnapshot()
    try:
        return import_module(name)
    except BaseException as exc:
        snapshot.restore()
        if on_error is not None and not isinstance(exc, KeyboardInterrupt):
            on_error(name, exc)
            return None
        if isinstance(exc, Exception):
            filename = None if path is None else os.fspath(path)
            where = f" from {filename}" if filename else ""
            raise ModuleLoadError(
                f"cannot import {name!r}{where}: {type(exc).__name__}: {exc}",
                name=name,
                path=filename,
            ) from exc
        raise
