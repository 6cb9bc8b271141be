"""Dotted module names for files: the one ``import`` would use, or one derived from the path.

:func:`modutils.import_path` names the files it loads with these rules, and any other
capability that needs "the module name of this file" should use the same helpers, so
that two parts of modutils never disagree on a file's name:

- :func:`sys_path_name`: the name under which the file is importable from the current
  :data:`sys.path`, through regular and namespace-package folders (verified by a static
  look-up, nothing executed);
- :func:`package_name`: the name derived from the ``__init__.py`` folders above the
  file, as pytest's ``resolve_package_path`` climbs them;
- :func:`relative_name`: the name of the file's path relative to a root folder (pytest's
  ``importlib`` import mode with its rootdir);
- :func:`found_elsewhere`: whether a top-level name is already importable, so that a
  derived name never shadows another module.
"""

from __future__ import annotations

import os
import sys
import time
from importlib.machinery import SOURCE_SUFFIXES, BuiltinImporter, FrozenImporter, PathFinder
from itertools import repeat

from modutils._compat import FileFinder, file_finder_mtime, file_finder_state, is_frozen
from modutils._spec import find_spec_static, known_finder_names

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TypeAlias

    # A dotted name and its parent packages as (name, folder) pairs, outermost first.
    Naming: TypeAlias = tuple[str, list[tuple[str, str]]]

__all__ = [
    "found_elsewhere",
    "identifier",
    "package_import_name",
    "package_name",
    "relative_name",
    "sys_path_name",
]

_SEP = os.sep
_SOURCE_SUFFIXES = tuple(SOURCE_SUFFIXES)
_CACHE_SIZE = 256
# The str entries of sys.path as last seen: (tuple(sys.path), the current folder the
# relative ones were resolved in or None, the importer-cache key of each entry as
# PathFinder makes it ('' is the current folder), the realpath of each ending with
# os.sep). Entries are resolved once: a sys.path folder link repointed later is not
# followed (a missed canonical name then falls back to a checked derived name).
_entries: list[tuple[tuple[object, ...], str | None, tuple[str, ...], tuple[str, ...]]] = []
# The listings of the FileFinders of the sys.path folders. Within _TRUST_SECONDS of
# a stat of each folder confirming them, they are trusted without another stat: a
# module file created in a sys.path folder that recently is not seen yet, unless
# importlib.invalidate_caches() was called (it resets the finders' mtime), as
# importlib's documentation asks of code that creates modules at run time.
_TRUST_SECONDS = 0.01
# [the finders of the sys.path entries, those that are FileFinders, their listing
# mtimes, when stats last confirmed those mtimes, the stems of all the listings,
# the listings]: see _missing_on_sys_path.
_view: list[Any] = []
# (tuple(sys.meta_path), its plan) as last seen: see _meta_path_plan.
_plans: list[tuple[tuple[object, ...], tuple[bool, frozenset[str]] | None]] = []
# What BuiltinImporter finds: the modules compiled into the interpreter.
_BUILTINS = frozenset(sys.builtin_module_names)
# Where the folder listings are case-insensitive and PYTHONCASEOK is set, FileFinder
# matches names ignoring case (importlib._bootstrap_external._relax_case).
_RELAXED_CASE = sys.platform.startswith(("win", "cygwin", "darwin"))


def identifier(stem: str) -> str:
    """*stem* made a valid identifier: other characters become ``_``, a digit start gets one.

    Non-ASCII text is NFKC-normalised first, as the parser normalises identifiers
    (PEP 3131): only that spelling can be imported by an ``import`` statement.
    """
    if not stem.isascii():
        import unicodedata

        stem = unicodedata.normalize("NFKC", stem)
    if stem.isidentifier():
        return stem
    fixed = "".join(char if f"_{char}".isidentifier() else "_" for char in stem)
    return fixed if fixed[:1].isidentifier() else f"_{fixed}"


def stem_name(file: str) -> str:
    """The name of *file* outside any package: its stem made an identifier."""
    base = os.path.basename(file)
    dot = base.rfind(".")
    stem = base[:dot] if dot > 0 else base
    # The common case, for which os.path.splitext and identifier() would change nothing.
    if stem.isascii() and stem.isidentifier():
        return stem
    return identifier(os.path.splitext(base)[0])


def package_name(file: str, *, is_package: bool) -> Naming:
    """The dotted name *file* gets from the package folders above it, and those packages.

    *file* is an absolute source path; *is_package* says it is a package's
    ``__init__.py``, which is then named after its folder. Like pytest's
    ``resolve_package_path``, the climb goes up while the folder holds an
    ``__init__.py`` and its name is an identifier, and stops at the first folder that
    does not: the name is relative to that folder, and it is never given up. The
    file's own part is made an identifier (:func:`identifier`), the folders' parts
    are used as they are.

    Example:
        >>> import os, tempfile
        >>> with tempfile.TemporaryDirectory() as root:
        ...     os.makedirs(os.path.join(root, "pkg", "sub"))
        ...     for folder in ("pkg", os.path.join("pkg", "sub")):
        ...         open(os.path.join(root, folder, "__init__.py"), "w").close()
        ...     name, parents = package_name(os.path.join(root, "pkg", "sub", "my-mod.py"),
        ...                                  is_package=False)
        ...     name, [package for package, _ in parents]
        ('pkg.sub.my_mod', ['pkg', 'pkg.sub'])

    :returns: the dotted name and the parent packages as ``(name, folder)`` pairs,
        outermost first (empty when the file's folder is not a package).
    """
    own, chain = _package_chain(file, is_package=is_package)
    return _join(chain, identifier(own))


def package_import_name(file: str, *, is_package: bool) -> str | None:
    """The name ``import`` gives *file* below the package folders :func:`package_name` climbs.

    The same climb, but the file's own part is kept as it is (``import_module``
    accepts ``pkg.0001_initial``); ``None`` when that part cannot be a module name
    part at all (empty, or holding a dot).
    """
    own, chain = _package_chain(file, is_package=is_package)
    if not own or "." in own:
        return None
    return _join(chain, own)[0]


def _package_chain(file: str, *, is_package: bool) -> tuple[str, list[tuple[str, str]]]:
    """*file*'s own name part and the ``(part, folder)`` packages above it, outermost first."""
    folder = os.path.dirname(file)
    if is_package:
        own = os.path.basename(folder)
        folder = os.path.dirname(folder)
    else:
        own = os.path.splitext(os.path.basename(file))[0]
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
    return own, chain


def relative_name(file: str, root: str, *, is_package: bool) -> Naming:
    """The dotted name of *file*'s path relative to the folder *root*, and its parents.

    Both are absolute resolved paths. ``root/a/test_x.py`` is ``a.test_x``,
    ``root/a/__init__.py`` is ``a``; every folder part must be an identifier, the
    file's stem is made one (:func:`identifier`). The parents are the folders
    below *root*, whether or not they hold an ``__init__.py``.

    :raises ValueError: *file* is not below *root*, is *root*'s own
        ``__init__.py``, or a folder part is not an identifier.
    """
    root = root if root.endswith(_SEP) else root + _SEP
    target = os.path.dirname(file) if is_package else file
    if not target.startswith(root) or target == root[:-1]:
        raise ValueError(
            f"cannot name {file!r} after the root {root[:-1]!r}: it is not inside that folder"
        )
    parts = target[len(root) :].split(_SEP)
    if not is_package:
        parts[-1] = os.path.splitext(parts[-1])[0]
    bad = [part for part in parts[:-1] if not part.isidentifier()]
    if bad:
        raise ValueError(
            f"cannot name {file!r} after the root {root[:-1]!r}: the folder {bad[0]!r} "
            "is not a valid module name part"
        )
    chain = []
    folder = root[:-1]
    for part in parts[:-1]:
        folder = os.path.join(folder, part)
        chain.append((part, folder))
    return _join(chain, identifier(parts[-1]))


def _join(chain: list[tuple[str, str]], own: str) -> Naming:
    parents: list[tuple[str, str]] = []
    prefix = ""
    for part, folder in chain:
        prefix = f"{prefix}.{part}" if prefix else part
        parents.append((prefix, folder))
    return (f"{prefix}.{own}" if prefix else own), parents


def sys_path_name(file: str, *, is_package: bool) -> Naming | None:
    """The name ``import`` would load *file* under from the current :data:`sys.path`.

    *file* is an absolute resolved source path (``.py``), *is_package* says it is a
    package's ``__init__.py``. For each :data:`sys.path` entry, in order, that
    contains the file, the path below the entry gives a candidate name (through
    regular and namespace-package folders alike); the first candidate whose static
    look-up (:func:`modutils._spec.find_spec_static`, nothing executed) finds this
    very file is the answer. ``None`` when there is none: the file is outside every
    entry, or hidden by another module of the same name.
    """
    target = os.path.dirname(file) if is_package else file
    if not is_package:
        if not target.endswith(_SOURCE_SUFFIXES):
            return None
        target = target.rpartition(".")[0]
    reals = _current_entries()[3]
    if not target.startswith(reals):
        return None
    for real in reals:
        if not target.startswith(real):
            continue
        parts = target[len(real) :].split(_SEP)
        if not all(part.isidentifier() for part in parts):
            continue
        name = ".".join(parts)
        spec = find_spec_static(name)
        origin = getattr(spec, "origin", None)
        if isinstance(origin, str) and _same_file(origin, file):
            chain = []
            folder = real[:-1]
            for part in parts[:-1]:
                folder = os.path.join(folder, part)
                chain.append((part, folder))
            return _join(chain, parts[-1])
    return None


def _current_entries() -> tuple[tuple[object, ...], str | None, tuple[str, ...], tuple[str, ...]]:
    """The str entries of :data:`sys.path` now, resolved (see :data:`_entries`)."""
    path: tuple[object, ...] = tuple(sys.path)
    if _entries:
        known = _entries[0]
        if known[0] == path:
            if known[1] is None:
                return known
            try:
                if known[1] == os.getcwd():
                    return known
            except OSError:
                pass
    cwd: str | None = None
    keys: list[str] = []
    reals: list[str] = []
    for entry in path:
        if not isinstance(entry, str):
            continue  # PathFinder skips them too
        key = entry
        if not os.path.isabs(entry):
            try:
                cwd = os.getcwd()
            except OSError:  # the current folder was deleted: nothing is found there
                continue
            key = entry or cwd
            entry = os.path.join(cwd, entry)
        real = os.path.realpath(entry)
        keys.append(key)
        reals.append(real if real.endswith(_SEP) else real + _SEP)
    state = (path, cwd, tuple(keys), tuple(reals))
    _entries[:] = [state]
    return state


def _same_file(path: str, file: str) -> bool:
    return path == file or os.path.realpath(path) == file


def found_elsewhere(name: str, *, file: str, folder: str | None) -> str | None:
    """Where the top-level module *name* comes from, when it is not the file about to load.

    ``None`` when nothing is importable as *name* (nothing loaded, nothing found by
    the finders on :data:`sys.meta_path`; no module's code runs to find out), when the
    name is blocked with ``None`` in :data:`sys.modules`, or when what is found is
    *file* itself (a module) or has the folder *folder* among its search locations
    (a package): the name is then free for the load, or already its own. Otherwise
    a short description of the other module's origin.

    A loaded module is judged by its namespace (``vars()``, never ``getattr``, so a
    lazy module stays lazy). The common answer, "nothing anywhere", is given without
    asking :class:`~importlib.machinery.PathFinder` for every entry: each folder's
    listing is the one its :class:`~importlib.machinery.FileFinder` keeps, checked
    against ``os.stat`` of the folder as ``FileFinder.find_spec`` checks it; only a
    possible hit goes through the full static look-up.
    """
    modules = sys.modules
    if name in modules:
        module: object = modules[name]
        if module is None:
            return None
        namespace = getattr(module, "__dict__", None)
        spec = namespace.get("__spec__") if isinstance(namespace, dict) else None
        if spec is None:
            origin = namespace.get("__file__") if isinstance(namespace, dict) else None
            if isinstance(origin, str) and _same_file(origin, file):
                return None
            return f"loaded as {module!r}"
    elif _surely_missing(name):
        return None
    else:
        spec = _find_top_level(name)
        if spec is None:
            return None
    if _is_own(spec, file, folder):
        return None
    origin = getattr(spec, "origin", None)
    if origin is None:
        origin = list(getattr(spec, "submodule_search_locations", None) or [])
    return f"from {origin!r}"


def _find_top_level(name: str) -> object:
    """The spec the finders on :data:`sys.meta_path` give for the top-level *name*.

    What ``import name`` would ask, in the same order, without loading anything.
    Unlike :func:`~modutils._spec.find_spec_static`, no snapshot of
    :data:`sys.modules` is put back afterwards: that put-back would also undo the
    imports other threads finish meanwhile (``import_path`` runs in many threads at
    once). A third-party finder that imports while it answers (setuptools'
    ``distutils`` shim for ``distutils``) leaves that import, as ``import`` would.
    """
    for finder in sys.meta_path:
        if _known_silent(finder, name):
            continue
        find_spec = getattr(finder, "find_spec", None)
        if find_spec is None:
            continue
        spec = find_spec(name, None)
        if spec is not None:
            return spec
    return None


def _is_own(spec: object, file: str, folder: str | None) -> bool:
    if folder is not None:
        locations = getattr(spec, "submodule_search_locations", None)
        return locations is not None and any(
            os.path.realpath(os.fspath(entry)) == folder for entry in locations
        )
    origin = getattr(spec, "origin", None)
    return isinstance(origin, str) and _same_file(origin, file)


def _surely_missing(name: str) -> bool:
    """Whether no finder can find the top-level *name*; ``False`` when unsure."""
    plan = _meta_path_plan()
    if plan is None:
        return False
    path_finder, silent_unless = plan
    if name in _BUILTINS or is_frozen(name) or name in silent_unless:
        return False
    return not path_finder or _missing_on_sys_path(name)


def _meta_path_plan() -> tuple[bool, frozenset[str]] | None:
    """How to answer for the finders on :data:`sys.meta_path` (cached per list content).

    ``None`` when a finder the fast answer does not know is there. Otherwise
    whether :class:`~importlib.machinery.PathFinder` is there, and the names for
    which a known finder does answer (so they need the full look-up).
    """
    finders = tuple(sys.meta_path)
    if _plans and _plans[0][0] == finders:
        return _plans[0][1]
    plan: tuple[bool, frozenset[str]] | None
    path_finder = False
    silent_unless: set[str] = set()
    for finder in finders:
        if finder is PathFinder:
            path_finder = True
        elif finder is BuiltinImporter or finder is FrozenImporter:
            continue  # answered from _BUILTINS and is_frozen
        else:
            known = known_finder_names(finder)
            if known is None:
                break
            silent_unless.update(known)
    else:
        plan = (path_finder, frozenset(silent_unless))
        _plans[:] = [(finders, plan)]
        return plan
    plan = None
    _plans[:] = [(finders, plan)]
    return plan


def _known_silent(finder: object, name: str) -> bool:
    """Whether *finder* is known to find nothing for *name* without being asked."""
    known = known_finder_names(finder)
    return known is not None and name.partition(".")[0] not in known


def _missing_on_sys_path(name: str) -> bool:
    """Whether no folder on :data:`sys.path` provides the top-level *name*; ``False`` if unsure.

    The folders' listings are their FileFinders' own. They are checked as a whole,
    with C-level calls only, while nothing changed: the same finders for the same
    entries, each with the same listing mtime (a FileFinder sets it with each new
    listing, ``invalidate_caches()`` resets it), and a stat of every folder
    confirmed those mtimes less than :data:`_TRUST_SECONDS` ago.
    """
    if _RELAXED_CASE and "PYTHONCASEOK" in os.environ:
        return False
    keys = _current_entries()[2]
    finders = tuple(map(sys.path_importer_cache.get, keys, repeat(_MISSING, len(keys))))
    view = _view
    now = time.monotonic()
    if (
        not view
        or view[0] != finders
        or view[2] != tuple(map(file_finder_mtime, view[1]))
        or now - view[3] > _TRUST_SECONDS
    ) and not _look(finders, now):
        return False
    return name not in _view[4]


def _look(finders: tuple[object, ...], now: float) -> bool:
    """Make :data:`_view` describe *finders*; ``False`` when it cannot be trusted.

    Every finder must be a plain FileFinder (or ``None``, an entry no hook
    handles, skipped as import skips it) whose listing a fresh stat of its folder
    confirms; otherwise the full look-up answers (and refreshes the listing).
    """
    folders = []
    for finder in finders:
        if finder is None:
            continue
        if finder.__class__ is not FileFinder:
            return False  # no finder yet (the full look-up makes one), or another kind
        folders.append(finder)
    states = tuple(map(file_finder_state, folders))
    for finder, (mtime, _) in zip(folders, states, strict=False):
        try:
            current = os.stat(getattr(finder, "path", "")).st_mtime
        except OSError:
            current = -1
        if current != mtime:
            return False
    listings = tuple(names for _, names in states)
    stems: frozenset[str]
    if _view and _view[5] == listings:
        stems = _view[4]
    else:
        # Each listed name up to its first dot (x for x.py, x.cpython-311.so, the
        # folder x): a superset of what the folders provide, and a false hit only
        # costs the full look-up.
        stems = frozenset(item.partition(".")[0] for _, names in states for item in names)
    _view[:] = [finders, tuple(folders), tuple(mtime for mtime, _ in states), now, stems, listings]
    return True


_MISSING: object = object()
