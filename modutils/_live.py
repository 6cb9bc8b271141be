"""Live reload: bring a reloaded module's old objects up to date in place, undoably.

After a module's new code ran in its namespace, :class:`LiveUpdate` pairs every old
function and class the module defined with its new version (same qualified name),
copies the new code and attributes into the old object, and binds the old objects
back in the namespace, so that references held anywhere (instances, callbacks,
``from m import f`` in other modules) see the new code and identity holds. Every
change it makes to an object is logged, so that :meth:`LiveUpdate.undo` puts all of
them back exactly; the namespaces themselves are restored by the reload
transaction, which saved them.

What cannot be updated in place (a class whose bases, metaclass or instance layout
changed, a function whose closure's free variables changed, objects of C types) keeps
its new version, as a plain reload would, and is reported as a :class:`ReplacedObject`.
Instances are never searched for in the heap: they keep their class object, which is
updated; only new instances bound directly in a module namespace (or as a class
attribute) are moved to the old class.
"""

from __future__ import annotations

import itertools
import sys
import threading
from types import CodeType, FunctionType, MemberDescriptorType, ModuleType
from typing import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping

__all__ = ["LiveUpdate", "ReplacedObject", "collect_replaced"]

_MISSING = object()
# Py_TPFLAGS_IMMUTABLETYPE (3.10+): set on C types, never on classes made by a class statement.
_IMMUTABLETYPE = 1 << 8

# The function attributes a live update copies (issue 15); __globals__ and
# __closure__ are read-only, and a paired function shares its module's globals.
_FUNCTION_ATTRS = (
    "__code__",
    "__defaults__",
    "__kwdefaults__",
    "__dict__",
    "__doc__",
    "__annotations__",
)
# Class attributes that belong to the class object itself, not to the source: the
# __dict__/__weakref__ descriptors are made for one class, and the ABC registry
# holds the classes registered with the old class.
_KEEP_CLASS_ATTRS = frozenset({"__dict__", "__weakref__", "_abc_impl"})
# Names whose use means a module may bind globals its code does not name.
_DYNAMIC_NAMES = frozenset({"globals", "vars", "setattr", "exec", "eval", "modules", "__dict__"})

# What a class attribute that may close over an object being updated can be.
_WRAPPING_TYPES = frozenset({FunctionType, classmethod, staticmethod, property})

_local = threading.local()
_CONSTANT_TYPES = frozenset({int, float, complex, str, bytes, bool, type(None)})


class ReplacedObject(NamedTuple):
    """An object a live reload could not update in place, so its new version replaced it.

    Existing references (instances, callbacks, other modules' ``from m import x``)
    keep seeing the old object; the module now holds the new one, as a plain reload
    would leave it.

    Example:
        >>> ReplacedObject("shapes", "Square", "its base classes changed")
        ReplacedObject(module='shapes', qualname='Square', reason='its base classes changed')
    """

    #: The module that defines it.
    module: str
    #: Its qualified name in the module (``"Shape.area"``).
    qualname: str
    #: Why it could not be updated in place.
    reason: str


class collect_replaced:
    """Collect the :class:`ReplacedObject` records of the live reloads in this thread.

    Inside the block, live reloads append to the returned list instead of warning.
    """

    __slots__ = ("_previous", "found")

    def __init__(self) -> None:
        self.found: list[ReplacedObject] = []
        self._previous: list[ReplacedObject] | None = None

    def __enter__(self) -> list[ReplacedObject]:
        self._previous = getattr(_local, "collector", None)
        _local.collector = self.found
        return self.found

    def __exit__(self, *exc_info: object) -> None:
        _local.collector = self._previous


def _layout(cls: type) -> tuple[int, int, int, int, list[str]]:
    """What instances of *cls* look like in memory: equal layouts allow ``__class__`` moves."""
    slots = [key for key, value in cls.__dict__.items() if type(value) is MemberDescriptorType]
    if slots:
        slots.sort()
    return (
        cls.__basicsize__,
        cls.__itemsize__,
        cls.__dictoffset__,
        cls.__weakrefoffset__,
        slots,
    )


def _is_enum(cls: type) -> bool:
    # enum is only looked at when it is loaded: a module that defines an enum loaded it.
    enum = sys.modules.get("enum")
    return enum is not None and isinstance(cls, enum.EnumMeta)


def _code_names(code: CodeType) -> tuple[set[str], bool]:
    """Every name *code* and the code nested in it mention, and whether it star-imports."""
    names: set[str] = set()
    # ``from m import *`` loads the constant ('*',) as its fromlist.
    star = ("*",) in code.co_consts
    pending = [code]
    while pending:
        current = pending.pop()
        names.update(current.co_names)
        pending.extend(const for const in current.co_consts if isinstance(const, CodeType))
    return names, star


class LiveUpdate:
    """Update the old objects of re-executed modules in place; undo all of it on demand.

    Used by the reload transaction: :meth:`apply` once every module's new code ran,
    :meth:`undo` (before the namespaces are restored) if anything failed.
    """

    __slots__ = (
        "_candidates",
        "_deletions",
        "_keep",
        "_new_functions",
        "_old",
        "_old_functions",
        "_paired",
        "_undo",
        "replaced",
    )

    def __init__(self) -> None:
        # id(new object) -> the old object it updates (the new ones are kept alive
        # in _keep so that their ids are not reused while this update lives).
        self._old: dict[int, object] = {}
        self._keep: list[object] = []
        self._paired: set[int] = set()
        self._candidates: list[tuple[str, type, type]] = []
        # Every function pair, old and new side by side; which of them changed is
        # decided at once, after pairing (see _update_functions).
        self._old_functions: list[FunctionType] = []
        self._new_functions: list[FunctionType] = []
        self._deletions: list[tuple[type, str]] = []
        self._undo: list[tuple[Callable[..., object], tuple[object, ...]]] = []
        #: What could not be updated in place, in the order found.
        self.replaced: list[ReplacedObject] = []

    # --- the two entry points -------------------------------------------------------------

    def apply(
        self, modules: Mapping[str, ModuleType], namespaces: Mapping[str, dict[str, object]]
    ) -> None:
        """Update in place what *modules* (re-executed) defined before (saved in *namespaces*).

        On an exception part of the update may be applied: call :meth:`undo`.
        """
        # Pairing decides everything before any object is changed.
        for name, module in modules.items():
            saved = namespaces.get(name)
            if saved is not None:
                self._pair_namespace(name, module.__dict__, saved)
        classes = self._settle_classes()
        self._pair_classes_members(classes)
        for _module, old, new in classes:
            self._sync_class(old, new)
        self._update_functions()
        for name, module in modules.items():
            saved = namespaces.get(name)
            if saved is not None:
                self._rebind(name, module, saved)
        # Last, because nothing else can fail after them: a class attribute that is
        # deleted and then put back moves to the end of the class's __dict__.
        for cls, key in self._deletions:
            self._del_class_attr(cls, key)

    def undo(self) -> None:
        """Put every object changed so far back exactly as it was, newest change first."""
        undo, self._undo = self._undo, []
        for action, args in reversed(undo):
            action(*args)

    def report(self) -> None:
        """Hand the replaced objects to :class:`collect_replaced`, or warn about them."""
        if not self.replaced:
            return
        collector: list[ReplacedObject] | None = getattr(_local, "collector", None)
        if collector is not None:
            collector.extend(self.replaced)
            return
        import warnings

        from modutils.errors import LiveReloadWarning

        for item in self.replaced:
            warnings.warn(
                f"live reload of {item.module!r}: {item.qualname} was replaced, not updated "
                f"in place ({item.reason}); existing references keep the old version",
                LiveReloadWarning,
                stacklevel=3,
            )

    # --- pairing old and new --------------------------------------------------------------

    def _translate(self, value: object) -> object:
        return self._old.get(id(value), value)

    def _report(self, module: str, qualname: str, reason: str) -> None:
        self.replaced.append(ReplacedObject(module, qualname, reason))

    def _pair_namespace(
        self, module: str, namespace: dict[str, object], saved: dict[str, object]
    ) -> None:
        """Pair what *module*'s new code bound in *namespace* with what *saved* held."""
        get = saved.get
        olds: list[FunctionType] = []
        news: list[FunctionType] = []
        for key, new in list(namespace.items()):
            old = get(key, _MISSING)
            if old is new or old is _MISSING:
                continue
            if type(new) is FunctionType and type(old) is FunctionType:
                olds.append(old)  # most of what a module defines
                news.append(new)
            else:
                self._match(module, key, old, new)
        if not olds:
            return
        from operator import attrgetter, is_

        # A function pairs with one of the same qualified name that this module
        # defined: checked for all at once, then one by one if one is not.
        globals_ = map(attrgetter("__globals__"), itertools.chain(olds, news))
        qualname = attrgetter("__qualname__")
        if not (
            all(map(is_, globals_, itertools.repeat(namespace)))
            and list(map(qualname, olds)) == list(map(qualname, news))
        ):
            pairs = [
                (old, new)
                for old, new in zip(olds, news, strict=True)
                if old.__globals__ is namespace
                and new.__globals__ is namespace
                and old.__qualname__ == new.__qualname__
            ]
            olds = [old for old, _ in pairs]
            news = [new for _, new in pairs]
        # Functions pair only with functions, classes with classes: pairing the
        # functions after the classes gives what pairing them in order would.
        self._pair_functions(itertools.repeat(module), olds, news)

    def _match(self, module: str, key: str, old: object, new: object) -> None:
        if isinstance(old, type):
            if (
                isinstance(new, type)
                and old.__module__ == module
                and new.__module__ == module
                and old.__qualname__ == new.__qualname__
            ):
                self._add_class(module, old, new)
        elif type(old) is type(new):
            # Another object the module defined under this name: a C wrapper
            # (functools.lru_cache copies the function's __module__ and __qualname__)
            # or a wrapper instance, whose state has no general way to be copied.
            try:
                defined = (
                    getattr(new, "__module__", None) == module
                    and getattr(new, "__qualname__", None) == key
                )
            except Exception:  # any attribute hook may fail; then it is plain data
                defined = False
            if defined:
                self._report(
                    module, key, f"a {type(new).__qualname__} object cannot be updated in place"
                )

    def _pair_functions(
        self, modules: Iterable[str], olds: list[FunctionType], news: list[FunctionType]
    ) -> None:
        """:meth:`_pair_function` on each pair in turn, at once when their order cannot matter.

        It cannot when no object appears twice or is paired already, and no closure's
        free variables changed: then every pair is made, in C loops.
        """
        if not olds:
            return
        from operator import attrgetter

        old_map = self._old
        paired = self._paired
        new_ids = list(map(id, news))
        old_ids = list(map(id, olds))
        closure = attrgetter("__closure__")
        free = attrgetter("__code__.co_freevars")
        if (
            len(set(new_ids)) == len(new_ids) == len(set(old_ids))
            and old_map.keys().isdisjoint(new_ids)
            and paired.isdisjoint(old_ids)
            # No closures, no free variables (co_freevars is built on each read).
            and (
                not (any(map(closure, olds)) or any(map(closure, news)))
                or list(map(free, olds)) == list(map(free, news))
            )
        ):
            old_map.update(zip(new_ids, olds, strict=True))
            paired.update(old_ids)
            self._old_functions += olds
            self._new_functions += news
            return
        # modules may be endless (itertools.repeat): olds and news set the length.
        for module, old, new in zip(modules, olds, news):  # noqa: B905
            self._pair_function(module, old, new)

    def _pair_function(self, module: str, old: object, new: object) -> bool:
        if type(old) is not FunctionType or type(new) is not FunctionType:
            return False
        old_map = self._old
        if id(new) in old_map:
            return old_map[id(new)] is old
        paired = self._paired
        if id(old) in paired:
            return False
        if (
            old.__closure__ is not None or new.__closure__ is not None
        ) and old.__code__.co_freevars != new.__code__.co_freevars:
            self._report(
                module,
                new.__qualname__,
                f"its closure's free variables changed from {old.__code__.co_freevars} "
                f"to {new.__code__.co_freevars}",
            )
            return False
        old_map[id(new)] = old
        paired.add(id(old))
        # The list keeps the new one alive, so that its id is not reused.
        self._old_functions.append(old)
        self._new_functions.append(new)
        return True

    def _pair(self, old: object, new: object) -> None:
        self._old[id(new)] = old
        self._keep.append(new)
        self._paired.add(id(old))

    def _add_class(self, module: str, old: type, new: type) -> None:
        if id(new) in self._old or id(old) in self._paired:
            return
        self._pair(old, new)
        self._candidates.append((module, old, new))
        # Nested classes are paired with the class that holds them.
        old_dict = old.__dict__
        for key, value in new.__dict__.items():
            previous = old_dict.get(key)
            if (
                isinstance(value, type)
                and isinstance(previous, type)
                and value.__qualname__ == f"{new.__qualname__}.{key}"
                and previous.__qualname__ == value.__qualname__
            ):
                self._add_class(module, previous, value)

    def _why_not_class(self, old: type, new: type) -> str | None:
        if old.__flags__ & _IMMUTABLETYPE:
            return f"{old.__qualname__} is a C type"
        if self._old.get(id(type(new)), type(new)) is not type(old):
            return (
                f"its metaclass changed from {type(old).__qualname__} to {type(new).__qualname__}"
            )
        old_map = self._old
        bases = tuple([old_map.get(id(base), base) for base in new.__bases__])
        if bases != old.__bases__:
            before = ", ".join(base.__qualname__ for base in old.__bases__)
            after = ", ".join(base.__qualname__ for base in new.__bases__)
            return f"its base classes changed from ({before}) to ({after})"
        if _layout(old) != _layout(new):
            return "its instance layout (__slots__, __dict__ or __weakref__) changed"
        return None

    def _settle_classes(self) -> list[tuple[str, type, type]]:
        """The class pairs that can be updated; the others are reported and unpaired."""
        candidates = self._candidates
        changed = True
        # A class that cannot be updated makes its subclasses' bases differ too.
        while changed:
            changed = False
            kept = []
            for module, old, new in candidates:
                reason = self._why_not_class(old, new)
                if reason is None:
                    kept.append((module, old, new))
                    continue
                self._report(module, old.__qualname__, reason)
                del self._old[id(new)]
                self._paired.discard(id(old))
                changed = True
            candidates = kept
        return candidates

    def _pair_classes_members(self, classes: list[tuple[str, type, type]]) -> None:
        """Pair the methods, wrapped methods, property accessors and enum members of classes.

        The plain methods of every class first, at once; a function that is also
        wrapped somewhere is then found paired already, with the same old function.
        """
        modules: list[str] = []
        olds: list[FunctionType] = []
        news: list[FunctionType] = []
        wrapping: list[tuple[str, type, type]] = []
        for module, old, new in classes:
            get = old.__dict__.get
            wraps = False
            for key, value in new.__dict__.items():
                kind = type(value)
                if kind is FunctionType:
                    previous = get(key)
                    if (
                        type(previous) is FunctionType
                        and previous is not value
                        and previous.__qualname__ == value.__qualname__
                    ):
                        modules.append(module)
                        olds.append(previous)
                        news.append(value)
                elif kind is classmethod or kind is staticmethod or kind is property:
                    wraps = True
            if wraps:
                wrapping.append((module, old, new))
        self._pair_functions(modules, olds, news)
        for module, old, new in wrapping:
            self._pair_wrappers(module, old, new)
        for _module, old, new in classes:
            if _is_enum(old):
                self._pair_enum_members(old, new)

    def _pair_wrappers(self, module: str, old: type, new: type) -> None:
        """Pair the classmethods, staticmethods and properties of a class, and what they wrap."""
        get = old.__dict__.get
        for key, value in new.__dict__.items():
            kind = type(value)
            if kind is not classmethod and kind is not staticmethod and kind is not property:
                continue
            previous = get(key, _MISSING)
            if type(previous) is not kind or previous is value:
                continue
            if kind is property:
                olds = (previous.fget, previous.fset, previous.fdel)
                news = (value.fget, value.fset, value.fdel)
                if list(map(_is_none, olds)) == list(map(_is_none, news)) and all(
                    a is None or self._pair_function(module, a, b)
                    for a, b in zip(olds, news, strict=True)
                ):
                    self._pair(previous, value)
            elif self._pair_function(module, previous.__func__, value.__func__):
                self._pair(previous, value)

    def _pair_enum_members(self, old: type, new: type) -> None:
        # Members whose name and value are unchanged keep their identity.
        old_members: dict[str, object] = old.__dict__.get("_member_map_", {})
        for key, member in new.__dict__.get("_member_map_", {}).items():
            previous = old_members.get(key)
            if previous is None or id(member) in self._old or id(previous) in self._paired:
                continue
            old_value = previous._value_  # type: ignore[attr-defined]
            new_value = member._value_
            if type(old_value) is not type(new_value):
                continue
            try:
                same = bool(old_value == new_value)
            except Exception:  # a value type whose == refuses to answer: a new member
                same = False
            if same:
                self._pair(previous, member)

    # --- applying -------------------------------------------------------------------------

    def _set_class_attr(self, cls: type, key: str, value: object) -> None:
        # type.__setattr__ itself: an enum's metaclass refuses to rebind members.
        previous = cls.__dict__.get(key, _MISSING)
        type.__setattr__(cls, key, value)
        if previous is _MISSING:
            self._undo.append((type.__delattr__, (cls, key)))
        else:
            self._undo.append((type.__setattr__, (cls, key, previous)))

    def _del_class_attr(self, cls: type, key: str) -> None:
        previous = cls.__dict__[key]
        type.__delattr__(cls, key)
        self._undo.append((type.__setattr__, (cls, key, previous)))

    def _set_cell(self, cell: object, value: object) -> None:
        try:
            previous = cell.cell_contents  # type: ignore[attr-defined]
        except ValueError:  # an empty cell
            self._undo.append((_empty_cell, (cell,)))
        else:
            self._undo.append((_fill_cell, (cell, previous)))
        if value is _MISSING:
            _empty_cell(cell)
        else:
            _fill_cell(cell, value)

    def _adopt(self, value: object) -> None:
        """Move an instance of a new class that updates an old one to the old class."""
        cls = self._old.get(id(type(value)))
        if isinstance(cls, type) and not isinstance(value, type):
            previous = type(value)
            object.__setattr__(value, "__class__", cls)
            self._undo.append((object.__setattr__, (value, "__class__", previous)))
            namespace = getattr(value, "__dict__", None)
            # An enum member records its class.
            if isinstance(namespace, dict) and namespace.get("__objclass__") is previous:
                namespace["__objclass__"] = cls
                self._undo.append((namespace.__setitem__, ("__objclass__", previous)))

    def _retarget_closure(self, function: object) -> None:
        """Make a new function kept in an old class see old objects through its closure."""
        for cell in getattr(function, "__closure__", None) or ():
            try:
                contents = cell.cell_contents
            except ValueError:
                continue
            translated = self._translate(contents)
            if translated is not contents:
                self._set_cell(cell, translated)

    def _update_function(self, old: FunctionType, new: FunctionType) -> None:
        # Written out, not looped over _FUNCTION_ATTRS: this runs for every function
        # and method of the module, and is most of a live reload's own cost.
        old_map = self._old
        self._undo.append(
            (
                _restore_function,
                (
                    old,
                    old.__code__,
                    old.__defaults__,
                    old.__kwdefaults__,
                    old.__dict__,
                    old.__doc__,
                    old.__annotations__,
                ),
            )
        )
        old.__code__ = new.__code__
        defaults = new.__defaults__
        if defaults is not None:
            # A plain loop: defaults rarely hold an object being updated (an enum
            # member, a class), and a comprehension costs more than the check.
            for item in defaults:
                if id(item) in old_map:
                    defaults = tuple([old_map.get(id(item), item) for item in defaults])
                    break
        old.__defaults__ = defaults
        kwdefaults = new.__kwdefaults__
        if kwdefaults is not None:
            kwdefaults = {key: old_map.get(id(item), item) for key, item in kwdefaults.items()}
        old.__kwdefaults__ = kwdefaults
        attributes = new.__dict__
        if attributes or old.__dict__:
            old.__dict__ = {key: old_map.get(id(item), item) for key, item in attributes.items()}
        old.__doc__ = new.__doc__
        # The new function is dropped after this: its annotations dict can be shared.
        old.__annotations__ = new.__annotations__
        if old.__closure__ is None:
            return
        for old_cell, new_cell in zip(old.__closure__, new.__closure__ or (), strict=True):
            try:
                value = old_map.get(id(new_cell.cell_contents), new_cell.cell_contents)
            except ValueError:
                value = _MISSING
            try:
                current = old_cell.cell_contents
            except ValueError:
                current = _MISSING
            if current is not value:
                self._set_cell(old_cell, value)

    def _update_functions(self) -> None:
        """Update each paired function unless it already has everything its new version has.

        One left untouched keeps what the interpreter specialised for it (most
        functions, when one of many in a module was edited). Comparing the code
        objects is most of the cost, so that is done first.
        """
        olds = self._old_functions
        news = self._new_functions
        from operator import attrgetter, eq, is_

        code = attrgetter("__code__")
        old_codes = list(map(code, olds))
        new_codes = list(map(code, news))
        # Comparing lists takes the shortcut of identity element by element (a
        # function updated from code the transaction still reuses from its cache
        # costs nothing), and when all are equal, the usual case, it is one C loop.
        if old_codes == new_codes:
            same = [True] * len(olds)
        else:
            same = [a is b or a == b for a, b in zip(old_codes, new_codes, strict=True)]
        if sys.version_info < (3, 11):
            # 3.10 leaves the line table out of code equality: a function moved by
            # a line within its body must still be updated, for its tracebacks.
            lines = attrgetter("__code__.co_linetable")
            same = [
                a and b
                for a, b in zip(same, map(eq, map(lines, olds), map(lines, news)), strict=True)
            ]
        for old, new, same_code in zip(olds, news, same, strict=True):
            if same_code and old.__closure__ is None:
                # Inline, the usual case: no attributes, keyword defaults or
                # annotations, and defaults that are the same constants.
                old_defaults = old.__defaults__
                new_defaults = new.__defaults__
                if (
                    not old.__annotations__
                    and not new.__annotations__
                    and old.__kwdefaults__ is None
                    and new.__kwdefaults__ is None
                    and not old.__dict__
                    and not new.__dict__
                    and old.__doc__ == new.__doc__
                    and (
                        old_defaults is new_defaults
                        or (
                            old_defaults is not None
                            and new_defaults is not None
                            and len(old_defaults) == len(new_defaults)
                            # Small ints, None, booleans and names are shared
                            # objects: the same ones, in a C loop, or equal constants.
                            and (
                                all(map(is_, old_defaults, new_defaults))
                                or _same_constants(old_defaults, new_defaults)
                            )
                        )
                    )
                ) or self._unchanged(old, new):
                    continue
            self._update_function(old, new)

    def _unchanged(self, old: FunctionType, new: FunctionType) -> bool:
        """Whether *old*, whose code is *new*'s already, has everything else *new* would give it."""
        if old.__closure__ is not None or old.__doc__ != new.__doc__:
            return False
        if new.__dict__ or old.__dict__:
            return False
        old_defaults = old.__defaults__
        new_defaults = new.__defaults__
        if old_defaults is not new_defaults:
            if old_defaults is None or new_defaults is None:
                return False
            if len(old_defaults) != len(new_defaults):
                return False
            # Inline for the usual defaults (small ints, strings, None), as _same.
            for before, after in zip(old_defaults, new_defaults, strict=True):
                if before is not after and (
                    type(before) is not type(after)
                    or type(before) not in _CONSTANT_TYPES
                    or before != after
                ):
                    if not self._same(old_defaults, new_defaults):
                        return False
                    break
        old_kw = old.__kwdefaults__
        new_kw = new.__kwdefaults__
        if old_kw is not new_kw and (
            old_kw is None
            or new_kw is None
            or old_kw.keys() != new_kw.keys()
            or not self._same(old_kw.values(), new_kw.values())
        ):
            return False
        old_ann = old.__annotations__
        new_ann = new.__annotations__
        return not (old_ann or new_ann) or (
            old_ann.keys() == new_ann.keys() and self._same(old_ann.values(), new_ann.values())
        )

    def _same(self, olds: Iterable[object], news: Iterable[object]) -> bool:
        """Whether each old value is the new one, translated, or an equal plain constant.

        The callers check that both hold as many values.
        """
        old_map = self._old
        for old, new in zip(olds, news, strict=True):
            new = old_map.get(id(new), new)
            if old is new:
                continue
            # Only built-in constants are compared by value: another type's __eq__
            # could run anything, or refuse to answer (arrays).
            if type(old) is not type(new) or type(old) not in _CONSTANT_TYPES or old != new:
                return False
        return True

    def _sync_class(self, old: type, new: type) -> None:
        """Make *old*'s attributes those of *new* (translated to old objects)."""
        enum = _is_enum(old)
        old_dict = old.__dict__
        new_dict = new.__dict__
        old_map = self._old
        for key, value in new_dict.items():
            if key in _KEEP_CLASS_ATTRS or type(value) is MemberDescriptorType:
                continue
            translated = old_map.get(id(value), value)
            if translated is value:
                if type(value) in _WRAPPING_TYPES:
                    self._retarget(value)
                if enum and type(value) in (dict, list):
                    translated = self._translate_container(value)
                    if key == "_value2member_map_" and type(translated) is dict:
                        self._keep_pseudo_members(old, new, translated)
                elif id(type(value)) in old_map:
                    self._adopt(value)
            if old_dict.get(key, _MISSING) is not translated:
                self._set_class_attr(old, key, translated)
        self._deletions.extend(
            (old, key)
            for key in old_dict
            if key not in new_dict
            and key not in _KEEP_CLASS_ATTRS
            and type(old_dict[key]) is not MemberDescriptorType
        )

    def _retarget(self, value: object) -> None:
        kind = type(value)
        if kind is FunctionType:
            if value.__closure__ is None:  # type: ignore[attr-defined]
                return
            self._retarget_closure(value)
        elif kind in (classmethod, staticmethod):
            self._retarget_closure(value.__func__)  # type: ignore[attr-defined]
        elif kind is property:
            for accessor in (value.fget, value.fset, value.fdel):  # type: ignore[attr-defined]
                self._retarget_closure(accessor)

    def _keep_pseudo_members(self, old: type, new: type, values: dict[object, object]) -> None:
        """Keep the old enum's pseudo-members (``Flag`` combinations) while members are the same.

        ``Perm.R | Perm.W`` made before the reload is cached in the old class; made
        again after, it must be the same object. That holds only while every member
        keeps its value, which is checked first.
        """
        old_members: dict[str, object] = old.__dict__.get("_member_map_", {})
        new_members: dict[str, object] = new.__dict__.get("_member_map_", {})
        if old_members.keys() != new_members.keys() or any(
            self._old.get(id(member)) is not old_members[name]
            for name, member in new_members.items()
        ):
            return
        canonical = {id(member) for member in old_members.values()}
        for value, member in old.__dict__.get("_value2member_map_", {}).items():
            if value not in values and id(member) not in canonical:
                values[value] = member

    def _translate_container(self, value: object) -> object:
        translate = self._translate
        if type(value) is dict:
            return {key: translate(item) for key, item in value.items()}
        return [translate(item) for item in value]  # type: ignore[attr-defined]

    def _rebind(self, name: str, module: ModuleType, saved: dict[str, object]) -> None:
        namespace = module.__dict__
        unchanged = [key for key, value in saved.items() if namespace.get(key, _MISSING) is value]
        old_map = self._old
        for key, value in list(namespace.items()):
            translated = old_map.get(id(value), value)
            if translated is not value:
                namespace[key] = translated
            elif id(type(value)) in old_map:
                self._adopt(value)
        for key in _stale_names(name, module, unchanged, saved):
            del namespace[key]


def _is_none(value: object) -> bool:
    return value is None


def _same_constants(olds: tuple[object, ...], news: tuple[object, ...]) -> bool:
    """Whether two tuples hold the same built-in constants (of the same types), in order."""
    if len(olds) != len(news):
        return False
    for old, new in zip(olds, news, strict=True):
        # Only built-in constants are compared by value: another type's __eq__
        # could run anything, or refuse to answer (arrays).
        if old is not new and (
            type(old) is not type(new) or type(old) not in _CONSTANT_TYPES or old != new
        ):
            return False
    return True


def _restore_function(function: FunctionType, *saved: object) -> None:
    """Undo :meth:`LiveUpdate._update_function` with the values it saved, in its order."""
    for attr, value in zip(_FUNCTION_ATTRS, saved, strict=True):
        setattr(function, attr, value)


def _fill_cell(cell: object, value: object) -> None:
    cell.cell_contents = value  # type: ignore[attr-defined]


def _empty_cell(cell: object) -> None:
    try:
        del cell.cell_contents  # type: ignore[attr-defined]
    except ValueError:
        pass


def _stale_names(
    name: str, module: ModuleType, unchanged: list[str], saved: dict[str, object]
) -> Iterator[str]:
    """The names among *unchanged* that the module's new code does not bind.

    A name the new code (or code nested in it) never mentions cannot have been bound
    by it. Where that is not enough to tell (a star import, or code that binds
    globals dynamically), only functions and classes the module defined under that
    name are dropped: running a ``def`` or ``class`` always makes a new object, so
    one still bound after the run was not defined again. Dunder names and the
    package's submodules (bound by the import system) always stay.
    """
    candidates = [key for key in unchanged if not (key.startswith("__") and key.endswith("__"))]
    if not candidates:
        return
    spec = module.__dict__.get("__spec__")
    get_code = getattr(getattr(spec, "loader", None), "get_code", None)
    code = None
    if get_code is not None:
        try:
            code = get_code(name)
        except Exception:  # the file changed again or is gone: keep every name
            code = None
    if not isinstance(code, CodeType):
        return
    names, star = _code_names(code)
    dynamic = star or not _DYNAMIC_NAMES.isdisjoint(names)
    for key in candidates:
        value = saved[key]
        if isinstance(value, ModuleType) and value.__name__ == f"{name}.{key}":
            continue
        if key in names:
            continue
        if dynamic and not _defined_here(value, name, key):
            continue
        yield key


def _defined_here(value: object, module: str, key: str) -> bool:
    if type(value) is FunctionType or isinstance(value, type):
        return value.__module__ == module and value.__qualname__ == key
    return False
