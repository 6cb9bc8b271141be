"""modutils._live through reload(live=True): old objects updated in place, or put back exactly."""

from __future__ import annotations

import dataclasses
import enum
import importlib
import itertools
import pickle
import sys
import textwrap
import types
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest

import modutils
from modutils import LiveReloadWarning, ReloadError, _live

TYPE_CHECKING = False
if TYPE_CHECKING:
    from conftest import WriteTree

_counter = itertools.count()

Load = Callable[[str], types.ModuleType]


@pytest.fixture
def load(write_tree: WriteTree) -> Load:
    """Write one module with a fresh name, put it on sys.path and import it."""

    def load(source: str) -> types.ModuleType:
        name = f"lv{next(_counter)}_m"
        root = write_tree({f"{name}.py": source})
        if str(root) not in sys.path:
            sys.path.insert(0, str(root))
        importlib.invalidate_caches()
        return importlib.import_module(name)

    return load


def _rewrite(module: types.ModuleType, source: str) -> None:
    Path(module.__file__ or "").write_text(textwrap.dedent(source), encoding="utf-8")


def _live_reload(module: types.ModuleType, source: str) -> types.ModuleType:
    _rewrite(module, source)
    return modutils.reload(module, live=True)


# --- functions ----------------------------------------------------------------------------


def test_functions_are_updated_in_place(load: Load) -> None:
    module = load("def f(x, y=1, *, z=2):\n    'old doc'\n    return x + y + z\n")
    old = module.f
    old.tag = "old"
    held = {"callback": module.f}
    _live_reload(
        module,
        """
        def f(x: int, y=10, *, z=20) -> int:
            'new doc'
            return x * y * z
        f.tag = "new"
        """,
    )
    assert module.f is old
    assert held["callback"](2) == 400
    assert old.__defaults__ == (10,)
    assert old.__kwdefaults__ == {"z": 20}
    assert old.__doc__ == "new doc"
    assert old.__annotations__ == {"x": int, "return": int}
    assert old.tag == "new"


ONE_CHANGE = {
    "defaults": ("def f(x=1):\n    return x\n", "def f(x=2):\n    return x\n", "f()", 2),
    "kwdefaults": ("def f(*, x=1):\n    return x\n", "def f(*, x=2):\n    return x\n", "f()", 2),
    "default added": (
        "def f(x=1):\n    return x\n",
        "def f(x=1, y=2):\n    return x\n",
        "f.__defaults__",
        (1, 2),
    ),
    "annotations": (
        "def f(x: int):\n    pass\n",
        "def f(x: str):\n    pass\n",
        "f.__annotations__",
        {"x": str},
    ),
    "attribute": ("def f():\n    pass\nf.tag = 1\n", "def f():\n    pass\nf.tag = 2\n", "f.tag", 2),
    "kwdefaults after a class default": (
        "class C:\n    pass\ndef f(x=C, *, y=1):\n    return y\n",
        "class C:\n    pass\ndef f(x=C, *, y=2):\n    return y\n",
        "f()",
        2,
    ),
    "list default": ("def f(x=[1]):\n    return x\n", "def f(x=[2]):\n    return x\n", "f()", [2]),
    "float default": (
        "def f(x=1.0):\n    return x\n",
        "def f(x=1):\n    return x\n",
        "type(f())",
        int,
    ),
}


@pytest.mark.parametrize("case", list(ONE_CHANGE))
def test_a_change_besides_the_code_is_seen(load: Load, case: str) -> None:
    before, after, expression, expected = ONE_CHANGE[case]
    module = load(before)
    old = module.f
    _live_reload(module, after)
    assert module.f is old
    assert eval(expression, {"f": old}) == expected


def test_an_unchanged_function_is_left_alone(load: Load) -> None:
    module = load("def f(x=1000):\n    return x\ndef g():\n    return 1\n")
    code = module.f.__code__
    _live_reload(module, "def f(x=1000):\n    return x\ndef g():\n    return 2\n")
    # Untouched, so that what the interpreter specialised for it stays valid.
    assert module.f.__code__ is code
    assert module.g() == 2


def test_a_decorated_function_calls_the_new_inner_function(load: Load) -> None:
    source = """
        import functools

        def deco(func):
            @functools.wraps(func)
            def wrapper(*args):
                return ("wrapped", func(*args))
            return wrapper

        @deco
        def f(x):
            return x + {n}
        """
    module = load(textwrap.dedent(source.format(n=1)))
    old = module.f
    _live_reload(module, source.format(n=100))
    assert module.f is old
    assert old(1) == ("wrapped", 101)


def test_dependents_bind_the_updated_old_objects(write_tree: WriteTree) -> None:
    name = f"lv{next(_counter)}"
    root = write_tree(
        {
            f"{name}_a.py": "def f():\n    return 1\nclass C:\n    pass\n",
            f"{name}_b.py": f"from {name}_a import f, C\n",
        }
    )
    sys.path.insert(0, str(root))
    a = importlib.import_module(f"{name}_a")
    b = importlib.import_module(f"{name}_b")
    old_f, old_c = a.f, a.C
    _rewrite(a, "def f():\n    return 2\nclass C:\n    x = 1\n")
    modutils.reload(a, dependents=True, live=True)
    assert b.f is a.f is old_f
    assert b.C is a.C is old_c
    assert old_f() == 2
    assert old_c.x == 1


# --- classes ------------------------------------------------------------------------------

CLASS_V1 = """
class Base:
    def hello(self):
        return "base"

class C(Base):
    kept = "kept"
    removed = "removed"

    def __init__(self):
        self.value = 1

    def method(self):
        return "old method"

    def hello(self):
        return "C+" + super().hello()

    @classmethod
    def make(cls):
        return (cls, "old")

    @staticmethod
    def static():
        return "old static"

    @property
    def prop(self):
        return "old prop"

    class Inner:
        def who(self):
            return "old inner"
"""

CLASS_V2 = """
class Base:
    def hello(self):
        return "new base"

class C(Base):
    kept = "kept, changed"
    added = "added"

    def __init__(self):
        self.value = 1

    def method(self):
        return "new method"

    def hello(self):
        return "C2+" + super().hello()

    @classmethod
    def make(cls):
        return (cls, "new")

    @staticmethod
    def static():
        return "new static"

    @property
    def prop(self):
        return "new prop"

    class Inner:
        def who(self):
            return "new inner"

INSTANCE = C()
"""


def test_classes_are_updated_in_place(load: Load) -> None:
    module = load(CLASS_V1)
    old_c, old_base, old_inner = module.C, module.Base, module.C.Inner
    instance, inner = module.C(), module.C.Inner()
    method = instance.method
    _live_reload(module, CLASS_V2)
    assert module.C is old_c
    assert module.Base is old_base
    assert module.C.Inner is old_inner
    assert method() == "new method"
    assert instance.hello() == "C2+new base"  # super() still finds the old base class
    assert old_c.make() == (old_c, "new")
    assert old_c.static() == "new static"
    assert instance.prop == "new prop"
    assert inner.who() == "new inner"
    assert old_c.kept == "kept, changed"
    assert old_c.added == "added"
    assert not hasattr(old_c, "removed")
    # An instance the new code made is an instance of the (kept) class.
    assert type(module.INSTANCE) is old_c
    assert isinstance(instance, module.C)
    assert pickle.loads(pickle.dumps(instance)).value == 1


@pytest.mark.parametrize("frozen", [False, True], ids=["plain", "frozen"])
def test_dataclasses_are_updated_in_place(load: Load, frozen: bool) -> None:
    source = """
        import dataclasses

        @dataclasses.dataclass(frozen={frozen})
        class Point:
            x: int
            y: int = {default}

            def norm(self):
                return {body}
        """
    module = load(textwrap.dedent(source.format(frozen=frozen, default=0, body="self.x")))
    old = module.Point
    point = old(3, 4)
    _live_reload(module, source.format(frozen=frozen, default=5, body="self.x + self.y"))
    assert module.Point is old
    assert point.norm() == 7
    assert old(1) == old(1, 5)
    assert pickle.loads(pickle.dumps(point)) == point
    if frozen:
        with pytest.raises(dataclasses.FrozenInstanceError):
            point.x = 1
    else:
        point.x = 1
        assert point.norm() == 5


def test_a_slots_class_with_the_same_layout_is_updated(load: Load) -> None:
    source = "class S:\n    __slots__ = ('a',)\n    def get(self):\n        return {body}\n"
    module = load(source.format(body="self.a"))
    old = module.S
    instance = old()
    instance.a = 2
    _live_reload(module, source.format(body="self.a * 10"))
    assert module.S is old
    assert instance.get() == 20


def test_enum_members_keep_their_identity(load: Load) -> None:
    module = load(
        "import enum\nclass Color(enum.Enum):\n    RED = 1\n    GREEN = 2\n    GONE = 3\n"
    )
    old_color, red, green = module.Color, module.Color.RED, module.Color.GREEN
    _live_reload(
        module,
        """
        import enum
        class Color(enum.Enum):
            RED = 1
            GREEN = 20
            BLUE = 4
            def describe(self):
                return self.name.lower()
        """,
    )
    assert module.Color is old_color
    assert module.Color.RED is red
    assert module.Color(1) is red
    assert red.describe() == "red"
    # A member whose value changed is a new member, of the same (kept) class.
    assert module.Color.GREEN is not green
    assert module.Color.GREEN.value == 20
    assert isinstance(module.Color.BLUE, old_color)
    assert [member.name for member in old_color] == ["RED", "GREEN", "BLUE"]
    assert not hasattr(old_color, "GONE")
    assert isinstance(red, enum.Enum)


@pytest.mark.parametrize("members_change", [False, True], ids=["same-members", "new-member"])
def test_flag_combinations_made_before_keep_their_identity_while_members_do(
    load: Load, members_change: bool
) -> None:
    source = "import enum\nclass Perm(enum.Flag):\n    R = 4\n    W = 2\n{extra}"
    module = load(source.format(extra=""))
    combined = module.Perm.R | module.Perm.W
    extra = "    X = 1\n" if members_change else "    def describe(self):\n        return 1\n"
    _live_reload(module, source.format(extra=extra))
    again = module.Perm.R | module.Perm.W
    assert again.value == combined.value
    assert isinstance(again, module.Perm)
    # The cached combination is kept only when it still means the same thing.
    assert (again is combined) is not members_change


# --- names --------------------------------------------------------------------------------


@pytest.mark.parametrize("live", [False, True], ids=["plain", "live"])
def test_names_no_longer_bound_are_removed_only_when_live(load: Load, live: bool) -> None:
    module = load("import os\nOLD = 1\ndef gone():\n    pass\nclass Gone:\n    pass\nKEPT = 2\n")
    module.EXTERNAL_DUNDER__ = 1  # type: ignore[attr-defined]
    _rewrite(module, "KEPT = 3\n")
    modutils.reload(module, live=live)
    assert module.KEPT == 3
    for name in ("os", "OLD", "gone", "Gone"):
        assert hasattr(module, name) is not live, name
    assert module.__name__ in sys.modules


def test_a_package_keeps_its_submodules_and_dunders(write_tree: WriteTree) -> None:
    name = f"lv{next(_counter)}_pkg"
    root = write_tree({f"{name}/__init__.py": "X = 1\n", f"{name}/sub.py": ""})
    sys.path.insert(0, str(root))
    package = importlib.import_module(name)
    importlib.import_module(f"{name}.sub")
    path = package.__path__
    _rewrite(package, "Y = 2\n")
    modutils.reload(package, live=True)
    assert package.sub is sys.modules[f"{name}.sub"]  # bound by the import system
    assert package.__path__ == path
    assert not hasattr(package, "X")
    assert package.Y == 2


def test_names_a_star_import_binds_are_kept(load: Load) -> None:
    module = load("from os.path import *\ndef gone():\n    pass\n")
    _rewrite(module, "from os.path import *\n")
    modutils.reload(module, live=True)
    assert module.join is __import__("os.path").path.join
    assert not hasattr(module, "gone")


# --- what cannot be updated in place ------------------------------------------------------

REPLACED = {
    "bases": (
        "class A:\n    pass\nclass B:\n    pass\nclass C(A):\n    pass\n",
        "class A:\n    pass\nclass B:\n    pass\nclass C(B):\n    pass\n",
        "C",
        "base classes changed",
    ),
    "metaclass": (
        "class Meta(type):\n    pass\nclass C:\n    pass\n",
        "class Meta(type):\n    pass\nclass C(metaclass=Meta):\n    pass\n",
        "C",
        "metaclass changed",
    ),
    "slots": (
        "class C:\n    __slots__ = ('a',)\n",
        "class C:\n    __slots__ = ('a', 'b')\n",
        "C",
        "layout",
    ),
    "closure": (
        "def make():\n    x = 1\n    def C():\n        return x\n    return C\nC = make()\n",
        "def make():\n    x = y = 1\n    def C():\n        return x + y\n"
        "    return C\nC = make()\n",
        "make.<locals>.C",
        "free variables changed",
    ),
    "C type": (
        "import functools\n@functools.lru_cache\ndef C():\n    return 1\n",
        "import functools\n@functools.lru_cache\ndef C():\n    return 2\n",
        "C",
        "cannot be updated in place",
    ),
}


@pytest.mark.parametrize("case", list(REPLACED))
def test_what_cannot_be_updated_is_replaced_and_reported(load: Load, case: str) -> None:
    before, after, qualname, reason = REPLACED[case]
    module = load(before)
    old = module.C
    _rewrite(module, after)
    with pytest.warns(LiveReloadWarning, match=reason) as record:
        modutils.reload(module, live=True)
    assert module.C is not old
    assert len(record) == 1
    with _live.collect_replaced() as found:
        _rewrite(module, after.replace("1", "3"))
        modutils.reload(module, live=True)
    # Reported to the collector instead of warned (filterwarnings=error would fail).
    assert all(item.module == module.__name__ for item in found)
    assert qualname in str(record[0].message) or case == "C type"


def test_a_subclass_of_a_replaced_class_is_replaced_too(load: Load) -> None:
    module = load("class A:\n    pass\nclass B(A):\n    pass\n")
    old_a, old_b = module.A, module.B
    _rewrite(module, "class A:\n    __slots__ = ('x',)\nclass B(A):\n    pass\n")
    with _live.collect_replaced() as found:
        modutils.reload(module, live=True)
    assert {item.qualname for item in found} == {"A", "B"}
    assert module.A is not old_a
    assert module.B is not old_b
    assert module.B.__bases__ == (module.A,)


# --- all or nothing -----------------------------------------------------------------------

SOURCE_V1 = """
import enum

def f(x=1):
    'doc 1'
    return x

class C:
    a = 1
    def m(self):
        return 1

class Color(enum.Enum):
    RED = 1
    GREEN = 2

STALE = "stale"
"""

SOURCE_V2 = """
import enum

def f(x=2):
    'doc 2'
    return x * 2

class C:
    b = 2
    def m(self):
        return 2

class Color(enum.Enum):
    RED = 1
    GREEN = 3
    BLUE = 4

NEW = "new"
"""


def _state(module: types.ModuleType) -> dict[str, tuple[tuple[object, object], ...]]:
    """Everything a failed live reload must put back: names and the very same objects."""
    f, c, color = module.f, module.C, module.Color
    function_attrs = ("__code__", "__defaults__", "__doc__", "__dict__", "__annotations__")
    return {
        "namespace": tuple(module.__dict__.items()),
        "f": tuple((attr, getattr(f, attr)) for attr in function_attrs),
        "C": tuple(vars(c).items()),
        "C.m": (("__code__", c.m.__code__),),
        "Color": tuple(vars(color).items()),
        "members": tuple(color._member_map_.items()),
        "values": tuple(color._value2member_map_.items()),
    }


def _assert_same_state(
    module: types.ModuleType, saved: dict[str, tuple[tuple[object, object], ...]]
) -> None:
    now = _state(module)
    for key, before in saved.items():
        after = now[key]
        assert [name for name, _ in before] == [name for name, _ in after], key
        for (name, value), (_, current) in zip(before, after, strict=True):
            assert value is current, (key, name)


@pytest.mark.parametrize(
    "failure",
    [
        "syntax-error",
        "half-way",
        "_sync_class",
        "_update_function",
        "_rebind",
    ],
)
def test_a_failure_at_any_stage_puts_every_object_back(
    load: Load, monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    module = load(SOURCE_V1)
    old_f, old_c, red = module.f, module.C, module.Color.RED
    saved = _state(module)
    modules = sys.modules.copy()
    if failure == "syntax-error":
        _rewrite(module, SOURCE_V2 + "def broken(:\n")
    elif failure == "half-way":
        _rewrite(module, SOURCE_V2 + "raise RuntimeError('half-way')\n")
    else:
        _rewrite(module, SOURCE_V2)
        original = getattr(_live.LiveUpdate, failure)
        calls = []

        def failing(self: _live.LiveUpdate, *args: object) -> None:
            original(self, *args)  # the step does its work, then the update fails
            calls.append(args)
            if failure != "_sync_class" or len(calls) == 2:
                raise RuntimeError(f"failure in {failure}")

        monkeypatch.setattr(_live.LiveUpdate, failure, failing)
    with pytest.raises(ReloadError, match=module.__name__):
        modutils.reload(module, live=True)
    _assert_same_state(module, saved)
    assert sys.modules == modules
    assert module.f is old_f
    assert old_f() == 1
    assert old_c().m() == 1
    assert module.Color.RED is red
    assert module.Color(2).name == "GREEN"


def test_the_same_edit_succeeds_after_a_failed_update(
    load: Load, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = load(SOURCE_V1)
    old_f = module.f
    _rewrite(module, SOURCE_V2)
    with monkeypatch.context() as patch:
        patch.setattr(_live.LiveUpdate, "_rebind", lambda *args: 1 / 0)
        with pytest.raises(ReloadError) as info:
            modutils.reload(module, live=True)
    assert isinstance(info.value.__cause__, ZeroDivisionError)
    modutils.reload(module, live=True)
    assert module.f is old_f
    assert old_f() == 4
    assert module.NEW == "new"
    assert not hasattr(module, "STALE")
    assert [member.value for member in module.Color] == [1, 3, 4]


def test_a_plain_reload_warns_nothing_when_everything_was_updated(load: Load) -> None:
    module = load(SOURCE_V1)
    _rewrite(module, SOURCE_V2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        modutils.reload(module, live=True)
    assert isinstance(module.Color.BLUE, module.Color)
    assert issubclass(module.Color, enum.Enum)


def test_a_function_moved_within_its_body_reports_its_new_lines(load: Load) -> None:
    # Code equality leaves the line table out on 3.10: the function must still be
    # updated, or its tracebacks would point at the old lines.
    module = load("def f():\n    x = 1\n    raise ValueError(f'moved {x}')\n")
    old = module.f
    _live_reload(module, "def f():\n    x = 1\n\n\n    raise ValueError(f'moved {x}')\n")
    assert module.f is old
    with pytest.raises(ValueError, match="moved 1") as info:
        old()
    assert info.traceback[-1].lineno + 1 == 5


def test_a_default_naming_a_replaced_class_is_the_new_class(load: Load) -> None:
    # Which functions changed is decided once every class is known to be updated
    # or replaced: f's default is then the class the module now holds.
    module = load("class C:\n    pass\ndef f(x=C):\n    return x\n")
    old_f = module.f
    _rewrite(module, "class C:\n    __slots__ = ('a',)\ndef f(x=C):\n    return x\n")
    with _live.collect_replaced() as found:
        modutils.reload(module, live=True)
    assert [item.qualname for item in found] == ["C"]
    assert module.f is old_f
    assert old_f() is module.C
