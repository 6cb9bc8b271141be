"""Reload a module transactionally, optionally with every module that imports it.

:func:`importlib.reload` re-executes a module in its existing namespace and, when
the code fails half-way, leaves that namespace half-updated (and ``__spec__`` set
to ``None`` when the module cannot be found again). :func:`reload` does what it
does on success and, on any failure, puts every module namespace it touched and
:data:`sys.modules` back exactly as they were before raising
:class:`~modutils.errors.ReloadError`. With ``dependents=True`` the modules that
import the reloaded one, directly or transitively, are re-executed after it, in
dependency order, inside the same transaction; they are found by reading the
modules' sources (see :mod:`modutils._source`), never by running them.
"""

from __future__ import annotations

import os
import sys
import threading
from importlib import _bootstrap_external, machinery
from types import ModuleType

from modutils._compat import (
    DeadlockError,
    Initializing,
    NamespaceLoader,
    find_spec_in,
    get_module_lock,
    init_module_attrs,
)
from modutils._live import LiveUpdate
from modutils._source import resolve_import, scan_imports
from modutils._spec import check_module_name
from modutils._state import ModulesSnapshot
from modutils.errors import ReloadError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from importlib.machinery import ModuleSpec
    from types import CodeType

    from modutils._compat import ModuleLock
    from modutils._source import ImportStatement


__all__ = ["reload"]

_MISSING = object()

# Names being reloaded by the current thread: a module that reloads itself while
# it is re-executed gets itself back, as importlib.reload's _RELOADING arranges.
_local = threading.local()

# Dependency graph caches, all validated through scan_imports' per-file cache:
# module name -> (statements it was computed from, is_package, names it may import);
# path -> stat key of a source that did not parse (so it is not parsed again while
# unchanged); the last inverted graph, reused while every module's names are the same.
_deps_cache: dict[str, tuple[tuple[ImportStatement, ...], bool, tuple[str, ...]]] = {}
_unparsable: dict[str, tuple[int, int]] = {}
_importers_cache: dict[str, tuple[dict[str, tuple[str, ...]], dict[str, list[str]]]] = {}


def reload(module: ModuleType | str, *, dependents: bool = False, live: bool = False) -> ModuleType:
    """Re-execute a loaded module from its current source, all or nothing.

    On success this is :func:`importlib.reload`: the module is found again by name
    (through its parent package's ``__path__``), its ``__spec__``, ``__loader__``,
    ``__file__`` and ``__cached__`` are refreshed, and its code runs in the existing
    namespace, so the same module object is returned. A module loaded from a path
    that a search by its name does not lead to (:func:`~modutils.import_path`,
    ``importlib.util.spec_from_file_location``, pytest's ``importlib`` import mode)
    is re-executed from its own ``__spec__`` instead, as long as its source file
    exists; :func:`importlib.reload` fails on it, or runs whatever other file the
    name leads to. Unlike it, any failure (a
    ``SyntaxError``, an exception half-way through the module body, a deleted
    source) restores the namespace exactly (the same names bound to the very same
    objects, ``__spec__`` included) and :data:`sys.modules` exactly (modules first
    imported by the failed attempt are dropped) before raising.

    With ``dependents=True`` every loaded module that imports *module*, directly or
    transitively, through ``import x`` or ``from x import y``, is re-executed after
    it, in dependency order (ties and import cycles are broken by name), so that
    ``from x import y`` bindings see the new objects. Dependents are read from the
    modules' sources, cached per file and mtime; modules that do not import it are
    not touched. The whole set is one transaction: if any of them fails, all of them
    are rolled back.

    With ``live=True``, once the new code of every module has run, the functions
    and classes each module defined before are updated in place from their new
    versions (see :doc:`/hotreload`) and stay bound in the namespace, so that
    references held elsewhere run the new code and ``m.C is old_C``; names the new
    code no longer binds are removed. What cannot be updated in place is replaced,
    as without ``live``, with a :class:`~modutils.errors.LiveReloadWarning`. The
    update is part of the transaction: if it fails, every object is put back too.

    Bytecode is never trusted when it cannot be told apart from stale bytecode: if
    the ``.pyc`` file was written in the same second as the source's mtime, or
    earlier, the source is compiled instead (CPython issue 75953).

    The import lock of every module in the set is held from before its state is
    saved until it is committed or rolled back: another thread importing one of
    them waits instead of seeing a half-built namespace, and reloads of the same
    module from several threads run one after the other, so that one that fails
    never rolls back over one that succeeded. The locks are taken in name order,
    so overlapping sets reloaded from two threads cannot deadlock each other.

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
    :param dependents: also reload, after it, every loaded module that imports it.
    :param live: update the old functions and classes in place (hot reload).
    :returns: *module* itself, re-executed.
    :raises TypeError: *module* is neither a module nor a ``str``.
    :raises ValueError: *module* is a malformed module name.
    :raises ModuleNotFoundError: *module* is not in :data:`sys.modules`.
    :raises ReloadError: the module is builtin, frozen, an extension or has no
        source, or waiting for its import lock would deadlock (nothing was
        touched), or re-executing it or a dependent failed (everything was rolled
        back); the original exception is the ``__cause__``.
    """
    name, target = _resolve_target(module)
    spec = target.__dict__.get("__spec__")
    reason = _why_not_reloadable(spec)
    if reason is not None:
        path = _location(target)
        raise ReloadError(
            f"cannot reload {name!r} ({path or 'no file'}): {reason}; it was left untouched",
            name=name,
            path=path,
        )
    active = _active_names()
    if name in active:
        return target
    order = _reload_order(name) if dependents else [name]
    # A module already being re-executed further up this thread's stack belongs to
    # that outer reload; running it again from here would recurse.
    order = [name] + [other for other in order[1:] if other not in active]
    active.update(order)
    locks: list[ModuleLock] = []
    try:
        # Locked before anything is saved: a snapshot taken while another thread's
        # reload of the same module is under way would, on failure, be restored
        # over that reload's result.
        try:
            _lock_all(order, locks)
        except DeadlockError as exc:
            path = _location(target)
            raise ReloadError(
                f"cannot reload {name!r} ({path or 'no file'}): waiting for the import locks "
                f"would deadlock with another thread ({exc}); it was left untouched",
                name=name,
                path=path,
            ) from exc
        transaction = _Transaction(order, target, live=live)
        try:
            transaction.run()
        except Exception as exc:
            raise _failure(name, order, transaction, exc) from exc
    finally:
        for lock in reversed(locks):
            lock.release()
        active.difference_update(order)
    if transaction.live is not None:
        transaction.live.report()  # outside the locks: a warning may run any code
    return target


def _failure(name: str, order: list[str], transaction: _Transaction, exc: Exception) -> ReloadError:
    failed = transaction.current
    path = _location(transaction.modules[failed])
    where = path or "no file"
    if failed == name:
        message = f"reloading {name!r} from {where} failed: {type(exc).__name__}: {exc}"
    else:
        message = (
            f"reloading {name!r} with its dependents failed in {failed!r} ({where}): "
            f"{type(exc).__name__}: {exc}"
        )
    if len(order) > 1:
        message += f"; all {len(order)} modules were rolled back"
    return ReloadError(message, name=failed, path=path)


def _resolve_target(module: object) -> tuple[str, ModuleType]:
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


def _is(loader: object, cls: type) -> bool:
    # BuiltinImporter and FrozenImporter serve as loaders as classes, not instances.
    return isinstance(loader, cls) or (isinstance(loader, type) and issubclass(loader, cls))


def _why_not_reloadable(spec: ModuleSpec | None) -> str | None:
    """Why a module with *spec* has no source to re-execute, or ``None`` if it has."""
    if spec is None:
        return "it has no __spec__, so no source to re-execute"
    loader = spec.loader
    if spec.origin == "built-in" or _is(loader, machinery.BuiltinImporter):
        return "it is a builtin module, compiled into the interpreter"
    if spec.origin == "frozen" or _is(loader, machinery.FrozenImporter):
        return "it is a frozen module, whose code is compiled into the interpreter"
    if _is(loader, machinery.ExtensionFileLoader):
        return "it is an extension module, which cannot be re-initialised"
    if _is(loader, machinery.SourcelessFileLoader):
        return "it was loaded from bytecode only and has no source"
    if loader is None or (NamespaceLoader is not None and _is(loader, NamespaceLoader)):
        return "it is a namespace package, with no source to re-execute"
    if not hasattr(loader, "exec_module"):
        return f"its loader {loader!r} has no exec_module()"
    return None


def _location(module: ModuleType) -> str | None:
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

    One fixed order (sorted names) for every caller means two threads whose sets
    overlap never hold one lock each while waiting for the other's. A cycle with a
    thread that is importing (whose locks are taken in import order) is detected by
    importlib's _ModuleLock.acquire, which raises DeadlockError.
    """
    for name in sorted(set(names)):
        lock = get_module_lock(name)
        lock.acquire()
        held.append(lock)


class _Transaction:
    """Re-execute modules in order; on any failure put all of them back.

    Created and run while the caller holds the import lock of every module in it.
    """

    __slots__ = ("current", "live", "modules", "namespaces", "order", "snapshot")

    def __init__(self, order: list[str], target: ModuleType, *, live: bool = False) -> None:
        self.order = order
        self.snapshot = ModulesSnapshot()
        saved = self.snapshot.saved
        # A dependent another thread dropped from sys.modules meanwhile is not
        # reloaded; the target always is, so that losing it fails in _reexecute.
        self.modules = {order[0]: target}
        self.modules.update((name, saved[name]) for name in order[1:] if name in saved)
        self.namespaces: dict[str, dict[str, object]] = {}
        self.current = order[0]
        self.live = LiveUpdate() if live else None

    def run(self) -> None:
        done = False
        try:
            # Every namespace is saved before any code runs: re-executing one module
            # may change another's (``import b; b.x = 1``).
            for name, module in self.modules.items():
                self.current = name
                self.namespaces[name] = dict(module.__dict__)
            for name, module in self.modules.items():
                self.current = name
                _reexecute(name, module)
            if self.live is not None:
                self.live.apply(self.modules, self.namespaces)
            done = True
        finally:
            if not done:
                self.rollback()
        # importlib's _exec re-inserts the module, so that interpreter shutdown
        # clears it after the modules it imported.
        modules = sys.modules
        for name in self.order:
            if name in modules:
                modules[name] = modules.pop(name)

    def rollback(self) -> None:
        if self.live is not None:
            self.live.undo()
        self.snapshot.restore()
        for name in reversed(self.order):
            saved = self.namespaces.get(name)
            if saved is None:
                continue
            namespace = self.modules[name].__dict__
            with Initializing(namespace.get("__spec__")):
                _restore_namespace(namespace, saved)


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


def _reexecute(name: str, module: ModuleType) -> None:
    """Find *name*'s spec again and run its code in *module*, as importlib.reload does."""
    spec = _spec_for_reload(name, module)
    reason = _why_not_reloadable(spec)
    if reason is not None:
        raise ImportError(f"{name!r} is now found as {spec.origin!r}, but {reason}", name=name)
    # Compiling first means a SyntaxError fails before the namespace is touched.
    code = _source_code(spec, name)
    with Initializing(spec):
        if sys.modules.get(name) is not module:
            raise ImportError(f"module {name!r} not in sys.modules", name=name)
        init_module_attrs(spec, module, override=True)
        if code is None:
            spec.loader.exec_module(module)  # type: ignore[union-attr]
        else:
            exec(code, module.__dict__)


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
    rewritten. A spec without a ``cached`` path (a file whose suffix is not a
    source suffix) is always compiled from source and writes no bytecode.
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
    cache_path = spec.cached
    if cache_path is not None:
        try:
            cache_mtime_ns = os.stat(cache_path).st_mtime_ns
        except OSError:
            cache_mtime_ns = None
        if cache_mtime_ns is not None and cache_mtime_ns // 10**9 > stat.st_mtime_ns // 10**9:
            return loader.get_code(name)
    source = loader.get_data(source_path)
    code = loader.source_to_code(source, source_path)
    if not sys.dont_write_bytecode and cache_path is not None:
        _write_bytecode(loader, source_path, cache_path, code, int(stat.st_mtime), len(source))
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
    """*name*, then every loaded module that imports it, dependencies first."""
    imports = _import_graph()
    importers = _importers(imports)
    members = {name}
    pending = [name]
    while pending:
        for importer in importers.get(pending.pop(), ()):
            if importer not in members:
                members.add(importer)
                pending.append(importer)

    def dependencies(member: str) -> Iterator[str]:
        return iter(sorted(d for d in imports.get(member, ()) if d in members and d != member))

    order = [name]
    placed = {name}
    # Depth-first, dependencies before their importers; names sorted so that the
    # order, and where an import cycle is cut, never depend on load order.
    for root in sorted(members):
        if root in placed:
            continue
        stack = [(root, dependencies(root))]
        visiting = {root}
        while stack:
            node, pending_dependencies = stack[-1]
            for dependency in pending_dependencies:
                if dependency not in placed and dependency not in visiting:
                    visiting.add(dependency)
                    stack.append((dependency, dependencies(dependency)))
                    break
            else:
                stack.pop()
                visiting.discard(node)
                placed.add(node)
                order.append(node)
    return order


def _importers(imports: dict[str, tuple[str, ...]]) -> dict[str, list[str]]:
    """Invert *imports*; reused while no module was loaded, dropped or edited."""
    cached = _importers_cache.get("last")
    # The tuples come from the per-module cache, so an unchanged graph compares
    # equal by identity, item by item, in C.
    if cached is not None and cached[0] == imports:
        return cached[1]
    importers: dict[str, list[str]] = {}
    for importer, imported in imports.items():
        for dependency in imported:
            if dependency in importers:
                importers[dependency].append(importer)
            else:
                importers[dependency] = [importer]
    _importers_cache["last"] = (imports, importers)
    return importers


def _import_graph() -> dict[str, tuple[str, ...]]:
    """For every loaded module with a source file: the modules it may import.

    The names imported are not filtered by what is loaded: only loaded modules are
    keys, so a walk from a loaded module never reaches the others. On a warm cache
    this costs one ``os.stat`` per module (inside :func:`scan_imports`).
    """
    graph: dict[str, tuple[str, ...]] = {}
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
            not isinstance(spec, module_spec)
            or spec.name != name
            or not isinstance(spec.loader, source_loader)
        ):
            continue
        origin = spec.origin
        if origin:
            names = _imported_names(name, origin, spec.submodule_search_locations is not None)
            if names:
                graph[name] = names
    return graph


def _imported_names(name: str, path: str, is_package: bool) -> tuple[str, ...]:
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
