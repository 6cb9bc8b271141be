"""Load a module from any file path, or an object from a dotted string, safely.

:func:`import_path` is the ``spec_from_file_location`` + ``module_from_spec`` +
``exec_module`` recipe with what the recipe leaves out: registration in
:data:`sys.modules` before the code runs, parent packages for relative imports,
one execution under concurrent calls, name clashes refused, and a rollback of
:data:`sys.modules` when the module fails. :func:`import_string` resolves the
``"pkg.mod:attr"`` strings that configuration files and entry points use.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
import time
from importlib import import_module
from importlib.machinery import SOURCE_SUFFIXES, ModuleSpec, SourceFileLoader
from typing import NamedTuple

from modutils._cache import remember
from modutils._compat import (
    DeadlockError,
    Initializing,
    acquire_module_lock,
    cached_code,
    get_module_lock,
    importing_elsewhere,
    module_lock,
)
from modutils._naming import found_elsewhere, package_name, relative_name, stem_name, sys_path_name
from modutils._paths import fspath_str
from modutils._spec import check_module_name, find_spec_static, is_missing
from modutils._state import ModulesSnapshot
from modutils.errors import ModuleLoadError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from types import CodeType, ModuleType
    from typing import Any, TypeAlias

    # The source file to run, whether it is a package, whether its folder is known to
    # hold no __init__.py (the default name is then the stem), and the file's lstat
    # when it was made on the way.
    _Target: TypeAlias = tuple[str, bool, bool, "os.stat_result | None"]


__all__ = ["import_path", "import_string"]

_SOURCE_SUFFIXES = tuple(SOURCE_SUFFIXES)
_ModuleType = type(sys)
_SEP = os.sep
_ONE_SEPARATOR = os.sep == "/"  # POSIX: no os.altsep, a path splits at its last os.sep
_NOT_A_NAME = frozenset({"", os.curdir, os.pardir})
_FOLDERS_SIZE = 1024
# How old a folder's timestamps must be before "it has no __init__.py" is trusted
# without a look (see _resolve): timestamps with sub-millisecond digits come from a
# file system that stamps with the kernel's coarse clock, at most a tick (<= 10 ms)
# behind; others may be whole seconds, or two (FAT).
_RACY_NS = 50_000_000
_RACY_COARSE_NS = 3_000_000_000
# folder as given (absolute) -> (st_ino, st_dev, st_mtime_ns, st_ctime_ns, its realpath
# ending with os.sep, whether it is known to hold no __init__.py); see _resolve.
_folders: dict[str, tuple[int, int, int, int, str, bool]] = {}


def import_path(
    path: str | os.PathLike[str],
    *,
    name: str | None = None,
    root: str | os.PathLike[str] | None = None,
    register: bool = True,
    replace: bool = False,
) -> ModuleType:
    """Load the module at *path* (a source file or a package folder) and return it.

    The module is named by the first rule that applies (see :doc:`loading` for the
    whole list): *name*; the path relative to *root*; the name under which the file
    is importable from :data:`sys.path`; the ``__init__.py`` folders above the file;
    the file's stem made an identifier. A derived name never shadows a module that
    is importable under it (found statically, nothing run). Parent packages of a
    dotted name always exist: loaded from their ``__init__.py``, imported, or
    created empty. The module is registered in :data:`sys.modules` before its code
    runs, runs once per file and name (also under concurrent calls), and a failure
    leaves :data:`sys.modules`, :data:`sys.path`, :data:`sys.meta_path` and
    :data:`sys.path_hooks` as they were.

    Example:
        >>> import pathlib, sys, tempfile
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     source = pathlib.Path(folder, "my-tool.v2.py")
        ...     _ = source.write_text("ANSWER = 42\\n")
        ...     tool = import_path(source)
        ...     (tool.__name__, tool.ANSWER, import_path(source) is tool)
        ('my_tool_v2', 42, True)
        >>> del sys.modules["my_tool_v2"]

    :raises TypeError: *path* or *root* is not a ``str`` or ``os.PathLike[str]``, or
        *name* is not a ``str``.
    :raises FileNotFoundError: nothing exists at *path* (or at *root*).
    :raises ValueError: *path* is a folder without ``__init__.py``, not a regular
        file or a symbolic-link loop; *name* is malformed, or given with *root*;
        the file is not inside *root*; a derived name would shadow an importable
        module; the name (or a parent package's) is taken by a different module.
    :raises ModuleLoadError: the module's code (or a parent package's) raised,
        ``SyntaxError`` included; the original exception is the ``__cause__``.
    """
    file, is_package, plain, file_stat = _resolve_target(path)
    name, parents = _name_module(
        file, is_package=is_package, plain=plain, name=name, root=root, replace=replace
    )
    if not register:
        return _load_unregistered(name, file, is_package=is_package, file_stat=file_stat)
    return _load(
        name,
        file,
        is_package=is_package,
        parents=parents,
        replace=replace,
        requested=name,
        file_stat=file_stat,
    )


def import_string(dotted: str) -> Any:
    """Import and return the object that ``"pkg.mod:attr.sub"`` or ``"pkg.mod.attr"`` names.

    With a colon, the part before it is the module and the part after it a chain
    of attributes. Without one, the longest prefix that is an importable module is
    imported and the rest are attributes (so ``"os.path.join"`` is the function
    ``join`` of the module ``os.path``). Errors raised by the imported module's own
    code propagate unchanged, as from an ``import`` statement, and on any failure
    :data:`sys.modules` is left exactly as it was (but for modules another thread
    is still importing, which are left to it).

    Example:
        >>> import_string("os.path:join") is import_string("os.path.join")
        True
        >>> import_string("collections.abc.Mapping").__name__
        'Mapping'

    :raises TypeError: *dotted* is not a ``str``.
    :raises ValueError: *dotted* is malformed: empty, an empty or non-identifier
        part (``"a..b"``), nothing before or after the colon, two colons.
    :raises ModuleNotFoundError: the module (or, without a colon, even its first
        part) cannot be found.
    :raises ImportError: an attribute is missing; the message names it and the
        module it was looked up in.
    """
    if not isinstance(dotted, str):
        raise TypeError(f"import string must be a str, not {type(dotted).__name__}: {dotted!r}")
    module_part, colon, attr_part = dotted.partition(":")
    try:
        if ":" in attr_part:
            raise ValueError("more than one ':'")
        check_module_name(module_part, what="module part")
        if colon:
            check_module_name(attr_part, what="attribute part")
    except ValueError as exc:
        raise ValueError(
            f"malformed import string {dotted!r}, expected 'pkg.mod:attr.sub' or 'pkg.mod.attr': "
            f"{exc}"
        ) from exc
    with ModulesSnapshot(keep_on_failure=importing_elsewhere):
        if colon:
            module = _import_module(module_part, dotted, longest=False)
            assert module is not None
            result = _get_attributes(module, module_part, attr_part.split("."), dotted)
        else:
            parts = module_part.split(".")
            end = len(parts)
            while True:
                module = _import_module(".".join(parts[:end]), dotted, longest=end > 1)
                if module is not None:
                    break
                end -= 1
            result = _get_attributes(module, ".".join(parts[:end]), parts[end:], dotted)
        return result


# --- import_string helpers ---------------------------------------------------------


def _import_module(name: str, dotted: str, *, longest: bool) -> ModuleType | None:
    """Import *name*; ``None`` when *longest* and *name* is not a module (try shorter)."""
    try:
        return import_module(name)
    except ModuleNotFoundError as exc:
        if not is_missing(exc, name):
            raise  # an import inside a module that exists failed
        if longest:
            return None
        raise ModuleNotFoundError(
            f"cannot import {dotted!r}: no module named {exc.name!r}", name=exc.name
        ) from exc


def _get_attributes(
    module: ModuleType, module_name: str, attributes: list[str], dotted: str
) -> object:
    result: object = module
    for index, attribute in enumerate(attributes):
        try:
            result = getattr(result, attribute)
        except AttributeError as exc:
            owner = f"module {module_name!r}"
            if index:
                looked_in = ".".join([module_name, *attributes[:index]])
                owner = f"{looked_in!r} (from {owner})"
            raise ImportError(
                f"cannot import {dotted!r}: {owner} has no attribute {attribute!r}",
                name=module_name,
                path=getattr(module, "__file__", None),
            ) from exc
    return result


# --- import_path helpers -----------------------------------------------------------


class _SourceOnlyLoader(SourceFileLoader):
    """Loads a file of any suffix as Python source, never through bytecode.

    ``SourceLoader.get_code`` caches bytecode at ``cache_from_source(path)``, which
    ignores the suffix: ``x.txt`` and ``x.py`` would share
    ``__pycache__/x.cpython-3XX.pyc``, and with equal size and mtime one would run
    the other's code. Compiling from source every time avoids that.
    """

    def get_code(self, fullname: str) -> CodeType:
        path = self.get_filename(fullname)
        return self.source_to_code(self.get_data(path), path)


class _StatReusingLoader(SourceFileLoader):
    """A SourceFileLoader whose first ``get_code`` uses what :func:`import_path` knows.

    ``SourceLoader.get_code`` works out the bytecode path with ``cache_from_source``
    and stats the source to check the bytecode against; :func:`import_path` has
    just made that very ``lstat`` (of a regular file, so the same as ``stat``) and
    worked out the path (:func:`_cache_path`). The first ``get_code`` reads a
    current timestamp ``.pyc`` with them (:func:`modutils._compat.cached_code`, the
    same checks); in any other case ``get_code`` runs as usual, with the stored stat
    as ``path_stats``'s first answer. The hint is used once, so a later
    ``get_code`` (a reload) stats the file afresh, and it leaves no trace in the
    loader's ``__dict__``, which ``FileLoader.__eq__`` compares.
    """

    def get_code(self, fullname: str) -> CodeType | None:
        hint: tuple[str | None, float, int] | None = self.__dict__.pop("_modutils_hint", None)
        if hint is None or fullname != self.name:
            return super().get_code(fullname)
        cached, mtime, size = hint
        if cached is not None:
            code = cached_code(self, fullname, cached, mtime, size)
            if code is not None:
                return code
        self._modutils_stats = {"mtime": mtime, "size": size}  # what path_stats returns
        try:
            return super().get_code(fullname)
        finally:
            self.__dict__.pop("_modutils_stats", None)

    def path_stats(self, path: str) -> Mapping[str, object]:
        stats: Mapping[str, object] | None = self.__dict__.pop("_modutils_stats", None)
        if stats is not None and path == self.path:
            return stats
        return super().path_stats(path)


def _resolve_target(path: object) -> _Target:
    """What to run for *path*: see :data:`_Target`."""
    raw = fspath_str(path, what="path")
    if not raw or "\0" in raw:
        raise ValueError(f"cannot load a module from {raw!r}: not a usable path")
    try:
        return _resolve(raw)
    except (FileNotFoundError, NotADirectoryError) as exc:
        raise FileNotFoundError(
            exc.errno, f"cannot load a module from {raw!r}: no such file or directory", exc.filename
        ) from exc
    except OSError as exc:
        if exc.errno != errno.ELOOP:
            raise
        raise ValueError(
            f"cannot load a module from {raw!r}: too many levels of symbolic links "
            f"(a symbolic-link loop at {exc.filename!r})"
        ) from exc


def _resolve(raw: str) -> _Target:
    """:func:`_resolve_target` for a usable *raw* path; ``OSError`` when it is missing.

    ``os.path.realpath`` costs an ``lstat`` (and Python code) per path component,
    more than the rest of a load, so it runs once per folder: a folder path is
    remembered with the device, inode and timestamps of the directory it leads to,
    and resolved again only when ``os.stat`` of it says otherwise (a link repointed,
    the directory moved or changed). The path is never normalised lexically: the
    system resolves ``..`` after links, as ``realpath`` does, while ``abspath``
    would apply it before them.
    """
    # On POSIX, posixpath.isabs of a str is this startswith.
    if not (raw.startswith(_SEP) if _ONE_SEPARATOR else os.path.isabs(raw)):
        raw = os.path.join(os.getcwd(), raw)
    if _ONE_SEPARATOR:
        folder, _, base = raw.rpartition(_SEP)
        folder = folder or _SEP
    else:
        folder, base = os.path.split(raw)
    if base in _NOT_A_NAME:
        return _classify(os.path.realpath(raw), raw)
    folder_stat = os.stat(folder)
    entry = _folders.get(folder)
    if (
        entry is None
        or entry[0] != folder_stat.st_ino
        or entry[1] != folder_stat.st_dev
        or entry[2] != folder_stat.st_mtime_ns
        or entry[3] != folder_stat.st_ctime_ns
    ):
        entry = (
            folder_stat.st_ino,
            folder_stat.st_dev,
            folder_stat.st_mtime_ns,
            folder_stat.st_ctime_ns,
            _with_separator(os.path.realpath(folder)),
            False,
        )
        remember(_folders, folder, entry, _FOLDERS_SIZE)
    real = entry[4]
    resolved = real + base
    file_stat = os.lstat(resolved)
    mode = file_stat.st_mode
    if not stat.S_ISREG(mode) or base == "__init__.py":
        return _classify(os.path.realpath(resolved) if stat.S_ISLNK(mode) else resolved, raw)
    if entry[5]:
        return resolved, False, True, file_stat
    # Whether the folder is a package decides the default name. A folder's mtime and
    # ctime change whenever an entry (``__init__.py``) is added or removed, so a "not
    # a package" answer stays valid while they do; but the system takes them from a
    # clock that ticks coarsely (a jiffy; seconds on FAT), so a change made in the
    # same tick as the last one leaves them equal. As git does for racily clean
    # files, the answer is trusted only once the timestamps are older than a tick.
    checked = time.time_ns()
    if os.access(real + "__init__.py", os.F_OK):
        return resolved, False, False, file_stat
    stamp = max(entry[2], entry[3])
    if stamp < checked - (_RACY_NS if stamp % 1_000_000 else _RACY_COARSE_NS):
        _folders[folder] = (*entry[:5], True)
    return resolved, False, True, file_stat


def _with_separator(folder: str) -> str:
    return folder if folder.endswith(_SEP) else folder + _SEP


def _classify(resolved: str, raw: str) -> _Target:
    """The file to run for the fully resolved path *resolved* (given as *raw*)."""
    mode = os.stat(resolved).st_mode
    if stat.S_ISDIR(mode):
        init = os.path.join(resolved, "__init__.py")
        if not os.path.isfile(init):
            raise ValueError(
                f"cannot load a module from {raw!r}: the folder {resolved!r} has no "
                "__init__.py, so it is not a package"
            )
        return init, True, False, None
    if not stat.S_ISREG(mode):
        raise ValueError(
            f"cannot load a module from {raw!r}: {resolved!r} is neither a regular file "
            "nor a package folder"
        )
    return resolved, os.path.basename(resolved) == "__init__.py", False, None


class _Parent(NamedTuple):
    """A parent package the load needs, and how to make it if it is missing."""

    name: str
    folder: str | None  # the folder it stands for, if any
    # Derived names: the package must be the one in *folder*; its __init__.py runs.
    from_folder: bool


def _name_module(
    file: str,
    *,
    is_package: bool,
    plain: bool,
    name: object,
    root: object,
    replace: bool,
) -> tuple[str, list[_Parent]]:
    """The module name for *file* and the parent packages to make sure of, by the rules."""
    if name is not None:
        check_module_name(name)
        assert isinstance(name, str)
        if root is not None:
            raise ValueError("import_path() takes name= or root=, not both")
        return name, _named_parents(name, file, is_package=is_package)
    if root is not None:
        name, chain = relative_name(file, _resolve_root(root), is_package=is_package)
    else:
        found = sys_path_name(file, is_package=is_package)
        if found is not None:
            return found[0], [_Parent(parent, folder, True) for parent, folder in found[1]]
        if plain:
            name, chain = stem_name(file), []
        else:
            name, chain = package_name(file, is_package=is_package)
    top = chain[0][0] if chain else name
    if not (replace and not chain and top in sys.modules):
        folder = chain[0][1] if chain else os.path.dirname(file) if is_package else None
        where = found_elsewhere(top, file=file, folder=folder)
        if where is not None:
            raise _would_shadow(file, name, top, where)
    if not chain:
        return name, []
    return name, [_Parent(parent, folder, True) for parent, folder in chain]


def _named_parents(name: str, file: str, *, is_package: bool) -> list[_Parent]:
    """The parents of the dotted *name*, each with the folder of *file* it matches, if any.

    Matching goes outwards from the file's folder (the package's own folder's
    parent for a package) while the folder names equal the name's parts.
    """
    parts = name.split(".")[:-1]
    folder: str | None = os.path.dirname(os.path.dirname(file) if is_package else file)
    folders: list[str | None] = []
    for part in reversed(parts):
        if folder is not None and os.path.basename(folder) == part:
            folders.append(folder)
            parent = os.path.dirname(folder)
            folder = parent if parent != folder else None
        else:
            folder = None
            folders.append(None)
    folders.reverse()
    return [
        _Parent(".".join(parts[: index + 1]), folders[index], False) for index in range(len(parts))
    ]


def _resolve_root(root: object) -> str:
    raw = fspath_str(root, what="root")
    try:
        real = os.path.realpath(raw, strict=True) if raw else ""
    except FileNotFoundError as exc:
        raise FileNotFoundError(
            exc.errno, f"import_path() root {raw!r} does not exist", raw
        ) from exc
    except OSError as exc:
        raise ValueError(f"import_path() root {raw!r} is not usable: {exc}") from exc
    if not real or not os.path.isdir(real):
        raise ValueError(f"import_path() root {raw!r} is not a folder")
    return real


def _would_shadow(file: str, name: str, top: str, where: str) -> ValueError:
    what = "the module" if top == name else "the package"
    return ValueError(
        f"cannot load {file!r} as {name!r}: that would shadow {what} {top!r} "
        f"({where}), which is importable under that name; pass name= to choose "
        "another name, or root= to name it after its path below a folder"
    )


def _is_from(module: object, file: str) -> bool:
    """Whether *module* was loaded from the resolved path *file*."""
    origin = getattr(module, "__file__", None)
    return origin == file or (isinstance(origin, str) and os.path.realpath(origin) == file)


def _name_taken(name: str, file: str, module: object) -> ValueError:
    taken = "blocked by None" if module is None else f"already taken by {module!r}"
    return ValueError(
        f"cannot load {file!r} as {name!r}: that name is {taken} in sys.modules; "
        "pass replace=True to replace it, or another name="
    )


def _load(
    name: str,
    file: str,
    *,
    is_package: bool,
    parents: Sequence[_Parent],
    replace: bool,
    requested: str,
    file_stat: os.stat_result | None = None,
) -> ModuleType:
    """Load *file* as *name* into :data:`sys.modules`, under the import lock of *name*.

    *requested* is the module :func:`import_path` was asked for (*name* or one of
    its parent packages); *file_stat*, if given, is a fresh ``lstat`` of *file*.
    """
    modules = sys.modules
    module = modules.get(name)
    # Already loaded and complete: the lock would only be taken to be released. A
    # module still initialising is left to the locked path, which waits for it,
    # as importlib's import_ensure_initialized does.
    if (
        module is not None
        and not getattr(getattr(module, "__spec__", None), "_initializing", False)
        and _is_from(module, file)
    ):
        return module
    # The import system's own lock for the name: a concurrent ``import name`` in
    # another thread waits for us, and importlib's deadlock detection sees our loads.
    lock = get_module_lock(name)
    try:
        acquire_module_lock(lock)
    except DeadlockError as exc:
        # Two threads each loading a module whose code loads the other one: accept
        # the partially initialised module, as importlib does for a concurrent
        # circular import (importlib._bootstrap._lock_unlock_module).
        module = modules.get(name)
        if module is not None and _is_from(module, file):
            return module
        raise ImportError(f"cannot load {file!r} as {name!r}: {exc}", name=name, path=file) from exc
    try:
        if name in modules:
            # A None entry blocks the name on purpose; typeshed does not allow for it.
            taken: ModuleType | None = modules[name]
            if taken is not None and _is_from(taken, file):
                return taken
            if not replace:
                raise _name_taken(name, file, taken)
        with ModulesSnapshot(keep_on_failure=importing_elsewhere):
            if parents:
                for parent in parents:
                    _ensure_parent(parent, requested)
                # The parents' code may have imported this very module, or taken its name.
                module = modules.get(name)
                if module is not None and _is_from(module, file):
                    return module
                if not replace and name in modules:
                    raise _name_taken(name, file, module)
            return _execute(
                name,
                file,
                is_package=is_package,
                register=True,
                requested=requested,
                file_stat=file_stat,
            )
    finally:
        lock.release()


def _new_module(
    spec: ModuleSpec, loader: SourceFileLoader, file: str, is_package: bool, cached: str | None
) -> ModuleType:
    """What ``module_from_spec(spec)`` returns for the spec :func:`_execute` builds.

    ``module_from_spec`` asks the loader to create the module (SourceFileLoader
    declines) and then, in ``_init_module_attrs``, ``getattr``s each attribute
    before setting it, each miss raising an AttributeError inside the module type:
    that costs more than loading a small cached module. A fresh module has none of
    those attributes, so setting them in the same order gives the same namespace
    (CPython 3.10-3.13 ``importlib._bootstrap._init_module_attrs``).
    """
    module = _ModuleType(spec.name)
    namespace = module.__dict__
    namespace["__loader__"] = loader
    namespace["__package__"] = spec.name if is_package else spec.name.rpartition(".")[0]
    namespace["__spec__"] = spec
    if is_package:
        namespace["__path__"] = spec.submodule_search_locations
    namespace["__file__"] = file
    # *cached* is _cache_path(file), worked out by the caller, which shares it.
    if cached is None:
        cached = spec.cached
    else:
        spec.cached = cached
    if cached is not None:
        namespace["__cached__"] = cached
    return module


def _cache_path(file: str) -> str | None:
    """``importlib.util.cache_from_source(file)`` in the common case, else ``None``.

    ``spec.cached`` calls ``cache_from_source``, whose generality (a debug override,
    optimisation levels, ``sys.pycache_prefix``) costs more than the rest of the
    module's creation. Without a prefix or optimisation, on a single-separator
    system, it is ``<folder>/__pycache__/<name before the last dot>.<cache tag>.pyc``
    (CPython 3.10-3.13 ``importlib._bootstrap_external.cache_from_source``).
    """
    tag: str | None = sys.implementation.cache_tag  # None disables caching (PEP 3147)
    if (
        not _ONE_SEPARATOR
        or tag is None
        or sys.pycache_prefix is not None
        or sys.flags.optimize
        or not file.endswith(".py")
    ):
        return None
    folder, _, base = file.rpartition(_SEP)
    stem = base[:-3]
    if not folder or not stem:
        # cache_from_source treats these like no other path (a file at the root of
        # the file system gets a relative cache path); leave them to it.
        return None
    return f"{folder}{_SEP}__pycache__{_SEP}{stem}.{tag}.pyc"


def _ensure_parent(parent: _Parent, requested: str) -> None:
    """Make sure the parent package exists in :data:`sys.modules`, never replacing one.

    A loaded package is used as it is (for a derived name it must be the one in
    its folder). A missing one is loaded from its folder's ``__init__.py`` (derived
    names), imported when it is importable, or else created empty, namespace-like,
    with ``__path__`` the folder it stands for (none when there is none).
    """
    name, folder = parent.name, parent.folder
    module = sys.modules.get(name)
    if module is None and name not in sys.modules:
        init = None if folder is None else os.path.join(folder, "__init__.py")
        if parent.from_folder and init is not None and os.path.isfile(init):
            _load(name, init, is_package=True, parents=(), replace=False, requested=requested)
            return
        with module_lock(name):
            if name not in sys.modules:
                _make_parent(name, folder, requested)
                return
        module = sys.modules[name]
    if module is None:
        raise ValueError(
            f"cannot load {requested!r}: its parent package {name!r} is blocked by None "
            "in sys.modules"
        )
    if not parent.from_folder or folder is None:
        return
    locations = getattr(module, "__path__", None)
    if locations is None or not any(
        os.path.realpath(os.fspath(entry)) == folder for entry in locations
    ):
        raise ValueError(
            f"cannot load {requested!r}: its parent package {name!r} is already imported as "
            f"{module!r}, not from the folder {folder!r}"
        )


def _make_parent(name: str, folder: str | None, requested: str) -> None:
    """Import the missing parent *name* if it is importable, else create it empty."""
    if find_spec_static(name) is not None:
        try:
            import_module(name)
        except Exception as exc:
            raise ModuleLoadError(
                f"cannot load {requested!r}: its parent package {name!r} failed to import: "
                f"{type(exc).__name__}: {exc}",
                name=name,
            ) from exc
        return
    # What a namespace package looks like (no file, no loader code), so that pickle,
    # dataclasses and typing.get_type_hints find the parent in sys.modules.
    spec = ModuleSpec(name, None, is_package=True)
    spec.submodule_search_locations = [] if folder is None else [folder]
    module = _ModuleType(name)
    module.__spec__ = spec
    module.__loader__ = None
    module.__package__ = name
    module.__path__ = spec.submodule_search_locations
    sys.modules[name] = module
    _link(name, module)


def _link(name: str, module: object) -> None:
    """Set *module* as the attribute of its parent package, as ``import`` does."""
    parent_name, _, child = name.rpartition(".")
    if parent_name:
        parent = sys.modules.get(parent_name)
        if parent is not None:
            setattr(parent, child, module)


def _load_unregistered(
    name: str, file: str, *, is_package: bool, file_stat: os.stat_result | None
) -> ModuleType:
    with ModulesSnapshot(keep_on_failure=importing_elsewhere):
        return _execute(
            name, file, is_package=is_package, register=False, requested=name, file_stat=file_stat
        )


def _execute(
    name: str,
    file: str,
    *,
    is_package: bool,
    register: bool,
    requested: str,
    file_stat: os.stat_result | None = None,
) -> ModuleType:
    """Create the module for *file* and run its code; the caller restores on failure."""
    cached = _cache_path(file)
    loader: SourceFileLoader
    # The suffixes SourceFileLoader is registered for (FileFinder matches with endswith too).
    if not file.endswith(_SOURCE_SUFFIXES):
        loader = _SourceOnlyLoader(name, file)
    elif file_stat is None:
        loader = SourceFileLoader(name, file)
    else:
        loader = _StatReusingLoader(name, file)
        loader._modutils_hint = (cached, file_stat.st_mtime, file_stat.st_size)  # type: ignore[attr-defined]
    # The spec spec_from_file_location(name, file, loader=loader) builds, without the
    # work it would redo: *file* is absolute already and the loader is chosen.
    spec = ModuleSpec(name, loader, origin=file, is_package=is_package)
    spec.has_location = True
    if is_package:
        spec.submodule_search_locations = [os.path.dirname(file)]
    module = _new_module(spec, loader, file, is_package, cached)
    # As importlib._bootstrap._load_unlocked does: registered before the code runs,
    # and marked as initialising so that a concurrent ``import name`` waits on the
    # module lock we hold instead of using the half-run module.
    with Initializing(spec if register else None):
        if register:
            sys.modules[name] = module
        try:
            loader.exec_module(module)
        except Exception as exc:
            role = "" if requested == name else f" (a parent package of {requested!r})"
            raise ModuleLoadError(
                f"cannot load module {name!r}{role} from {file!r}: {type(exc).__name__}: {exc}",
                name=name,
                path=file,
            ) from exc
    if not register:
        return module
    # The code may have replaced its own sys.modules entry; import returns the
    # replacement too (importlib._bootstrap._load_unlocked).
    module = sys.modules.get(name, module)
    _link(name, module)
    return module
