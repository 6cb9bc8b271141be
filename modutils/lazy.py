"""Lazy imports that are thread-safe and typed: :func:`lazy_import` and :func:`lazy_attach`.

:func:`lazy_import` finds a module at once, without running anything, and returns a
module object that executes on first use, under the import system's own lock for
that name, so that every thread sees it either not yet executed or complete.
:func:`lazy_attach` and its typed forms give a package's ``__init__`` a PEP 562
``__getattr__`` that imports submodules (and names from them) on first use.
``MODUTILS_EAGER_IMPORTS=1`` turns all of them into plain imports, so that a test
run catches broken lazy names.
"""

from __future__ import annotations

import os
import sys
import threading
from _thread import get_ident
from importlib import import_module
from importlib.machinery import BuiltinImporter, ExtensionFileLoader
from types import ModuleType

from modutils._compat import (
    DeadlockError,
    Initializing,
    NamespaceLoader,
    find_spec_in,
    init_module_attrs,
    module_lock,
)
from modutils._spec import check_module_name, find_spec_static
from modutils.errors import ModuleLoadError

TYPE_CHECKING = False
if TYPE_CHECKING:
    import ast
    from collections.abc import Callable, Iterable, Mapping
    from importlib.machinery import ModuleSpec
    from typing import TypeAlias

    #: What ``lazy_attach`` returns, to unpack into ``__getattr__, __dir__, __all__``.
    Attachment: TypeAlias = "tuple[Callable[[str], object], Callable[[], list[str]], list[str]]"
    # One name a stub or a TYPE_CHECKING block binds: (name, level, module, attribute,
    # line); attribute None for a module bound by ``import m as name`` or ``from . import name``.
    _Binding: TypeAlias = "tuple[str, int, str | None, str | None, int]"

__all__ = [
    "EAGER_ENV",
    "lazy_attach",
    "lazy_attach_stub",
    "lazy_attach_type_checking",
    "lazy_import",
    "resolve_attached",
]

#: The environment variable that turns every lazy import into an eager one.
EAGER_ENV = "MODUTILS_EAGER_IMPORTS"

# Attributes that describe a module rather than its contents: reading them does not
# execute a lazy module. The import system reads __spec__ (to see whether another
# thread is initialising it) and repr() reads the others, so `import name` and
# repr() leave it lazy; vars() reads __dict__. __path__ is not among them on
# purpose: importing a submodule reads the package's __path__, and a package must
# have run before its submodules do.
_QUIET = frozenset(
    {
        "__class__",
        "__dict__",
        "__spec__",
        "__name__",
        "__loader__",
        "__package__",
        "__file__",
    }
)


# The attributes the import system writes when it (re)initialises a module
# (importlib's _init_module_attrs, and importlib.reload's `module.__spec__ = ...`).
# Writing them does not execute a lazy module: a reload writes them first and then
# executes the module's code itself, which must not run a first time before that.
_WRITTEN_BY_IMPORT = frozenset(
    {
        "__name__",
        "__loader__",
        "__package__",
        "__spec__",
        "__path__",
        "__file__",
        "__cached__",
    }
)


def _eager() -> bool:
    return os.environ.get(EAGER_ENV, "") not in ("", "0")


class _Pending:
    """What a lazy module needs to execute, and who is executing it right now.

    Kept on the module's spec (``spec._modutils_lazy``) until the module has
    executed, as ``LazyLoader`` keeps its state in ``spec.loader_state``: it lives
    exactly as long as the module, with no registry to clean. Module objects
    cannot hold it themselves (a subclass with slots could not switch its
    ``__class__`` back to :class:`types.ModuleType`). It does not refer back to
    the spec: without that cycle, a lazy module never used is freed by reference
    counting alone, and ``lazy_import`` leaves no work for the garbage collector.
    """

    __slots__ = ("file", "line", "owner")

    def __init__(self, file: str, line: int) -> None:
        self.file = file
        self.line = line
        self.owner: int | None = None  # the thread executing the module


_STATE = "_modutils_lazy"


class _LazyModule(ModuleType):
    """A module not executed yet: the first use of its contents executes it.

    Once executed, its ``__class__`` is :class:`types.ModuleType` again, so attribute
    access costs what it costs on any module.
    """

    def __getattribute__(self, attr: str) -> object:
        if attr not in _QUIET:
            _execute(self)
        return ModuleType.__getattribute__(self, attr)

    def __setattr__(self, attr: str, value: object) -> None:
        if attr not in _WRITTEN_BY_IMPORT:
            _execute(self)
        ModuleType.__setattr__(self, attr, value)

    def __delattr__(self, attr: str) -> None:
        _execute(self)
        ModuleType.__delattr__(self, attr)

    def __dir__(self) -> list[str]:
        _execute(self)
        # Not dir(self): while its own code runs, the class is still this one.
        return list(ModuleType.__dir__(self))

    def __repr__(self) -> str:
        name = ModuleType.__getattribute__(self, "__name__")
        spec = ModuleType.__getattribute__(self, "__spec__")
        origin = getattr(spec, "origin", None)
        where = f" from {origin!r}" if getattr(spec, "has_location", False) else ""
        return f"<lazy module {name!r}{where} (not executed yet)>"


def lazy_import(name: str, *, package: str | None = None) -> ModuleType:
    """Find the module *name* now and return it, to be executed on first use.

    The module is found as ``import`` would find it, without executing it or any
    parent package, so a missing module fails here, at the call. The returned
    object is registered in :data:`sys.modules` (so ``import name`` anywhere gives
    the same object, still lazy) and executes on the first access to one of its
    attributes (``__name__``, ``__spec__``, ``__file__`` and the other attributes
    that describe a module do not count, nor do writes of the attributes the import
    system sets) or on ``dir()``; its parent packages are imported first. From then
    on it is a plain :class:`types.ModuleType`. A reload before any use is its first
    execution: its code runs once.

    The module executes under the import system's lock for *name*, with its spec
    marked as initialising: when several threads touch it at once, exactly one
    executes it and the others wait and then see it complete, as for ``import``.
    If executing it fails, the module is taken out of :data:`sys.modules` (as a
    failed import leaves it), :class:`~modutils.ModuleLoadError` is raised from the
    original exception with a note naming the file and line of the
    ``lazy_import`` call, and the next access tries again. A module already in
    :data:`sys.modules` is returned as it is (once imported, if another thread is
    importing it right now). Modules that execute when created
    (builtin and extension modules) and ``MODUTILS_EAGER_IMPORTS=1`` in the
    environment make this a plain :func:`importlib.import_module`.

    Example:
        >>> import sys
        >>> "colorsys" in sys.modules
        False
        >>> colorsys = lazy_import("colorsys")
        >>> colorsys  # doctest: +ELLIPSIS
        <lazy module 'colorsys' from '...colorsys.py' (not executed yet)>
        >>> colorsys.rgb_to_hsv(1.0, 0.0, 0.0)
        (0.0, 1.0, 1.0)
        >>> type(colorsys), sys.modules["colorsys"] is colorsys
        (<class 'module'>, True)
        >>> del sys.modules["colorsys"]

    :param package: the anchor of a relative *name* (``".sub"``), as for
        :func:`importlib.import_module`.
    :raises TypeError: *name* or *package* is not a ``str``, or *name* is relative
        without *package*.
    :raises ValueError: *name* is malformed or reaches above the top-level package.
    :raises ModuleNotFoundError: the module (or a parent package) cannot be found.
    """
    name = _absolute(name, package)
    found: object = sys.modules.get(name, _MISSING)
    if found is None:  # an import blocked on purpose
        raise ModuleNotFoundError(f"import of {name} halted; None in sys.modules", name=name)
    if found is _MISSING:
        if _eager():
            return import_module(name)
        frame = sys._getframe(1)
        # One lazy_import at a time from finding to registering: the static look-up
        # may put sys.modules back as it found it (around a finder that may import),
        # which would drop a lazy module another thread registered meanwhile.
        with _register_lock:
            found = sys.modules.get(name)  # registered by another thread meanwhile?
            if found is None:  # (a None entry put there meanwhile is replaced)
                spec = _find_spec(name)
                if spec is None:
                    raise ModuleNotFoundError(f"No module named {name!r}", name=name)
                module = _new_module(spec)
                if module is not None:
                    state = _Pending(frame.f_code.co_filename, frame.f_lineno)
                    setattr(spec, _STATE, state)
                    sys.modules[name] = module
                    _bind_to_parent(name, module)
                    return module
        if found is None:  # its code runs when it is created: nothing to defer
            return import_module(name)
    if getattr(getattr(found, "__spec__", None), "_initializing", False):
        # Being imported right now, maybe by another thread: wait for it, as
        # `import name` does, rather than hand out a half-executed module.
        return import_module(name)
    return found  # type: ignore[return-value]  # what sys.modules holds, as import returns it


def _bind_to_parent(name: str, module: ModuleType) -> None:
    parent_name, _, child = name.rpartition(".")
    parent = sys.modules.get(parent_name) if parent_name else None
    if parent is not None:
        # As after `import parent.child`; written to the namespace directly so that
        # a parent that is itself lazy stays unexecuted.
        ModuleType.__getattribute__(parent, "__dict__").setdefault(child, module)


def _absolute(name: object, package: object) -> str:
    if not isinstance(name, str):
        raise TypeError(f"module name must be a str, not {type(name).__name__}: {name!r}")
    if name.isidentifier():  # the common case, checked at once
        return name
    if not name.startswith("."):
        return check_module_name(name)
    if package is None:
        raise TypeError(f"the 'package' argument is required for the relative name {name!r}")
    check_module_name(package, what="package name")
    assert isinstance(package, str)
    relative = name.lstrip(".")
    level = len(name) - len(relative)
    parts = package.split(".")
    if level > len(parts):
        raise ValueError(f"relative name {name!r} reaches above the top-level package {package!r}")
    base = ".".join(parts[: len(parts) - level + 1])
    return check_module_name(f"{base}.{relative}" if relative else base)


def _is_pending(module: object) -> bool:
    return type(module) is _LazyModule


def _find_spec(name: str) -> ModuleSpec | None:
    """``find_spec_static``, except that a lazy package in the way stays unexecuted.

    ``find_spec_static`` reads a loaded parent's ``__path__``, which would execute
    a lazy one; its spec says the same before it runs.
    """
    parent = name.rpartition(".")[0]
    ancestor = parent
    while ancestor and not _is_pending(sys.modules.get(ancestor)):
        ancestor = ancestor.rpartition(".")[0]
    if not ancestor:
        return find_spec_static(name)
    if _is_pending(sys.modules.get(parent)):
        locations = ModuleType.__getattribute__(
            sys.modules[parent], "__spec__"
        ).submodule_search_locations
    else:
        parent_spec = _find_spec(parent)
        locations = None if parent_spec is None else parent_spec.submodule_search_locations
    if locations is None:
        return None
    return find_spec_in(name, list(locations), None)


_BUILTIN_LOADER: object = BuiltinImporter
_MISSING = object()
_register_lock = threading.RLock()


def _new_module(spec: ModuleSpec) -> ModuleType | None:
    """A lazy module for *spec*, or ``None`` where its loader executes on creation."""
    loader = spec.loader
    if loader is None or (NamespaceLoader is not None and isinstance(loader, NamespaceLoader)):
        module = ModuleType(spec.name)
        init_module_attrs(spec, module)
    else:
        # BuiltinImporter is its own loader (the class, not an instance); it and
        # extension modules run their init when the module object is created.
        if (
            loader is _BUILTIN_LOADER
            or isinstance(loader, ExtensionFileLoader)
            or not hasattr(loader, "exec_module")
        ):
            return None
        created = loader.create_module(spec)
        if created is not None and type(created) is not ModuleType:
            return None
        module = created if created is not None else ModuleType(spec.name)
        # What init_module_attrs sets, but for __cached__, which costs a
        # cache_from_source() here and is set on execution: reading it executes.
        module.__spec__ = spec
        module.__loader__ = loader
        module.__package__ = spec.parent
        if spec.submodule_search_locations is not None:
            module.__path__ = spec.submodule_search_locations
        if spec.has_location:
            module.__file__ = spec.origin
    module.__class__ = _LazyModule
    return module


def _execute(module: ModuleType) -> None:
    """Execute the lazy *module* once, or wait for the thread executing it."""
    spec: ModuleSpec = ModuleType.__getattribute__(module, "__spec__")
    pending: _Pending | None = getattr(spec, _STATE, None)
    if pending is None:
        # Executed by another thread since this one looked at its class, or a
        # reload gave it a new __spec__ and executes (or has executed) its code.
        if getattr(spec, "_initializing", False):
            # Being executed (modutils.reload marks the new spec until it commits
            # or rolls back): wait for its lock as `import name` would, unless this
            # thread holds it (its own code reading it while it runs).
            try:
                with module_lock(spec.name):
                    pass
            except DeadlockError:
                return  # as importlib's _lock_unlock_module: go on with it as it is
            if ModuleType.__getattribute__(module, "__spec__") is not spec:
                _execute(module)  # rolled back: the old spec, lazy again
                return
            if getattr(spec, "_initializing", False):
                return
        ModuleType.__setattr__(module, "__class__", ModuleType)
        return
    me = get_ident()
    if pending.owner == me:
        return  # read from its own code while it runs, as in a circular import
    name = spec.name
    parent_name, _, child = name.rpartition(".")
    parent: ModuleType | None = None
    try:
        if parent_name:
            # Before taking this module's lock: `import parent.child` takes the
            # locks in that order, and the parent's code may touch this module.
            try:
                parent = import_module(parent_name)
                if _is_pending(parent):
                    _execute(parent)
            except BaseException:
                _forget(name, module)  # as `import parent.child` leaves it
                raise
        with module_lock(name):
            if type(module) is not _LazyModule or pending.owner == me:
                return
            if "__builtins__" in ModuleType.__getattribute__(module, "__dict__"):
                # Its code has run, though not from here (exec() puts __builtins__
                # into the namespace it runs in, and lazy_import never does): a
                # reload re-executing it from this same spec. While that runs (in
                # this thread: the lock is held) this is its own code reading it;
                # once done, the reload was its first execution.
                if not getattr(spec, "_initializing", False):
                    delattr(spec, _STATE)
                    ModuleType.__setattr__(module, "__class__", ModuleType)
                return
            pending.owner = me
            try:
                if name not in sys.modules:  # an earlier attempt failed
                    sys.modules[name] = module
                init_module_attrs(spec, module)  # __cached__; nothing set is replaced
                with Initializing(spec):
                    if spec.loader is not None:
                        spec.loader.exec_module(module)
                    # Published only now: a thread that finds the class is ModuleType
                    # reads without the lock, so the module must be complete by then.
                    delattr(spec, _STATE)
                    ModuleType.__setattr__(module, "__class__", ModuleType)
            except BaseException:
                _forget(name, module)
                # So that __builtins__ in its namespace keeps meaning that a reload
                # ran it (above); functions defined before the failure keep theirs,
                # which CPython binds when it creates them.
                ModuleType.__getattribute__(module, "__dict__").pop("__builtins__", None)
                raise
            finally:
                pending.owner = None
    except Exception as exc:
        error = ModuleLoadError(
            f"executing the lazily imported module {name!r} failed: {type(exc).__name__}: {exc}",
            name=name,
            path=spec.origin if spec.has_location else None,
        )
        _add_note(error, f"lazy_import({name!r}) was called at {pending.file}, line {pending.line}")
        raise error from exc
    if parent is not None:
        setattr(parent, child, module)  # as `import parent.child` does


def _forget(name: str, module: ModuleType) -> None:
    """Leave sys.modules and the parent as a failed ``import name`` leaves them."""
    if sys.modules.get(name) is module:
        del sys.modules[name]
    parent_name, _, child = name.rpartition(".")
    parent = sys.modules.get(parent_name) if parent_name else None
    if parent is not None:
        namespace = ModuleType.__getattribute__(parent, "__dict__")
        if namespace.get(child) is module:
            del namespace[child]


def _add_note(error: BaseException, note: str) -> None:
    add_note = getattr(error, "add_note", None)
    if add_note is not None:
        add_note(note)
    else:  # Python 3.10: PEP 678 notes, as exceptiongroup and pytest read them
        error.__notes__ = [note]  # type: ignore[attr-defined]


_parse_lock = threading.Lock()

# Package name -> (the __getattr__ lazy_attach made for it, its lazy names), for
# `modutils check` (resolve_attached) and for nothing else.
_attached: dict[str, tuple[Callable[[str], object], tuple[str, ...]]] = {}


def lazy_attach(
    package: str,
    *,
    submodules: Iterable[str] = (),
    attributes: Mapping[str, Iterable[str]] | None = None,
) -> Attachment:
    """Module ``__getattr__``, ``__dir__`` and ``__all__`` that import names on first use.

    For a package's ``__init__``, as ``lazy_loader.attach``: each name in
    *submodules* becomes the submodule ``package.name`` when first read, and
    *attributes* maps a submodule (relative to *package*, dots allowed) to the
    names it provides, each read from it on first use. A resolved name is stored in
    the package's namespace, so the next read is a plain attribute read. Other names
    raise :class:`AttributeError` as a module does. Submodules import as ``import``
    imports them: under the import system's locks, failures propagating as they
    are. ``__dir__`` lists the namespace and the lazy names; ``__all__`` lists the
    lazy names, sorted. With ``MODUTILS_EAGER_IMPORTS=1`` every name is imported
    at once, before this returns. ``modutils check`` resolves every name.

    Example:
        >>> import sys, types
        >>> from modutils import lazy_attach
        >>> pkg = types.ModuleType("pkg")  # stands for the package's __init__
        >>> pkg.__getattr__, pkg.__dir__, pkg.__all__ = lazy_attach(
        ...     "json", submodules=["decoder"], attributes={"encoder": ["JSONEncoder"]}
        ... )
        >>> pkg.__all__
        ['JSONEncoder', 'decoder']
        >>> pkg.__getattr__("JSONEncoder").__name__
        'JSONEncoder'

    :raises TypeError: *package* is not a ``str``, *submodules* or a value of
        *attributes* is a ``str`` or holds something else than ``str``.
    :raises ValueError: a name is not an identifier or is given twice.
    """
    check_module_name(package, what="package name")
    if isinstance(submodules, str):
        raise TypeError(f"submodules must be an iterable of names, not the str {submodules!r}")
    table: dict[str, tuple[str, str | None]] = {}
    for submodule in submodules:
        _add(table, package, _identifier(submodule, "submodule"), f"{package}.{submodule}", None)
    for source, names in (attributes or {}).items():
        module_name = f"{package}.{check_module_name(source, what='submodule name')}"
        if isinstance(names, str):
            raise TypeError(f"attributes[{source!r}] must be an iterable of names, not a str")
        for attr in names:
            _add(table, package, _identifier(attr, "attribute name"), module_name, attr)
    return _attach(package, table)


def lazy_attach_stub(package: str, file: str) -> Attachment:
    """:func:`lazy_attach` with the names the package's ``.pyi`` stub imports.

    *file* is the package's ``__file__``; the stub is the file of the same name
    with the suffix ``.pyi`` (``__init__.pyi``), which type checkers read instead
    of ``__init__.py``. Its module-level imports are the lazy names, written once:
    ``from . import sub`` attaches a submodule, ``from .sub import f, g as h`` names
    from it, ``import mod as name`` and ``from mod import name`` any module or name.
    The stub is parsed (not executed) each time this is called.

    Example:
        >>> import pathlib, tempfile
        >>> from modutils import lazy_attach_stub
        >>> folder = tempfile.TemporaryDirectory()
        >>> _ = pathlib.Path(folder.name, "__init__.pyi").write_text(
        ...     "from . import decoder\\nfrom .encoder import JSONEncoder as Encoder\\n"
        ... )
        >>> getattr_, dir_, all_ = lazy_attach_stub("json", f"{folder.name}/__init__.py")
        >>> all_
        ['Encoder', 'decoder']
        >>> folder.cleanup()

    :raises FileNotFoundError: there is no stub next to *file*.
    :raises SyntaxError: the stub does not parse.
    :raises ValueError: the stub has a star import, a relative import above the
        top-level package, or binds a name twice.
    """
    check_module_name(package, what="package name")
    if not isinstance(file, str):
        raise TypeError(f"file must be a str, not {type(file).__name__}: {file!r}")
    stub = file if file.endswith(".pyi") else f"{os.path.splitext(file)[0]}.pyi"
    if not os.path.isfile(stub):
        raise FileNotFoundError(f"no stub {stub!r} next to {file!r} for package {package!r}")
    return _attach_from(package, stub, _stub_bindings)


def lazy_attach_type_checking(package: str, file: str) -> Attachment:
    """:func:`lazy_attach` with the names the package imports under ``if TYPE_CHECKING:``.

    *file* is the package's ``__file__``: its ``if TYPE_CHECKING:`` (or
    ``if typing.TYPE_CHECKING:``) blocks at module level are read statically, and
    the names their imports bind become the lazy names, so type checkers see the
    real types and the names are written once. Statements other than imports in
    those blocks are ignored; the imports are read as by :func:`lazy_attach_stub`.
    The source is parsed (not executed) each time this is called.

    Example:
        >>> import pathlib, tempfile
        >>> from modutils import lazy_attach_type_checking
        >>> folder = tempfile.TemporaryDirectory()
        >>> init = pathlib.Path(folder.name, "__init__.py")
        >>> _ = init.write_text(
        ...     "TYPE_CHECKING = False\\n"
        ...     "if TYPE_CHECKING:\\n"
        ...     "    from .decoder import JSONDecoder\\n"
        ...     "__getattr__, __dir__, __all__ = lazy_attach_type_checking(__name__, __file__)\\n"
        ... )
        >>> getattr_, dir_, all_ = lazy_attach_type_checking("json", str(init))
        >>> getattr_("JSONDecoder").__module__
        'json.decoder'
        >>> folder.cleanup()

    :raises FileNotFoundError: *file* is not a Python source file that exists.
    :raises SyntaxError: the source does not parse.
    :raises ValueError: as for :func:`lazy_attach_stub`.
    """
    check_module_name(package, what="package name")
    if not isinstance(file, str):
        raise TypeError(f"file must be a str, not {type(file).__name__}: {file!r}")
    if not file.endswith((".py", ".pyw")) or not os.path.isfile(file):
        raise FileNotFoundError(f"no Python source {file!r} for package {package!r}")
    return _attach_from(package, file, _type_checking_bindings)


def _identifier(name: object, what: str) -> str:
    if not isinstance(name, str):
        raise TypeError(f"{what} must be a str, not {type(name).__name__}: {name!r}")
    if not name.isidentifier():
        raise ValueError(f"{what} {name!r} is not an identifier")
    return name


def _add(
    table: dict[str, tuple[str, str | None]],
    package: str,
    name: str,
    module: str,
    attr: str | None,
) -> None:
    if name in table:
        raise ValueError(f"lazy name {name!r} of package {package!r} is given twice")
    table[name] = (module, attr)


def _attach_from(
    package: str, path: str, analyzer: Callable[[ast.Module], tuple[_Binding, ...]]
) -> Attachment:
    table: dict[str, tuple[str, str | None]] = {}
    parts = package.split(".")
    for name, level, module, attr, line in analyzer(_parse(path)):
        where = f"{path}, line {line}"
        if name == "*":
            raise ValueError(f"{where}: a star import binds no known names; name them")
        if level:
            if level > len(parts):
                raise ValueError(f"{where}: relative import above the top-level package")
            base = ".".join(parts[: len(parts) - level + 1])
            if module is None:  # `from . import sub`: a submodule, as `import package.sub`
                module, attr = f"{base}.{attr}", None
            else:
                module = f"{base}.{module}"
        assert module is not None
        if name in table:
            raise ValueError(f"{where}: lazy name {name!r} is bound twice")
        table[name] = (module, attr)
    return _attach(package, table)


def _parse(path: str) -> ast.Module:
    """The AST of *path*, cheaply: this runs while the package is being imported.

    ``compile(..., PyCF_ONLY_AST)`` with the builtin ``_ast`` module, not ``ast``
    or ``modutils._source`` (whose imports, ``ast`` and ``typing``, cost more than
    the lazy names save); ``compile`` honours coding cookies and BOMs in bytes.
    CPython 3.11 can fail two AST conversions running at once in two threads with
    "SystemError: AST constructor recursion depth mismatch" (gh-106905): parses
    here take a lock, and one that collides with a parse elsewhere is retried.
    """
    import _ast

    with open(path, "rb") as file:
        source = file.read()
    with _parse_lock:
        for attempt in range(3):
            try:
                tree = compile(source, path, "exec", _ast.PyCF_ONLY_AST, dont_inherit=True)
                assert isinstance(tree, _ast.Module)
                return tree
            except SystemError:
                if attempt == 2:
                    raise
    raise AssertionError("unreachable")


def _bindings(statements: Iterable[ast.stmt]) -> list[_Binding]:
    import _ast as ast

    found: list[_Binding] = []
    for node in statements:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    found.append((alias.asname, 0, alias.name, None, node.lineno))
                else:
                    top = alias.name.partition(".")[0]
                    found.append((top, 0, top, None, node.lineno))
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                bound = alias.asname or alias.name
                found.append((bound, node.level, node.module, alias.name, node.lineno))
    return found


def _stub_bindings(tree: ast.Module) -> tuple[_Binding, ...]:
    return tuple(_bindings(tree.body))


def _type_checking_bindings(tree: ast.Module) -> tuple[_Binding, ...]:
    import _ast as ast

    found: list[_Binding] = []
    for node in tree.body:
        if not isinstance(node, ast.If):
            continue
        test = node.test
        if (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
            isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
        ):
            found.extend(_bindings(node.body))
    return tuple(found)


def _attach(package: str, table: dict[str, tuple[str, str | None]]) -> Attachment:
    names = sorted(table)

    def resolve(name: str) -> object:
        target = table.get(name)
        if target is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}", name=name)
        module_name, attr = target
        module = import_module(module_name)
        if attr is None:
            return module
        try:
            return getattr(module, attr)
        except AttributeError as exc:
            raise AttributeError(
                f"module {package!r} has no attribute {name!r}: "
                f"{module_name!r}, which it is lazily attached from, has no {attr!r}",
                name=name,
            ) from exc

    def __getattr__(name: str) -> object:
        value = resolve(name)
        owner = sys.modules.get(package)
        # Only into the package these functions are installed on, not into a
        # module of that name that merely called lazy_attach for someone else.
        if owner is not None and vars(owner).get("__getattr__") is __getattr__:
            vars(owner)[name] = value  # the next read skips this function
        return value

    def __dir__() -> list[str]:
        owner = sys.modules.get(package)
        return sorted(set(vars(owner) if owner is not None else ()).union(names))

    if _eager():
        # Called from the package's own __init__, before it binds __getattr__.
        owner = sys.modules.get(package)
        for name in names:
            value = resolve(name)
            if owner is not None:
                vars(owner)[name] = value
    _attached[package] = (__getattr__, tuple(names))
    return __getattr__, __dir__, list(names)


def resolve_attached(modules: Iterable[str]) -> list[tuple[str, Exception]]:
    """Read every lazily attached name of the loaded *modules*; the ones that fail.

    For ``modutils check``: a module counts when its ``__getattr__`` is one that
    :func:`lazy_attach` (or a typed form) returned for it. Each failure is
    ``("package.name", exception)``; names that resolve are cached as on any use.

    Example:
        >>> from modutils.lazy import resolve_attached
        >>> resolve_attached(["colorsys"])  # nothing attached lazily
        []
    """
    failures: list[tuple[str, Exception]] = []
    for module_name in modules:
        entry = _attached.get(module_name)
        module = sys.modules.get(module_name)
        if entry is None or module is None or vars(module).get("__getattr__") is not entry[0]:
            continue
        for name in entry[1]:
            try:
                getattr(module, name)
            except Exception as exc:  # each failure is reported, not raised
                failures.append((f"{module_name}.{name}", exc))
    return failures
