"""Where ``import name`` would come from, and which distribution provides it, without importing.

:func:`locate_module` resolves a module through the finders on :data:`sys.meta_path`
(parents included, none of them executed) and answers with a :class:`ModuleLocation`:
the file, its kind, the package's search folders, whether it is the standard
library's, and the installed distribution and version that ship it.
:func:`is_stdlib_module` answers the standard-library question from the name alone.

The distribution map (``importlib_metadata.packages_distributions()`` and the
distributions' file lists) is expensive to build, so it is built once, on the first
call that needs it, and kept until :func:`clear_locate_cache`.
"""

from __future__ import annotations

import enum
import os
import sys
import threading
from pathlib import Path
from typing import NamedTuple

from modutils._own import own_imports
from modutils._spec import check_import_name, find_spec_static, source_path, spec_locations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from importlib.machinery import ModuleSpec

    from importlib_metadata import Distribution

__all__ = [
    "ModuleKind",
    "ModuleLocation",
    "clear_locate_cache",
    "is_stdlib_module",
    "locate_module",
]


class ModuleKind(str, enum.Enum):
    """What kind of thing ``import name`` would load.

    The values are lower-case strings (``ModuleKind.SOURCE == "source"``), so a
    kind serializes to JSON as its value, and ``str(kind)`` is the value on every
    supported Python.

    Example:
        >>> ModuleKind("builtin")
        <ModuleKind.BUILTIN: 'builtin'>
        >>> str(ModuleKind.SOURCE), ModuleKind.ZIP == "zip"
        ('source', True)
    """

    #: A ``.py`` file (or another source suffix).
    SOURCE = "source"
    #: A source-less ``.pyc`` file.
    BYTECODE = "bytecode"
    #: A compiled extension module (``.so``, ``.pyd``).
    EXTENSION = "extension"
    #: Compiled into the interpreter (:data:`sys.builtin_module_names`).
    BUILTIN = "builtin"
    #: Frozen into the interpreter (on 3.11+ this includes ``os``, ``site``, ...).
    FROZEN = "frozen"
    #: A namespace package (PEP 420): folders without ``__init__.py``.
    NAMESPACE = "namespace"
    #: A module or package inside a zip archive on :data:`sys.path` (zipimport).
    ZIP = "zip"
    #: Anything a third-party finder or loader provides that is none of the above.
    OTHER = "other"

    def __str__(self) -> str:
        return self.value


class ModuleLocation(NamedTuple):
    """Where a module would be imported from, as :func:`locate_module` found it.

    An immutable record; :attr:`search_locations` is a tuple so that the whole
    record stays hashable and comparable.

    Example:
        >>> loc = locate_module("json")
        >>> loc.name, loc.is_package, loc.is_stdlib, loc.distribution
        ('json', True, True, None)
        >>> loc.path.name
        '__init__.py'
    """

    #: The name that was located, as given (``"os.path"``, not ``"posixpath"``).
    name: str
    #: The module's file (``__init__.py`` for a package, a path *into* the archive
    #: for :attr:`ModuleKind.ZIP`); ``None`` for builtin, frozen and namespace
    #: modules, and for third-party loaders that give no file location.
    path: Path | None
    #: ``True`` for packages, namespace packages included.
    is_package: bool
    #: What kind of module this is.
    kind: ModuleKind
    #: The folders (or archive paths) the package's submodules are looked up in, as
    #: strings: the live ``__path__`` of an imported package, else the spec's
    #: ``submodule_search_locations``. Empty for plain modules.
    search_locations: tuple[str, ...]
    #: The name of the installed distribution that ships the module (its metadata
    #: ``Name``); ``None`` for the standard library, builtin and frozen modules, and
    #: code that no installed distribution provides.
    distribution: str | None
    #: That distribution's version; ``None`` whenever :attr:`distribution` is.
    version: str | None
    #: ``True`` when the name is a standard-library name (:func:`is_stdlib_module`)
    #: and what was found is the standard library's, not a file outside its folders
    #: that shadows it.
    is_stdlib: bool


def is_stdlib_module(name: str) -> bool:
    """Whether *name* is a standard-library module or one of its submodules.

    A pure name check against :data:`sys.stdlib_module_names` (its top-level part;
    the build's ``_sysconfigdata_*`` module, which that set leaves out, counts too):
    nothing is imported or even looked up, so ``"json.nonexistent"`` is ``True``
    too; use :func:`locate_module` to learn whether the module exists and whether a
    file outside the standard library shadows it. Builtin modules such as ``sys``
    count. Malformed names raise, exactly as in :func:`locate_module`.

    Example:
        >>> is_stdlib_module("os.path"), is_stdlib_module("json.decoder"), is_stdlib_module("sys")
        (True, True, True)
        >>> is_stdlib_module("modutils")
        False

    :raises TypeError: *name* is not a ``str``.
    :raises ValueError: *name* has an empty part (``""``, ``"a..b"``), a path
        separator or NUL.
    """
    check_import_name(name)
    return _is_stdlib_top(name.partition(".")[0])


def _is_stdlib_top(top: str) -> bool:
    # sys.stdlib_module_names leaves out the build-specific sysconfig data module
    # (_sysconfigdata__linux_x86_64-linux-gnu), which sysconfig names as
    # _sysconfigdata_{abiflags}_{platform}_{multiarch} and installs in the stdlib.
    return top in sys.stdlib_module_names or top.startswith("_sysconfigdata_")


def locate_module(name: str) -> ModuleLocation | None:
    """Where ``import name`` would come from, found without executing anything.

    Dotted names are resolved level by level through the finders on
    :data:`sys.meta_path`, handing each the parent's search locations, so neither the
    module nor its parent packages run; an imported module answers with its own
    ``__spec__``. ``sys.modules`` and ``sys.path`` are the same after the call as
    before (a third-party finder that imports while it answers, such as setuptools'
    ``distutils`` shim, is undone; an exception such a finder raises propagates, as
    from :func:`importlib.util.find_spec`). The distribution is looked up only for modules
    outside the standard library; the first such call builds the distribution map,
    later calls reuse it until :func:`clear_locate_cache`.

    Example:
        >>> locate_module("sys").kind
        <ModuleKind.BUILTIN: 'builtin'>
        >>> import importlib_metadata
        >>> loc = locate_module("importlib_metadata")
        >>> loc.distribution, loc.version == importlib_metadata.version("importlib_metadata")
        ('importlib_metadata', True)
        >>> locate_module("no_such_module_anywhere") is None
        True

    :returns: the location, or ``None`` when ``import name`` would fail to find it
        (its parent missing or not a package included).
    :raises TypeError: *name* is not a ``str``.
    :raises ValueError: no module can have that name: an empty part (``""``,
        ``"a..b"``), a path separator or NUL. Parts that are not identifiers
        (``"pkg.0001_initial"``) are accepted, as by :func:`importlib.import_module`.
    """
    check_import_name(name)
    spec = find_spec_static(name)
    if spec is None:
        return None
    kind = _kind_from_loader(spec)
    origin = spec.origin if spec.has_location else None
    if kind is ModuleKind.FROZEN:
        # Frozen standard-library modules (os, importlib.util on 3.11+) keep their
        # source file on disk, which FrozenImporter records in loader_state.
        origin = source_path(spec)
    is_package = spec.submodule_search_locations is not None
    # An imported package's live __path__ can differ from its spec's (code that
    # edits __path__); a pkgutil-style namespace package not imported yet is
    # given the portions its import will add.
    locations = spec_locations(name, spec) if is_package else None
    folders = tuple(os.fspath(entry) for entry in locations) if locations is not None else ()
    top = name.partition(".")[0]
    cache = _cache
    key = (top, kind, origin, folders)
    resolved = cache.resolved.get(key)
    if resolved is None:
        # importlib_metadata imports lazily too (its _adapters, email...) while
        # it answers: all of it runs with the standard finders.
        with own_imports():
            resolved = _resolve_location(cache, top, kind, origin, folders)
        cache.resolved[key] = resolved
    path, is_stdlib, distribution, version = resolved
    return ModuleLocation(name, path, is_package, kind, folders, distribution, version, is_stdlib)


def clear_locate_cache() -> None:
    """Forget the distribution map and every location's resolved distribution.

    Call it after installing or removing distributions in a running process; the
    next :func:`locate_module` call that needs the map rebuilds it. Safe to call
    from any thread: calls already running finish with the map they started with.

    Example:
        >>> clear_locate_cache()
        >>> locate_module("importlib_metadata").distribution
        'importlib_metadata'
    """
    global _cache
    _cache = _Cache()
    metadata = sys.modules.get("importlib_metadata")
    if metadata is not None:
        # importlib_metadata keeps its own per-folder listing (FastPath), keyed by
        # the folder's mtime; clear it too so a just-installed distribution shows.
        metadata.MetadataPathFinder.invalidate_caches()


# -- internals ---------------------------------------------------------------------

# Meta path finders known to answer without importing anything. A finder outside
# this set (setuptools' DistutilsMetaFinder imports setuptools._distutils to answer
# for "distutils") gets the call wrapped in a sys.modules snapshot.


class _Cache:
    """Everything locate caches; :func:`clear_locate_cache` swaps in a fresh one."""

    __slots__ = (
        "_editables",
        "_file_owners",
        "_files",
        "_identities",
        "_lock",
        "_top_level",
        "resolved",
    )

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.resolved: dict[
            tuple[str, ModuleKind, str | None, tuple[str, ...]],
            tuple[Path | None, bool, str | None, str | None],
        ] = {}
        self._top_level: dict[str, tuple[str, ...]] | None = None
        self._files: dict[str, list[tuple[Distribution, frozenset[str] | None]]] = {}
        self._file_owners: dict[str, Distribution] | None = None
        self._editables: list[tuple[Distribution, str]] | None = None
        # id(dist) -> (dist, (name, version) or None); the dist is kept so that its
        # id stays unique.
        self._identities: dict[int, tuple[Distribution, tuple[str, str] | None]] = {}

    def identity(self, dist: Distribution) -> tuple[str, str] | None:
        """*dist*'s metadata name and version, read once; ``None`` if it has none."""
        known = self._identities.get(id(dist))
        if known is None:
            try:
                metadata = dist.metadata
                name, version = metadata.get("Name"), metadata.get("Version")
            except (OSError, ValueError):
                name = version = None
            known = (dist, (name, version) if name and version else None)
            self._identities[id(dist)] = known
        return known[1]

    def top_level(self) -> dict[str, tuple[str, ...]]:
        """Top-level import name -> the names of the distributions that declare it."""
        result = self._top_level
        if result is None:
            with self._lock:
                result = self._top_level
                if result is None:
                    with own_imports("importlib_metadata"):
                        import importlib_metadata

                    try:
                        declared = importlib_metadata.packages_distributions()
                    except (KeyError, OSError, ValueError):
                        # One broken .dist-info (METADATA without a Name raises
                        # KeyError) fails the whole map; the file-list fallback,
                        # which skips broken distributions, still answers.
                        declared = {}
                    result = {top: tuple(dict.fromkeys(names)) for top, names in declared.items()}
                    self._top_level = result
        return result

    def distributions_named(
        self, dist_name: str
    ) -> list[tuple[Distribution, frozenset[str] | None]]:
        """The installed distributions called *dist_name*, each with its files."""
        result = self._files.get(dist_name)
        if result is None:
            with self._lock:
                result = self._files.get(dist_name)
                if result is None:
                    with own_imports("importlib_metadata"):
                        import importlib_metadata

                    result = [
                        (dist, _file_set(dist))
                        for dist in importlib_metadata.distributions(name=dist_name)
                    ]
                    self._files[dist_name] = result
        return result

    def file_owners(self) -> dict[str, Distribution]:
        """Normalized file path -> the distribution that lists it, over every distribution."""
        result = self._file_owners
        if result is None:
            with self._lock:
                result = self._file_owners
                if result is None:
                    with own_imports("importlib_metadata"):
                        import importlib_metadata

                    result = {}
                    for dist in importlib_metadata.distributions():
                        for file in _file_set(dist) or ():
                            # sys.path order: the first distribution found wins,
                            # as the import system's first match would.
                            result.setdefault(file, dist)
                    self._file_owners = result
        return result

    def editables(self) -> list[tuple[Distribution, str]]:
        """Editable installs (PEP 610 ``direct_url.json``) with their project folders."""
        result = self._editables
        if result is None:
            with self._lock:
                result = self._editables
                if result is None:
                    result = _find_editables()
                    self._editables = result
        return result


_cache = _Cache()
_stdlib_dirs: tuple[str, ...] | None = None


def _kind_from_loader(spec: ModuleSpec) -> ModuleKind:
    modules = sys.modules
    if "importlib.machinery" not in modules or "zipimport" not in modules:
        with own_imports("importlib.machinery", "zipimport"):
            __import__("importlib.machinery")
            __import__("zipimport")
    from importlib import machinery
    from zipimport import zipimporter

    loader: object = spec.loader  # BuiltinImporter/FrozenImporter are the classes
    origin = spec.origin
    if spec.submodule_search_locations is not None and origin in (None, "namespace"):
        return ModuleKind.NAMESPACE
    if loader is machinery.BuiltinImporter or origin == "built-in":
        return ModuleKind.BUILTIN
    if loader is machinery.FrozenImporter or origin == "frozen":
        return ModuleKind.FROZEN
    if isinstance(loader, zipimporter):
        return ModuleKind.ZIP
    if isinstance(loader, machinery.SourceFileLoader):
        return ModuleKind.SOURCE
    if isinstance(loader, machinery.SourcelessFileLoader):
        return ModuleKind.BYTECODE
    if isinstance(loader, machinery.ExtensionFileLoader):
        return ModuleKind.EXTENSION
    if spec.has_location and origin is not None:
        # Third-party loaders that still load a file (pytest's assertion rewriter
        # loads test modules from their .py source): classify by the file.
        for suffixes, kind in (
            (machinery.SOURCE_SUFFIXES, ModuleKind.SOURCE),
            (machinery.BYTECODE_SUFFIXES, ModuleKind.BYTECODE),
            (machinery.EXTENSION_SUFFIXES, ModuleKind.EXTENSION),
        ):
            if origin.endswith(tuple(suffixes)):
                return kind
    return ModuleKind.OTHER


def _resolve_location(
    cache: _Cache, top: str, kind: ModuleKind, origin: str | None, folders: tuple[str, ...]
) -> tuple[Path | None, bool, str | None, str | None]:
    """The cacheable part of a location: its path, stdlib flag and distribution."""
    if kind is ModuleKind.BUILTIN or kind is ModuleKind.FROZEN:
        # Only the standard library is frozen with a source file on record; an
        # install may lack the file (embedded builds), then there is none to report.
        frozen_source = None if origin is None or not os.path.isfile(origin) else Path(origin)
        return frozen_source, _is_stdlib_top(top), None, None
    path = None if kind is ModuleKind.NAMESPACE or origin is None else Path(origin)
    file = _normalize(origin) if path is not None and origin is not None else None
    dirs = tuple(_normalize(folder) for folder in folders) if file is None else ()
    if file is None and not dirs:
        return path, False, None, None
    if _is_stdlib_top(top) and all(
        _in_stdlib(entry) for entry in ((file,) if file is not None else dirs)
    ):
        return path, True, None, None
    dist = _owner(cache, top, file, dirs)
    identity = None if dist is None else cache.identity(dist)
    if identity is None:
        return path, False, None, None
    return path, False, identity[0], identity[1]


def _owner(cache: _Cache, top: str, file: str | None, dirs: tuple[str, ...]) -> Distribution | None:
    """The distribution whose files contain *file* (or, for a namespace package, *dirs*)."""
    claimed = [
        (dist, files)
        for dist_name in cache.top_level().get(top, ())
        for dist, files in cache.distributions_named(dist_name)
    ]
    owners = _owning(claimed, file, dirs)
    if not owners:
        # packages_distributions() misses top-level modules that a distribution
        # ships but whose top_level.txt does not list; read every file list.
        index = cache.file_owners()
        if file is not None:
            owner = index.get(file)
            owners = [owner] if owner is not None else []
        else:
            owners = list(
                {id(dist): dist for path, dist in index.items() if _under_any(path, dirs)}.values()
            )
    if not owners:
        owners = _editable_owners(cache, top, file, dirs)
    if not owners:
        # A claimant without a file list (no RECORD) cannot be checked; trust it.
        owners = [dist for dist, files in claimed if files is None]
    owners = [dist for dist in owners if cache.identity(dist) is not None]
    if file is None and len({cache.identity(dist) for dist in owners}) > 1:
        # A namespace package shared by several distributions (google.*,
        # sphinxcontrib.*) belongs to none of them in particular.
        return None
    return owners[0] if owners else None


def _owning(
    candidates: Iterable[tuple[Distribution, frozenset[str] | None]],
    file: str | None,
    dirs: tuple[str, ...],
) -> list[Distribution]:
    owners = []
    for dist, files in candidates:
        if files is None:
            continue
        if (file in files) if file is not None else any(_under_any(f, dirs) for f in files):
            owners.append(dist)
    return owners


def _editable_owners(
    cache: _Cache, top: str, file: str | None, dirs: tuple[str, ...]
) -> list[Distribution]:
    """Editable installs list no module files: match the project folder and the name.

    The folder alone is not enough (a project folder also holds tests, docs and
    scripts that the distribution does not ship), so the top-level name must also
    be the distribution's name, normalized.
    """
    owners = []
    for dist, project in cache.editables():
        identity = cache.identity(dist)
        if identity is None or _canonical(identity[0]) != _canonical(top):
            continue
        if all(_under_any(entry, (project,)) for entry in ((file,) if file is not None else dirs)):
            owners.append(dist)
    return owners


def _find_editables() -> list[tuple[Distribution, str]]:
    with own_imports("json", "urllib.parse", "importlib_metadata"):
        import json
        from urllib.parse import unquote, urlsplit

        import importlib_metadata

    found = []
    for dist in importlib_metadata.distributions():
        text = dist.read_text("direct_url.json")
        if not text:
            continue
        try:
            data = json.loads(text)
        except ValueError:
            continue
        url = data.get("url") if isinstance(data, dict) else None
        dir_info = data.get("dir_info") if isinstance(data, dict) else None
        if not isinstance(url, str) or not isinstance(dir_info, dict):
            continue
        parts = urlsplit(url)
        if dir_info.get("editable") and parts.scheme == "file":
            found.append((dist, _normalize(unquote(parts.path))))
    return found


def _file_set(dist: Distribution) -> frozenset[str] | None:
    """The normalized absolute paths of the files *dist* lists, ``None`` if unknown."""
    with own_imports("csv"):
        import csv

    try:
        root = str(dist.locate_file(""))
        record = dist.read_text("RECORD")
        if record is not None:
            # Reading RECORD directly: Distribution.files makes a PackagePath and a
            # stat() per entry (it skips files that went missing), tens of
            # milliseconds for a large distribution; membership is all we need.
            entries = [row[0] for row in csv.reader(record.splitlines()) if row]
        else:
            # installed-files.txt (egg-info) or SOURCES.txt.
            files = dist.files
            if files is None:
                return None
            entries = [str(file) for file in files]
    except (OSError, ValueError, csv.Error):
        # An unreadable or garbled file list: treated as unknown, not fatal.
        return None
    return frozenset(_normalize(os.path.join(root, entry)) for entry in entries)


def _normalize(path: str) -> str:
    return os.path.normcase(os.path.abspath(path))


def _under_any(path: str, dirs: tuple[str, ...]) -> bool:
    return any(path.startswith(folder.rstrip(os.sep) + os.sep) for folder in dirs)


def _canonical(dist_name: str) -> str:
    # PEP 503 normalization, without importing re.
    return dist_name.lower().replace("-", "_").replace(".", "_")


def _in_stdlib(path: str) -> bool:
    """Whether *path* (normalized) lies in the standard library's folders, not site-packages."""
    global _stdlib_dirs
    dirs = _stdlib_dirs
    if dirs is None:
        dirs = _stdlib_dirs = _find_stdlib_dirs()
    for candidate in dict.fromkeys((path, os.path.normcase(os.path.realpath(path)))):
        for folder in dirs:
            if candidate.startswith(folder):
                head = candidate[len(folder) :].partition(os.sep)[0]
                if head not in ("site-packages", "dist-packages"):
                    return True
    return False


def _find_stdlib_dirs() -> tuple[str, ...]:
    with own_imports("sysconfig"):
        import sysconfig

    # In a virtual environment "platstdlib" expands to the environment's own lib
    # folder (it is based on sys.exec_prefix); the stdlib's is under the base prefix.
    base = {"base": sys.base_prefix, "platbase": sys.base_exec_prefix}
    found = [
        sysconfig.get_path("stdlib"),
        sysconfig.get_path("platstdlib", vars=base),
        os.path.dirname(getattr(os, "__file__", "") or ""),
    ]
    # The zipped stdlib (python311.zip) of embedded and some Windows installs.
    zip_name = f"python{sys.version_info[0]}{sys.version_info[1]}.zip"
    found += [entry for entry in sys.path if os.path.basename(entry) == zip_name]
    dirs: dict[str, None] = {}
    for entry in found:
        if entry:
            for variant in (os.path.abspath(entry), os.path.realpath(entry)):
                dirs[os.path.normcase(variant).rstrip(os.sep) + os.sep] = None
    return tuple(dirs)
