"""CPython's private import machinery, bound once, with one fallback policy.

Loading, reload, the module-state snapshot (and lazy imports and live reload) all
need the import system's per-module locks, its deadlock error, the
"initialising" flag on a spec, and a few private helpers of
``importlib._bootstrap``. They are private but present and unchanged in CPython
3.10-3.13; each is bound here, in one place, with a fallback where an interpreter
lacks it, so that no other module touches ``_bootstrap`` directly.
"""

from __future__ import annotations

# importlib._bootstrap and importlib._bootstrap_external are these two modules,
# frozen into the interpreter and loaded at start-up: importing them by these
# names costs nothing, where ``from importlib import _bootstrap`` first imports
# the importlib package (and warnings), a cost every first use would pay.
import _frozen_importlib as _bootstrap
import _frozen_importlib_external as _bootstrap_external
from _thread import RLock, allocate_lock, get_ident

TYPE_CHECKING = False
if TYPE_CHECKING:
    import weakref
    from collections.abc import Callable, Sequence
    from importlib.machinery import ModuleSpec
    from types import ModuleType
    from typing import Protocol

    class ModuleLock(Protocol):
        """What modutils needs of a per-module lock (``_bootstrap._ModuleLock``)."""

        def acquire(self) -> bool: ...
        def release(self) -> None: ...


__all__ = [
    "DeadlockError",
    "Initializing",
    "NamespaceLoader",
    "find_spec_in",
    "get_module_lock",
    "importing_elsewhere",
    "init_module_attrs",
    "module_lock",
]

_MISSING = object()

# The import system's own per-module locks (importlib._bootstrap._ModuleLock):
# re-entrant, and waits on them are visible to importlib's deadlock detection, which
# raises _DeadlockError instead of hanging. Holding the lock of a name makes a
# concurrent ``import name`` in another thread wait. Where an interpreter has none,
# a modutils-level re-entrant lock per name stands in (waits then are not seen by
# importlib's deadlock detection).
_get_module_lock: Callable[[str], ModuleLock] | None = getattr(_bootstrap, "_get_module_lock", None)
DeadlockError: type[RuntimeError] = getattr(_bootstrap, "_DeadlockError", RuntimeError)
# Made on first use: threading and weakref cost a fresh process milliseconds, and
# CPython always has _get_module_lock.
_fallback_locks: weakref.WeakValueDictionary[str, ModuleLock] | None = None
_fallback_guard = allocate_lock()

# The helpers importlib.reload() itself uses (Lib/importlib/__init__.py and
# _bootstrap._exec, unchanged from 3.4 to 3.13): finding a spec again with the
# parent's __path__, and re-initialising module attributes from a spec.
find_spec_in: Callable[[str, Sequence[str] | None, ModuleType | None], ModuleSpec | None]
find_spec_in = _bootstrap._find_spec  # type: ignore[attr-defined]
init_module_attrs = _bootstrap._init_module_attrs

# The loader of namespace packages (a public alias exists from 3.11 only).
NamespaceLoader: type | None = getattr(_bootstrap_external, "_NamespaceLoader", None)


def get_module_lock(name: str) -> ModuleLock:
    """The import system's lock for *name* (not acquired)."""
    global _fallback_locks
    if _get_module_lock is not None:
        return _get_module_lock(name)
    with _fallback_guard:
        locks = _fallback_locks
        if locks is None:
            import weakref

            locks = _fallback_locks = weakref.WeakValueDictionary()
        lock = locks.get(name)
        if lock is None:
            lock = locks[name] = RLock()
        return lock


class module_lock:
    """Hold the import lock of *name* while inside; :data:`DeadlockError` may escape.

    The shape of ``importlib._bootstrap._ModuleLockManager``: the lock is looked up
    on entry, so a weakly held lock lives exactly as long as the block.
    """

    __slots__ = ("_lock", "_name")

    def __init__(self, name: str) -> None:
        self._name = name
        self._lock: ModuleLock | None = None

    def __enter__(self) -> None:
        lock = get_module_lock(self._name)
        lock.acquire()
        self._lock = lock

    def __exit__(self, *exc_info: object) -> None:
        lock, self._lock = self._lock, None
        if lock is not None:
            lock.release()


class Initializing:
    """Mark *spec* as initialising while inside; the caller holds its import lock.

    A plain ``import name`` of a module already in sys.modules only takes the
    module lock when ``__spec__._initializing`` is true (import_ensure_initialized
    in Python/import.c, _find_and_load in importlib._bootstrap); setting it, as
    _bootstrap._load_unlocked does for a first import, makes other threads wait.
    On exit the flag is put back as it was (``False`` where it was unset: importlib
    leaves ``False`` on a spec after loading from it).
    """

    __slots__ = ("previous", "spec")

    def __init__(self, spec: object) -> None:
        self.spec = spec
        self.previous: object = _MISSING

    def __enter__(self) -> None:
        if self.spec is not None:
            self.previous = getattr(self.spec, "_initializing", _MISSING)
            try:
                self.spec._initializing = True  # type: ignore[attr-defined]
            except AttributeError:
                self.spec = None

    def __exit__(self, *exc_info: object) -> None:
        if self.spec is not None:
            previous = False if self.previous is _MISSING else self.previous
            self.spec._initializing = previous  # type: ignore[attr-defined]


def importing_elsewhere(name: str) -> bool:
    """Whether another thread is importing *name*, or a package it is in, right now.

    Meant as the *keep* predicate of :meth:`ModulesSnapshot.restore` when code that
    ran in this thread failed: a module another thread is still initialising must
    not be taken out of :data:`sys.modules` under it (``importlib._bootstrap.
    _load_unlocked`` pops it back out when done, and fails if it is missing), nor
    the submodules that package has imported so far. Such a thread holds the import
    system's per-module lock for the name (``import_path`` takes the same locks):
    ``_module_locks`` maps names to weak references to ``_ModuleLock`` objects,
    whose ``owner`` is the holding thread's id (CPython 3.10-3.13). Modules other
    threads finished importing cannot be told apart from this thread's.
    """
    locks: dict[str, Callable[[], object]] | None = getattr(_bootstrap, "_module_locks", None)
    if not locks:
        return False
    me = get_ident()
    ref = locks.get(name)
    owner: object = getattr(ref() if ref is not None else None, "owner", None)
    if owner is not None:
        # This thread's own module (import_path holds its lock) is never kept, even
        # inside a package another thread is importing.
        return owner != me
    name = name.rpartition(".")[0]
    while name:
        ref = locks.get(name)
        owner = getattr(ref() if ref is not None else None, "owner", None)
        if owner is not None and owner != me:
            return True
        name = name.rpartition(".")[0]
    return False


def namespace_of(obj: object) -> dict[str, object] | None:
    """*obj*'s ``__dict__`` read without attribute hooks; ``None`` if it has none.

    ``vars(module)`` and ``getattr(module, "__spec__")`` go through the module's
    type: a module registered through :class:`importlib.util.LazyLoader` (class
    ``_LazyModule``, whose ``__getattribute__`` loads it) executes on either, and a
    PEP 562 ``__getattr__`` is called for a missing name. ``object.__getattribute__``
    reads the instance dictionary through the generic slot, which neither hook sees.
    """
    try:
        namespace = object.__getattribute__(obj, "__dict__")
    except (AttributeError, TypeError):
        return None
    return namespace if isinstance(namespace, dict) else None


# modutils' own imports, whatever the caller's sys.meta_path holds: see modutils._own.


# The file suffixes FileFinder tries, in its order (what importlib.machinery
# re-exports), read without importing the importlib package.
SOURCE_SUFFIXES: list[str] = _bootstrap_external.SOURCE_SUFFIXES
BYTECODE_SUFFIXES: list[str] = _bootstrap_external.BYTECODE_SUFFIXES
EXTENSION_SUFFIXES: list[str] = _bootstrap_external.EXTENSION_SUFFIXES

# importlib.machinery.ModuleSpec, bound without importing the importlib package.
ModuleSpecClass: type[ModuleSpec] = _bootstrap.ModuleSpec


# FileFinder keeps the listing of its folder in ``_path_cache`` (a set of names, a new
# set on every refresh) and the folder's mtime at that listing in ``_path_mtime``
# (-1 when it could not stat it, or after invalidate_caches()); its find_spec refills
# the set whenever a fresh ``os.stat`` of the folder gives another mtime (CPython
# 3.10-3.13 ``_bootstrap_external.FileFinder``). Both are read on every
# import_path() call for every sys.path folder, hence one C-level getter.
import _imp  # noqa: E402  # appended here to keep merges of this file clean
from operator import attrgetter  # noqa: E402

FileFinder: type = _bootstrap_external.FileFinder
file_finder_state: Callable[[object], tuple[float, set[str]]] = attrgetter(
    "_path_mtime", "_path_cache"
)
# What FrozenImporter.find_spec asks, without building a spec (CPython 3.10-3.13).
is_frozen: Callable[[str], bool] = _imp.is_frozen


# importlib.import_module() imports through _bootstrap._gcd_import, which it looks
# up at each call (Lib/importlib/__init__.py, 3.4 to 3.13), never through
# builtins.__import__; so do the parent imports of _find_and_load, which are handed
# the _gcd_import that _bootstrap's globals hold. Replacing that one attribute
# reaches every import_module() call, however the caller bound import_module.


def get_gcd_import() -> Callable[[str, str | None, int], ModuleType]:
    """The function :func:`importlib.import_module` imports through right now."""
    function: Callable[[str, str | None, int], ModuleType]
    function = _bootstrap._gcd_import  # type: ignore[attr-defined]
    return function


def set_gcd_import(function: Callable[[str, str | None, int], ModuleType]) -> None:
    """Make :func:`importlib.import_module` import through *function* from now on."""
    _bootstrap._gcd_import = function  # type: ignore[attr-defined]


def is_compiled_module(module: object) -> bool:
    """Whether *module* was made by C code: a builtin or an extension module.

    Read from the module's ``__spec__`` (else ``__loader__``) without attribute
    hooks: its loader is :class:`~importlib.machinery.BuiltinImporter` or an
    :class:`~importlib.machinery.ExtensionFileLoader`, or its origin is
    ``"built-in"`` or a file with an extension-module suffix (loaders of frozen
    applications load those too).
    """
    namespace = namespace_of(module)
    if namespace is None:
        return False
    spec = namespace.get("__spec__")
    loader = getattr(spec, "loader", None) if spec is not None else None
    if loader is None:
        loader = namespace.get("__loader__")
    if loader is not None and (
        loader is _bootstrap.BuiltinImporter
        or isinstance(loader, (_bootstrap.BuiltinImporter, _bootstrap_external.ExtensionFileLoader))
    ):
        return True
    origin = getattr(spec, "origin", None) if spec is not None else None
    return isinstance(origin, str) and (
        origin == "built-in" or origin.endswith(tuple(_bootstrap_external.EXTENSION_SUFFIXES))
    )


# --- which thread imported what, during a window --------------------------------------
#
# Every import of a name not yet in sys.modules goes through _bootstrap._find_and_load:
# the import statement's C code looks it up on the module on each call (import.c,
# import_find_and_load), importlib.import_module through the module's globals
# (_gcd_import). While any window is open it is replaced by a wrapper that records
# the calling thread's id under the name in every open window; the last window to
# close puts the original back.
_original_find_and_load: Callable[[str, object], ModuleType] | None = getattr(
    _bootstrap, "_find_and_load", None
)
_windows_lock = allocate_lock()
# The open windows' records (name -> ids of the threads that started its import),
# replaced as a whole so that the wrapper iterates a stable tuple.
_open_windows: tuple[dict[str, set[int]], ...] = ()


def _recording_find_and_load(name: str, import_: object) -> ModuleType:
    me = get_ident()
    for window in _open_windows:
        window.setdefault(name, set()).add(me)
    return _original_find_and_load(name, import_)  # type: ignore[misc]


def _locked_elsewhere() -> set[str]:
    """The names whose import lock a thread other than this one holds right now."""
    locks: dict[str, Callable[[], object]] | None = getattr(_bootstrap, "_module_locks", None)
    if not locks:
        return set()
    me = get_ident()
    found = set()
    # list(): one atomic copy, as other threads add and drop locks meanwhile.
    for name, ref in list(locks.items()):
        owner = getattr(ref(), "owner", None)
        if owner is not None and owner != me:
            found.add(name)
    return found


class ImportWindow:
    """While inside, tell the modules other threads import from the ones this thread does.

    :meth:`elsewhere` answers for a name whether a thread other than this one was
    importing it (or a package it is in) when the window opened, started importing
    it inside the window, or is importing it now (:func:`importing_elsewhere`).
    Modules that code registers in :data:`sys.modules` by hand, outside the import
    system, are not seen. Meant for the *keep* predicate of a restore that must
    undo only what this thread did.
    """

    __slots__ = ("_before", "_started")

    def __init__(self) -> None:
        self._started: dict[str, set[int]] = {}
        self._before: set[str] = set()

    def __enter__(self) -> ImportWindow:
        global _open_windows
        with _windows_lock:
            if not _open_windows and _original_find_and_load is not None:
                _bootstrap._find_and_load = _recording_find_and_load  # type: ignore[attr-defined]
            _open_windows = (*_open_windows, self._started)
        # After the wrapper is in place: an import started before is locked now.
        self._before = _locked_elsewhere()
        return self

    def __exit__(self, *exc_info: object) -> None:
        global _open_windows
        with _windows_lock:
            _open_windows = tuple(window for window in _open_windows if window is not self._started)
            if (
                not _open_windows
                and getattr(_bootstrap, "_find_and_load", None) is _recording_find_and_load
            ):
                _bootstrap._find_and_load = _original_find_and_load  # type: ignore[attr-defined]

    def elsewhere(self, name: str) -> bool:
        """Whether another thread imported or is importing *name*, or a package it is in."""
        if importing_elsewhere(name):
            return True
        me = get_ident()
        started = self._started
        before = self._before
        part = name
        while part:
            if part in before or any(thread != me for thread in started.get(part, ())):
                return True
            part = part.rpartition(".")[0]
        return False


# --- reading a module's cached bytecode ----------------------------------------------
#
# The checks SourceLoader.get_code makes of a timestamp-based .pyc before it trusts
# it (importlib._bootstrap_external, unchanged in CPython 3.10-3.13): magic number
# and flags, then the source's mtime and size recorded in the header; then the code
# is unmarshalled and given the source path as its filename.
import sys as _sys  # noqa: E402  # appended here to keep merges of this file clean

if TYPE_CHECKING:
    from types import CodeType

    class SourceLoaderLike(Protocol):
        """What :func:`cached_code` needs of a loader (a ``SourceFileLoader``)."""

        path: str

        def get_data(self, path: str) -> bytes: ...


_classify_pyc: Callable[[bytes, str, dict[str, str]], int] = _bootstrap_external._classify_pyc  # type: ignore[attr-defined]
_validate_timestamp_pyc: Callable[..., None] = _bootstrap_external._validate_timestamp_pyc  # type: ignore[attr-defined]
_compile_bytecode: Callable[..., CodeType] = _bootstrap_external._compile_bytecode  # type: ignore[attr-defined]


def cached_code(
    loader: SourceLoaderLike, name: str, bytecode_path: str, mtime: float, size: int
) -> CodeType | None:
    """The code of *loader*'s source read from its timestamp ``.pyc``, if that is current.

    What ``SourceLoader.get_code`` returns when the bytecode at *bytecode_path*
    matches the source's *mtime* and *size* (a ``stat`` of it already made), read
    through ``loader.get_data``. ``None`` in every other case (no readable file, a
    bad header, a stale or hash-based ``.pyc``): ``get_code`` then does the whole
    work again, compiling and writing the bytecode as it decides.
    """
    try:
        data = loader.get_data(bytecode_path)
    except OSError:
        return None
    details = {"name": name, "path": bytecode_path}
    try:
        if _classify_pyc(data, name, details) & 0b1:
            return None  # hash-based: get_code's own rules for checking the source
        _validate_timestamp_pyc(data, int(mtime), size, name, details)
    except (ImportError, EOFError):
        return None
    source_path = loader.path
    if _sys.flags.verbose:
        _bootstrap._verbose_message("{} matches {}", bytecode_path, source_path)  # type: ignore[attr-defined]
    return _compile_bytecode(
        memoryview(data)[16:], name=name, bytecode_path=bytecode_path, source_path=source_path
    )


# A FileFinder's _path_mtime alone: FileFinder._fill_cache sets it with each new
# listing, and invalidate_caches() sets it to -1, so it tells whether the listing
# changed for the price of one attribute read.
file_finder_mtime: Callable[[object], float] = attrgetter("_path_mtime")


# From 3.12, _ModuleLock.acquire first registers the thread as blocked on the lock
# (_BlockingOnManager: a Python-level weak-value dictionary), then looks whether the
# lock is free; that bookkeeping, which only a thread that waits needs, costs more
# than the rest of a small module's load.
_ModuleLockType: type | None = getattr(_bootstrap, "_ModuleLock", None)
_FREE_LOCK_SHORTCUT = _sys.version_info >= (3, 12) and _ModuleLockType is not None


def acquire_module_lock(lock: ModuleLock) -> None:
    """``lock.acquire()`` for a lock from :func:`get_module_lock`, cheaper when it is free.

    On CPython 3.12-3.13 a lock that is free, or already held by this thread, is
    taken as ``_ModuleLock.acquire`` takes it (owner and count set under its inner
    lock), without registering a wait that does not happen; any other case goes
    through ``acquire``, its waiting and its deadlock detection. Elsewhere it is
    ``lock.acquire()``.

    :raises DeadlockError: as ``acquire`` does, when waiting would deadlock.
    """
    if _FREE_LOCK_SHORTCUT and lock.__class__ is _ModuleLockType:
        me = get_ident()
        count: list[bool] = lock.count  # type: ignore[attr-defined]
        with lock.lock:  # type: ignore[attr-defined]
            if not count or lock.owner == me:  # type: ignore[attr-defined]
                lock.owner = me  # type: ignore[attr-defined]
                count.append(True)
                return
    lock.acquire()
