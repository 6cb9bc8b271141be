"""Temporary ``sys.path`` entries and snapshots of the whole import state.

:func:`extend_sys_path` puts folders (or zip files) on :data:`sys.path` for the
length of a ``with`` block or a function call and takes off exactly what it put
there. :func:`preserve_import_state` snapshots :data:`sys.modules`,
:data:`sys.path`, :data:`sys.meta_path`, :data:`sys.path_hooks` and
:data:`sys.path_importer_cache` and puts all of them back on exit, reporting what
changed in an :class:`ImportSnapshot`.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
import threading

from modutils._compat import importing_elsewhere
from modutils._paths import fspath_str
from modutils._state import ModulesSnapshot

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping
    from types import TracebackType
    from typing import Any

__all__ = [
    "ImportSnapshot",
    "ImportStateGuard",
    "SysPathExtension",
    "extend_sys_path",
    "preserve_import_state",
]

# Serialises every edit extend_sys_path makes to sys.path and sys.path_importer_cache,
# so that blocks entered and left by several threads never interleave their edits.
_LOCK = threading.Lock()


def extend_sys_path(
    *paths: str | os.PathLike[str], prepend: bool = True, unload: bool = False
) -> SysPathExtension:
    """Put *paths* on :data:`sys.path` for a ``with`` block or a function call.

    Each path is inserted as ``os.path.abspath(os.fspath(path))``: all of them at the
    front, in the order given, or at the end with ``prepend=False``. Paths need not
    exist (as with ``PYTHONPATH``), and zip files work. The ``with`` statement gives
    the list of entries inserted. The finders' caches are invalidated on entry, so a
    module file written after an earlier failed import is found.

    On exit, normal or by exception, exactly the inserted entries are removed, one
    occurrence each, wherever the body moved them, from the *current* ``sys.path``
    list (even if the body bound ``sys.path`` to a new list); whatever the body itself
    added or removed stays so, and an entry that was on ``sys.path`` before is still
    there, once. :data:`sys.path_importer_cache` keeps no entry for an added path that
    is no longer on ``sys.path``. With ``unload=True``, the modules imported during the
    block whose file lies under an added path (compared as resolved paths) are removed
    from :data:`sys.modules`, with the submodules of the packages removed; a package
    loaded before the block loses its attributes that pointed at them.

    Blocks may be nested and used by several threads at once: edits to the shared
    state are made under a lock. Used as a decorator, each call of the function enters
    a fresh block. One returned object cannot be entered again while it is active.

    Example:
        >>> import os, shutil, sys, tempfile
        >>> folder = tempfile.mkdtemp()
        >>> with open(os.path.join(folder, "syspath_demo.py"), "w") as file:
        ...     _ = file.write("GREETING = 'hello'\\n")
        >>> with extend_sys_path(folder, unload=True) as added:
        ...     import syspath_demo
        ...     print(syspath_demo.GREETING, sys.path[0] == added[0] == os.path.abspath(folder))
        hello True
        >>> added[0] in sys.path, "syspath_demo" in sys.modules
        (False, False)
        >>> @extend_sys_path(folder)
        ... def on_path() -> bool:
        ...     return os.path.abspath(folder) in sys.path
        >>> on_path(), os.path.abspath(folder) in sys.path
        (True, False)
        >>> shutil.rmtree(folder)

    :param paths: folders or zip files, as ``str`` or :class:`os.PathLike` objects
        whose ``__fspath__`` returns ``str``.
    :param prepend: insert at the front of ``sys.path`` (default) or at the end.
    :param unload: on exit, remove the modules imported from the added paths.
    :raises TypeError: a path is not a ``str`` or a ``str`` path-like object (``None``,
        ``bytes``, ``int``, a list...); raised by the call, before ``sys.path`` is touched.
    :raises ValueError: a path contains a NUL character or cannot be encoded to the file
        system's encoding (either would make every later import fail).
    :raises RuntimeError: the returned object is entered while it is already active.
    """
    entries = tuple(_to_entry(path) for path in paths)
    return SysPathExtension(entries, prepend=bool(prepend), unload=bool(unload))


def preserve_import_state(preserve: Callable[[str], bool] | None = None) -> ImportStateGuard:
    """Snapshot the import state on entry and put it back exactly on exit.

    On exit, normal or by exception, :data:`sys.modules` holds exactly the same
    ``name -> object`` mapping as on entry (modules imported inside are removed,
    modules deleted or replaced inside are put back), a package loaded before loses
    its attributes that pointed at submodules imported inside (so ``pkg.newsub``
    fails again), and :data:`sys.path`, :data:`sys.meta_path`, :data:`sys.path_hooks`
    and :data:`sys.path_importer_cache` are the same objects with the same items,
    even if the body bound new ones. Import caches are invalidated. The ``with``
    statement gives an :class:`ImportSnapshot` that tells what changed.

    *preserve* is a predicate on module names: modules it accepts that were imported
    inside the block stay loaded, with the packages that contain them (for modules
    that hold process-wide state and break when dropped and imported again, such as
    :mod:`multiprocessing.resource_tracker`). A module that was loaded on entry is
    always put back as it was. If *preserve* raises, everything is restored and its
    exception propagates.

    Used as a decorator, each call of the function takes a fresh snapshot. One returned
    object cannot be entered again while it is active. The snapshot covers the whole
    process: another thread's finished imports during the block are undone too, but a
    module another thread is still importing when the block ends stays (with the
    submodules its package imported so far), so that import does not fail. Attributes
    set on other modules inside the block are not tracked.

    Example:
        >>> import sys
        >>> with preserve_import_state() as snapshot:
        ...     import colorsys
        ...     sys.path.append("/nowhere")
        ...     "colorsys" in snapshot.added_modules
        True
        >>> "colorsys" in snapshot.added_modules, "colorsys" in sys.modules
        (True, False)
        >>> snapshot.added_paths, "/nowhere" in sys.path
        (['/nowhere'], False)
        >>> with preserve_import_state(preserve=lambda name: name == "colorsys"):
        ...     import colorsys
        >>> "colorsys" in sys.modules
        True
        >>> del sys.modules["colorsys"]

    :param preserve: a predicate on module names; accepted modules imported inside the
        block stay loaded.
    :raises TypeError: *preserve* is neither ``None`` nor callable.
    :raises RuntimeError: the returned object is entered while it is already active.
    """
    if preserve is not None and not callable(preserve):
        raise TypeError(
            "preserve_import_state() preserve must be a callable taking a module name, "
            f"or None, not {type(preserve).__name__}: {preserve!r}"
        )
    return ImportStateGuard(preserve)


class ImportSnapshot:
    """What changed in the import state during a :func:`preserve_import_state` block.

    Inside the block every property is computed live against the current state;
    after the block it keeps what had changed when the block ended, before the state
    was put back. Each property is a new list. Created by
    :func:`preserve_import_state`, never directly.

    Example:
        >>> import sys
        >>> with preserve_import_state() as snapshot:
        ...     import colorsys
        ...     sys.path.insert(0, "/nowhere")
        >>> snapshot.added_modules, snapshot.removed_modules, snapshot.replaced_modules
        (['colorsys'], [], [])
        >>> snapshot.added_paths, snapshot.removed_paths
        (['/nowhere'], [])
        >>> "colorsys" in sys.modules
        False
    """

    __slots__ = (
        "_final_modules",
        "_final_path",
        "_hooks",
        "_hooks_items",
        "_importer_cache",
        "_importer_cache_items",
        "_meta_path",
        "_meta_path_items",
        "_modules",
        "_path",
        "_path_items",
    )

    def __init__(self) -> None:
        self._modules = ModulesSnapshot()
        self._path = sys.path
        self._path_items = sys.path[:]
        self._meta_path = sys.meta_path
        self._meta_path_items = sys.meta_path[:]
        self._hooks = sys.path_hooks
        self._hooks_items = sys.path_hooks[:]
        self._importer_cache = sys.path_importer_cache
        self._importer_cache_items = sys.path_importer_cache.copy()
        self._final_modules: Mapping[str, object] | None = None
        self._final_path: list[str] | None = None

    def __repr__(self) -> str:
        state = "live" if self._final_modules is None else "closed"
        return (
            f"<ImportSnapshot {state}: {len(self.added_modules)} added, "
            f"{len(self.removed_modules)} removed, {len(self.replaced_modules)} replaced modules>"
        )

    @property
    def added_modules(self) -> list[str]:
        """Names in :data:`sys.modules` that were not there on entry."""
        return self._modules.added(self._final_modules)

    @property
    def removed_modules(self) -> list[str]:
        """Names that were in :data:`sys.modules` on entry and are not there."""
        return self._modules.removed(self._final_modules)

    @property
    def replaced_modules(self) -> list[str]:
        """Names in :data:`sys.modules` bound to another object than on entry."""
        return self._modules.replaced(self._final_modules)

    @property
    def added_paths(self) -> list[str]:
        """Entries of :data:`sys.path` that were not on it on entry, in their order."""
        saved = set(self._path_items)
        current = sys.path if self._final_path is None else self._final_path
        return [entry for entry in current if entry not in saved]

    @property
    def removed_paths(self) -> list[str]:
        """Entries that were on :data:`sys.path` on entry and are not on it."""
        current = set(sys.path if self._final_path is None else self._final_path)
        return [entry for entry in self._path_items if entry not in current]

    def _close(self, preserve: Callable[[str], bool] | None) -> None:
        """Record the final state, then put the state of the entry back."""
        self._final_modules = sys.modules.copy()
        self._final_path = list(sys.path)
        try:
            kept = None if preserve is None else self._kept(preserve)
        except BaseException:
            self._put_back(None)
            raise
        self._put_back(kept)

    def _kept(self, preserve: Callable[[str], bool]) -> set[str]:
        """The added names *preserve* accepts, with the added packages that contain them."""
        added = self.added_modules
        kept = {name for name in added if preserve(name)}
        added_set = set(added)
        # A submodule kept without its package would be found in sys.modules by the next
        # `import pkg.sub` while a fresh `pkg` lacked the `sub` attribute.
        for name in list(kept):
            parent = name.rpartition(".")[0]
            while parent and parent in added_set and parent not in kept:
                kept.add(parent)
                parent = parent.rpartition(".")[0]
        return kept

    def _put_back(self, kept: set[str] | None) -> None:
        """Restore every part of the import state; a failing part does not stop the others."""
        try:
            with _LOCK:
                sys.path = self._path
                self._path[:] = self._path_items
                sys.meta_path = self._meta_path
                self._meta_path[:] = self._meta_path_items
                sys.path_hooks = self._hooks
                self._hooks[:] = self._hooks_items
            # Before sys.modules is restored: from 3.13, PathFinder.invalidate_caches()
            # imports importlib.metadata, which the restore then takes out again.
            invalidated = {id(finder) for finder in sys.path_importer_cache.values()}
            importlib.invalidate_caches()
        finally:
            try:
                # A module another thread is still importing stays, with the submodules
                # its package imported so far: importlib pops it back out of
                # sys.modules when that import ends, and fails with KeyError if it is
                # gone (importlib._bootstrap._load_unlocked).
                if kept is None:
                    self._modules.restore(keep=importing_elsewhere)
                else:
                    self._modules.restore(
                        keep=lambda name: name in kept or importing_elsewhere(name)
                    )
            finally:
                # PathFinder.invalidate_caches() deletes the None entries (and, from 3.11,
                # relative ones), so the cache is restored after it, then the finders it
                # did not reach are invalidated by hand.
                cache = self._importer_cache
                sys.path_importer_cache = cache
                cache.clear()
                cache.update(self._importer_cache_items)
                for finder in self._importer_cache_items.values():
                    invalidate = getattr(finder, "invalidate_caches", None)
                    if invalidate is not None and id(finder) not in invalidated:
                        invalidate()


class ImportStateGuard(contextlib.ContextDecorator):
    """What :func:`preserve_import_state` returns: a context manager and a decorator.

    Entering it takes a snapshot of the import state and gives the
    :class:`ImportSnapshot`; leaving it puts the state back. Used as a decorator,
    each call of the function enters a fresh guard. Created by
    :func:`preserve_import_state`, never directly; the class is public so that a
    helper returning one can be annotated with it.

    Example:
        >>> import sys
        >>> def isolated() -> ImportStateGuard:
        ...     return preserve_import_state()
        >>> with isolated() as snapshot:
        ...     import colorsys
        >>> snapshot.added_modules, "colorsys" in sys.modules
        (['colorsys'], False)

    :raises RuntimeError: the object is entered while it is already active.
    """

    __slots__ = ("_active", "_preserve")

    def __init__(self, preserve: Callable[[str], bool] | None) -> None:
        self._preserve = preserve
        self._active: ImportSnapshot | None = None

    def __enter__(self) -> ImportSnapshot:
        if self._active is not None:
            raise RuntimeError(
                "this preserve_import_state() block is already active; "
                "call preserve_import_state() again to nest or share it"
            )
        self._active = snapshot = ImportSnapshot()
        return snapshot

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        snapshot, self._active = self._active, None
        if snapshot is not None:
            snapshot._close(self._preserve)

    def _recreate_cm(self) -> ImportStateGuard:
        # ContextDecorator: each call of a decorated function enters a fresh block.
        return ImportStateGuard(self._preserve)


class _Insertion:
    """What one entry into an :func:`extend_sys_path` block inserted."""

    __slots__ = ("counts", "entries", "modules")

    def __init__(
        self, entries: list[str], counts: dict[str, int], modules: ModulesSnapshot | None
    ) -> None:
        self.entries = entries  # the very objects put on sys.path
        self.counts = counts  # entry -> occurrences on sys.path before the insertion
        self.modules = modules  # sys.modules on entry, when unloading


class SysPathExtension(contextlib.ContextDecorator):
    """What :func:`extend_sys_path` returns: a context manager and a decorator.

    Entering it puts the paths on :data:`sys.path` and gives the list of entries
    inserted; leaving it takes exactly those entries off again. Used as a
    decorator, each call of the function enters a fresh block. Created by
    :func:`extend_sys_path`, never directly; the class is public so that a helper
    returning one can be annotated with it.

    Example:
        >>> import sys
        >>> def on_path(folder: str) -> SysPathExtension:
        ...     return extend_sys_path(folder)
        >>> with on_path("/nowhere") as added:
        ...     added == ["/nowhere"] and sys.path[0] == "/nowhere"
        True
        >>> "/nowhere" in sys.path
        False

    :raises RuntimeError: the object is entered while it is already active.
    """

    __slots__ = ("_active", "_entries", "_prepend", "_unload")

    def __init__(self, entries: tuple[str, ...], *, prepend: bool, unload: bool) -> None:
        self._entries = entries
        self._prepend = prepend
        self._unload = unload
        self._active: _Insertion | None = None

    def __repr__(self) -> str:
        return (
            f"extend_sys_path({', '.join(map(repr, self._entries))}, "
            f"prepend={self._prepend}, unload={self._unload})"
        )

    def __enter__(self) -> list[str]:
        modules = ModulesSnapshot() if self._unload else None
        # Fresh string objects: on exit they are found by identity, which tells them
        # apart from equal entries that the body or another block put on sys.path.
        entries = [_fresh(entry) for entry in self._entries]
        with _LOCK:
            if self._active is not None:
                raise RuntimeError(
                    f"{self!r} is already active; call extend_sys_path() again "
                    "to nest it or to use it in another thread"
                )
            path = sys.path
            counts = {entry: path.count(entry) for entry in entries}
            if self._prepend:
                path[:0] = entries
            else:
                path.extend(entries)
            self._active = insertion = _Insertion(entries, counts, modules)
        try:
            # FileFinder caches folder listings; without this, a module written after a
            # failed import can stay invisible (importlib.invalidate_caches docs).
            importlib.invalidate_caches()
        except BaseException:
            self._exit(insertion)
            raise
        return list(entries)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        insertion = self._active
        if insertion is not None:
            self._exit(insertion)

    def _recreate_cm(self) -> SysPathExtension:
        # ContextDecorator: each call of a decorated function enters a fresh block.
        return SysPathExtension(self._entries, prepend=self._prepend, unload=self._unload)

    def _exit(self, insertion: _Insertion) -> None:
        """Take the inserted entries off sys.path, then unload what came from them."""
        modules = insertion.modules
        unload: list[str] = []
        try:
            # Before the entries go: a namespace package's __path__ is recomputed from
            # sys.path when read.
            if modules is not None:
                unload = _modules_under(modules, insertion.entries)
        finally:
            with _LOCK:
                self._active = None
                _remove_entries(insertion, prepend=self._prepend)
                cache = sys.path_importer_cache
                for entry in set(insertion.entries):
                    if entry not in sys.path:
                        cache.pop(entry, None)
        if modules is not None:
            modules.restore_names(unload)


def _to_entry(path: object) -> str:
    """The absolute ``sys.path`` entry for *path*, after checking its type and value."""
    text = fspath_str(path, what="extend_sys_path() path")
    # Either kind of entry makes every later import that reaches it raise: FileFinder's
    # path hook calls os.stat(), which rejects NUL and unencodable text with ValueError.
    if "\0" in text:
        raise ValueError(f"extend_sys_path() path contains a NUL character: {text!r}")
    entry = os.path.abspath(text)
    try:
        os.fsencode(entry)
    except UnicodeEncodeError as exc:
        raise ValueError(
            f"extend_sys_path() path cannot be encoded for the file system: {text!r}"
        ) from exc
    return entry


def _fresh(text: str) -> str:
    """A new string object equal to *text* (one-character strings are shared anyway)."""
    return text[:1] + text[1:]


def _remove_entries(insertion: _Insertion, *, prepend: bool) -> None:
    """Remove the inserted entries from the current sys.path, one occurrence each."""
    path = sys.path
    missing: list[str] = []
    for entry in insertion.entries:
        for index, item in enumerate(path):
            if item is entry:
                del path[index]
                break
        else:
            missing.append(entry)
    # Entries the body copied into new string objects (e.g. a rebuilt sys.path) are
    # removed by value, but only occurrences beyond those present before the block:
    # an entry the body removed itself is not taken a second time.
    for entry in missing:
        if path.count(entry) <= insertion.counts[entry]:
            continue
        if prepend:
            path.remove(entry)
        else:
            del path[len(path) - 1 - path[::-1].index(entry)]


def _modules_under(modules: ModulesSnapshot, entries: Iterable[str]) -> list[str]:
    """Modules imported since *modules* was taken whose files lie under *entries*."""
    roots = {root for root in map(_real_normcase, entries) if root is not None}
    # Whole path components only: the root /a/b must not claim /a/bc/mod.py.
    prefixes = tuple(root if root.endswith(os.sep) else root + os.sep for root in roots)
    current = sys.modules
    new = [*modules.added(), *modules.replaced()]
    unload: set[str] = set()
    for name in new:
        for location in _locations(current.get(name)):
            resolved = _real_normcase(location)
            if resolved is not None and (resolved in roots or resolved.startswith(prefixes)):
                unload.add(name)
                break
    # A submodule left behind by its package would be handed out by the next import of
    # `pkg.sub` while the fresh `pkg` knows nothing of it.
    for name in new:
        parent = name.rpartition(".")[0]
        while parent:
            if parent in unload:
                unload.add(name)
                break
            parent = parent.rpartition(".")[0]
    return sorted(unload)


def _locations(module: object) -> list[str]:
    """The file of *module*, or the folders of a namespace package (which has none)."""
    try:
        file: Any = getattr(module, "__file__", None)
        if isinstance(file, str):
            return [file]
        spec: Any = getattr(module, "__spec__", None)
        origin = getattr(spec, "origin", None)
        if isinstance(origin, str) and getattr(spec, "has_location", False):
            return [origin]
        search: Any = getattr(module, "__path__", None)
        return [] if search is None else [item for item in search if isinstance(item, str)]
    except Exception:
        # A module whose attributes raise (a lazy module, a proxy) has no known file.
        return []


def _real_normcase(path: str) -> str | None:
    """*path* with symlinks resolved and case normalised, or None if it cannot be."""
    try:
        return os.path.normcase(os.path.realpath(path))
    except (OSError, ValueError):
        return None
