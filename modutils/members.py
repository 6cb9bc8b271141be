"""List a module's members precisely: what it defines, what it imports, and what each one is.

:func:`list_members` reads an imported module's namespace directly, so a lazy
module's PEP 562 ``__getattr__`` and ``__dir__`` are never called, and tells the
names the module defines from the names it imports by reading its source (cached
per file and mtime in :mod:`modutils._source`). :func:`list_members_static` gives
the same listing from the source alone, without running anything.
"""

from __future__ import annotations

import enum
import operator
import os
import sys
import threading
import types
import weakref
from collections import abc
from itertools import compress, repeat
from typing import NamedTuple

from modutils._paths import fspath_str
from modutils._source import ImportStatement, analyze_file, resolve_import, scan_imports
from modutils._spec import check_module_name, find_spec_static, is_missing, source_path
from modutils._state import ModulesSnapshot
from modutils.errors import ModuleLoadError

TYPE_CHECKING = False
if TYPE_CHECKING:
    import ast
    from collections.abc import Callable, Iterable, Mapping

__all__ = ["Member", "MemberKind", "StaticMember", "list_members", "list_members_static"]


class MemberKind(enum.Enum):
    """What a module member is: a module, a class, a function, or anything else.

    The values are lower-case strings (``"module"``, ``"class"``, ``"function"``,
    ``"data"``), handy for command lines and JSON. :func:`list_members` decides the
    kind from the value's type, :func:`list_members_static` from the syntax that
    binds the name.

    Example:
        >>> MemberKind("function") is MemberKind.FUNCTION
        True
        >>> [kind.value for kind in MemberKind]
        ['module', 'class', 'function', 'data']
    """

    #: A module object: an imported module, or a package's own submodule.
    MODULE = "module"
    #: Any class, exceptions and classes with a custom metaclass included.
    CLASS = "class"
    #: Every routine, as :func:`inspect.isroutine` tells them: ``def``, ``async
    #: def`` and ``lambda`` functions, builtin functions, bound methods, method
    #: descriptors and any object whose type has ``__get__`` but no ``__set__``
    #: (C dispatchers such as numpy's, ``functools.lru_cache``/``cache``
    #: wrappers). ``functools.partial`` objects and other callable instances are
    #: :attr:`DATA`.
    FUNCTION = "function"
    #: Everything else.
    DATA = "data"


class Member(NamedTuple):
    """One member of an imported module, as :func:`list_members` reports it.

    :attr:`imported` says how the *name* got into the module (an ``import``
    statement, or the module's own code); :attr:`module` says where the *object*
    comes from: ``__module__`` for classes and functions, the module's own name for
    modules, and for data the listed module when it defines the name, the module it
    was imported from otherwise (``None`` when that cannot be told).

    Example:
        >>> member = list_members("json", kinds={MemberKind.FUNCTION})[0]
        >>> member.name, member.kind, member.module, member.imported
        ('dump', <MemberKind.FUNCTION: 'function'>, 'json', False)
        >>> member.value is __import__("json").dump
        True
    """

    #: The name bound in the module's namespace.
    name: str
    #: The object bound to it, read from the namespace (never through ``getattr``).
    value: object
    kind: MemberKind
    #: The name of the module that defines the object, or ``None`` when unknown.
    module: str | None
    #: ``True`` when an ``import`` statement bound the name (see :func:`list_members`).
    imported: bool


class StaticMember(NamedTuple):
    """One member of a module as its source binds it, as :func:`list_members_static` reports it.

    There is no ``value`` field: nothing is executed, so there is no object to
    report, and the type checker rejects ``member.value``. :attr:`lineno` is the line
    of the binding statement that decided the member (see
    :func:`list_members_static`). :attr:`module` follows :class:`Member`'s rules,
    as far as source can tell: ``from x import y`` is followed into ``x``'s source
    when it has one.

    Example:
        >>> import json
        >>> member = list_members_static("json", kinds={MemberKind.FUNCTION})[0]
        >>> member.name, member.kind, member.module, member.imported
        ('dump', <MemberKind.FUNCTION: 'function'>, 'json', False)
        >>> member.lineno == json.dump.__code__.co_firstlineno
        True
    """

    name: str
    kind: MemberKind
    #: The name of the module that defines the member, or ``None`` when unknown.
    module: str | None
    #: The line of the statement that binds the name.
    lineno: int
    #: ``True`` when an ``import`` statement binds the name.
    imported: bool


# Names the interpreter and the import system put in every module namespace
# (PyModule_NewObject, importlib._bootstrap._init_module_attrs, the compiler for
# annotations, the warnings machinery): never members, whatever the flags say.
_INTERPRETER_NAMES: frozenset[str] = frozenset(
    {
        "__annotate__",
        "__annotations__",
        "__builtins__",
        "__cached__",
        "__conditional_annotations__",
        "__doc__",
        "__file__",
        "__loader__",
        "__name__",
        "__package__",
        "__path__",
        "__spec__",
        "__warningregistry__",
    }
)

_FUNCTION_TYPES: tuple[type, ...] = (
    types.FunctionType,
    types.BuiltinFunctionType,
    types.MethodType,
    types.MethodDescriptorType,
    types.ClassMethodDescriptorType,
    types.WrapperDescriptorType,
    types.MethodWrapperType,
)
# The common exact types first: one dict look-up instead of a chain of issubclass.
_KIND_BY_TYPE: dict[type, MemberKind] = {
    **dict.fromkeys(_FUNCTION_TYPES, MemberKind.FUNCTION),
    **dict.fromkeys(
        (int, str, bytes, float, bool, type(None), tuple, list, dict, set, frozenset),
        MemberKind.DATA,
    ),
    type: MemberKind.CLASS,
    types.ModuleType: MemberKind.MODULE,
}
_DESCRIPTOR_SLOTS = frozenset({"__get__", "__set__", "__delete__"})
_SOURCE_SUFFIXES = (".py", ".pyw")
_MISSING = object()
_CALLABLE_KINDS = (MemberKind.CLASS, MemberKind.FUNCTION)
_STR_OR_NONE = frozenset({str, type(None)})
# Argument streams for map(): built once, they are infinite and never exhausted.
_MODULE_ATTRIBUTE = repeat("__module__")
_NONE = repeat(None)
_UNDERSCORE = repeat("_")
_startswith = str.startswith
_KIND = operator.itemgetter(2)
_IMPORTED = operator.itemgetter(4)


def _kind_of(value: object) -> MemberKind:
    return _KIND_BY_TYPE.get(type(value)) or _kind_of_type(type(value))


def _check_kinds(kinds: Iterable[MemberKind] | None) -> frozenset[MemberKind] | None:
    if kinds is None:
        return None
    if isinstance(kinds, (MemberKind, str)):
        raise TypeError(
            f"kinds must be a collection of MemberKind, not {type(kinds).__name__}: {kinds!r}"
        )
    try:
        wanted = frozenset(kinds)
    except TypeError as exc:
        raise TypeError(
            f"kinds must be a collection of MemberKind, not {type(kinds).__name__}: {kinds!r}"
        ) from exc
    for kind in wanted:
        if not isinstance(kind, MemberKind):
            raise TypeError(
                f"kinds must hold MemberKind members, not {type(kind).__name__}: {kind!r}"
            )
    return wanted


def _is_public(name: str, exported: frozenset[str] | None) -> bool:
    return name in exported if exported is not None else not name.startswith("_")


def _keep(
    name: str,
    imported: bool,
    exported: frozenset[str] | None,
    include_private: bool,
    include_imported: bool,
) -> bool:
    if exported is not None and name in exported:
        return True
    if not include_private and not _is_public(name, exported):
        return False
    return include_imported or not imported


# --------------------------------------------------------------------------- runtime


def _import_module(name: str) -> types.ModuleType:
    from importlib import import_module

    snapshot = ModulesSnapshot()
    saved_path = sys.path[:]
    done = False
    try:
        module = import_module(name)
        done = True
    except ModuleNotFoundError as exc:
        if is_missing(exc, name):
            raise ModuleNotFoundError(
                f"No module named {name!r}: cannot list its members", name=name
            ) from exc
        raise ModuleLoadError(
            f"cannot list the members of {name!r}: importing it raised {exc!r}",
            name=name,
            path=_origin_of(name),
        ) from exc
    except Exception as exc:
        raise ModuleLoadError(
            f"cannot list the members of {name!r}: importing it ({_origin_of(name)}) "
            f"raised {exc!r}",
            name=name,
            path=_origin_of(name),
        ) from exc
    finally:
        if not done:
            snapshot.restore()
            sys.path[:] = saved_path
    if not isinstance(module, types.ModuleType):
        raise TypeError(f"sys.modules[{name!r}] is not a module: {module!r}")
    return module


def _origin_of(name: str) -> str | None:
    try:
        spec = find_spec_static(name)
    except Exception:  # the finders failed too; the message just has no file
        return None
    origin = getattr(spec, "origin", None)
    return origin if isinstance(origin, str) else None


def _module_object(module: object) -> types.ModuleType:
    if isinstance(module, types.ModuleType):
        return module
    if not isinstance(module, str):
        raise TypeError(
            "module must be a module object or a dotted module name, "
            f"not {type(module).__name__}: {module!r}"
        )
    name = check_module_name(module)
    existing = sys.modules.get(name)
    if isinstance(existing, types.ModuleType):
        return existing
    return _import_module(name)


class _ImportTable(NamedTuple):
    """A module's import-bound names, worked out once per source scan and cached with it."""

    #: The tuple scan_imports returned; the table is valid while it returns the same one.
    statements: tuple[ImportStatement, ...]
    bound: dict[str, tuple[ImportStatement, ...]]
    #: The names import statements bind (star imports aside), as a set.
    names: frozenset[str]
    stars: tuple[ImportStatement, ...]
    #: (level, module, importer name, is package) -> the absolute module imported from.
    sources: dict[tuple[int, str | None, str | None, bool], str | None]
    #: (name, importer name, is package) -> (module, attribute) pairs that bind the name;
    #: attribute None: `import a.b as name` binds the module itself.
    origins: dict[tuple[str, str | None, bool], tuple[tuple[str, str | None], ...]]

    def source(self, statement: ImportStatement, own: str | None, is_package: bool) -> str | None:
        """The absolute name of the module *statement* imports from, in module *own*."""
        key = (statement.level, statement.module, own, is_package)
        try:
            return self.sources[key]
        except KeyError:
            pass
        if statement.level and own is None:
            source = None
        else:
            source = resolve_import(statement, own or "", is_package=is_package)
        self.sources[key] = source
        return source


_TABLE_CACHE_SIZE = 256
_tables_lock = threading.Lock()
_tables: dict[str, _ImportTable] = {}


def _import_table(path: str | None) -> _ImportTable | None:
    if path is None:
        return None
    try:
        statements = scan_imports(path)
    except (OSError, SyntaxError, ValueError):
        # The file is gone, unreadable or no longer parses (edited since the
        # import): fall back to __module__ as for source-less modules.
        return None
    table = _tables.get(path)
    if table is not None and table.statements is statements:
        return table
    bound: dict[str, list[ImportStatement]] = {}
    stars: list[ImportStatement] = []
    for statement in statements:
        for name in statement.bound:
            if name == "*":
                stars.append(statement)
            else:
                bound.setdefault(name, []).append(statement)
    table = _ImportTable(
        statements,
        {name: tuple(found) for name, found in bound.items()},
        frozenset(bound),
        tuple(stars),
        {},
        {},
    )
    with _tables_lock:
        if len(_tables) >= _TABLE_CACHE_SIZE and path not in _tables:
            del _tables[next(iter(_tables))]
        _tables[path] = table
    return table


def _defining_module(value: object) -> str | None:
    try:
        name = getattr(value, "__module__", None)
    except Exception:  # a metaclass property may raise anything
        return None
    return name if isinstance(name, str) else None


def _kind_of_type(cls: type) -> MemberKind:
    # issubclass on the exact type: isinstance would fall back to value.__class__,
    # which proxy objects (and mocks) override, and reading it may run their code.
    if issubclass(cls, type):
        return MemberKind.CLASS
    if issubclass(cls, types.ModuleType):
        return MemberKind.MODULE
    if issubclass(cls, _FUNCTION_TYPES) or _is_method_descriptor_type(cls):
        return MemberKind.FUNCTION
    return MemberKind.DATA


def _is_method_descriptor_type(cls: type) -> bool:
    """Whether instances of *cls* are routines by ``inspect.ismethoddescriptor``'s rule.

    A type with ``__get__`` but neither ``__set__`` nor ``__delete__``: numpy's C
    dispatchers, ``functools.lru_cache``/``cache`` wrappers, ``staticmethod``
    objects. ``functools.partial`` is left out, as inspect does since it gained a
    ``__get__`` in 3.13. Read from the classes' own dictionaries along the MRO, so
    no metaclass ``__getattr__`` runs.
    """
    namespaces = [vars(base) for base in type.__dict__["__mro__"].__get__(cls)]
    found = {slot for slot in _DESCRIPTOR_SLOTS for names in namespaces if slot in names}
    if found != {"__get__"}:
        return False
    import functools  # loaded by the standard library at start-up in practice

    return not issubclass(cls, functools.partial)


def _from_module(
    name: str, value: object, table: _ImportTable, own: str | None, is_package: bool
) -> str | None:
    """The module that the import statements binding *name* took *value* from."""
    key = (name, own, is_package)
    origins = table.origins.get(key)
    if origins is None:
        found: list[tuple[str, str | None]] = []
        for statement in table.bound[name]:
            source = table.source(statement, own, is_package)
            if source is not None:
                # `import a.b as c` binds the module a.b itself.
                attribute = (
                    statement.names[statement.bound.index(name)] if statement.names else None
                )
                found.append((source, attribute))
        origins = table.origins[key] = tuple(found)
    candidates: list[str] = []
    for source, attribute in origins:
        module = sys.modules.get(source)
        if attribute is None:
            if module is value:
                return source
            continue
        if module is not None and vars(module).get(attribute, _MISSING) is value:
            return source
        candidates.append(source)
    return candidates[0] if len(set(candidates)) == 1 else None


class _StarSource(NamedTuple):
    """A module a star import read: ``from source import *`` bound *names* of *namespace*."""

    source: str
    namespace: Mapping[str, object]
    #: The module's ``__all__`` as a set; ``None``: the names without a leading underscore.
    exported: frozenset[str] | list[object] | tuple[object, ...] | None


def _star_sources(own: str | None, is_package: bool, table: _ImportTable) -> list[_StarSource]:
    """The imported modules *table*'s star imports read, once per listing, in order."""
    found: list[_StarSource] = []
    for statement in table.stars:
        source = table.source(statement, own, is_package)
        module = sys.modules.get(source) if source is not None else None
        if source is None or not isinstance(module, types.ModuleType):
            continue
        theirs = vars(module)
        exported = theirs.get("__all__")
        if isinstance(exported, (list, tuple)):
            try:
                exported = frozenset(exported)
            except TypeError:  # unhashable items: test membership in the sequence itself
                pass
        else:
            exported = None
        found.append(_StarSource(source, theirs, exported))
    return found


def _star_source(name: str, value: object, stars: list[_StarSource]) -> str | None:
    """The module whose star import bound *name* to *value*, if one did.

    It must hold the very same object and ``from source import *`` must bind the
    name (CPython's import_all_from: ``__all__`` when the module defines one,
    else the names without a leading underscore); the first such import wins.
    """
    for source, theirs, exported in stars:
        if theirs.get(name, _MISSING) is value and (
            name[:1] != "_" if exported is None else name in exported
        ):
            return source
    return None


class _Columns(NamedTuple):
    """A module's members (interpreter names aside), in namespace order."""

    names: list[str]
    members: list[Member]


def _classify(
    namespace: dict[str, object], own: str | None, is_package: bool, table: _ImportTable | None
) -> _Columns:
    """Classify every member of *namespace*, a private copy that this consumes.

    This runs on every first listing of a module, so the per-name work is one pass
    with a type look-up, at most one attribute read (``__module__`` of classes and
    functions) and set/dict look-ups in what was worked out once: the names the
    source's import statements bind (cached with the scan) and the names its star
    imports brought in (:func:`_star_sources`, once per listing). Anything slower
    (modules, data bound by an import) concerns few names.
    """
    for name in _INTERPRETER_NAMES & namespace.keys():
        del namespace[name]
    names = list(namespace)
    try:
        "".join(names)  # one C-level check that every key is a str
    except TypeError:  # `vars(m)[1] = ...`: such keys name nothing that can be listed
        for key in _non_str(names):
            del namespace[key]  # type: ignore[arg-type]
        names = list(namespace)
    if table is None:
        bound: frozenset[str] = frozenset()
        stars: list[_StarSource] = []
    else:
        bound = table.names
        stars = _star_sources(own, is_package, table) if table.stars else []
    # Most modules have no star import, os has one (`from posix import *`): look
    # the first one up inline, and call _star_source only for further ones.
    empty: dict[str, object] = {}
    first_get: Callable[[str, object], object] = (stars[0].namespace if stars else empty).get
    first_source = stars[0].source if stars else ""
    first_exported = stars[0].exported if stars else None
    more = stars[1:]
    sourceless = table is None
    # A bound class or function is imported unless its __module__ is this module
    # (`try: from _speedups import f` / `except ImportError: def f()`: the fallback
    # ran). Without a module name every bound one is: compare with a fresh object.
    own_module: object = object() if own is None else own
    prefix = f"{own}." if is_package and own is not None else None
    kind_of = _KIND_BY_TYPE.copy()  # grows by the types met here
    function, klass, module_kind = MemberKind.FUNCTION, MemberKind.CLASS, MemberKind.MODULE
    members: list[Member] = []
    append = members.append
    new = _new_member
    for name, value in namespace.items():
        cls = type(value)
        kind = kind_of.get(cls)
        if kind is None:
            kind = kind_of[cls] = _kind_of_type(cls)
        defining: object
        if kind is function or kind is klass:
            try:
                defining = value.__module__
            except Exception:  # missing, or a metaclass property raised
                defining = None
            if defining is not None and type(defining) is not str:
                defining = _str_or_none(defining)
            if sourceless:
                imported = defining is not None and own is not None and defining != own
            elif name in bound:
                imported = defining != own_module
            elif first_get(name, _MISSING) is value and (
                name[:1] != "_" if first_exported is None else name in first_exported
            ):
                imported = True
            else:
                imported = more != [] and _star_source(name, value, more) is not None
        elif kind is module_kind:
            defining = vars(value).get("__name__")
            if not isinstance(defining, str):
                defining = None
            # A package's submodules are its own members, however they were bound.
            imported = prefix is None or defining != prefix + name
        elif name in bound:
            imported = True
            defining = _from_module(name, value, table, own, is_package)  # type: ignore[arg-type]
        elif first_get(name, _MISSING) is value and (
            name[:1] != "_" if first_exported is None else name in first_exported
        ):
            imported, defining = True, first_source
        else:
            defining = _star_source(name, value, more) if more else None
            imported = defining is not None
            if not imported:
                defining = own
        append(new(Member, (name, value, kind, defining, imported)))
    return _Columns(names, members)


def _non_str(keys: Iterable[object]) -> list[object]:
    return [key for key in keys if not isinstance(key, str)]


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _read_all(namespace: Mapping[str, object], module_name: str | None) -> tuple[str, ...] | None:
    exported = namespace.get("__all__", _MISSING)
    if exported is _MISSING:
        return None
    where = f"{module_name!r} ({namespace.get('__file__', 'no file')})"
    if not isinstance(exported, abc.Iterable):
        raise TypeError(
            f"__all__ of {where} must be a sequence of str, not {type(exported).__name__}"
        )
    names = tuple(exported)
    try:
        "".join(names)  # one C-level check that every item is a str
    except TypeError as exc:
        for name in names:
            if not isinstance(name, str):
                # The same check `from module import *` makes (import_all_from).
                raise TypeError(
                    f"item in __all__ of {where} must be str, not {type(name).__name__}"
                ) from exc
    return names  # type: ignore[return-value,unused-ignore]


def list_members(
    module: types.ModuleType | str,
    *,
    kinds: Iterable[MemberKind] | None = None,
    include_private: bool = False,
    include_imported: bool = False,
) -> list[Member]:
    """List a module's members in definition order, each with its kind and origin.

    The namespace is read directly (``vars(module)``), never through ``getattr`` or
    ``dir``, so a lazy module's PEP 562 ``__getattr__`` and ``__dir__`` are not
    called and nothing is imported on their behalf. When the module defines
    ``__all__``, the listing is exactly the names in ``__all__`` that exist in the
    namespace (imported ones included; missing ones skipped). Otherwise it is the
    public names (no leading underscore) the module defines itself, and its own
    submodules. A name is *imported* when an ``import`` or ``from … import``
    statement in the module's source binds it (the scan is cached per file and
    mtime), unless ``__module__`` shows the module's own fallback definition won;
    without source, classes and functions whose ``__module__`` names another
    module are imported. ``include_imported=True`` adds imported names,
    ``include_private=True`` adds underscore names (and, with ``__all__``, the names
    it leaves out); names the interpreter sets (``__builtins__``, ``__loader__``,
    ``__spec__``…) are never listed. *kinds* keeps only members of those kinds.
    A module given by name is imported if needed; if that import fails,
    ``sys.modules`` and ``sys.path`` are put back as they were.

    Example:
        >>> [m.name for m in list_members("json")]
        ['JSONDecoder', 'JSONDecodeError', 'JSONEncoder', 'dump', 'dumps', 'load', 'loads']
        >>> for member in list_members("json", kinds=[MemberKind.CLASS]):
        ...     print(member.name, member.module, member.imported)
        JSONDecoder json.decoder True
        JSONDecodeError json.decoder True
        JSONEncoder json.encoder True
        >>> import json.decoder
        >>> kinds = {MemberKind.MODULE}
        >>> "decoder" in [m.name for m in list_members("json", kinds=kinds, include_private=True)]
        True

    :raises TypeError: *module* is neither a module nor a ``str``; *kinds* is not a
        collection of :class:`MemberKind`; the module's ``__all__`` is not a
        sequence of ``str``.
    :raises ValueError: *module* is a malformed dotted name.
    :raises ModuleNotFoundError: no module has that name.
    :raises ModuleLoadError: importing the module raised.
    """
    wanted = _check_kinds(kinds)
    module = _module_object(module)
    # One C-level copy: a thread rebinding names meanwhile cannot break the loop.
    namespace = vars(module).copy()
    listing = _listing(module, namespace)
    key = (wanted, include_private, include_imported)
    selected = listing.results.get(key)
    if selected is None:
        selected = listing.results[key] = _select(listing, *key)
    return selected.copy()


_SelectionKey = tuple[frozenset[MemberKind] | None, bool, bool]


class _Listing(NamedTuple):
    """Every member of one module, classified once, valid while its namespace is unchanged."""

    module: weakref.ref[types.ModuleType]
    keys: list[str]
    values: list[object]
    table: _ImportTable | None
    exported: tuple[str, ...] | None
    exported_set: frozenset[str] | None
    columns: _Columns
    results: dict[_SelectionKey, list[Member]]


_LISTING_CACHE_SIZE = 64
_listings: dict[int, _Listing] = {}
_new_member = tuple.__new__


def _listing(module: types.ModuleType, namespace: dict[str, object]) -> _Listing:
    module_name = namespace.get("__name__")
    if not isinstance(module_name, str):
        module_name = None
    spec = namespace.get("__spec__")
    table = _import_table(source_path(spec, namespace.get("__file__")))  # type: ignore[arg-type]
    exported = _read_all(namespace, module_name)
    keys = list(namespace)
    values = list(namespace.values())
    cached = _listings.get(id(module))
    # Identity, never ==: comparing values would run their __eq__.
    if (
        cached is not None
        and cached.module() is module
        and cached.table is table
        and cached.exported == exported
        and len(cached.keys) == len(keys)
        and all(map(operator.is_, cached.keys, keys))
        and all(map(operator.is_, cached.values, values))
    ):
        return cached
    is_package = "__path__" in namespace
    columns = _classify(namespace, module_name, is_package, table)
    exported_set = None if exported is None else frozenset(exported)
    listing = _Listing(
        weakref.ref(module), keys, values, table, exported, exported_set, columns, {}
    )
    with _tables_lock:
        if len(_listings) >= _LISTING_CACHE_SIZE and id(module) not in _listings:
            del _listings[next(iter(_listings))]
        _listings[id(module)] = listing
    return listing


def _select(
    listing: _Listing,
    wanted: frozenset[MemberKind] | None,
    include_private: bool,
    include_imported: bool,
) -> list[Member]:
    # Boolean columns combined with map/compress: no Python code per member.
    names, members = listing.columns
    exported = listing.exported_set
    imported = map(_IMPORTED, members)
    mask: Iterable[object] | None
    if include_private and include_imported:
        mask = None
    elif exported is not None:
        mask = map(exported.__contains__, names)
        if include_private:  # and not include_imported
            mask = map(operator.or_, mask, map(operator.not_, imported))
    elif include_private:
        mask = map(operator.not_, imported)
    else:
        private = map(_startswith, names, _UNDERSCORE)
        if not include_imported:
            private = map(operator.or_, private, imported)
        mask = map(operator.not_, private)
    if wanted is not None and len(wanted) < len(MemberKind):
        # Identity tests: MemberKind's __hash__ is Python code, `kind in wanted` is slow.
        kind_mask: Iterable[object] = repeat(False)
        for kind in wanted:
            kind_mask = map(
                operator.or_, kind_mask, map(operator.is_, map(_KIND, members), repeat(kind))
            )
        mask = kind_mask if mask is None else map(operator.and_, mask, kind_mask)
    return list(members if mask is None else compress(members, mask))


# ---------------------------------------------------------------------------- static


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
_replays: dict[_Ref, tuple[_Summary, _StaticModule]] = {}


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
            summary = analyze_file(ref.path, _summarize)
        except (OSError, SyntaxError, ValueError):
            return None
        return self.read_target(ref, summary)

    def read_target(self, ref: _Ref, summary: _Summary) -> _StaticModule:
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
                with _tables_lock:
                    if len(_replays) >= _REPLAY_CACHE_SIZE:
                        _replays.pop(next(iter(_replays)), None)
                    _replays[ref] = (summary, module)
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
        module = sys.modules.get(name)
        file = vars(module).get("__file__") if isinstance(module, types.ModuleType) else None
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

    def resolve(self, binding: _Binding, depth: int = 0) -> tuple[MemberKind, str | None]:
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
                kind, defining = self.resolve(found, depth + 1)
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
                kind = _kind_of(value)
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

    def _replay(self, summary: _Summary, ref: _Ref) -> _StaticModule:
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
            if type(event) is _Local:
                bind(event.name, _Binding(event.kind, ref.name, event.lineno, False), event.top)
            elif type(event) is _Import:
                own_submodule(event.imported, event.lineno, event.top)
                binding = _Binding(MemberKind.MODULE, event.module, event.lineno, True)
                bind(event.bound, binding, event.top)
            elif type(event) is _FromImport:
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
            elif type(event) is _Delete:
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


class _Local(NamedTuple):
    """``class``/``def``/assignment: the module binds *name* itself."""

    name: str
    kind: MemberKind
    lineno: int
    #: Whether the statement is outside any block: it runs unconditionally.
    top: bool


class _Import(NamedTuple):
    """``import imported`` (binds its first part) or ``import imported as bound``."""

    imported: str
    bound: str
    #: The module the name is bound to: *imported* with ``as``, its first part without.
    module: str
    lineno: int
    top: bool


class _FromImport(NamedTuple):
    """``from <level dots><module> import name as bound, ...`` (``("*", "*")``: a star)."""

    level: int
    module: str | None
    names: tuple[tuple[str, str], ...]
    lineno: int
    top: bool


class _Delete(NamedTuple):
    """``del name`` at the top level."""

    name: str


_Event = _Local | _Import | _FromImport | _Delete


class _Summary(NamedTuple):
    """A source file's module-level bindings, in order, as its syntax alone tells them.

    Independent of the name the file is imported under and of every other file,
    so :func:`modutils._source.analyze_file` caches it per file: following a chain
    of re-exports costs one ``os.stat`` per file once the files are summarised.
    """

    events: tuple[_Event, ...]
    #: A literal ``__all__``; ``None`` when there is none or the source cannot tell.
    exported: tuple[str, ...] | None
    #: Whether a star import binds names: then the bindings depend on other files.
    stars: bool


def _summarize(tree: ast.Module) -> _Summary:
    collector = _Collector()
    collector.visit_body(tree.body, top=True)
    events = tuple(collector.events)
    stars = any(type(event) is _FromImport and ("*", "*") in event.names for event in events)
    return _Summary(events, collector.exported(), stars)


class _Collector:
    """Walks module-level statements in order and records what binds each name."""

    def __init__(self) -> None:
        self.events: list[_Event] = []
        self._all: list[str] | None = None
        self._all_dynamic = False
        self._top = True

    def exported(self) -> tuple[str, ...] | None:
        if self._all is None or self._all_dynamic:
            return None
        return tuple(self._all)

    def local(self, name: str, kind: MemberKind, lineno: int) -> None:
        self.events.append(_Local(name, kind, lineno, self._top))

    def data(self, name: str, lineno: int) -> None:
        self.events.append(_Local(name, MemberKind.DATA, lineno, self._top))

    def visit_body(self, body: list[ast.stmt], *, top: bool) -> None:
        outer = self._top
        self._top = top
        try:
            self._visit_statements(body)
        finally:
            self._top = outer

    def _visit_statements(self, body: list[ast.stmt]) -> None:
        import ast

        top = self._top
        for node in body:
            if isinstance(node, ast.ClassDef):
                self.local(node.name, MemberKind.CLASS, node.lineno)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.local(node.name, MemberKind.FUNCTION, node.lineno)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    # `import a.b` binds `a`; `import a.b as c` binds the module a.b.
                    bound = alias.asname or alias.name.partition(".")[0]
                    module = alias.name if alias.asname else bound
                    self.events.append(_Import(alias.name, bound, module, node.lineno, top))
            elif isinstance(node, ast.ImportFrom):
                names = tuple((alias.name, alias.asname or alias.name) for alias in node.names)
                self.events.append(_FromImport(node.level, node.module, names, node.lineno, top))
                if any(bound == "__all__" for _, bound in names):
                    self._all_dynamic = True
            elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                self._assign(node)
            elif isinstance(node, (ast.For, ast.AsyncFor)):
                self._target(node.target, node.lineno)
                self.visit_body(node.body, top=False)
                self.visit_body(node.orelse, top=False)
            elif isinstance(node, (ast.With, ast.AsyncWith)):
                for item in node.items:
                    if item.optional_vars is not None:
                        self._target(item.optional_vars, node.lineno)
                self.visit_body(node.body, top=False)
            elif isinstance(node, (ast.If, ast.While)):
                self.visit_body(node.body, top=False)
                self.visit_body(node.orelse, top=False)
            elif isinstance(node, _try_types(ast)):
                # `except E as e` binds nothing that survives: the name is deleted
                # when the handler ends (compiler-generated `del e`).
                self.visit_body(node.body, top=False)
                for handler in node.handlers:
                    self.visit_body(handler.body, top=False)
                self.visit_body(node.orelse, top=False)
                self.visit_body(node.finalbody, top=False)
            elif isinstance(node, ast.Match):
                for case in node.cases:
                    for pattern in ast.walk(case.pattern):
                        name = getattr(pattern, "name", None) or getattr(pattern, "rest", None)
                        if isinstance(name, str):
                            self.data(name, case.pattern.lineno)
                    self.visit_body(case.body, top=False)
            elif type(node).__name__ == "TypeAlias":  # `type X = ...` (3.12+)
                self._target(node.name, node.lineno)  # type: ignore[attr-defined]
            elif isinstance(node, ast.Delete) and top:
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        self.events.append(_Delete(target.id))
            elif isinstance(node, ast.Expr):
                self._all_call(node.value)

    def _assign(self, node: ast.Assign | ast.AnnAssign | ast.AugAssign) -> None:
        import ast

        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign) and node.value is None:
            return  # `x: int` annotates without binding
        else:
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Name) and target.id == "__all__":
                names = _literal_names(node.value)
                if isinstance(node, ast.AugAssign):
                    if names is None or self._all is None or not isinstance(node.op, ast.Add):
                        self._all_dynamic = True
                    else:
                        self._all.extend(names)
                elif names is None or len(targets) > 1:
                    self._all_dynamic = True
                else:
                    self._all = list(names)
            self._target(target, node.lineno)

    def _target(self, target: ast.expr, lineno: int) -> None:
        import ast

        pending = [target]
        while pending:
            node = pending.pop()
            if isinstance(node, ast.Name):
                if node.id == "__all__" and self._all is None:
                    self._all_dynamic = True
                self.data(node.id, lineno)
            elif isinstance(node, (ast.Tuple, ast.List)):
                pending.extend(reversed(node.elts))
            elif isinstance(node, ast.Starred):
                pending.append(node.value)
            # Attributes and subscripts bind no module-level name.

    def _all_call(self, call: ast.expr) -> None:
        import ast

        if not (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and isinstance(call.func.value, ast.Name)
            and call.func.value.id == "__all__"
        ):
            return
        method = call.func.attr
        if self._all is not None and method in ("extend", "append") and len(call.args) == 1:
            argument = call.args[0]
            if method == "append":
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                    self._all.append(argument.value)
                    return
            else:
                names = _literal_names(argument)
                if names is not None:
                    self._all.extend(names)
                    return
        self._all_dynamic = True


def _try_types(ast: types.ModuleType) -> tuple[type[ast.Try], ...]:
    # ast.TryStar (`except*`) exists from 3.11 on and has the same fields as ast.Try.
    star = getattr(ast, "TryStar", None)
    return (ast.Try,) if star is None else (ast.Try, star)


def _literal_names(node: ast.expr | None) -> list[str] | None:
    import ast

    if not isinstance(node, (ast.List, ast.Tuple)):
        return None
    names: list[str] = []
    for element in node.elts:
        if not (isinstance(element, ast.Constant) and isinstance(element.value, str)):
            return None
        names.append(element.value)
    return names


def _name_for_path(path: str) -> tuple[str | None, bool]:
    """The dotted name a file would be imported under, from the ``__init__.py`` above it."""
    folder, filename = os.path.split(path)
    stem = os.path.splitext(filename)[0]
    is_package = stem == "__init__"
    if is_package:
        stem = os.path.basename(folder)
        folder = os.path.dirname(folder)
    parts = [stem]
    while os.path.isfile(os.path.join(folder, "__init__.py")):
        parent = os.path.dirname(folder)
        parts.append(os.path.basename(folder))
        if parent == folder:
            break
        folder = parent
    parts.reverse()
    if not all(part.isidentifier() for part in parts):
        return None, is_package
    return ".".join(parts), is_package


def _looks_like_path(target: str) -> bool:
    separators = (os.sep, os.altsep or os.sep, "/")
    return target.endswith(_SOURCE_SUFFIXES) or any(sep in target for sep in separators)


def _static_target(target: object) -> _Ref:
    import errno

    if isinstance(target, os.PathLike) or (isinstance(target, str) and _looks_like_path(target)):
        path = os.path.abspath(fspath_str(target, what="target"))
        if os.path.isdir(path):
            path = os.path.join(path, "__init__.py")
        if not os.path.isfile(path):
            raise FileNotFoundError(
                errno.ENOENT, f"cannot list members statically: no such source file {path!r}", path
            )
        name, is_package = _name_for_path(path)
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
    if not os.path.isfile(ref.path):
        raise FileNotFoundError(
            errno.ENOENT, f"cannot list the members of {name!r}: its source is missing", ref.path
        )
    return ref


def list_members_static(
    target: str | os.PathLike[str],
    *,
    kinds: Iterable[MemberKind] | None = None,
    include_private: bool = False,
    include_imported: bool = False,
) -> list[StaticMember]:
    """List a module's members from its source alone, without importing or running it.

    *target* is a dotted module name, located without importing anything (not even
    its parent packages), or a path to a ``.py`` file (a ``str`` ending in ``.py``
    or holding a path separator, or any :class:`os.PathLike`; a folder means its
    ``__init__.py``). Nothing is executed and nothing enters ``sys.modules``, so it
    is safe on code you do not trust. The listing follows :func:`list_members`'
    rules, with kinds taken from the syntax: ``class`` is CLASS, ``def``/``async
    def`` FUNCTION, ``import x`` MODULE, and assignments (plain, annotated with a
    value, augmented, ``for``/``with`` targets, ``match`` captures, ``type``
    aliases) DATA, in ``if``/``try``/loop blocks too. ``from x import y`` is
    followed into ``x``'s source (a submodule ``x.y`` is MODULE); where it cannot
    be followed the member is DATA. Star imports are expanded the same way. A
    literal ``__all__`` (list or tuple of strings, ``+=``, ``.extend``,
    ``.append``) is honoured; any other binding of it makes the listing fall back to
    the public names. When a name is bound more than once, the binding that runs
    last decides: a statement outside any block replaces earlier bindings (so
    ``from .tool import tool`` is the function, not the submodule), while inside
    blocks the first binding does (``except ImportError:`` fallbacks). Members
    are :class:`StaticMember` records: no ``value``, but a ``lineno``.

    Example:
        >>> import pathlib, tempfile
        >>> folder = tempfile.TemporaryDirectory()
        >>> path = pathlib.Path(folder.name, "untrusted.py")
        >>> _ = path.write_text(
        ...     "import os\\n"
        ...     "raise SystemExit('never runs')\\n"
        ...     "class Config: pass\\n"
        ...     "def main(): pass\\n"
        ...     "VERSION = '1.0'\\n"
        ... )
        >>> for member in list_members_static(path):
        ...     print(member.name, member.kind.value, member.lineno)
        Config class 3
        main function 4
        VERSION data 5
        >>> [m.name for m in list_members_static(path, include_imported=True)]
        ['os', 'Config', 'main', 'VERSION']
        >>> folder.cleanup()

    :raises TypeError: *target* is neither a ``str`` nor a path; *kinds* is not a
        collection of :class:`MemberKind`.
    :raises ValueError: *target* is a malformed dotted name, or names a module
        without Python source (builtin, extension, namespace package).
    :raises ModuleNotFoundError: no module has that name.
    :raises FileNotFoundError: the file (or the module's source file) does not exist.
    :raises SyntaxError: the source does not parse.
    """
    wanted = _check_kinds(kinds)
    ref = _static_target(target)
    path = ref.path or ""
    label = ref.name or path
    try:
        summary = analyze_file(path, _summarize)
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
        kind, defining = reader.resolve(binding)
        if wanted is not None and kind not in wanted:
            continue
        imported = binding.imported
        if kind is MemberKind.MODULE and ref.is_package and own and defining == f"{own}.{name}":
            imported = False  # a package's own submodule, as in list_members
        if _keep(name, imported, exported, include_private, include_imported):
            members.append(StaticMember(name, kind, defining, binding.lineno, imported))
    return members
