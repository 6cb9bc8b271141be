"""Reload a module transactionally, optionally with every module that imports it.

:func:`importlib.reload` re-executes a module in its existing namespace and, when
the code fails half-way, leaves that namespace half-updated (and ``__spec__`` set
to ``None`` when the module cannot be found again). :func:`reload` does what it
does on success and, on any failure, puts every module namespace it touched and
:data:`sys.modules` back exactly as they were before raising
:class:`~modutils.errors.ReloadError`. With ``dependents=True`` the modules that
import the reloaded one, directly or transitively, are found by reading the
modules' sources (see :mod:`modutils._source`), never by running them, and are
re-executed in the same transaction the way a fresh import runs them: an import
(a statement, or an :func:`importlib.import_module` call) that reaches a module of
the set not re-executed yet re-executes it first, at that point.
"""

from __future__ import annotations

import builtins
import os
import sys
import threading
import time
from importlib import _bootstrap_external, machinery
from types import ModuleType

from modutils._cache import remember
from modutils._compat import (
    DeadlockError,
    Initializing,
    NamespaceLoader,
    find_spec_in,
    get_gcd_import,
    get_module_lock,
    init_module_attrs,
    set_gcd_import,
)
from modutils._live import LiveUpdate
from modutils._source import resolve_import, scan_imports
from modutils._spec import check_module_name
from modutils._state import ModulesSnapshot
from modutils.errors import ReloadError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping, Sequence
    from importlib.machinery import ModuleSpec
    from types import CodeType

    from modutils._compat import ModuleLock
    from modutils._source import ImportStatement


__all__ = ["reload"]

_MISSING = object()

# Per thread: the names being reloaded (a module that reloads itself while it is
# re-executed gets itself back, as importlib.reload's _RELOADING arranges), and the
# transactions under way, innermost last, whose pending modules this thread's
# import statements re-execute.
_local = threading.local()

# Dependency graph caches. Module name -> (stat key, path, is_package, names its
# source may import); path -> (stat key, words its source does not contain); module
# name -> (statements, is_package, names) computed from them; path -> stat key of a
# source that did not parse (so it is not parsed again while unchanged). Every entry
# is checked against the file's current (st_mtime_ns, st_size) before it is used.
_FACTS_CACHE_SIZE = 16384
_ABSENT_WORDS = 64
_facts_cache: dict[str, tuple[tuple[int, int], str, bool, tuple[str, ...]]] = {}
_absent_cache: dict[str, tuple[tuple[int, int], set[str]]] = {}
_deps_cache: dict[str, tuple[tuple[ImportStatement, ...], bool, tuple[str, ...]]] = {}
_unparsable: dict[str, tuple[int, int]] = {}
# Held while _facts_cache and _absent_cache are stored to: several threads may build
# the graph at once, and dropping the oldest entry iterates the dict.
_graph_lock = threading.Lock()

# Code compiled from sources whose bytecode cache could not be trusted, keyed by
# (path, st_mtime_ns, st_size), oldest dropped first. Only code compiled from a
# source last modified more than _SETTLED_NS before it was read is kept: any later
# edit then gets a later mtime, whatever the file system's timestamp granularity
# (2 s on FAT, a clock tick on ext4), so an unchanged key means unchanged source.
_CODE_CACHE_SIZE = 512
_SETTLED_NS = 2 * 10**9
_code_cache: dict[tuple[str, int, int], CodeType] = {}

# builtins.__import__ is replaced while any thread has a transaction under way
# (import statements reach it; a meta_path finder would not see modules that stay in
# sys.modules), and so is the function importlib.import_module() imports through
# (lazy package attributes, PEP 562, mostly import that way). Other threads'
# imports only pass through.
_hook_guard = threading.Lock()
_hook_users = 0


def reload(module: ModuleType | str, *, dependents: bool = False, live: bool = False) -> ModuleType:
    """Re-execute a loaded module from its current source, all or nothing.

    On success this is :func:`importlib.reload`: the module is found again by name,
    its import attributes are refreshed from the new spec and its code runs in the
    existing namespace, so the same module object is returned (a module loaded from
    a path its name does not lead to is re-executed from its own spec). On any
    failure every namespace and :data:`sys.modules` are put back exactly, the very
    same objects, before raising. With ``dependents=True`` every loaded module that
    imports *module*, directly or transitively, is re-executed in the same
    transaction, the way a fresh import runs them, so that afterwards every
    ``from x import y`` inside the set refers to the new objects. Bytecode older
    than the source never runs; another thread importing a module of the set waits
    until the reload is committed or rolled back, and overlapping reloads queue.
    The rules (order, bytecode, threads) are on the :doc:`reloading` page.

    With ``live=True``, once the new code of every module has run, the functions
    and classes each module defined before are updated in place from their new
    versions and stay bound in the namespace, so that references held elsewhere run
    the new code and ``m.C is old_C``; names the new code no longer binds are
    removed. What cannot be updated in place is replaced, as without ``live``, with
    a :class:`~modutils.errors.LiveReloadWarning`. The update is part of the
    transaction: if it fails, every object is put back too (:doc:`hotreload`).

    Example:
        >>> import importlib, pathlib, sys, tempfile
        >>> folder = tempfile.TemporaryDirectory()
        >>> source = pathlib.Path(folder.name, "greeting_example.py")
        >>> _ = source.write_text("WORD = 'hello'\\n")
        >>> sys.path.insert(0, folder.name)
        >>> greeting = importlib.import_module("greeting_example")
        >>> _ = source.write_text("WORD = 'bye'\\nraise RuntimeError('half-way')\\n")
        >>> modutils.reload(greeting)
        Traceback (most recent call last):
          ...
        modutils.errors.ReloadError: reloading 'greeting_example' from ... failed: ...
        >>> greeting.WORD
        'hello'
        >>> _ = source.write_text("WORD = 'goodbye'\\n")
        >>> modutils.reload(greeting) is greeting, greeting.WORD
        (True, 'goodbye')
        >>> sys.path.remove(folder.name)
        >>> del sys.modules["greeting_example"]
        >>> folder.cleanup()

    :param module: a loaded module, or the name it has in :data:`sys.modules`.
    :param dependents: also reload every loaded module that imports it.
    :param live: update the old functions and classes in place (hot reload).
    :returns: *module* itself, re-executed.
    :raises TypeError: *module* is neither a module nor a ``str``.
    :raises ValueError: *module* is a malformed module name.
    :raises ModuleNotFoundError: *module* is not in :data:`sys.modules`.
    :raises ReloadError: the module is builtin, frozen, an extension or has no
        source, or waiting for the import locks would deadlock with an import under
        way in this thread (nothing was touched), or re-executing it or a dependent
        failed (everything was rolled back); the original exception is the
        ``__cause__``.
    """
    name, target = _loaded_module_and_name(module)
    spec = target.__dict__.get("__spec__")
    reason = _why_not_reloadable(spec)
    if reason is not None:
        path = _source_location(target)
        raise ReloadError(
            f"cannot reload {name!r} ({path or 'no file'}): {reason}; it was left untouched",
            name=name,
            path=path,
        )
    active = _active_names()
    if name in active:
        return target
    # A module already being re-executed further up this thread's stack belongs to
    # that outer reload; running it again from here would recurse.
    order = [
        other
        for other in (_reload_order(name) if dependents else [name])
        if other == name or other not in active
    ]
    active.update(order)
    locks: list[ModuleLock] = []
    try:
        # Locked before anything is saved: a snapshot taken while another thread's
        # reload of the same module is under way would, on failure, be restored
        # over that reload's result.
        try:
            _lock_all(order, locks)
        except DeadlockError as exc:
            path = _source_location(target)
            raise ReloadError(
                f"cannot reload {name!r} ({path or 'no file'}): waiting for the import locks "
                f"would deadlock with an import under way in this thread ({exc}); "
                "it was left untouched",
                name=name,
                path=path,
            ) from exc
        transaction = _Transaction(name, target, order, live=live)
        try:
            transaction.run()
        except Exception as exc:
            raise _reload_error(name, transaction, exc) from exc
    finally:
        for lock in reversed(locks):
            lock.release()
        active.difference_update(order)
    if transaction.live is not None:
        transaction.live.report()  # outside the locks: a warning may run any code
    return target


def _reload_error(name: str, transaction: _Transaction, exc: Exception) -> ReloadError:
    failed = transaction.failed or name
    path = _source_location(transaction.modules[failed])
    where = path or "no file"
    if failed == name:
        message = f"reloading {name!r} from {where} failed: {type(exc).__name__}: {exc}"
    else:
        message = (
            f"reloading {name!r} with its dependents failed in {failed!r} ({where}): "
            f"{type(exc).__name__}: {exc}"
        )
    if len(transaction.modules) > 1:
        message += f"; all {len(transaction.modules)} modules were rolled back"
    return ReloadError(message, name=failed, path=path)


def _loaded_module_and_name(module: object) -> tuple[str, ModuleType]:
    """The name and module object that ``reload(module)`` is about."""
    if isinstance(module, str):
        check_module_name(module)
        found = sys.modules.get(module)
        if found is None:
            raise ModuleNotFoundError(
                f"cannot reload {module!r}: it is not loaded (not in sys.modules)", name=module
            )
        if not isinstance(found, ModuleType):
            raise TypeError(
                f"cannot reload {module!r}: sys.modules holds a "
                f"{type(found).__name__}, not a module"
            )
        module = found
    if not isinstance(module, ModuleType):
        raise TypeError(
            f"reload() takes a module or a module name, not {type(module).__name__}: {module!r}"
        )
    spec = module.__dict__.get("__spec__")
    # importlib.reload names the module after its spec, falling back to __name__.
    name = getattr(spec, "name", None) or module.__dict__.get("__name__")
    if not isinstance(name, str):
        raise TypeError(f"cannot reload {module!r}: it has no name")
    if sys.modules.get(name) is not module:
        raise ModuleNotFoundError(
            f"cannot reload {name!r}: this module object is not sys.modules[{name!r}]",
            name=name,
        )
    return name, module


def _is_loader_kind(loader: object, cls: type) -> bool:
    # BuiltinImporter and FrozenImporter serve as loaders as classes, not instances.
    return isinstance(loader, cls) or (isinstance(loader, type) and issubclass(loader, cls))


def _why_not_reloadable(spec: ModuleSpec | None) -> str | None:
    """Why a module with *spec* has no source to re-execute, or ``None`` if it has."""
    if spec is None:
        return "it has no __spec__, so no source to re-execute"
    loader = spec.loader
    if spec.origin == "built-in" or _is_loader_kind(loader, machinery.BuiltinImporter):
        return "it is a builtin module, compiled into the interpreter"
    if spec.origin == "frozen" or _is_loader_kind(loader, machinery.FrozenImporter):
        return "it is a frozen module, whose code is compiled into the interpreter"
    if _is_loader_kind(loader, machinery.ExtensionFileLoader):
        return "it is an extension module, which cannot be re-initialised"
    if _is_loader_kind(loader, machinery.SourcelessFileLoader):
        return "it was loaded from bytecode only and has no source"
    if loader is None or (NamespaceLoader is not None and _is_loader_kind(loader, NamespaceLoader)):
        return "it is a namespace package, with no source to re-execute"
    if not hasattr(loader, "exec_module"):
        return f"its loader {loader!r} has no exec_module()"
    return None


def _source_location(module: ModuleType) -> str | None:
    spec = module.__dict__.get("__spec__")
    if spec is not None and spec.has_location and spec.origin:
        return str(spec.origin)
    file = module.__dict__.get("__file__")
    return str(file) if file else None


def _active_names() -> set[str]:
    names: set[str] | None = getattr(_local, "names", None)
    if names is None:
        names = _local.names = set()
    return names


def _lock_all(names: list[str], held: list[ModuleLock]) -> None:
    """Acquire the import lock of every name, appending each to *held* once acquired.

    One fixed order (sorted names) for every caller means two reloads whose sets
    overlap never hold one lock each while waiting for the other's. A cycle through
    a thread waiting inside module code (importing a module this reload holds, or
    its own reload's) is reported by importlib's _ModuleLock.acquire as a
    DeadlockError: every lock is then let go, so that the other thread can go on,
    and this one queues for the contended lock while holding none of them, before
    starting again. Only a wait that still closes a cycle while holding none (through
    an import under way in this very thread) is a real deadlock, and raises.
    """
    ordered = sorted(set(names))
    while True:
        contended = ordered[0]
        try:
            for contended in ordered:
                lock = get_module_lock(contended)
                lock.acquire()
                held.append(lock)
            return
        except DeadlockError:
            while held:
                held.pop().release()
        lock = get_module_lock(contended)
        lock.acquire()
        lock.release()


class _Transaction:
    """Re-execute a set of modules as a fresh import would; on any failure, put all back.

    Created and run while the caller holds the import lock of every module in it.
    :meth:`run` marks every module as initialising, as a first import does, from
    before its namespace is saved until it is committed or rolled back, so that
    another thread's ``import`` of it waits for the lock instead of reading it
    half-way; then it re-executes the modules in *order*, where an import statement
    or :func:`importlib.import_module` call that reaches a module of the set not
    re-executed yet re-executes that one first, at that point (:meth:`execute`), as
    a fresh import would load it.
    """

    __slots__ = (
        "failed",
        "failure",
        "finished",
        "live",
        "marks",
        "modules",
        "namespaces",
        "pending",
        "snapshot",
    )

    def __init__(
        self, name: str, target: ModuleType, order: list[str], *, live: bool = False
    ) -> None:
        self.snapshot = ModulesSnapshot()
        saved = self.snapshot.saved
        # A dependent another thread dropped from sys.modules meanwhile is not
        # reloaded; the target always is, so that losing it fails in execute().
        self.modules = {
            other: target if other == name else saved[other]
            for other in order
            if other == name or other in saved
        }
        self.namespaces: dict[str, dict[str, object]] = {}
        self.pending = dict.fromkeys(self.modules)
        #: Names in the order their re-execution finished (sys.modules' order after a
        #: fresh import, which commit() reproduces).
        self.finished: list[str] = []
        self.marks: list[Initializing] = []
        #: The first module whose re-execution failed, and how, even when the
        #: module importing it caught the error: the transaction fails all the same.
        self.failed: str | None = None
        self.failure: BaseException | None = None
        self.live = LiveUpdate() if live else None

    def run(self) -> None:
        """Re-execute every module, then commit; on any failure roll back and re-raise."""
        try:
            # Every namespace is saved before any code runs: re-executing one module
            # may change another's (``import b; b.x = 1``).
            for name, module in self.modules.items():
                self.namespaces[name] = dict(module.__dict__)
                self.mark(module.__dict__.get("__spec__"))
            try:
                with self.snapshot, _ReexecutingImports(self):
                    for name in self.modules:
                        self.execute(name)
                    if self.failure is not None:
                        raise self.failure
                    if self.live is not None:
                        self.live.apply(self.modules, self.namespaces)
            except BaseException:
                if self.live is not None:
                    self.live.undo()
                self.restore_namespaces()
                raise
            # The one place where the new code of every module has run successfully.
            self.commit()
        finally:
            for mark in reversed(self.marks):
                mark.__exit__()

    def mark(self, spec: object) -> None:
        """Mark *spec* as initialising until the transaction ends."""
        marker = Initializing(spec)
        marker.__enter__()
        self.marks.append(marker)

    def execute(self, name: str) -> None:
        """Re-execute *name* now, unless it has started already (or is not in the set).

        Its packages in the set that have not started run first, as the import
        system imports a module's parents first (and they may run it themselves).
        """
        if name not in self.pending:
            return
        parent = name.rpartition(".")[0]
        while parent:
            if parent in self.pending:
                self.execute(parent)
                if name not in self.pending:
                    return
                break
            parent = parent.rpartition(".")[0]
        del self.pending[name]
        module = self.modules[name]
        try:
            spec = _spec_for_reload(name, module)
            reason = _why_not_reloadable(spec)
            if reason is not None:
                raise ImportError(
                    f"{name!r} is now found as {spec.origin!r}, but {reason}", name=name
                )
            # Compiling first means a SyntaxError fails before the namespace is touched.
            code = _source_code(spec, name)
            if sys.modules.get(name) is not module:
                raise ImportError(f"module {name!r} not in sys.modules", name=name)
            self.mark(spec)
            init_module_attrs(spec, module, override=True)
            if code is None:
                spec.loader.exec_module(module)  # type: ignore[union-attr]
            else:
                exec(code, module.__dict__)
        except BaseException as exc:
            if self.failure is None:
                self.failed, self.failure = name, exc
            raise
        self.finished.append(name)

    def before_import(
        self, name: str, namespace: Mapping[str, object] | None, fromlist: Sequence[str], level: int
    ) -> None:
        """Re-execute what ``__import__(name, namespace, fromlist=..., level=...)`` loads.

        As a fresh import would: the packages on the way first, then the module,
        then the submodules *fromlist* names that the package does not bind to
        something else.
        """
        absolute = _absolute_name(name, namespace, level)
        if absolute is None:
            return
        pending = self.pending
        parts = absolute.split(".")
        for index in range(len(parts)):
            part = ".".join(parts[: index + 1])
            if part in pending:
                self.execute(part)
        if not fromlist or not pending:
            return
        package = sys.modules.get(absolute)
        namespace = getattr(package, "__dict__", None)
        if namespace is None or "__path__" not in namespace:
            return
        names = list(fromlist)
        exported = namespace.get("__all__")
        if "*" in names and isinstance(exported, (list, tuple)):
            names.extend(item for item in exported if isinstance(item, str))
        for item in names:
            child = f"{absolute}.{item}"
            if child in pending and namespace.get(item, self.modules[child]) is self.modules[child]:
                self.execute(child)

    def restore_namespaces(self) -> None:
        """Give every saved namespace back exactly its saved items."""
        for name in reversed(list(self.namespaces)):
            _restore_namespace(self.modules[name].__dict__, self.namespaces[name])

    def commit(self) -> None:
        """Keep the new state; modules go to the end of sys.modules in completion order.

        importlib's _load_unlocked and _exec do the same so that interpreter shutdown
        clears a module after the modules it imported, and the next reload with
        dependents enters an import cycle where this one did.
        """
        modules = sys.modules
        for name in self.finished:
            _move_to_end(modules, name)


def _move_to_end(modules: dict[str, ModuleType], name: str) -> None:
    """Move *name* to the end of *modules* without a moment where it is missing.

    ``modules[name] = modules.pop(name)`` runs as two bytecodes: another thread
    reading sys.modules between them sees the module missing, and a
    KeyboardInterrupt landing there drops it for good. Chained through ``map``
    and ``any``, the pop and the store are both made by C code in one call, with no
    bytecode boundary (so no thread switch and no signal handler) between them.
    """
    try:
        any(map(modules.__setitem__, (name,), map(modules.pop, (name,))))
    except KeyError:
        pass  # another thread dropped it meanwhile


def _restore_namespace(namespace: dict[str, object], saved: dict[str, object]) -> None:
    """Make *namespace* hold exactly the items of *saved*, in the same order."""
    # Rebinding before deleting keeps __spec__ and __name__ present throughout, for
    # a thread that reads the module without waiting for its lock.
    namespace.update(saved)
    for key in [key for key in namespace if key not in saved]:
        del namespace[key]
    if list(namespace) != list(saved):
        namespace.clear()
        namespace.update(saved)


def _absolute_name(name: str, namespace: Mapping[str, object] | None, level: int) -> str | None:
    """The module ``__import__`` is asked for, or ``None`` where it will fail anyway."""
    if level == 0:
        return name
    if namespace is None:
        return None
    package = namespace.get("__package__")
    if not isinstance(package, str):
        spec = namespace.get("__spec__")
        package = getattr(spec, "parent", None)
        if not isinstance(package, str):
            own = namespace.get("__name__")
            if not isinstance(own, str):
                return None
            package = own if "__path__" in namespace else own.rpartition(".")[0]
    bits = package.rsplit(".", level - 1)
    if not package or len(bits) < level:
        return None
    return f"{bits[0]}.{name}" if name else bits[0]


def _import_hook(
    name: str,
    globals: Mapping[str, object] | None = None,
    locals: Mapping[str, object] | None = None,
    fromlist: Sequence[str] | None = (),
    level: int = 0,
) -> ModuleType:
    """``builtins.__import__`` while a transaction is under way in some thread."""
    transactions: list[_Transaction] | None = getattr(_local, "transactions", None)
    if transactions:
        for transaction in reversed(transactions):
            transaction.before_import(name, globals, fromlist or (), level)
    return _import_slot.original(name, globals, locals, fromlist, level)


def _import_module_hook(name: str, package: str | None = None, level: int = 0) -> ModuleType:
    """``importlib._bootstrap._gcd_import`` while a transaction is under way in some thread.

    Every :func:`importlib.import_module` call lands here, with the leading dots of
    a relative name counted in *level*.
    """
    transactions: list[_Transaction] | None = getattr(_local, "transactions", None)
    if transactions:
        # A malformed name or package resolves to nothing here; the import fails below.
        namespace = {"__package__": package} if level else None
        for transaction in reversed(transactions):
            transaction.before_import(name, namespace, (), level)
    return _import_module_slot.original(name, package, level)


class _ReexecutingImports:
    """While inside, this thread's import statements run through *transaction*.

    Only for a set of several modules: alone, a module has no other to re-execute,
    and other threads' imports keep the interpreter's fast path.
    """

    __slots__ = ("transaction",)

    def __init__(self, transaction: _Transaction) -> None:
        self.transaction = transaction if len(transaction.modules) > 1 else None

    def __enter__(self) -> None:
        global _hook_users
        if self.transaction is None:
            return
        with _hook_guard:
            if _hook_users == 0:
                for slot in _HOOK_SLOTS:
                    slot.install()
            _hook_users += 1
        transactions: list[_Transaction] | None = getattr(_local, "transactions", None)
        if transactions is None:
            transactions = _local.transactions = []
        transactions.append(self.transaction)

    def __exit__(self, *exc_info: object) -> None:
        global _hook_users
        if self.transaction is None:
            return
        _local.transactions.remove(self.transaction)
        with _hook_guard:
            _hook_users -= 1
            if _hook_users == 0:
                for slot in _HOOK_SLOTS:
                    slot.uninstall()


class _HookSlot:
    """One entry point of the import system that transactions replace with *hook*.

    Installed when the first transaction starts and put back when the last one
    ends, both under ``_hook_guard``; *original* is what the hook passes through to.
    """

    __slots__ = ("hook", "original", "pristine", "read", "stuck", "write")

    def __init__(
        self,
        read: Callable[[], Callable[..., ModuleType]],
        write: Callable[[Callable[..., ModuleType]], None],
        hook: Callable[..., ModuleType],
    ) -> None:
        self.read, self.write, self.hook = read, write, hook
        self.pristine = self.original = read()
        self.stuck = False

    def install(self) -> None:
        current = self.read()
        # Stuck: a wrapper installed over ours while it was in place still calls
        # it; installing ours over that wrapper would make the two call each
        # other forever, so ours is installed again only once it is gone.
        if current is not self.hook and (not self.stuck or current is self.pristine):
            self.stuck = False
            self.original = current
            self.write(self.hook)

    def uninstall(self) -> None:
        # A wrapper installed over ours meanwhile keeps calling it (which then
        # only passes through): leave both in place.
        self.stuck = self.read() is not self.hook
        if not self.stuck:
            self.write(self.original)


def _set_builtin_import(function: Callable[..., ModuleType]) -> None:
    builtins.__import__ = function


_import_slot = _HookSlot(lambda: builtins.__import__, _set_builtin_import, _import_hook)
_import_module_slot = _HookSlot(get_gcd_import, set_gcd_import, _import_module_hook)
_HOOK_SLOTS = (_import_slot, _import_module_slot)


def _spec_for_reload(name: str, module: ModuleType) -> ModuleSpec:
    """The spec to re-execute *module* from: found again by name, or its own.

    importlib.reload always finds the spec again by name (with the parent's
    ``__path__``), and that stays the rule for a module importable by name, even
    when the name now leads to another file. A module loaded from a path the name
    does not lead to (``spec_from_file_location``, import_path, pytest's importlib
    mode) would instead not be found, or be found as some unrelated module that
    happens to share its name: it is re-executed from its own spec, as
    importlib.reload does when the finders return that same file, provided that
    file still exists.
    """
    own: ModuleSpec | None = module.__dict__.get("__spec__")
    parent_name = name.rpartition(".")[0]
    package_path: Sequence[str] | None = None
    problem = ""
    if parent_name:
        parent = sys.modules.get(parent_name)
        package_path = getattr(parent, "__path__", None)
        if parent is None:
            problem = f"its parent {parent_name!r} is not in sys.modules"
        elif package_path is None:
            problem = f"its parent {parent_name!r} is not a package"
    found = None if problem else find_spec_in(name, package_path, module)
    if found is not None and (own is None or found.origin == own.origin):
        return found
    own_file = _own_source(own)
    if own is None or own_file is None:
        if found is not None:
            return found
        raise ModuleNotFoundError(
            f"module {name!r} cannot be found any more: "
            f"{problem or 'no finder on sys.meta_path finds it by name'}, and "
            f"{_why_not_own(own)}",
            name=name,
        )
    if found is None or (
        not _same_file(found.origin, own_file)
        and not _findable_by_name(own_file, own, package_path)
    ):
        return own
    return found


def _own_source(spec: ModuleSpec | None) -> str | None:
    """The existing file from which *spec*'s own loader can run the module again, or None.

    Any loader with exec_module whose spec has a location will do, not only those
    with ``get_code``/``get_source``: pytest's AssertionRewritingHook, the loader of
    conftests and test modules, has neither and reads ``__spec__.origin`` itself.
    """
    if spec is None or not spec.has_location or _why_not_reloadable(spec) is not None:
        return None
    origin = spec.origin
    return origin if isinstance(origin, str) and os.path.isfile(origin) else None


def _why_not_own(spec: ModuleSpec | None) -> str:
    if spec is None:
        return "it has no __spec__ of its own"
    if spec.has_location and isinstance(spec.origin, str):
        return f"its source {spec.origin!r} no longer exists"
    return "its own spec names no source file to run again"


def _same_file(path: str | None, other: str) -> bool:
    if path is None:
        return False
    try:
        return os.path.samefile(path, other)
    except (OSError, ValueError):
        return False


def _findable_by_name(file: str, spec: ModuleSpec, package_path: Sequence[str] | None) -> bool:
    """Whether *file* sits where a search by *spec*'s name looks: importable by name.

    That is ``<entry>/<last part><suffix>``, or ``<entry>/<last part>/__init__<suffix>``
    for a package, with a suffix the path-based finders load and ``<entry>`` in the
    parent's ``__path__`` (:data:`sys.path` for a top-level module).
    """
    folder, filename = os.path.split(file)
    suffix = next((s for s in machinery.all_suffixes() if filename.endswith(s)), None)
    if suffix is None:
        return False
    stem = filename[: -len(suffix)]
    if spec.submodule_search_locations is not None:
        if stem != "__init__":
            return False
        folder, stem = os.path.split(folder)
    if stem != spec.name.rpartition(".")[2]:
        return False
    # sys.path and __path__ may hold anything at run time; finders skip non-str entries.
    entries: Sequence[object] = sys.path if package_path is None else package_path
    real = os.path.realpath(folder)
    return any(
        isinstance(entry, str) and os.path.realpath(entry or os.curdir) == real
        for entry in list(entries)
    )


def _source_code(spec: ModuleSpec, name: str) -> CodeType | None:
    """The code to run for a source file, or ``None`` to defer to the loader.

    For a SourceFileLoader (or a subclass that keeps its exec_module, which only
    runs ``get_code``), the code is made up front, so that a SyntaxError fails
    before the namespace is touched. Timestamp ``.pyc`` files record the source
    mtime in whole seconds (CPython issue 75953), so a same-size edit within that
    second looks up to date: the cache is used only when it was written in a later
    second than the source's mtime; otherwise the source is compiled and the cache
    rewritten (unless writing bytecode is off), and the code object is kept and
    reused, before any .pyc, while the source's (path, mtime_ns, size) is unchanged,
    provided the source had settled when it was read (see _SETTLED_NS). A spec
    without a ``cached`` path (a file whose suffix is not a source suffix) is always
    compiled from source and writes no bytecode.
    """
    loader = spec.loader
    base = machinery.SourceFileLoader
    if not isinstance(loader, base) or type(loader).exec_module is not base.exec_module:
        return None
    if type(loader).get_code is not base.get_code:
        # A subclass with its own get_code (import_path's source-only loader) decides
        # about bytecode itself; _LoaderBasics.exec_module would call it the same way.
        code = loader.get_code(name)
        if code is None:
            raise ImportError(f"cannot reload {name!r}: its loader's get_code() returned None")
        return code
    source_path = loader.get_filename(name)
    stat = os.stat(source_path)
    key = (source_path, stat.st_mtime_ns, stat.st_size)
    code = _code_cache.get(key)
    if code is not None:
        # Compiled from this very source: cheaper than reading back the .pyc.
        return code
    cache_path = spec.cached
    if cache_path is not None:
        try:
            cache_mtime_ns = os.stat(cache_path).st_mtime_ns
        except OSError:
            cache_mtime_ns = None
        if cache_mtime_ns is not None and cache_mtime_ns // 10**9 > stat.st_mtime_ns // 10**9:
            return loader.get_code(name)
    read_at = time.time_ns()
    source = loader.get_data(source_path)
    code = loader.source_to_code(source, source_path)
    if not sys.dont_write_bytecode and cache_path is not None:
        _write_bytecode(loader, source_path, cache_path, code, int(stat.st_mtime), len(source))
    if len(source) == stat.st_size and stat.st_mtime_ns < read_at - _SETTLED_NS:
        remember(_code_cache, key, code, _CODE_CACHE_SIZE)
    return code


def _write_bytecode(
    loader: machinery.SourceFileLoader,
    source_path: str,
    cache_path: str,
    code: CodeType,
    mtime: int,
    size: int,
) -> None:
    """Replace a possibly stale timestamp ``.pyc``, as SourceLoader.get_code would."""
    try:
        with open(cache_path, "rb") as file:
            header = file.read(8)
    except OSError:
        header = b""
    if len(header) == 8 and int.from_bytes(header[4:8], "little") != 0:
        # A hash-based pyc (PEP 552) is checked against the source's content; keep it.
        return
    to_pyc = getattr(_bootstrap_external, "_code_to_timestamp_pyc", None)
    cache_bytecode = getattr(loader, "_cache_bytecode", None)
    if to_pyc is None or cache_bytecode is None:
        return
    try:
        cache_bytecode(source_path, cache_path, to_pyc(code, mtime, size))
    except (NotImplementedError, OSError):
        pass


def _reload_order(name: str) -> list[str]:
    """*name* and every loaded module that imports it, in the order to re-execute them.

    Dependencies before the modules that import them; independent modules by name.
    The modules of an import cycle start with the one whose import finished last
    (the last of them in sys.modules): the import that loaded them entered the
    cycle there, and re-executing it first lets its imports re-execute the others
    at the points where they ran the first time.
    """
    imports = _dependents_graph(name)
    members = set(imports)

    def dependencies(member: str) -> list[str]:
        return sorted(d for d in imports.get(member, ()) if d in members and d != member)

    order: list[str] = []
    positions: dict[str, int] | None = None
    for component in _import_cycles([name, *sorted(members - {name})], dependencies):
        if len(component) > 1:
            if positions is None:
                positions = {module: index for index, module in enumerate(sys.modules)}
            found = positions
            component.sort(key=lambda module: found.get(module, -1), reverse=True)
        order.extend(component)
    return order


def _import_cycles(roots: list[str], successors: Callable[[str], list[str]]) -> list[list[str]]:
    """The strongly connected components of the graph, successors' components first.

    Tarjan's algorithm, iterative (import chains can be deeper than the recursion
    limit), walking *roots* and each node's *successors* in the order given.
    """
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    for root in roots:
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work: list[tuple[str, Iterator[str]]] = [(root, iter(successors(root)))]
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(successors(child))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component: list[str] = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    components.append(component)
    return components


def _dependents_graph(name: str) -> dict[str, tuple[str, ...]]:
    """*name* and every loaded module that imports it, directly or not: the modules each may import.

    Only the modules that can import a member of the set are read in full: an
    import of a module names its last part (``import a.b``, ``from a import b``,
    ``from .b import c``), except a relative import of the importer's own
    package or an ancestor (``from . import x``), so a module whose source does
    not contain the last part of any member's name, and that is not inside a
    member, cannot import one. Each source is read at most once per call for that
    test, and a negative answer is cached per file and word while the file's
    ``st_mtime_ns`` and size are unchanged: a warm call costs one ``os.stat`` per
    loaded module, and an edited file is read again.
    """
    stat = os.stat
    known: dict[str, tuple[str, ...]] = {}
    # name -> (path, is_package, stat key, words its source is known not to contain)
    unknown: dict[str, tuple[str, bool, tuple[int, int], set[str] | None]] = {}
    facts = _facts_cache
    absent_cache = _absent_cache
    packages: set[str] = set()
    for module, path, is_package in _loaded_sources():
        if is_package:
            packages.add(module)
        try:
            st = stat(path)
        except OSError:
            continue  # a deleted file: nothing can be known of its imports
        key = (st.st_mtime_ns, st.st_size)
        cached = facts.get(module)
        if (
            cached is not None
            and cached[0] == key
            and cached[1] == path
            and cached[2] is is_package
        ):
            known[module] = cached[3]
        else:
            screened = absent_cache.get(path)
            absent = screened[1] if screened is not None and screened[0] == key else None
            unknown[module] = (path, is_package, key, absent)

    def read_facts(module: str) -> tuple[str, ...]:
        path, is_package, key, _ = unknown.pop(module)
        names = _imported_names(module, path, is_package=is_package)
        with _graph_lock:
            remember(facts, module, (key, path, is_package, names), _FACTS_CACHE_SIZE)
        known[module] = names
        return names

    graph: dict[str, tuple[str, ...]] = {}
    if name in unknown:
        read_facts(name)
    graph[name] = known.get(name, ())
    texts: dict[str, bytes | None] = {}  # sources read by this call, for later rounds
    frontier = [name]
    while frontier:
        targets = set(frontier)
        words = {member.rpartition(".")[2] for member in frontier}
        # Only a package has modules inside it (whose `from . import x` names none).
        inside = tuple(f"{member}." for member in frontier if member in packages)
        found: list[str] = []
        if inside:
            for module in [m for m in unknown if m.startswith(inside)]:
                read_facts(module)
        for module, (path, is_package, key, absent) in list(unknown.items()):
            if absent is not None and words <= absent:
                continue
            missing = words if absent is None else words - absent
            if _mentions(path, key[1], missing, texts):
                read_facts(module)
                continue
            if absent is None or len(absent) >= _ABSENT_WORDS:
                absent = set()
                unknown[module] = (path, is_package, key, absent)
                with _graph_lock:
                    remember(absent_cache, path, (key, absent), _FACTS_CACHE_SIZE)
            absent.update(missing)
        for module, names in known.items():
            if module not in graph and not targets.isdisjoint(names):
                graph[module] = names
                found.append(module)
        frontier = found
    return graph


def _loaded_sources() -> list[tuple[str, str, bool]]:
    """``(name, source path, is_package)`` of every loaded module reload can re-execute."""
    sources: list[tuple[str, str, bool]] = []
    source_loader = machinery.SourceFileLoader
    module_spec = machinery.ModuleSpec
    for name, module in list(sys.modules.items()):
        try:
            # Through object.__getattribute__: a lazy module (importlib.util.LazyLoader)
            # runs its code on the first attribute access, and this must run nothing.
            spec = object.__getattribute__(module, "__dict__").get("__spec__")
        except AttributeError:
            continue
        # Aliases and __main__ (whose spec names its real module) are skipped: only
        # the entry under the spec's own name can be reloaded.
        if (
            isinstance(spec, module_spec)
            and spec.name == name
            and isinstance(spec.loader, source_loader)
            and spec.origin
        ):
            sources.append((name, spec.origin, spec.submodule_search_locations is not None))
    return sources


def _mentions(path: str, size: int, words: set[str], texts: dict[str, bytes | None]) -> bool:
    """Whether the source at *path* may name one of *words* (``True`` when unsure).

    *texts* keeps the sources read so far, searchable as bytes: ``None`` for a
    file that cannot be read or decoded (it may name anything).
    """
    if path in texts:
        text = texts[path]
    else:
        text = texts[path] = _searchable_source(path, size)
    if text is None:
        return True
    return any(word.encode() in text for word in words)


def _searchable_source(path: str, size: int) -> bytes | None:
    """The source at *path* (*size* bytes when stat-ed) with its names in ASCII spelling."""
    try:
        # os.read, not open(): no buffered file object for a single read, which
        # halves the cost of reading every loaded module's source once.
        fd = os.open(path, os.O_RDONLY)
        try:
            text = os.read(fd, size + 1)
            if len(text) > size:  # the file grew since it was stat-ed
                chunks = [text]
                while chunks[-1]:
                    chunks.append(os.read(fd, 1 << 16))
                text = b"".join(chunks)
        finally:
            os.close(fd)
    except OSError:
        return None
    if text.isascii():
        return text
    # Source encodings are ASCII-compatible, so an ASCII name reads the same in
    # the bytes, except that the parser NFKC-normalises identifiers: a full-width
    # letter or a ligature spells an ASCII name too. Normalised text is searched.
    import unicodedata
    from importlib.util import decode_source

    try:
        decoded = decode_source(text)
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return None
    if unicodedata.is_normalized("NFKC", decoded):
        return text
    return unicodedata.normalize("NFKC", decoded).encode("utf-8", "surrogatepass")


def _imported_names(name: str, path: str, *, is_package: bool) -> tuple[str, ...]:
    """The modules *name*'s source may import, loaded or not; cached per statement scan."""
    if path in _unparsable:
        try:
            stat = os.stat(path)
        except OSError:
            return ()
        if (stat.st_mtime_ns, stat.st_size) == _unparsable[path]:
            return ()
        del _unparsable[path]
    try:
        statements = scan_imports(path)
    except (OSError, SyntaxError, ValueError):
        try:
            stat = os.stat(path)
        except OSError:
            return ()
        _unparsable[path] = (stat.st_mtime_ns, stat.st_size)
        return ()
    cached = _deps_cache.get(name)
    if cached is not None and cached[0] is statements and cached[1] is is_package:
        return cached[2]
    names: list[str] = []
    for statement in statements:
        base = resolve_import(statement, name, is_package=is_package)
        if base is None:
            continue
        if not statement.names:
            # ``import a.b.c`` binds ``a``, through which a, a.b and a.b.c are
            # all reachable; ``import a.b.c as x`` binds only a.b.c.
            parts = base.split(".")
            if statement.bound and statement.bound[0] == parts[0]:
                names.extend(".".join(parts[: i + 1]) for i in range(len(parts)))
            else:
                names.append(base)
            continue
        names.append(base)
        # ``from a import b`` binds the submodule a.b when b is one.
        names.extend(f"{base}.{imported}" for imported in statement.names if imported != "*")
    result = tuple(dict.fromkeys(names))
    _deps_cache[name] = (statements, is_package, result)
    return result
