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

from modutils._cache import remember
from modutils._compat import ImportWindow, ModuleSpecClass, namespace_of
from modutils._state import ModulesSnapshot

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from importlib.machinery import ModuleSpec
    from typing import TypeVar

    _T = TypeVar("_T")

__all__ = [
    "check_import_name",
    "check_module_name",
    "extends_path_file",
    "find_spec_static",
    "is_missing",
    "search_locations",
    "source_path",
    "spec_locations",
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


def check_import_name(name: object, *, what: str = "module name") -> str:
    """Return *name* if :func:`importlib.import_module` could import a module of that name.

    The import system looks each part up as a file or folder name, so parts that
    are not identifiers are real modules: django's ``migrations.0001_initial``,
    rich's ``unicode17-0-0``, PyInstaller's ``hook-numpy``, the standard library's
    ``_sysconfigdata__linux_x86_64-linux-gnu``. Only names no finder can map to a
    file are refused: an empty part (``""``, ``"a..b"``, ``".a"``), a path
    separator, or NUL. The static capabilities (discovery, locate) accept these
    names; the importing ones still use :func:`check_module_name`.

    :raises TypeError: *name* is not a ``str``.
    :raises ValueError: *name* has an empty part, a path separator or NUL.
    """
    if not isinstance(name, str):
        raise TypeError(f"{what} must be a str, not {type(name).__name__}: {name!r}")
    if (
        "" in name.split(".")
        or "\0" in name
        or "/" in name
        or os.sep in name
        or (os.altsep is not None and os.altsep in name)
    ):
        raise ValueError(
            f"malformed {what} {name!r}: expected a dotted name like 'pkg.mod', without "
            "empty parts, path separators or NUL"
        )
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
    if not _needs_guard(name):
        return find(name)
    # Such a finder may also edit sys.path while it answers: put back the list
    # object and its contents too, so that the look-up leaves nothing behind.
    # Only what this thread imported is undone: other threads go on importing
    # meanwhile, and importlib fails with KeyError in a thread whose module is
    # taken out of sys.modules before its import ends (_bootstrap._load_unlocked);
    # a module it finished would run again on its next import.
    with ImportWindow() as window:
        snapshot = ModulesSnapshot()
        path = sys.path
        saved_path = path[:]
        try:
            return find(name)
        finally:
            if sys.modules != snapshot.saved:
                snapshot.restore_modules(keep=window.elsewhere)
            if sys.path is not path:
                sys.path = path
            if path != saved_path:
                path[:] = saved_path


def _find(name: str) -> ModuleSpec | None:
    if name in sys.modules:
        module: object = sys.modules[name]
        if module is None:  # an import blocked on purpose: `import name` raises
            return None
        # Read without attribute hooks: a LazyLoader module would execute, a
        # PEP 562 __getattr__ would be called (see namespace_of).
        namespace = namespace_of(module) or {}
        spec = namespace.get("__spec__")
        if spec is not None:
            return spec  # type: ignore[return-value]
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
        namespace = namespace_of(module)
        path = None if namespace is None else namespace.get("__path__")
        if path is not None:
            return [os.fspath(entry) for entry in path]  # type: ignore[attr-defined]
        return None
    spec = _find(package)
    if spec is None:
        return None
    return _static_locations(package, spec)


def spec_locations(name: str, spec: ModuleSpec) -> list[str] | None:
    """The search locations of the package *name* found as *spec*, as its import will set them.

    An imported package answers with its live ``__path__``. Otherwise the spec's
    ``submodule_search_locations``, extended as a pkgutil-style namespace package
    (see :func:`_extends_path`) extends its ``__path__`` when it runs. ``None``
    for a plain module.
    """
    if name in sys.modules:
        # Read from the module (or None for a blocked entry): no finder is asked.
        return _search_locations(name)
    return _static_locations(name, spec, guard=True)


def _static_locations(name: str, spec: ModuleSpec, *, guard: bool = False) -> list[str] | None:
    locations = spec.submodule_search_locations
    if locations is None:
        return None
    found = list(locations)
    if _extends_path(spec):
        # A subpackage's portions lie in its parent's locations, which finders
        # may be asked for: guarded then, as every other look-up.
        if guard:
            _guarded(lambda _: _extend_path(name, found), name)
        else:
            _extend_path(name, found)
    return found


# The calls of the pkgutil- and pkg_resources-style namespace idioms, without
# whitespace: ``__path__ = pkgutil.extend_path(__path__, __name__)`` and
# ``__import__("pkg_resources").declare_namespace(__name__)``.
_EXTEND_CALLS = (b"extend_path(__path__,__name__)", b"declare_namespace(__name__)")
# The idiom lives in tiny __init__ files; a larger one is read only this far.
_EXTEND_READ_LIMIT = 1 << 16


def _extends_path(spec: ModuleSpec) -> bool:
    """Whether the package's ``__init__`` source extends ``__path__`` with its other portions.

    A textual check for the idiom's call (whitespace ignored), so that nothing
    runs: a package that spells it differently is walked in its own folder only,
    and one that only mentions the call in a comment is extended as if it made it.
    """
    origin = spec.origin
    if not spec.has_location or not isinstance(origin, str):
        return False
    return extends_path_file(origin)


def extends_path_file(origin: str) -> bool:
    """Whether the ``__init__`` source file *origin* extends ``__path__`` (:func:`_extends_path`).

    ``False`` for a file that is not Python source or cannot be read.
    """
    if not origin.endswith(_SOURCE_SUFFIXES):
        return False
    try:
        stat = os.stat(origin)
    except OSError:
        return False
    # Read once per file version: locate looks packages up again on every call.
    version = (stat.st_mtime_ns, stat.st_size)
    known = _extends_cache.get(origin)
    if known is not None and known[0] == version:
        return known[1]
    try:
        with open(origin, "rb") as file:
            data = file.read(_EXTEND_READ_LIMIT)
    except OSError:
        return False
    found = False
    if b"extend_path" in data or b"declare_namespace" in data:
        compact = b"".join(data.split())
        found = any(call in compact for call in _EXTEND_CALLS)
    remember(_extends_cache, origin, (version, found), _EXTENDS_CACHE_SIZE)
    return found


# __init__ file -> ((mtime_ns, size), whether it extends __path__); bounded.
_extends_cache: dict[str, tuple[tuple[int, int], bool]] = {}
_EXTENDS_CACHE_SIZE = 4096


def _extend_path(name: str, locations: list[str]) -> None:
    """Add the folders ``pkgutil.extend_path(__path__, name)`` would add to *locations*.

    It looks for a folder named after the package's last part in every entry of
    ``sys.path`` (of the parent's search locations for a subpackage) and appends
    each one found, in order, once. Zip archives and ``.pkg`` files, which
    ``extend_path`` also reads, are not searched.
    """
    parent, _, final = name.rpartition(".")
    search: Sequence[object] | None = _search_locations(parent) if parent else list(sys.path)
    for entry in search or ():
        # sys.path may hold other objects; extend_path skips them too.
        if not isinstance(entry, str):
            continue
        # A "" entry is the current folder, which FileFinder makes absolute.
        portion = os.path.join(entry or os.getcwd(), final)
        if portion not in locations and os.path.isdir(portion):
            locations.append(portion)


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
    tail = name.rpartition(".")[2]
    locations = [os.path.join(entry, tail) for entry in path]
    locations = [entry for entry in locations if os.path.isdir(entry)]
    if not locations:
        return None
    spec = ModuleSpecClass(name, None, is_package=True)
    spec.submodule_search_locations = locations
    return spec


# Third-party finders whose answers are known, by class: the top-level names each
# may find (and import while answering); for any other name it finds nothing and
# imports nothing. importlib_metadata's finder only finds distributions (it puts
# itself on sys.meta_path when imported, e.g. by locate_module). setuptools'
# distutils shim (first on sys.meta_path in every virtual environment that has
# setuptools: the 3.10 and 3.11 ones) answers only for ``distutils``, ``pip`` and
# CPython's own ``test.*`` modules (its ``spec_for_<name>`` methods).
_KNOWN_FINDERS: dict[tuple[str, str], frozenset[str]] = {
    ("importlib_metadata", "MetadataPathFinder"): frozenset(),
    ("_distutils_hack", "DistutilsMetaFinder"): frozenset({"distutils", "pip", "test"}),
}
# (tuple(sys.meta_path), the top-level names whose look-up needs the guard, or None
# for all of them) as last seen: one comparison of a few finders per look-up.
_guard_plan: tuple[tuple[object, ...], frozenset[str] | None] = ((), frozenset())


def known_finder_names(finder: object) -> frozenset[str] | None:
    """The top-level names a known third-party *finder* may find; ``None`` if unknown.

    For every other name a known finder finds nothing and imports nothing, so
    look-ups need neither ask it nor guard against it.
    """
    cls = finder if isinstance(finder, type) else type(finder)
    return _KNOWN_FINDERS.get((cls.__module__, cls.__name__))


def _needs_guard(name: str) -> bool:
    """Whether looking *name* (and its parents) up may ask a finder that imports."""
    global _guard_plan
    finders = tuple(sys.meta_path)
    seen, names = _guard_plan
    if seen != finders:
        names = frozenset()
        for finder in finders:
            cls = finder if isinstance(finder, type) else type(finder)
            if cls.__module__ in _QUIET_FINDER_MODULES:
                continue
            known = known_finder_names(finder)
            if known is None:
                names = None
                break
            names |= known
        _guard_plan = (finders, names)  # one assignment: threads see old or new
    return names is None or name.partition(".")[0] in names
