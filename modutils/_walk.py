"""The package walker behind :func:`~modutils.iter_submodules` and `import_submodules`.

The walk reads each folder once with :func:`os.scandir` and classifies entries by
set look-ups on their suffixes, following the precedence of
``importlib.machinery.FileFinder``: a folder with an ``__init__`` file beats a
module file of the same name, which beats a namespace folder; among module files,
extensions beat sources, which beat sourceless bytecode. Zip archives on the path
are read as ``zipimport`` sees them. :class:`ModuleInfo` records build their
:class:`~pathlib.Path` only when ``path`` is read, so a walk for names never
imports :mod:`pathlib`.
"""

from __future__ import annotations

import os
import sys
from stat import S_ISREG

from modutils._compat import BYTECODE_SUFFIXES, EXTENSION_SUFFIXES, SOURCE_SUFFIXES
from modutils._own import own_imports
from modutils._spec import extends_path_file

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
    from pathlib import Path
    from typing import Generic, NamedTuple, TypeAlias

    from typing_extensions import TypeVar

    # A search location as given (folder or path inside a zip archive) and the
    # key that identifies it across symlinks and duplicate path entries.
    Location: TypeAlias = tuple[str, str]

__all__ = ["Location", "ModuleInfo", "Walker", "children_by_name", "walk_segments"]


class _LazyModuleInfo:
    """A submodule found by :func:`iter_submodules`, described without importing it.

    ``path`` is the file ``import`` would load: the module file, the ``__init__``
    file of a regular package (inside a zip archive: the archive path joined with
    the member's path, like the module's ``__file__``), ``None`` for a namespace
    package, which has no file. Records made by the walk build their
    :class:`~pathlib.Path` when ``path`` is first read: a walk that only needs
    names never pays for it (nor imports :mod:`pathlib`).

    Records are immutable and behave as the named tuple ``(name, path,
    is_package)`` they stand for: they unpack, index, have a length of 3, compare
    equal to each other and to that plain tuple, hash, copy and pickle like it,
    and have ``_fields``, ``_asdict()`` and ``_replace()``; type checkers see a
    ``NamedTuple``, generic in ``path``. :func:`iter_submodules` without
    *namespace_packages* gives ``ModuleInfo[Path]`` (unpacking gives ``str``,
    ``Path``, ``bool``); with it, ``ModuleInfo[Path | None]``, the default. They
    are not :class:`tuple` instances at run time, and do not order.

    Example:
        >>> from modutils import ModuleInfo
        >>> info = ModuleInfo("pkg.mod", None, False)
        >>> info.name, info.is_package
        ('pkg.mod', False)
        >>> name, path, is_package = info
        >>> info == ModuleInfo(name="pkg.mod", path=None, is_package=False) == (name, path, False)
        True
        >>> info[0], len(info), info._replace(is_package=True).is_package
        ('pkg.mod', 3, True)
    """

    __slots__ = ("_file", "_is_package", "_listing", "_name", "_path")
    __match_args__ = ("name", "path", "is_package")
    _fields = ("name", "path", "is_package")

    _name: str
    _path: Path | None
    _is_package: bool
    # Set by the walk instead of _path: the listing and file name to build it from.
    _listing: _FolderListing | None
    _file: str

    def __init__(self, name: str, path: Path | None, is_package: bool) -> None:
        self._name = name
        self._path = path
        self._is_package = is_package
        self._listing = None

    # ModuleInfo[Path] in annotations that are evaluated at run time.
    def __class_getitem__(cls, item: object) -> type[_LazyModuleInfo]:
        return cls

    @property
    def name(self) -> str:
        """The full dotted name, ``"package.sub.module"``."""
        return self._name

    @property
    def path(self) -> Path | None:
        """The file import would load; ``None`` for a namespace package."""
        listing = self._listing
        if listing is None:
            return self._path
        path = self._path = _paths_of(listing)(self._file)
        self._listing = None
        return path

    @property
    def is_package(self) -> bool:
        """Whether the module is a package (regular or namespace)."""
        return self._is_package

    def _astuple(self) -> tuple[str, Path | None, bool]:
        return (self._name, self.path, self._is_package)

    def __iter__(self) -> Iterator[str | Path | bool | None]:
        return iter(self._astuple())

    def __len__(self) -> int:
        return 3

    def __getitem__(self, index: int | slice) -> object:
        return self._astuple()[index]

    def _asdict(self) -> dict[str, object]:
        """``{"name": ..., "path": ..., "is_package": ...}``, as a named tuple's."""
        return dict(zip(self._fields, self._astuple(), strict=True))

    def _replace(self, **changes: object) -> _LazyModuleInfo:
        """A new record with the given fields replaced, as a named tuple's."""
        values = self._asdict()
        unknown = changes.keys() - values.keys()
        if unknown:
            raise ValueError(f"got unexpected field names: {sorted(unknown)!r}")
        values.update(changes)
        return type(self)(**values)  # type: ignore[arg-type]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _LazyModuleInfo):
            return (
                self._name == other._name
                and self._is_package == other._is_package
                and self.path == other.path
            )
        if isinstance(other, tuple):
            return self._astuple() == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._astuple())

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(name={self._name!r}, path={self.path!r}, "
            f"is_package={self._is_package!r})"
        )

    def __reduce__(self) -> tuple[type[_LazyModuleInfo], tuple[str, Path | None, bool]]:
        return (type(self), self._astuple())


# Pickles, reprs and documents as modutils' ModuleInfo.
_LazyModuleInfo.__name__ = _LazyModuleInfo.__qualname__ = "ModuleInfo"

if TYPE_CHECKING:
    # What type checkers see: the named tuple the records behave as, so that
    # ``for name, path, is_package in iter_submodules(...)`` unpacks precisely.
    # Generic in the path: iter_submodules() without namespace packages gives
    # ModuleInfo[Path]; ModuleInfo alone is ModuleInfo[Path | None].
    _PathT = TypeVar("_PathT", bound="Path | None", default="Path | None", covariant=True)

    class ModuleInfo(NamedTuple, Generic[_PathT]):
        """A submodule found by :func:`iter_submodules`, described without importing it."""

        name: str
        path: _PathT
        is_package: bool

else:
    ModuleInfo = _LazyModuleInfo


# FileFinder tries the suffixes in this order (importlib._bootstrap_external.
# _get_supported_file_loaders: extensions, sources, bytecode, each list in its own
# order): the lowest rank wins when a folder holds one module under several.
# Keys are the suffixes without their leading dot: ``name.partition(".")[2]``,
# everything after the first dot, is looked up as is, so one look-up matches
# ``mod.py`` and ``_speedups.cpython-311-x86_64-linux-gnu.so`` alike, and
# ``dotted.name.py`` (suffix ``name.py``) is no module, as for FileFinder.
_SUFFIX_RANK: dict[str, int] = {}
for _suffix in [*EXTENSION_SUFFIXES, *SOURCE_SUFFIXES, *BYTECODE_SUFFIXES]:
    _SUFFIX_RANK.setdefault(_suffix[1:], len(_SUFFIX_RANK))
# zipimport loads no extension modules and tries bytecode before source
# (zipimport._zip_searchorder).
_ZIP_SUFFIX_RANK: dict[str, int] = {suffix[1:]: 1 for suffix in SOURCE_SUFFIXES}
_ZIP_SUFFIX_RANK.update(dict.fromkeys([suffix[1:] for suffix in BYTECODE_SUFFIXES], 0))
del _suffix
# The usual case, matched first by one removesuffix: ``.py``.
_SOURCE_SUFFIX = SOURCE_SUFFIXES[0]
_SOURCE_RANK = _SUFFIX_RANK[_SOURCE_SUFFIX[1:]]

# Names never reported: ``__init__`` is the package itself, ``__main__`` its
# command-line entry point (importing it runs the tool), ``__pycache__`` holds
# cached bytecode of modules found elsewhere.
_SKIPPED = frozenset({"__init__", "__main__", "__pycache__"})


class _FolderListing:
    """The importable names in one folder: module files and candidate subfolders."""

    __slots__ = ("folder", "folders", "init", "modules", "parent", "paths")

    def __init__(
        self,
        folder: str,
        modules: dict[str, str],
        folders: dict[str, tuple[str, str]],
        others: dict[str, str] | None = None,
    ) -> None:
        if others:
            # *modules* holds the sources, *others* the best of the other files
            # of each name; a source beats bytecode and loses to an extension.
            for name, filename in others.items():
                if name not in modules or _SUFFIX_RANK[filename.partition(".")[2]] < _SOURCE_RANK:
                    modules[name] = filename
        self.folder = folder
        #: The file name of the best-ranked ``__init__`` module, if any.
        self.init = modules.pop("__init__", None)
        modules.pop("__main__", None)
        #: module name -> file name, the best-ranked one; no __init__, no __main__.
        self.modules = modules
        #: folder name -> (path, real path); names without a dot, but __pycache__.
        self.folders = folders
        #: Makes the Path of a file in the folder, once made; see _paths_of.
        self.paths: Callable[[str], Path] | None = None
        #: The parent package's listing and this folder's name in it, for packages.
        self.parent: tuple[_FolderListing, str] | None = None


def _plain_paths(listing: _FolderListing) -> Callable[[str], Path]:
    from pathlib import Path

    folder = listing.folder
    return lambda filename: Path(folder, filename)


# Records make their Path when ``path`` is first read (a walk for names makes
# none), but code that reads every path makes one per module: Path() takes
# 0.8 us (3.13) to 2 us (3.11) per file, more than reading the entry. The fast
# factories below leave a Path in the very state the constructor would (checked
# once, by _fast_paths_match_pathlib, with the plain factory as the fallback) in
# a fifth of the time or less, by setting the private slots the constructor sets:
# ``_raw_paths`` (PurePath.__init__, 3.12+), ``_drv``/``_root``/``_parts``
# (PurePath._from_parsed_parts, 3.10/3.11: what _make_child_relpath, the
# shortcut of pathlib's own iterdir and glob, does). pathlib itself (with re,
# fnmatch and urllib.parse: about 9 ms in a fresh process) is imported only when
# the first record's ``path`` is read; see _paths_of.
_new_object = object.__new__
_UNSET = object()

if sys.version_info >= (3, 12):

    def _fast_paths(listing: _FolderListing) -> Callable[[str], Path]:
        folder = listing.folder
        cls, new = _path_type(), _new_object

        def make(filename: str) -> Path:
            path = new(cls)
            # What Path(folder, filename) stores; both are joined when first used.
            path._raw_paths = [folder, filename]  # type: ignore[attr-defined]
            return path

        return make

else:

    def _fast_paths(listing: _FolderListing) -> Callable[[str], Path]:
        # Before 3.12 Path() parses its argument: a package's folder Path is
        # derived from its parent's instead, a fraction of the cost.
        parent = listing.parent
        cls, new = _path_type(), _new_object
        base = cls(listing.folder) if parent is None else _paths_of(parent[0])(parent[1])
        drv, root, parts = base._drv, base._root, base._parts  # type: ignore[attr-defined]

        def make(filename: str) -> Path:
            path = new(cls)
            path._drv = drv  # type: ignore[attr-defined]
            path._root = root  # type: ignore[attr-defined]
            path._parts = [*parts, filename]  # type: ignore[attr-defined]
            return path

        return make


def _path_state(path: Path) -> list[object]:
    """Every attribute *path* holds: its ``__dict__``, and its slots class by class."""
    values: list[object] = [getattr(path, "__dict__", None)]
    for klass in type(path).__mro__:
        slots = klass.__dict__.get("__slots__", ())
        for slot in [slots] if isinstance(slots, str) else slots:
            values.append(getattr(path, slot, _UNSET))
    return values


def _fast_paths_match_pathlib() -> bool:
    """Whether _fast_paths makes Paths that the constructor's cannot be told from."""
    try:
        # An absolute folder of several parts, as the walk meets them; abspath
        # of the root needs no working directory.
        listing = _FolderListing(os.path.join(os.path.abspath(os.sep), "modutils", "pkg"), {}, {})
        fast = _fast_paths(listing)("probe.py")
        plain = _plain_paths(listing)("probe.py")
        return type(fast) is type(plain) and _path_state(fast) == _path_state(plain)
    except Exception:  # pragma: no cover - a future pathlib without these slots
        return False


_concrete_path: type[Path] | None = None


def _path_type() -> type[Path]:
    """The concrete class ``Path()`` makes here (``PosixPath``), importing pathlib once."""
    global _concrete_path
    cls = _concrete_path
    if cls is None:
        with own_imports("pathlib"):
            from pathlib import Path
        cls = _concrete_path = type(Path())
    return cls


#: Makes the function that makes the Path of a file in a listing's folder; chosen
#: when the first path is made (racing threads choose the same).
_make_paths: Callable[[_FolderListing], Callable[[str], Path]] | None = None


def _paths_of(listing: _FolderListing) -> Callable[[str], Path]:
    """The function that makes the Path of a file in *listing*'s folder."""
    global _make_paths
    paths = listing.paths
    if paths is None:
        make_paths = _make_paths
        if make_paths is None:
            _path_type()
            make_paths = _make_paths = _fast_paths if _fast_paths_match_pathlib() else _plain_paths
        paths = listing.paths = make_paths(listing)
    return paths


_NO_PACKAGES: Mapping[str, tuple[_LazyModuleInfo, Location]] = {}


def _record(
    name: str, listing: _FolderListing, filename: str, *, is_package: bool
) -> _LazyModuleInfo:
    """The record of the file *filename* in *listing*'s folder; its Path is made on first use."""
    info = _new_object(_LazyModuleInfo)
    info._name = name
    info._is_package = is_package
    info._listing = listing
    info._file = filename
    return info


def _records(
    prefix: str,
    listing: _FolderListing,
    names: Iterable[str],
    packages: Mapping[str, tuple[_LazyModuleInfo, Location]] = _NO_PACKAGES,
) -> tuple[list[_LazyModuleInfo], list[tuple[int, tuple[Location, ...]]]]:
    """The records of *names*, the module files of *listing* or the made *packages*.

    Also returns, for each package among them, its index in the records and its
    location, as :meth:`Walker.children` does. :func:`_record` is inlined: this
    loop runs once per module of the walk.
    """
    modules = listing.modules
    new = _new_object
    records: list[_LazyModuleInfo] = []
    append = records.append
    below: list[tuple[int, tuple[Location, ...]]] = []
    get_package = packages.get
    for name in names:
        package = get_package(name)
        if package is not None:
            below.append((len(records), (package[1],)))
            append(package[0])
            continue
        info = new(_LazyModuleInfo)
        info._name = prefix + name
        info._is_package = False
        info._listing = listing
        info._file = modules[name]
        append(info)
    return records, below


class Walker:
    """One walk's state: folders already claimed, and listings read but not used yet."""

    __slots__ = ("_listings", "_zips", "namespace_packages", "visited")

    def __init__(self, *, namespace_packages: bool) -> None:
        self.namespace_packages = namespace_packages
        #: Real paths of the folders that already belong to a package of this walk.
        self.visited: set[str] = set()
        self._listings: dict[str, _FolderListing] = {}
        self._zips: dict[str, dict[str, dict[str, int]]] = {}

    def claim(self, locations: Iterable[str], own: Iterable[Location] = ()) -> tuple[Location, ...]:
        """The *locations* of a package not claimed by another package yet, now claimed.

        *own* are locations this package already holds (its static ones when its
        live ``__path__`` is read after import): they stay valid.
        """
        keep = {real for _, real in own}
        claimed: list[Location] = []
        for location in locations:
            folder = os.fspath(location)
            real = os.path.realpath(folder)
            if real in self.visited and real not in keep:
                continue
            keep.discard(real)
            self.visited.add(real)
            claimed.append((folder, real))
        return tuple(claimed)

    def children(
        self, parent: str, locations: Sequence[Location]
    ) -> tuple[list[_LazyModuleInfo], list[tuple[int, tuple[Location, ...]]]]:
        """The submodules of *parent* found in its *locations*, sorted by name.

        Returns the records and, for each package among them, its index in the
        records and its locations. Follows PathFinder._get_spec and
        FileFinder.find_spec: location by location, a folder with an ``__init__``
        file beats a module file of the same name, and the first location holding
        either wins; folders without ``__init__`` only make a namespace package if
        no location has a module.
        """
        prefix = parent + "."
        if len(locations) != 1:
            return self._children_of_many(prefix, locations)
        location = locations[0]
        listing = self._take(location[0], location[1])
        modules = listing.modules
        folders = listing.folders
        if not folders:
            return _records(prefix, listing, sorted(modules))
        visited = self.visited
        packages: dict[str, tuple[_LazyModuleInfo, Location]] = {}
        portions: list[tuple[str, Location]] = []
        # Sorted, so that which of two names for one folder claims it does not
        # depend on the order readdir returned them in.
        for name in sorted(folders) if len(folders) > 1 else folders:
            folder = folders[name]
            if name in _SKIPPED or folder[1] in visited:
                continue
            sub = self._peek(folder[0], folder[1])
            if sub.init is None:
                portions.append((name, folder))
                continue
            visited.add(folder[1])
            sub.parent = (listing, name)
            packages[name] = (_record(prefix + name, sub, sub.init, is_package=True), folder)
        if portions and self.namespace_packages:
            for name, folder in portions:
                if name not in modules and self._has_modules([folder]):
                    visited.add(folder[1])
                    packages[name] = (_LazyModuleInfo(prefix + name, None, is_package=True), folder)
        if not packages:
            return _records(prefix, listing, sorted(modules))
        return _records(prefix, listing, sorted(modules.keys() | packages.keys()), packages)

    def _children_of_many(
        self, prefix: str, locations: Sequence[Location]
    ) -> tuple[list[_LazyModuleInfo], list[tuple[int, tuple[Location, ...]]]]:
        """:meth:`children` of a package spread over several locations."""
        visited = self.visited
        found: dict[str, _LazyModuleInfo] = {}
        packages: dict[str, tuple[Location, ...]] = {}
        portions: dict[str, list[Location]] = {}
        # Regular packages: their __init__ file, and same-named folders in later
        # locations, which a pkgutil-style __init__ adds to its __path__.
        inits: dict[str, str] = {}
        later: dict[str, list[Location]] = {}
        for location in locations:
            listing = self._take(*location)
            folders = listing.folders
            # Sorted, so that which of two names for one folder claims it does
            # not depend on the order readdir returned them in.
            for name in sorted(folders) if len(folders) > 1 else folders:
                folder = folders[name]
                if name in _SKIPPED or folder[1] in visited:
                    continue
                if name in found:
                    if name in inits:
                        later.setdefault(name, []).append(folder)
                    continue
                sub = self._peek(*folder)
                if sub.init is None:
                    if folder not in portions.setdefault(name, []):
                        portions[name].append(folder)
                    continue
                visited.add(folder[1])
                sub.parent = (listing, name)
                found[name] = _record(prefix + name, sub, sub.init, is_package=True)
                packages[name] = (folder,)
                inits[name] = os.path.join(sub.folder, sub.init)
            for name, filename in listing.modules.items():
                if name not in found:
                    found[name] = _record(prefix + name, listing, filename, is_package=False)
        for name, others in later.items():
            # pkgutil.extend_path(__path__, __name__) in the package's __init__
            # appends the folder of that name in each of the parent's locations.
            if extends_path_file(inits[name]):
                extra = [f for f in [*portions.get(name, ()), *others] if f[1] not in visited]
                visited.update(real for _, real in extra)
                packages[name] = (*packages[name], *extra)
        if portions and self.namespace_packages:
            for name in sorted(portions.keys() - found.keys()):
                folders_left = [folder for folder in portions[name] if folder[1] not in visited]
                if folders_left and self._has_modules(folders_left):
                    visited.update(real for _, real in folders_left)
                    found[name] = _LazyModuleInfo(prefix + name, None, is_package=True)
                    packages[name] = tuple(folders_left)
        names = sorted(found)
        # list.index is a C loop over a handful of names: cheaper than bisect's import.
        return [found[name] for name in names], sorted(
            [(names.index(name), folders) for name, folders in packages.items()]
        )

    def _has_modules(self, locations: Sequence[Location]) -> bool:
        """Whether a namespace folder holds a module, directly or in a subfolder."""
        pending = list(locations)
        seen = {real for _, real in pending}
        while pending:
            listing = self._peek(*pending.pop())
            if listing.modules or listing.init is not None:
                return True
            for folder in listing.folders.values():
                if folder[1] not in seen and folder[1] not in self.visited:
                    seen.add(folder[1])
                    pending.append(folder)
        return False

    def _peek(self, folder: str, real: str) -> _FolderListing:
        listing = self._listings.get(real)
        if listing is None:
            listing = self._listings[real] = self._scan_folder(folder, real)
        return listing

    def _take(self, folder: str, real: str) -> _FolderListing:
        listing = self._listings.pop(real, None)
        return self._scan_folder(folder, real) if listing is None else listing

    def _scan_folder(self, folder: str, real: str) -> _FolderListing:
        """List *folder* with one ``scandir``: no other system call per regular entry."""
        sources: dict[str, str] = {}
        others: dict[str, str] = {}
        folders: dict[str, tuple[str, str]] = {}
        ranks = _SUFFIX_RANK
        source = _SOURCE_SUFFIX
        try:
            entries = os.scandir(folder or ".")
        except (NotADirectoryError, FileNotFoundError):
            return self._scan_zip(folder, real)
        except OSError:
            # FileFinder._fill_cache treats an unreadable folder as empty too.
            return _FolderListing(folder, sources, folders)
        prefix = real if real.endswith(os.sep) else real + os.sep
        with entries:
            for entry in entries:
                name = entry.name
                try:
                    # DirEntry.is_file/is_dir/is_symlink answer from the d_type
                    # that readdir gave: only a symlink costs a stat (and realpath).
                    # FileFinder looks a module up by its last name part plus a
                    # suffix: any stem without a dot is importable (0001_initial,
                    # hook-numpy), dotted.name.py is not.
                    stem = name.removesuffix(source)
                    if stem != name:
                        if stem and "." not in stem and entry.is_file():
                            sources[stem] = name
                        continue
                    stem, dot, suffix = name.partition(".")
                    if dot:
                        rank = ranks.get(suffix)
                        if rank is not None and stem and entry.is_file():
                            other = others.setdefault(stem, name)
                            if other is not name and rank < ranks[other.partition(".")[2]]:
                                others[stem] = name
                    elif name != "__pycache__" and entry.is_dir():
                        path = entry.path
                        folders[name] = (
                            path,
                            os.path.realpath(path) if entry.is_symlink() else prefix + name,
                        )
                except OSError:
                    # A symlink loop (ELOOP), or an entry removed meanwhile.
                    continue
        return _FolderListing(folder, sources, folders, others)

    def _scan_zip(self, folder: str, real: str) -> _FolderListing:
        """List a folder inside a zip archive on the path, as zipimport sees it."""
        modules: dict[str, str] = {}
        folders: dict[str, tuple[str, str]] = {}
        found = _split_archive(folder)
        if found is not None:
            archive, inner = found
            tree = self._zips.get(archive)
            if tree is None:
                tree = self._zips[archive] = _read_archive(archive)
            ranks = _ZIP_SUFFIX_RANK
            for name, kind in tree.get(inner, {}).items():
                stem, dot, suffix = name.partition(".")
                if kind:
                    if dot or name == "__pycache__":
                        continue
                    # zipimport finds a namespace portion only by the folder's own
                    # entry ("pkg/ns/"); a folder merely implied by its members'
                    # names can only be a regular package (zipimport looks for
                    # its __init__ file directly).
                    if kind is _IMPLIED and not _zip_has_init(
                        tree, f"{inner}/{name}" if inner else name
                    ):
                        continue
                    folders[name] = (folder + os.sep + name, real + os.sep + name)
                    continue
                rank = ranks.get(suffix)
                if rank is None or not stem:
                    continue
                other = modules.setdefault(stem, name)
                if other is not name and rank < ranks[other.partition(".")[2]]:
                    modules[stem] = name
        return _FolderListing(folder, modules, folders)


def _split_archive(folder: str) -> tuple[str, str] | None:
    """``("/x/a.zip", "pkg/sub")`` for ``/x/a.zip/pkg/sub``; ``None`` if no file is on the way."""
    head = folder
    tail: list[str] = []
    while True:
        try:
            mode = os.stat(head).st_mode
        except OSError:
            parent, name = os.path.split(head)
            if not name or parent == head:
                return None
            tail.append(name)
            head = parent
            continue
        # The first existing ancestor: an archive if it is a file, else nothing.
        return (head, "/".join(reversed(tail))) if S_ISREG(mode) else None


# What a name in a zip archive's folder is: a file, a folder only implied by the
# names of its members, or a folder with an entry of its own ("pkg/").
_FILE, _IMPLIED, _ENTRY = 0, 1, 2


def _read_archive(archive: str) -> dict[str, dict[str, int]]:
    """Folder (``"a/b"``, ``""`` for the top) -> {entry name: _FILE, _IMPLIED or _ENTRY}."""
    tree: dict[str, dict[str, int]] = {}
    names = _archive_members(archive)
    for member in names:
        is_folder = member.endswith("/")
        parts = member.rstrip("/").split("/")
        last = len(parts) - 1
        for depth, part in enumerate(parts):
            entries = tree.setdefault("/".join(parts[:depth]), {})
            # Folders are implied by their members, as zipfile.Path implies them.
            kind = _IMPLIED if depth < last else _ENTRY if is_folder else _FILE
            if kind > entries.get(part, -1):
                entries[part] = kind
    return tree


def _zip_has_init(tree: dict[str, dict[str, int]], inner: str) -> bool:
    """Whether the archive folder *inner* holds an ``__init__`` file zipimport loads."""
    return any(
        not kind
        and name.partition(".")[0] == "__init__"
        and name.partition(".")[2] in _ZIP_SUFFIX_RANK
        for name, kind in tree.get(inner, {}).items()
    )


def _archive_members(archive: str) -> list[str]:
    """The member names of *archive* (``"pkg/mod.py"``), empty if it is no zip archive.

    zipimport, loaded at start-up, reads the central directory itself (as
    ``_files`` up to 3.12, ``_get_files()`` from 3.13), so listing an archive puts
    no new module in sys.modules; ``zipfile`` is the fallback elsewhere.
    """
    import zipimport

    try:
        importer = zipimport.zipimporter(archive)
    except (OSError, zipimport.ZipImportError):
        return []
    get_files = getattr(importer, "_get_files", None)
    files = get_files() if get_files is not None else getattr(importer, "_files", None)
    if isinstance(files, dict):
        return [name.replace(os.sep, "/") for name in files]
    with own_imports("zipfile"):
        import zipfile

    try:
        with zipfile.ZipFile(archive) as zf:
            return zf.namelist()
    except (OSError, zipfile.BadZipFile):
        return []


def walk_segments(
    walker: Walker, name: str, locations: Sequence[Location], *, recursive: bool
) -> Iterator[list[_LazyModuleInfo]]:
    """The records of a walk in order, as runs that each end with a package or a listing.

    Each package's children are read when the run that ends with it is used up,
    so folders are read as the iterator advances. Yielding runs, not records,
    lets ``chain.from_iterable`` hand out the records from C.
    """
    infos, packages = walker.children(name, locations)
    if not recursive:
        yield infos
        return
    stack = [(infos, iter(packages), 0)]
    while stack:
        infos, pending, start = stack.pop()
        for index, below in pending:
            yield infos[start : index + 1]
            stack.append((infos, pending, index + 1))
            children, packages = walker.children(infos[index]._name, below)
            stack.append((children, iter(packages), 0))
            break
        else:
            yield infos[start:] if start else infos


def children_by_name(
    walker: Walker, name: str, locations: Sequence[Location]
) -> tuple[Iterator[_LazyModuleInfo], dict[str, tuple[Location, ...]]]:
    """The records below *name*, and the locations of each package among them by name."""
    infos, packages = walker.children(name, locations)
    return iter(infos), {infos[index].name: below for index, below in packages}
