"""The static half of member listing: a module's members from source, nothing run.

:func:`modutils.list_members_static` locates the module without importing it,
replays its module-level bindings (:func:`modutils._codefacts.summarize`, cached
per file) and follows ``from x import y`` into ``x``'s source, cycle-safe, to tell
each imported name's kind and defining module.
"""

from __future__ import annotations

import os
import sys
import threading
import types
from typing import NamedTuple

from modutils._cache import remember
from modutils._codefacts import Delete, FromImport, Import, Local, Summary, summarize
from modutils._compat import namespace_of
from modutils._naming import package_import_name
from modutils._paths import fspath_str, looks_like_path
from modutils._source import ImportStatement, analyze_file, resolve_import
from modutils._spec import _SOURCE_SUFFIXES, check_module_name, find_spec_static, source_path
from modutils.members import (
    _INTERPRETER_NAMES,
    MemberKind,
    StaticMember,
    _defining_module,
    _is_public,
    _keep,
    _kind_of_value,
)

__all__ = ["static_members"]

_MISSING = object()
_KIND_BY_NAME: dict[str, MemberKind] = {kind.value: kind for kind in MemberKind}


class _Ref(NamedTuple):
    """A module found without importing it: its name, source file and search folders."""

    name: str | None
    path: str | None
    locations: tuple[str, ...] | None  # None: not a package

    @property
    def is_package(self) -> bool:
        return self.locations is not None


class _FromSource(NamedTuple):
    """``from <level dots><module> import ...`` in the module *importer*; located on demand."""

    importer: _Ref
    level: int
    module: str | None


class _Binding(NamedTuple):
    kind: MemberKind | None  # None: a from-import, followed on demand
    module: str | None
    lineno: int
    imported: bool
    source: _FromSource | None = None  # from-imports: the module imported from
    attribute: str = ""  # from-imports: the name looked up in it
    fallback: MemberKind | None = None  # the kind of a later local binding


class _StaticModule(NamedTuple):
    ref: _Ref
    bindings: dict[str, _Binding]
    exported: tuple[str, ...] | None  # None: no __all__, or one source cannot tell


_MAX_DEPTH = 16
_REPLAY_CACHE_SIZE = 1024
_replays: dict[_Ref, tuple[Summary, _StaticModule]] = {}
_replays_lock = threading.Lock()


class _StaticReader:
    """Reads module sources and follows their imports, each file once per listing."""

    def __init__(self) -> None:
        self._modules: dict[str, _StaticModule | None] = {}
        self._located: dict[tuple[str | None, int, str | None], _Ref | None] = {}

    def read(self, ref: _Ref) -> _StaticModule | None:
        """The bindings of *ref*'s source; ``None`` when it has none or is being read."""
        if ref.path is None:
            return None
        if ref.path in self._modules:
            return self._modules[ref.path]
        self._modules[ref.path] = None  # a cycle of imports reads as "unknown"
        try:
            summary = analyze_file(ref.path, summarize)
        except (OSError, SyntaxError, ValueError):
            return None
        return self.read_target(ref, summary)

    def read_target(self, ref: _Ref, summary: Summary) -> _StaticModule:
        self._modules[ref.path or ""] = None
        cached = _replays.get(ref)
        if cached is not None and cached[0] is summary:
            module = cached[1]
        else:
            module = self._replay(summary, ref)
            if not summary.stars:
                # Without star imports the bindings depend on this file and the
                # name it is read under alone: valid while analyze_file returns
                # the same summary.
                with _replays_lock:
                    remember(_replays, ref, (summary, module), _REPLAY_CACHE_SIZE)
        self._modules[ref.path or ""] = module
        return module

    # -- locating imported modules, never importing them

    def by_name(self, name: str) -> _Ref | None:
        try:
            spec = find_spec_static(name)
        except Exception:  # a finder failed: the source cannot tell
            return None
        if spec is None:
            return None
        # Read without attribute hooks: vars() itself loads a LazyLoader module.
        namespace = namespace_of(sys.modules.get(name))
        file = None if namespace is None else namespace.get("__file__")
        locations = spec.submodule_search_locations
        return _Ref(name, source_path(spec, file), None if locations is None else tuple(locations))

    def locate(self, source: _FromSource) -> _Ref | None:
        """The module a from-import reads, found without importing it (memoised)."""
        key = (source.importer.path, source.level, source.module)
        if key not in self._located:
            if source.level:
                ref = self._relative(source)
            else:
                assert source.module is not None  # `from import x` does not parse
                ref = self.by_name(source.module) or _Ref(source.module, None, None)
            self._located[key] = ref
        return self._located[key]

    def _relative(self, source: _FromSource) -> _Ref | None:
        # Resolved in the file system next to the importer, as FileFinder would in
        # the importer's package: a path target need not be importable by name.
        importer = source.importer
        if importer.path is None:
            return None
        name = _absolute(source)
        base = os.path.dirname(importer.path)
        for _ in range(source.level - 1):
            base = os.path.dirname(base)
        if not source.module:
            return _folder_ref(name, base)
        *parents, last = source.module.split(".")
        folder = os.path.join(base, *parents)
        package = _folder_ref(name, os.path.join(folder, last))
        if package is not None and package.path is not None:
            return package
        for suffix in _SOURCE_SUFFIXES:
            candidate = os.path.join(folder, last + suffix)
            if os.path.isfile(candidate):
                return _Ref(name, candidate, None)
        return package

    def submodule(self, ref: _Ref, attribute: str) -> str | None:
        """The full name of *ref*'s submodule *attribute* if one exists, else ``None``."""
        if ref.locations is None or ref.name is None:
            return None
        from importlib.machinery import all_suffixes

        suffixes = all_suffixes()
        for folder in ref.locations:
            candidate = os.path.join(folder, attribute)
            if os.path.isdir(candidate) or any(
                os.path.isfile(candidate + suffix) for suffix in suffixes
            ):
                return f"{ref.name}.{attribute}"
        return None

    # -- following from-imports

    def resolve_binding(self, binding: _Binding, depth: int = 0) -> tuple[MemberKind, str | None]:
        """The kind and defining module of *binding*, following from-imports."""
        if binding.kind is not None:
            return binding.kind, binding.module
        fallback = binding.fallback or MemberKind.DATA
        if binding.source is None or depth > _MAX_DEPTH:
            return fallback, binding.module
        source = self.locate(binding.source)
        if source is None:
            return fallback, binding.module
        # `from x import y` takes x's attribute y first and falls back to the
        # submodule x.y only when x does not bind y (CPython's _handle_fromlist,
        # then IMPORT_FROM's sys.modules fallback).
        module = self.read(source)
        if module is not None:
            found = module.bindings.get(binding.attribute)
            if found is not None and found is not binding:
                kind, defining = self.resolve_binding(found, depth + 1)
                if found.kind is not None or kind is not MemberKind.DATA:
                    return kind, defining
        submodule = self.submodule(source, binding.attribute)
        if submodule is not None:
            return MemberKind.MODULE, submodule
        # No source to follow (extension, builtin): an already imported module's
        # namespace still answers without running anything.
        loaded = sys.modules.get(source.name) if source.name else None
        if isinstance(loaded, types.ModuleType):
            value = vars(loaded).get(binding.attribute, _MISSING)
            if value is not _MISSING:
                kind = _kind_of_value(value)
                if kind is MemberKind.MODULE:
                    return kind, _module_name(value)
                if kind is not MemberKind.DATA:
                    return kind, _defining_module(value)
                return kind, source.name
        return fallback, binding.module

    def star_names(self, ref: _Ref) -> list[str]:
        """The names ``from ref import *`` binds, as far as source can tell."""
        module = self.read(ref)
        if module is not None:
            if module.exported is not None:
                return [name for name in module.exported if name in module.bindings]
            return [name for name in module.bindings if not name.startswith("_")]
        loaded = sys.modules.get(ref.name) if ref.name else None
        if isinstance(loaded, types.ModuleType):
            namespace = vars(loaded)
            exported = namespace.get("__all__")
            if isinstance(exported, (list, tuple)):
                return [name for name in exported if isinstance(name, str)]
            return [name for name in namespace if not name.startswith("_")]
        return []

    # -- the binding walk

    def _replay(self, summary: Summary, ref: _Ref) -> _StaticModule:
        """The bindings of the module *ref*, from its file's summary, star imports expanded."""
        bindings: dict[str, _Binding] = {}

        def bind(name: str, binding: _Binding, top: bool) -> None:
            existing = bindings.get(name)
            if existing is None or top:
                # A statement outside any block runs after every earlier binding:
                # its binding is the one left (in the namespace's original slot).
                bindings[name] = binding
            elif existing.kind is None and existing.fallback is None and binding.kind is not None:
                # The first binding decides; a later local one (the `except
                # ImportError:` fallback) still tells the kind if the import cannot.
                bindings[name] = existing._replace(fallback=binding.kind)

        def own_submodule(imported: str | None, lineno: int, top: bool) -> None:
            # Importing pkg.child.x from inside pkg binds `child` in pkg's namespace
            # as a side effect: _bootstrap._load_unlocked sets it on its parent.
            own = ref.name
            if imported is None or own is None or not ref.is_package:
                return
            if imported.startswith(f"{own}."):
                child = imported[len(own) + 1 :].partition(".")[0]
                bind(child, _Binding(MemberKind.MODULE, f"{own}.{child}", lineno, False), top)

        for event in summary.events:
            if type(event) is Local:
                kind = _KIND_BY_NAME[event.kind]
                bind(event.name, _Binding(kind, ref.name, event.lineno, False), event.top)
            elif type(event) is Import:
                own_submodule(event.imported, event.lineno, event.top)
                binding = _Binding(MemberKind.MODULE, event.module, event.lineno, True)
                bind(event.bound, binding, event.top)
            elif type(event) is FromImport:
                source = _FromSource(ref, event.level, event.module)
                module = _absolute(source)
                # The import binds the submodule in its package first, then the
                # statement binds its names: `from .tool import tool` leaves the
                # function, as at run time.
                own_submodule(module, event.lineno, event.top)
                lineno, top = event.lineno, event.top
                for name, bound in event.names:
                    if name == "*":
                        located = self.locate(source)
                        for star in self.star_names(located) if located is not None else ():
                            bind(star, _Binding(None, module, lineno, True, source, star), top)
                    else:
                        bind(bound, _Binding(None, module, lineno, True, source, name), top)
            elif type(event) is Delete:
                bindings.pop(event.name, None)
        return _StaticModule(ref, bindings, summary.exported)


def _absolute(source: _FromSource) -> str | None:
    if not source.level:
        return source.module
    importer = source.importer
    if importer.name is None:
        return None
    statement = ImportStatement(source.level, source.module, (), (), 0)
    return resolve_import(statement, importer.name, is_package=importer.is_package)


def _module_name(value: object) -> str | None:
    name = vars(value).get("__name__")
    return name if isinstance(name, str) else None


def _folder_ref(name: str | None, folder: str) -> _Ref | None:
    init = os.path.join(folder, "__init__.py")
    if os.path.isfile(init):
        return _Ref(name, init, (folder,))
    if os.path.isdir(folder):
        return _Ref(name, None, (folder,))  # a namespace package: no source
    return None


# What os.stat says a path is, for the message when it is not a regular file.
_FILE_TYPES = (
    ("S_ISDIR", "a directory"),
    ("S_ISFIFO", "a FIFO (named pipe)"),
    ("S_ISSOCK", "a socket"),
    ("S_ISCHR", "a character device"),
    ("S_ISBLK", "a block device"),
)


def _check_source_file(path: str, missing: str, label: str) -> None:
    """Raise unless *path* is a regular file; never open it (a FIFO would block)."""
    import errno
    import stat

    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError) as exc:
        raise FileNotFoundError(errno.ENOENT, missing, path) from exc
    if stat.S_ISREG(mode):
        return
    what = next(
        (text for test, text in _FILE_TYPES if getattr(stat, test)(mode)), "not a regular file"
    )
    raise ValueError(
        f"cannot list the members of {label} statically: {path!r} is {what}, not a source file"
    )


def _locate_target(target: object) -> _Ref:
    if isinstance(target, os.PathLike) or (isinstance(target, str) and looks_like_path(target)):
        path = os.path.abspath(fspath_str(target, what="target"))
        if os.path.isdir(path):
            path = os.path.join(path, "__init__.py")
        missing = f"cannot list members statically: no such source file {path!r}"
        _check_source_file(path, missing, repr(path))
        is_package = os.path.splitext(os.path.basename(path))[0] == "__init__"
        name = package_import_name(path, is_package=is_package)
        return _Ref(name, path, (os.path.dirname(path),) if is_package else None)
    if not isinstance(target, str):
        raise TypeError(
            "target must be a dotted module name or a path to a .py file, "
            f"not {type(target).__name__}: {target!r}"
        )
    name = check_module_name(target)
    ref = _StaticReader().by_name(name)
    if ref is None:
        raise ModuleNotFoundError(f"No module named {name!r}: cannot list its members", name=name)
    if ref.path is None:
        origin = getattr(find_spec_static(name), "origin", None)
        raise ValueError(
            f"cannot list the members of {name!r} statically: it has no Python source "
            f"(origin: {origin!r})"
        )
    missing = f"cannot list the members of {name!r}: its source is missing"
    _check_source_file(ref.path, missing, repr(name))
    return ref


def static_members(
    target: object,
    wanted: frozenset[MemberKind] | None,
    include_private: bool,
    include_imported: bool,
) -> list[StaticMember]:
    """:func:`modutils.list_members_static` once its *kinds* are checked."""
    ref = _locate_target(target)
    path = ref.path or ""
    label = ref.name or path
    try:
        summary = analyze_file(path, summarize)
    except (SyntaxError, ValueError) as exc:  # ValueError: NUL bytes (3.11), bad encoding
        lineno = getattr(exc, "lineno", None)
        raise SyntaxError(
            f"cannot list the members of {label!r} statically: {path} does not parse: {exc}",
            (path, lineno, getattr(exc, "offset", None), getattr(exc, "text", None)),
        ) from exc
    except OSError as exc:
        raise type(exc)(
            exc.errno, f"cannot read the source of {label!r}: {exc.strerror}", path
        ) from exc
    reader = _StaticReader()
    module = reader.read_target(ref, summary)
    exported = None if module.exported is None else frozenset(module.exported)
    own = ref.name
    members: list[StaticMember] = []
    for name, binding in module.bindings.items():
        if name in _INTERPRETER_NAMES:
            continue
        if not include_private and not _is_public(name, exported):
            continue
        kind, defining = reader.resolve_binding(binding)
        if wanted is not None and kind not in wanted:
            continue
        imported = binding.imported
        if kind is MemberKind.MODULE and ref.is_package and own and defining == f"{own}.{name}":
            imported = False  # a package's own submodule, as in list_members
        if _keep(name, imported, exported, include_private, include_imported):
            members.append(StaticMember(name, kind, defining, binding.lineno, imported))
    return members
