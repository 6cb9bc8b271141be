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
from importlib import _bootstrap, import_module
from importlib.machinery import SOURCE_SUFFIXES, SourceFileLoader
from importlib.util import module_from_spec, spec_from_file_location

from modutils._spec import check_module_name
from modutils._state import ModulesSnapshot
from modutils.errors import ModuleLoadError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from types import CodeType, ModuleType
    from typing import Protocol

    class _ModuleLock(Protocol):
        def acquire(self) -> bool: ...
        def release(self) -> None: ...


__all__ = ["import_path", "import_string"]

# The per-module locks of the import system itself (importlib._bootstrap): holding
# the lock of the name we load makes a concurrent ``import name`` in another thread
# wait for us, and lets importlib's deadlock detection see our loads too.
_get_module_lock: Callable[[str], _ModuleLock] = _bootstrap._get_module_lock  # type: ignore[attr-defined]
_DeadlockError: type[RuntimeError] = _bootstrap._DeadlockError  # type: ignore[attr-defined]

_SOURCE_SUFFIXES = tuple(SOURCE_SUFFIXES)
_REAL_FOLDERS_SIZE = 1024
# folder as given (absolute) -> (st_ino, st_dev, realpath of the folder); see _resolve.
_real_folders: dict[str, tuple[int, int, str]] = {}


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
    removed, and a module it replaced is put back.

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
    file, is_package = _resolve_target(path)
    parents: Sequence[tuple[str, str]] = ()
    if name is None:
        name, parents = _default_name(file, is_package)
    else:
        check_module_name(name)
    if not register:
        return _load_unregistered(name, file, is_package)
    return _load(name, file, is_package, parents, replace=replace, requested=name)


def import_string(dotted: str) -> object:
    """Import and return the object that ``"pkg.mod:attr.sub"`` or ``"pkg.mod.attr"`` names.

    With a colon, the part before it is the module and the part after it a chain
    of attributes. Without one, the longest prefix that is an importable module is
    imported and the rest are attributes (so ``"os.path.join"`` is the function
    ``join`` of the module ``os.path``). Errors raised by the imported module's own
    code propagate unchanged, as from an ``import`` statement, and on any failure
    :data:`sys.modules` is left exactly as it was.

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
    snapshot = ModulesSnapshot()
    done = False
    try:
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
        done = True
        return result
    finally:
        if not done:
            snapshot.restore()


# --- import_string helpers ---------------------------------------------------------


def _import_module(name: str, dotted: str, *, longest: bool) -> ModuleType | None:
    """Import *name*; ``None`` when *longest* and *name* is not a module (try shorter)."""
    try:
        return import_module(name)
    except ModuleNotFoundError as exc:
        missing = exc.name
        # importlib sets ``name`` to the module it could not find: *name* itself, or
        # a parent that does not exist or is not a package. Any other name comes
        # from an import inside a module that does exist, and must propagate.
        if missing is None or not (missing == name or name.startswith(missing + ".")):
            raise
        if longest:
            return None
        raise ModuleNotFoundError(
            f"cannot import {dotted!r}: no module named {missing!r}", name=missing
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


def _resolve_target(path: object) -> tuple[str, bool]:
    """The resolved source file to run for *path*, and whether it is a package."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, not {type(path).__name__}: {path!r}")
    raw = os.fspath(path)
    if not isinstance(raw, str):
        raise TypeError(f"path must be a str or os.PathLike[str], not bytes: {path!r}")
    if not raw or "\0" in raw:
        raise ValueError(f"cannot load a module from {raw!r}: not a usable path")
    try:
        resolved, mode = _resolve(raw)
    except (FileNotFoundError, NotADirectoryError) as exc:
        raise FileNotFoundError(
            exc.errno, f"cannot load a module from {raw!r}: no such file or directory", exc.filename
        ) from exc
    if stat.S_ISDIR(mode):
        init = os.path.join(resolved, "__init__.py")
        if not os.path.isfile(init):
            raise ValueError(
                f"cannot load a module from {raw!r}: the folder {resolved!r} has no __init__.py, "
                "so it is not a package"
            )
        return init, True
    if not stat.S_ISREG(mode):
        raise ValueError(
            f"cannot load a module from {raw!r}: {resolved!r} is neither a regular file "
            "nor a package folder"
        )
    return resolved, os.path.basename(resolved) == "__init__.py"


def _resolve(raw: str) -> tuple[str, int]:
    """``os.path.realpath(raw)`` and the ``st_mode`` of what it names.

    ``realpath`` costs an ``lstat`` (and Python code) per path component, more than
    the rest of a load. Folders are resolved once and remembered with the device and
    inode they resolved to; a later call re-resolves only when the folder path now
    leads to another directory. A symlinked file, and a path with ``..`` (which
    ``realpath`` applies after resolving links, ``abspath`` before), take the slow way.
    """
    if ".." in raw:
        resolved = os.path.realpath(raw)
        return resolved, os.stat(resolved).st_mode
    folder, base = os.path.split(os.path.abspath(raw))
    folder_stat = os.stat(folder)
    cached = _real_folders.get(folder)
    if cached is not None and cached[0] == folder_stat.st_ino and cached[1] == folder_stat.st_dev:
        real_folder = cached[2]
    else:
        real_folder = os.path.realpath(folder)
        if len(_real_folders) >= _REAL_FOLDERS_SIZE:
            _real_folders.clear()
        _real_folders[folder] = (folder_stat.st_ino, folder_stat.st_dev, real_folder)
    resolved = os.path.join(real_folder, base) if base else real_folder
    mode = os.lstat(resolved).st_mode
    if stat.S_ISLNK(mode):
        resolved = os.path.realpath(resolved)
        mode = os.stat(resolved).st_mode
    return resolved, mode


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
    *,
    replace: bool,
    requested: str,
) -> ModuleType:
    """Load *file* as *name* into :data:`sys.modules`, under the import lock of *name*."""
    lock = _get_module_lock(name)
    try:
        lock.acquire()
    except _DeadlockError as exc:
        # Two threads each loading a module whose code loads the other one: accept
        # the partially initialised module, as importlib does for a concurrent
        # circular import (importlib._bootstrap._lock_unlock_module).
        module = sys.modules.get(name)
        if module is not None and _is_from(module, file):
            return module
        raise ImportError(f"cannot load {file!r} as {name!r}: {exc}", name=name, path=file) from exc
    try:
        if replace:
            module = sys.modules.get(name)
            if module is not None and _is_from(module, file):
                return module
        else:
            module = _check_free(name, file)
            if module is not None:
                return module
        snapshot = ModulesSnapshot()
        done = False
        try:
            if parents:
                for parent_name, parent_folder in parents:
                    _import_parent(parent_name, parent_folder, requested)
                # The parents' code may have imported this very module, or taken its name.
                module = sys.modules.get(name)
                if module is not None and _is_from(module, file):
                    done = True
                    return module
                if not replace and name in sys.modules:
                    raise _name_taken(name, file, module)
            module = _execute(name, file, is_package, register=True, requested=requested)
            done = True
            return module
        finally:
            if not done:
                snapshot.restore()
    finally:
        lock.release()


def _import_parent(name: str, folder: str, requested: str) -> None:
    """Make sure the package *name* is the one in *folder*, loading it from there if needed."""
    module = sys.modules.get(name)
    if module is None:
        _load(
            name,
            os.path.join(folder, "__init__.py"),
            True,
            (),
            replace=False,
            requested=requested,
        )
        return
    locations = getattr(module, "__path__", None)
    if locations is None or not any(
        os.path.realpath(os.fspath(entry)) == folder for entry in locations
    ):
        raise ValueError(
            f"cannot load {requested!r}: its parent package {name!r} is already imported as "
            f"{module!r}, not from the folder {folder!r}"
        )


def _load_unregistered(name: str, file: str, is_package: bool) -> ModuleType:
    snapshot = ModulesSnapshot()
    done = False
    try:
        module = _execute(name, file, is_package, register=False, requested=name)
        done = True
        return module
    finally:
        if not done:
            snapshot.restore()


def _execute(
    name: str, file: str, is_package: bool, *, register: bool, requested: str
) -> ModuleType:
    """Create the module for *file* and run its code; the caller restores on failure."""
    # The suffixes SourceFileLoader is registered for (FileFinder matches with endswith too).
    if file.endswith(_SOURCE_SUFFIXES):
        loader = SourceFileLoader(name, file)
    else:
        loader = _SourceOnlyLoader(name, file)
    spec = spec_from_file_location(
        name,
        file,
        loader=loader,
        submodule_search_locations=[os.path.dirname(file)] if is_package else None,
    )
    assert spec is not None  # never None when a loader is given
    module = module_from_spec(spec)
    if register:
        # As importlib._bootstrap._load_unlocked does: registered before the code
        # runs, and marked as initialising so that a concurrent ``import name``
        # waits on the module lock we hold instead of using the half-run module.
        spec._initializing = True  # type: ignore[attr-defined]
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
    finally:
        if register:
            spec._initializing = False  # type: ignore[attr-defined]
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
