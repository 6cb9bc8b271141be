"""Load a module from any file path, or an object from a dotted string, safely.

:func:`import_path` is the ``spec_from_file_location`` + ``module_from_spec`` +
``exec_module`` recipe with what the recipe leaves out: registration in
:data:`sys.modules` before the code runs, parent packages for relative imports,
one execution under concurrent calls, name clashes refused, and a rollback of
:data:`sys.modules` when the module fails. :func:`import_string` resolves the
``"pkg.mod:attr"`` strings that configuration files and entry points use.
"""

from __future__ import annotations

import os
import stat
import sys
import time
from importlib import import_module
from importlib.machinery import SOURCE_SUFFIXES, ModuleSpec, SourceFileLoader

from modutils._compat import DeadlockError, Initializing, get_module_lock, importing_elsewhere
from modutils._paths import fspath_str
from modutils._spec import check_module_name, is_missing
from modutils._state import ModulesSnapshot
from modutils.errors import ModuleLoadError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from types import CodeType, ModuleType
    from typing import TypeAlias

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
    register: bool = True,
    replace: bool = False,
) -> ModuleType:
    """Load the module at *path* (a source file or a package folder) and return it.

    A ``.py`` file, a file with any other suffix or none (read as Python source,
    never through a bytecode cache it could share with a ``.py`` twin), or a folder
    with an ``__init__.py`` (loaded as a package) is executed as a module.
    ``__file__`` is the absolute resolved path and ``__spec__`` is set. With
    *register* (the default) the module is put in :data:`sys.modules` before its
    code runs, so ``dataclasses``, ``enum``, ``pickle`` and
    ``typing.get_type_hints`` work inside it.

    The default name is the dotted name from the topmost package folder when the
    file sits inside package folders (folders with an ``__init__.py``); those parent
    packages are imported from their folders first, so relative imports work.
    Otherwise it is the file's stem made a valid identifier (``my-tool.v2.py``
    gives ``my_tool_v2``, ``2fast.py`` gives ``_2fast``). With an explicit *name*,
    no parent package is loaded: relative imports resolve against that name
    through the normal import system.

    Loading the same file under the same name again returns the module already in
    :data:`sys.modules` without running it; concurrent calls from several threads
    run it once. A name taken by a different module is refused unless *replace*.
    With ``register=False`` :func:`import_path` adds nothing to
    :data:`sys.modules` (no parents either) and runs the file on every call; the
    module keeps its dotted name, so its relative imports work only when that
    package is importable by name.

    On any failure, :data:`sys.modules` is left exactly as before the call: the
    module, the parents it registered and whatever their code imported are
    removed, and a module it replaced is put back. Only a module that another
    thread is still importing at that moment is left to that thread.

    Example:
        >>> import pathlib, sys, tempfile
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     source = pathlib.Path(folder, "my-tool.v2.py")
        ...     _ = source.write_text("ANSWER = 42\\n")
        ...     tool = import_path(source)
        ...     (tool.__name__, tool.ANSWER, import_path(source) is tool)
        ('my_tool_v2', 42, True)
        >>> del sys.modules["my_tool_v2"]

    :raises TypeError: *path* is not a ``str`` or ``os.PathLike[str]``, or *name*
        is not a ``str``.
    :raises FileNotFoundError: nothing exists at *path*.
    :raises ValueError: *path* is a folder without ``__init__.py`` or not a regular
        file; *name* is malformed; the name (or a parent package's) is already
        taken in :data:`sys.modules` by a different module.
    :raises ModuleLoadError: the module's code (or a parent package's) raised,
        ``SyntaxError`` included; the original exception is the ``__cause__``.
    """
    file, is_package, plain, file_stat = _resolve_target(path)
    parents: Sequence[tuple[str, str]] = ()
    if name is None:
        if plain:
            name = _stem_name(file)
        else:
            name, parents = _default_name(file, is_package)
    else:
        check_module_name(name)
    if not register:
        return _load_unregistered(name, file, is_package, file_stat)
    return _load(name, file, is_package, parents, replace, name, file_stat)


def import_string(dotted: str) -> object:
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
    """A SourceFileLoader whose first ``path_stats`` answers with a stat already made.

    ``SourceLoader.get_code`` stats the source to check its bytecode cache against;
    :func:`import_path` has just made that very ``lstat`` (of a regular file, so the
    same as ``stat``). The stored answer is used once, so a later ``get_code`` (a
    reload) stats the file afresh, and it leaves no trace in the loader's
    ``__dict__``, which ``FileLoader.__eq__`` compares.
    """

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
    if not os.path.isabs(raw):
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
        if len(_folders) >= _FOLDERS_SIZE:
            _folders.clear()
        _folders[folder] = entry
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


def _stem_name(file: str) -> str:
    """The default name of *file*, outside any package: its stem made an identifier."""
    base = os.path.basename(file)
    dot = base.rfind(".")
    stem = base[:dot] if dot > 0 else base
    # The common case, for which os.path.splitext and _identifier would change nothing.
    if stem.isascii() and stem.isidentifier():
        return stem
    return _identifier(os.path.splitext(base)[0])


def _default_name(file: str, is_package: bool) -> tuple[str, list[tuple[str, str]]]:
    """The dotted name for *file* and its parent packages as ``(name, folder)`` pairs."""
    folder = os.path.dirname(file)
    if is_package:
        own = os.path.basename(folder)
        folder = os.path.dirname(folder)
    else:
        own = os.path.splitext(os.path.basename(file))[0]
    # Like pytest's resolve_package_path: climb while the folder is a package
    # whose name can be part of a dotted name.
    chain: list[tuple[str, str]] = []
    while True:
        part = os.path.basename(folder)
        if not part.isidentifier() or not os.path.isfile(os.path.join(folder, "__init__.py")):
            break
        chain.append((part, folder))
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    chain.reverse()
    parents: list[tuple[str, str]] = []
    prefix = ""
    for part, package_folder in chain:
        prefix = f"{prefix}.{part}" if prefix else part
        parents.append((prefix, package_folder))
    own = _identifier(own)
    return (f"{prefix}.{own}" if prefix else own), parents


def _identifier(stem: str) -> str:
    """*stem* made a valid identifier: other characters become ``_``, a digit start gets one."""
    if not stem.isascii():
        import unicodedata

        # The parser normalises identifiers to NFKC (PEP 3131): only the normalised
        # spelling can ever be imported by an ``import`` statement.
        stem = unicodedata.normalize("NFKC", stem)
    if stem.isidentifier():
        return stem
    fixed = "".join(char if f"_{char}".isidentifier() else "_" for char in stem)
    return fixed if fixed[:1].isidentifier() else f"_{fixed}"


def _is_from(module: object, file: str) -> bool:
    """Whether *module* was loaded from the resolved path *file*."""
    origin = getattr(module, "__file__", None)
    return origin == file or (isinstance(origin, str) and os.path.realpath(origin) == file)


def _check_free(name: str, file: str) -> ModuleType | None:
    """The module already loaded as *name* from *file*, ``None`` if *name* is free.

    :raises ValueError: *name* is taken by another module (or blocked by ``None``).
    """
    modules = sys.modules
    if name not in modules:
        return None
    # A None entry blocks the name on purpose; typeshed does not allow for it.
    module: ModuleType | None = modules[name]
    if module is not None and _is_from(module, file):
        return module
    raise _name_taken(name, file, module)


def _name_taken(name: str, file: str, module: object) -> ValueError:
    taken = "blocked by None" if module is None else f"already taken by {module!r}"
    return ValueError(
        f"cannot load {file!r} as {name!r}: that name is {taken} in sys.modules; "
        "pass replace=True to replace it, or another name="
    )


def _load(
    name: str,
    file: str,
    is_package: bool,
    parents: Sequence[tuple[str, str]],
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
        lock.acquire()
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
                for parent_name, parent_folder in parents:
                    _import_parent(parent_name, parent_folder, requested)
                # The parents' code may have imported this very module, or taken its name.
                module = modules.get(name)
                if module is not None and _is_from(module, file):
                    return module
                if not replace and name in modules:
                    raise _name_taken(name, file, module)
            return _execute(name, file, is_package, True, requested, file_stat)
    finally:
        lock.release()


def _new_module(
    spec: ModuleSpec, loader: SourceFileLoader, file: str, is_package: bool
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
    cached = _cache_path(file)
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


def _import_parent(name: str, folder: str, requested: str) -> None:
    """Make sure the package *name* is the one in *folder*, loading it from there if needed."""
    module = sys.modules.get(name)
    if module is None:
        _load(name, os.path.join(folder, "__init__.py"), True, (), False, requested)
        return
    locations = getattr(module, "__path__", None)
    if locations is None or not any(
        os.path.realpath(os.fspath(entry)) == folder for entry in locations
    ):
        raise ValueError(
            f"cannot load {requested!r}: its parent package {name!r} is already imported as "
            f"{module!r}, not from the folder {folder!r}"
        )


def _load_unregistered(
    name: str, file: str, is_package: bool, file_stat: os.stat_result | None
) -> ModuleType:
    with ModulesSnapshot(keep_on_failure=importing_elsewhere):
        return _execute(name, file, is_package, False, name, file_stat)


def _execute(
    name: str,
    file: str,
    is_package: bool,
    register: bool,
    requested: str,
    file_stat: os.stat_result | None = None,
) -> ModuleType:
    """Create the module for *file* and run its code; the caller restores on failure."""
    loader: SourceFileLoader
    # The suffixes SourceFileLoader is registered for (FileFinder matches with endswith too).
    if not file.endswith(_SOURCE_SUFFIXES):
        loader = _SourceOnlyLoader(name, file)
    elif file_stat is None:
        loader = SourceFileLoader(name, file)
    else:
        loader = _StatReusingLoader(name, file)
        # What SourceFileLoader.path_stats returns.
        loader._modutils_stats = {"mtime": file_stat.st_mtime, "size": file_stat.st_size}  # type: ignore[attr-defined]
    # The spec spec_from_file_location(name, file, loader=loader) builds, without the
    # work it would redo: *file* is absolute already and the loader is chosen.
    spec = ModuleSpec(name, loader, origin=file, is_package=is_package)
    spec.has_location = True
    if is_package:
        spec.submodule_search_locations = [os.path.dirname(file)]
    module = _new_module(spec, loader, file, is_package)
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
    parent_name, _, child = name.rpartition(".")
    if parent_name:
        parent = sys.modules.get(parent_name)
        if parent is not None:
            setattr(parent, child, module)
    return module
