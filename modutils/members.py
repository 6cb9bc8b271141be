"""List a module's members precisely: what it defines, what it imports, and what each one is.

:func:`list_members` reads an imported module's namespace directly, so a lazy
module's PEP 562 ``__getattr__`` and ``__dir__`` are never called, and tells the
names the module defines from the names it imports by reading its import
statements (from its cached bytecode or source: :mod:`modutils._codefacts`).
:func:`list_members_static` gives the same listing from the source alone, without
running anything (:mod:`modutils._static`).
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

from modutils._cache import remember
from modutils._source import ImportStatement, resolve_import, scan_imports
from modutils._spec import check_module_name, find_spec_static, is_missing, source_path
from modutils._state import ModulesSnapshot
from modutils.errors import ModuleLoadError

TYPE_CHECKING = False
if TYPE_CHECKING:
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
# type.__mro__ read through type's own descriptor: no metaclass attribute hook runs.
_mro_of: Callable[[type], tuple[type, ...]] = type.__dict__["__mro__"].__get__
_MISSING = object()
# Argument streams for map(): built once, they are infinite and never exhausted.
_UNDERSCORE = repeat("_")
_startswith = str.startswith
_KIND = operator.itemgetter(2)
_IMPORTED = operator.itemgetter(4)


def _kind_of_value(value: object) -> MemberKind:
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


def _import_restoring(name: str) -> object:
    """Import the module *name*; if that fails, put ``sys.modules`` and ``sys.path`` back."""
    from importlib import import_module

    saved_path = sys.path[:]
    try:
        with ModulesSnapshot():
            return import_module(name)
    except BaseException:
        sys.path[:] = saved_path
        raise


def _import_for_listing(name: str) -> types.ModuleType:
    try:
        module = _import_restoring(name)
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
    return _import_for_listing(name)


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
# Held while the bounded caches below change (threads list modules concurrently).
_cache_lock = threading.Lock()
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
    with _cache_lock:
        remember(_tables, path, table, _TABLE_CACHE_SIZE)
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
    namespaces = [vars(base) for base in _mro_of(cls)]
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


class _Stars(NamedTuple):
    """What a listing needs of the module's star imports, the first one unpacked."""

    #: ``get`` of the first star-imported namespace (an empty dict's without one).
    first_get: Callable[[str, object], object]
    first_source: str
    first_exported: frozenset[str] | list[object] | tuple[object, ...] | None
    more: list[_StarSource]


_EMPTY: dict[str, object] = {}
_NO_STARS = _Stars(_EMPTY.get, "", None, [])


def _stars_of(own: str | None, is_package: bool, table: _ImportTable | None) -> _Stars:
    # Most modules have no star import, os has one (`from posix import *`): the
    # listing looks the first one up inline, and calls _star_source for more.
    if table is None or not table.stars:
        return _NO_STARS
    stars = _star_sources(own, is_package, table)
    if not stars:
        return _NO_STARS
    first = stars[0]
    return _Stars(first.namespace.get, first.source, first.exported, stars[1:])


def _listable_names(namespace: dict[str, object]) -> list[str]:
    """Drop the names no listing shows from *namespace*; its remaining keys, in order."""
    for name in _INTERPRETER_NAMES & namespace.keys():
        del namespace[name]
    names = list(namespace)
    try:
        "".join(names)  # one C-level check that every key is a str
    except TypeError:  # `vars(m)[1] = ...`: such keys name nothing that can be listed
        for key in _non_str(names):
            del namespace[key]  # type: ignore[arg-type]
        names = list(namespace)
    return names


def _classify_namespace(
    namespace: dict[str, object], own: str | None, is_package: bool, table: _ImportTable | None
) -> _Columns:
    """Classify every member of *namespace*, a private copy that this consumes.

    This runs on every first listing of a module, so the per-name work is one pass
    with a type look-up, at most one attribute read (``__module__`` of classes and
    functions) and set/dict look-ups in what was worked out once: the names the
    source's import statements bind (cached with the scan) and the names its star
    imports brought in (:func:`_star_sources`, once per listing). Modules and data
    (fewer names, more work) are classified by helpers.
    """
    names = _listable_names(namespace)
    bound = frozenset() if table is None else table.names
    stars = _stars_of(own, is_package, table)
    first_get, first_exported, more = stars.first_get, stars.first_exported, stars.more
    starless = stars is _NO_STARS
    sourceless = table is None
    # A bound class or function is imported unless its __module__ is this module
    # (`try: from _speedups import f` / `except ImportError: def f()`: the fallback
    # ran). Without a module name every bound one is: compare with a fresh object.
    own_module: object = object() if own is None else own
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
            defining, imported = _module_origin(name, value, own, is_package)
        elif starless and name not in bound:
            defining, imported = own, False  # the common case, without a call
        else:
            defining, imported = _data_origin(name, value, own, is_package, table, stars)
        append(new(Member, (name, value, kind, defining, imported)))
    return _Columns(names, members)


def _module_origin(
    name: str, value: object, own: str | None, is_package: bool
) -> tuple[str | None, bool]:
    defining = vars(value).get("__name__")
    if not isinstance(defining, str):
        defining = None
    # A package's submodules are its own members, however they were bound.
    return defining, not (is_package and own is not None and defining == f"{own}.{name}")


def _data_origin(
    name: str,
    value: object,
    own: str | None,
    is_package: bool,
    table: _ImportTable | None,
    stars: _Stars,
) -> tuple[str | None, bool]:
    if table is not None and name in table.names:
        return _from_module(name, value, table, own, is_package), True
    if stars.first_get(name, _MISSING) is value and (
        name[:1] != "_" if stars.first_exported is None else name in stars.first_exported
    ):
        return stars.first_source, True
    source = _star_source(name, value, stars.more) if stars.more else None
    return (own, False) if source is None else (source, True)


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

    The namespace is read directly (``vars(module)``), so a lazy module's PEP 562
    ``__getattr__`` and ``__dir__`` are never called. The listing is the names in
    ``__all__`` that exist, or without it the public names the module defines
    itself and its own submodules; ``include_imported``/``include_private`` widen
    it and *kinds* narrows it. A name is imported when an import statement of the
    module binds it (read from its cached bytecode or source, see
    :doc:`/members`). A module given by name is imported if needed; if that
    import fails, ``sys.modules`` and ``sys.path`` are put back as they were.

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
    columns = _classify_namespace(namespace, module_name, is_package, table)
    exported_set = None if exported is None else frozenset(exported)
    listing = _Listing(
        weakref.ref(module), keys, values, table, exported, exported_set, columns, {}
    )
    with _cache_lock:
        remember(_listings, id(module), listing, _LISTING_CACHE_SIZE)
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
    :raises ValueError: *target* is a malformed dotted name, names a module
        without Python source (builtin, extension, namespace package), or is not
        a regular file (a FIFO, socket or device: the message says which).
    :raises ModuleNotFoundError: no module has that name.
    :raises FileNotFoundError: the file (or the module's source file) does not exist.
    :raises SyntaxError: the source does not parse (or is nested too deeply to).
    """
    wanted = _check_kinds(kinds)
    from modutils._static import static_members

    return static_members(target, wanted, include_private, include_imported)
