"""Tests for modutils.members: list_members() and list_members_static()."""

from __future__ import annotations

import importlib
import inspect
import itertools
import os
import subprocess
import sys
import threading
import types
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import WriteTree, register_lazily
from modutils import (
    Member,
    MemberKind,
    ModuleLoadError,
    StaticMember,
    list_members,
    list_members_static,
)
from modutils._source import clear_source_cache

_counter = itertools.count()

Make = Callable[..., str]


@pytest.fixture
def make(write_tree: WriteTree) -> Make:
    """Write a module (or package) under a unique name, put its root on sys.path; return the name.

    ``make("source")`` writes a module; ``make("init source", {"sub.py": "..."})``
    a package with those files. Sources use ``{name}`` for the module's own name.
    """

    def write(source: str, files: dict[str, str] | None = None) -> str:
        name = f"m6_{next(_counter)}_{os.getpid()}"
        if files is None:
            root = write_tree({f"{name}.py": source.replace("{name}", name)})
        else:
            tree = {f"{name}/__init__.py": source.replace("{name}", name)}
            for relative, text in files.items():
                tree[f"{name}/{relative}"] = text.replace("{name}", name)
            root = write_tree(tree)
        if str(root) not in sys.path:
            sys.path.insert(0, str(root))
        importlib.invalidate_caches()
        return name

    return write


def names(members: list[Member] | list[StaticMember]) -> list[str]:
    return [member.name for member in members]


def by_name(members: list[Member] | list[StaticMember]) -> dict[str, Member | StaticMember]:
    return {member.name: member for member in members}


# ----------------------------------------------------------------------- records


def test_member_kind_has_exactly_four_lowercase_members() -> None:
    assert {kind.name: kind.value for kind in MemberKind} == {
        "MODULE": "module",
        "CLASS": "class",
        "FUNCTION": "function",
        "DATA": "data",
    }


def test_records_are_immutable_and_static_member_has_no_value() -> None:
    member = Member("x", 1, MemberKind.DATA, "m", False)
    static = StaticMember("x", MemberKind.DATA, "m", 3, False)
    with pytest.raises(AttributeError):
        member.name = "y"  # type: ignore[misc]
    assert not hasattr(static, "value")
    assert static._fields == ("name", "kind", "module", "lineno", "imported")


# ------------------------------------------------------------------ list_members


KIND_CASES = [
    ("class C: pass", "C", MemberKind.CLASS),
    ("class E(Exception): pass", "E", MemberKind.CLASS),
    ("class M(type): pass\nclass C(metaclass=M): pass", "C", MemberKind.CLASS),
    ("def f(): pass", "f", MemberKind.FUNCTION),
    ("async def f(): pass", "f", MemberKind.FUNCTION),
    ("f = lambda: 0", "f", MemberKind.FUNCTION),
    ("f = len", "f", MemberKind.FUNCTION),
    ("f = [].append", "f", MemberKind.FUNCTION),
    ("class C:\n    def m(self): pass\nf = C().m", "f", MemberKind.FUNCTION),
    ("f = str.join", "f", MemberKind.FUNCTION),
    ("import functools\nf = functools.partial(print)", "f", MemberKind.DATA),
    ("import functools\nclass P(functools.partial): pass\nf = P(print)", "f", MemberKind.DATA),
    # Routines by inspect.isroutine's rule: a type with __get__ but no __set__, as
    # numpy's C dispatchers (`numpy.mean`) and functools' cache wrappers are.
    ("import functools\n@functools.lru_cache\ndef f(): pass", "f", MemberKind.FUNCTION),
    ("import functools\n@functools.cache\ndef f(): pass", "f", MemberKind.FUNCTION),
    ("f = staticmethod(len)", "f", MemberKind.FUNCTION),
    ("f = int.__add__", "f", MemberKind.FUNCTION),
    ("f = (1).__add__", "f", MemberKind.FUNCTION),
    ("f = dict.fromkeys", "f", MemberKind.FUNCTION),
    (
        "class D:\n    def __get__(self, obj, cls=None): return self\n"
        "    def __call__(self): pass\nf = D()",
        "f",
        MemberKind.FUNCTION,
    ),
    (
        "class D:\n    def __get__(self, obj, cls=None): return self\n"
        "    def __set__(self, obj, value): pass\nf = D()",
        "f",
        MemberKind.DATA,
    ),
    (
        "class D:\n    def __get__(self, obj, cls=None): return self\n"
        "    def __delete__(self, obj): pass\nf = D()",
        "f",
        MemberKind.DATA,
    ),
    ("f = property(len)", "f", MemberKind.DATA),
    ("class C:\n    def __call__(self): pass\nf = C()", "f", MemberKind.DATA),
    ("x = 1", "x", MemberKind.DATA),
    ("x = list[int]", "x", MemberKind.DATA),
    ("import types\nx = types.ModuleType('x')", "x", MemberKind.MODULE),
]


@pytest.mark.parametrize(("source", "name", "kind"), KIND_CASES)
def test_kind_comes_from_the_value_type(
    make: Make, source: str, name: str, kind: MemberKind
) -> None:
    module = importlib.import_module(make(source))
    member = by_name(list_members(module, include_imported=True))[name]
    assert member.kind is kind
    assert isinstance(member, Member)
    assert member.value is vars(module)[name]
    # We follow the newest inspect on all versions: it rules out __delete__ from
    # 3.13 on and counts method-wrappers from 3.11 on.
    since = (3, 13) if "__delete__" in source else (3, 11) if "(1)." in source else (3, 10)
    if kind in (MemberKind.FUNCTION, MemberKind.DATA) and sys.version_info >= since:
        assert (kind is MemberKind.FUNCTION) == inspect.isroutine(member.value)


def test_routine_kind_needs_no_inspect(make: Make) -> None:
    source = "import functools\n@functools.cache\ndef f(): pass\n"
    name = make(source)
    code = (
        "import sys, modutils\n"
        f"[member] = modutils.list_members({name!r})\n"
        "assert member.kind is modutils.MemberKind.FUNCTION, member\n"
        "print('inspect' in sys.modules)\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_routine_kinds_agree_between_runtime_and_static(make: Make) -> None:
    name = make(
        "import functools\n"
        "from ._dispatch import dispatch\n"
        "from ._impl import helper\n"
        "@functools.lru_cache(maxsize=None)\n"
        "def cached(): pass\n"
        "@functools.cache\n"
        "def cached_too(): pass\n"
        "@dispatch\n"
        "def mean(): pass\n"
        "partial = functools.partial(print)\n"
        "__all__ = ['cached', 'cached_too', 'mean', 'helper', 'partial']\n",
        {
            # numpy's shape: a decorator returning an instance of a C type that
            # has __get__ and no __set__ (staticmethod here, its dispatcher there).
            "_dispatch.py": "def dispatch(func):\n    return staticmethod(func)\n",
            "_impl.py": "import functools\n@functools.cache\ndef helper(): pass\n",
        },
    )
    runtime = {m.name: m.kind for m in list_members(name)}
    static = {m.name: m.kind for m in list_members_static(name)}
    assert (
        runtime
        == static
        == {
            "cached": MemberKind.FUNCTION,
            "cached_too": MemberKind.FUNCTION,
            "mean": MemberKind.FUNCTION,
            "helper": MemberKind.FUNCTION,
            "partial": MemberKind.DATA,
        }
    )


def test_pep562_getattr_and_dir_are_never_called(make: Make) -> None:
    module = importlib.import_module(
        make(
            """
            calls = []
            def __getattr__(name):
                calls.append(("getattr", name))
                raise AttributeError(name)
            def __dir__():
                calls.append(("dir",))
                return ["lazy"]
            def real(): pass
            """
        )
    )
    for private, imported in itertools.product([False, True], repeat=2):
        listed = list_members(module, include_private=private, include_imported=imported)
        assert "real" in names(listed)
        assert "lazy" not in names(listed)
    assert module.calls == []


def test_all_lists_exactly_the_existing_names_in_definition_order(make: Make) -> None:
    name = make(
        """
        import json
        from json import dumps
        __all__ = ["zeta", "missing", "dumps", "_hidden", "alpha", "json"]
        def alpha(): pass
        def helper(): pass
        _hidden = 1
        zeta = 2
        """
    )
    listed = list_members(name)
    assert names(listed) == ["json", "dumps", "alpha", "_hidden", "zeta"]
    assert by_name(listed)["dumps"].imported
    assert by_name(listed)["json"].imported


def test_flags_widen_a_listing_with_all(make: Make) -> None:
    name = make(
        """
        import json
        __all__ = ["alpha"]
        def alpha(): pass
        def helper(): pass
        _private = 1
        """
    )
    assert names(list_members(name, include_imported=True)) == ["alpha"]
    assert names(list_members(name, include_private=True)) == [
        "__all__",
        "alpha",
        "helper",
        "_private",
    ]
    everything = list_members(name, include_private=True, include_imported=True)
    assert names(everything) == ["json", "__all__", "alpha", "helper", "_private"]


@pytest.mark.parametrize(
    ("include_private", "include_imported", "expected"),
    [
        (False, False, ["sub", "CONST", "public"]),
        (False, True, ["sub", "os", "dumps", "Path", "CONST", "public"]),
        (True, False, ["sub", "_sub", "CONST", "_private", "__version__", "public"]),
        (
            True,
            True,
            ["sub", "_sub", "os", "dumps", "Path", "CONST", "_private", "__version__", "public"],
        ),
    ],
)
def test_without_all_defined_names_and_flags(
    make: Make, include_private: bool, include_imported: bool, expected: list[str]
) -> None:
    name = make(
        """
        from . import sub, _sub
        import os
        from json import dumps
        from pathlib import Path
        CONST = 1
        _private = 2
        __version__ = "1"
        def public(): pass
        """,
        {"sub.py": "", "_sub.py": ""},
    )
    listed = list_members(name, include_private=include_private, include_imported=include_imported)
    assert names(listed) == expected


def test_interpreter_names_are_never_listed(make: Make) -> None:
    name = make('"""doc."""\nx: int = 1\n', {"sub.py": ""})
    importlib.import_module(f"{name}.sub")
    listed = names(list_members(name, include_private=True, include_imported=True))
    assert listed == ["x", "sub"]
    module = sys.modules[name]
    for dunder in ("__builtins__", "__loader__", "__spec__", "__file__", "__annotations__"):
        assert dunder in vars(module)
        assert dunder not in listed


def test_submodules_are_own_members(make: Make) -> None:
    name = make("import json\n", {"sub.py": "", "deep/__init__.py": ""})
    importlib.import_module(f"{name}.sub")
    importlib.import_module(f"{name}.deep")
    listed = by_name(list_members(name, include_imported=True))
    assert listed["sub"] == Member(
        "sub", sys.modules[f"{name}.sub"], MemberKind.MODULE, f"{name}.sub", False
    )
    assert not listed["deep"].imported
    assert listed["json"].imported
    assert listed["json"].module == "json"


def test_reexports_carry_their_defining_module(make: Make) -> None:
    name = make(
        """
        from .impl import Helper, helper, CONST, RENAMED as alias
        __all__ = ["Helper", "helper", "CONST", "alias"]
        """,
        {"impl.py": "class Helper: pass\ndef helper(): pass\nCONST = object()\nRENAMED = []\n"},
    )
    listed = list_members(name)
    assert [(m.name, m.kind, m.module, m.imported) for m in listed] == [
        ("Helper", MemberKind.CLASS, f"{name}.impl", True),
        ("helper", MemberKind.FUNCTION, f"{name}.impl", True),
        ("CONST", MemberKind.DATA, f"{name}.impl", True),
        ("alias", MemberKind.DATA, f"{name}.impl", True),
    ]
    assert list_members(name, kinds={MemberKind.MODULE}) == []


def test_defined_data_names_the_listed_module(make: Make) -> None:
    name = make("X = 1\nclass C: pass\nAlias = C\n")
    listed = by_name(list_members(name))
    assert (listed["X"].module, listed["X"].imported) == (name, False)
    # An assignment is the module's own binding, even of another module's class.
    assert (listed["Alias"].module, listed["Alias"].imported) == (name, False)


def test_fallback_definition_after_failed_import_is_defined(make: Make) -> None:
    name = make(
        """
        try:
            from m6_no_such_speedups import fast
        except ImportError:
            def fast(): pass
        try:
            from json import loads as parse
        except ImportError:
            def parse(): pass
        """
    )
    listed = by_name(list_members(name, include_imported=True))
    assert not listed["fast"].imported
    assert listed["parse"].imported
    assert listed["parse"].module == "json"


def test_star_imports_are_imported(make: Make) -> None:
    name = make(
        "from .consts import *\nOWN = 1\n",
        {"consts.py": "RED = object()\ndef paint(): pass\n_SECRET = 1\n"},
    )
    listed = by_name(list_members(name, include_imported=True))
    assert (listed["RED"].imported, listed["RED"].module) == (True, f"{name}.consts")
    assert (listed["paint"].imported, listed["paint"].module) == (True, f"{name}.consts")
    assert (listed["OWN"].imported, listed["OWN"].module) == (False, name)
    assert names(list_members(name)) == ["consts", "OWN"]  # its own submodule


def test_module_without_source_uses_dunder_module() -> None:
    module = types.ModuleType("m6_sourceless")
    exec(
        "import json\nfrom json import dumps\ndef own(): pass\nclass Own: pass\nX = 1\n",
        vars(module),
    )
    listed = by_name(list_members(module, include_imported=True))
    assert not listed["own"].imported
    assert not listed["Own"].imported
    assert listed["dumps"].imported
    assert listed["dumps"].module == "json"
    assert listed["json"].imported
    assert (listed["X"].module, listed["X"].imported) == ("m6_sourceless", False)
    assert names(list_members(module)) == ["own", "Own", "X"]


def test_source_deleted_after_import_falls_back(make: Make, tmp_path: Path) -> None:
    name = make("from json import dumps\ndef own(): pass\n")
    module = importlib.import_module(name)
    Path(module.__file__ or "").unlink()
    listed = by_name(list_members(module, include_imported=True))
    assert listed["dumps"].imported
    assert not listed["own"].imported


def test_source_scan_follows_the_file_mtime(make: Make) -> None:
    name = make("from json import dumps\nloads = 1\n")
    module = importlib.import_module(name)
    assert names(list_members(module)) == ["loads"]
    path = Path(module.__file__ or "")
    path.write_text("from json import dumps, loads\n")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10_000_000_000))
    assert names(list_members(module)) == []
    assert by_name(list_members(module, include_imported=True))["loads"].imported


def test_listing_follows_namespace_changes(make: Make) -> None:
    name = make("__all__ = ['a']\na = 1\nb = 2\n")
    module = importlib.import_module(name)
    first = list_members(module)
    assert names(first) == ["a"]
    vars(module)["a"] = 3
    assert list_members(module)[0].value == 3
    module.__all__.append("b")
    assert names(list_members(module)) == ["a", "b"]
    del module.a
    assert names(list_members(module)) == ["b"]
    vars(module)["c"] = lambda: None
    module.__all__.append("c")
    assert by_name(list_members(module))["c"].kind is MemberKind.FUNCTION


def test_results_are_fresh_lists(make: Make) -> None:
    name = make("a = 1\n")
    first = list_members(name)
    first.clear()
    assert names(list_members(name)) == ["a"]


def test_kinds_filter(make: Make) -> None:
    name = make("import json\nclass C: pass\ndef f(): pass\nX = 1\n")
    all_flags = {"include_imported": True}
    assert names(list_members(name, kinds=[MemberKind.CLASS], **all_flags)) == ["C"]
    assert names(list_members(name, kinds=(MemberKind.FUNCTION, MemberKind.DATA))) == ["f", "X"]
    assert names(list_members(name, kinds={MemberKind.MODULE}, **all_flags)) == ["json"]
    assert list_members(name, kinds=()) == []


@pytest.mark.parametrize(
    "kinds", ["function", MemberKind.CLASS, [MemberKind.CLASS, "class"], [1], 5, [None]]
)
@pytest.mark.parametrize("func", [list_members, list_members_static])
def test_kinds_must_be_a_collection_of_member_kind(
    make: Make, func: Callable[..., object], kinds: object
) -> None:
    name = make("x = 1\n")
    before = sys.modules.copy()
    with pytest.raises(TypeError, match="MemberKind"):
        func(name, kinds=kinds)
    assert sys.modules == before


@pytest.mark.parametrize("bad", [1, None, b"json", ["json"], Path("json")])
def test_module_must_be_a_module_or_a_name(bad: object) -> None:
    with pytest.raises(TypeError, match="module object or a dotted module name"):
        list_members(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["", "a..b", "1abc", "a.b-c", ".json"])
def test_malformed_names_raise_value_error(bad: str) -> None:
    before = sys.modules.copy()
    with pytest.raises(ValueError, match="malformed"):
        list_members(bad)
    assert sys.modules == before


def test_module_given_by_name_is_imported(make: Make) -> None:
    name = make("def f(): pass\n")
    assert name not in sys.modules
    assert names(list_members(name)) == ["f"]
    assert name in sys.modules


def test_missing_module_raises_module_not_found(make: Make) -> None:
    package = make("", {})
    before = sys.modules.copy()
    path = sys.path[:]
    for missing in ("m6_surely_missing_module", f"{package}.missing"):
        with pytest.raises(ModuleNotFoundError, match=missing) as info:
            list_members(missing)
        assert info.value.name == missing
    assert {k: v for k, v in sys.modules.items() if k != package} == before
    assert sys.path == path


def test_failed_import_restores_state(make: Make) -> None:
    name = make(
        "",
        {
            "helper.py": "",
            "broken.py": (
                "import sys, json.tool\n"
                "from . import helper\n"
                "sys.path.append('/m6/added')\n"
                "raise RuntimeError('boom')\n"
            ),
            "needs.py": "import m6_definitely_missing_dependency\n",
        },
    )
    package = importlib.import_module(name)
    before = sys.modules.copy()
    path = sys.path[:]
    namespace = dict(vars(package))
    with pytest.raises(ModuleLoadError, match=rf"{name}\.broken.*boom") as info:
        list_members(f"{name}.broken")
    assert isinstance(info.value.__cause__, RuntimeError)
    assert info.value.name == f"{name}.broken"
    assert info.value.path is not None
    assert info.value.path.endswith("broken.py")
    # A missing dependency is the module's failure, not a missing target.
    with pytest.raises(ModuleLoadError, match="m6_definitely_missing_dependency"):
        list_members(f"{name}.needs")
    assert sys.modules == before
    assert sys.path == path
    assert vars(package) == namespace


def test_failed_import_on_system_exit_restores_state(make: Make) -> None:
    name = make("import json.tool\nraise SystemExit(3)\n")
    before = sys.modules.copy()
    with pytest.raises(SystemExit):
        list_members(name)
    assert sys.modules == before


@pytest.mark.parametrize(
    ("source", "match"),
    [("__all__ = 5\n", "must be a sequence of str"), ("__all__ = ['a', 1]\n", "must be str")],
)
def test_malformed_all_raises_type_error(make: Make, source: str, match: str) -> None:
    name = make(source)
    with pytest.raises(TypeError, match=match):
        list_members(name)


def test_concurrent_namespace_changes_do_not_break_listing(make: Make) -> None:
    name = make("\n".join(f"v{i} = {i}" for i in range(300)) + "\n")
    module = importlib.import_module(name)
    stop = threading.Event()
    errors: list[BaseException] = []

    def mutate() -> None:
        for i in itertools.count():
            if stop.is_set():
                return
            setattr(module, f"extra{i % 50}", i)
            if i % 2:
                delattr(module, f"extra{i % 50}")

    def listing() -> None:
        try:
            for _ in range(200):
                listed = names(list_members(module))
                assert listed[:300] == [f"v{i}" for i in range(300)]
        except BaseException as exc:
            errors.append(exc)

    writer = threading.Thread(target=mutate)
    readers = [threading.Thread(target=listing) for _ in range(2)]
    writer.start()
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join()
    stop.set()
    writer.join()
    assert errors == []


def test_stdlib_modules_with_and_without_source() -> None:
    import math

    listed = by_name(list_members(math))
    assert listed["sqrt"].kind is MemberKind.FUNCTION
    assert listed["pi"].module == "math"
    assert not listed["pi"].imported
    os_members = by_name(list_members(os))
    assert os_members["path"].kind is MemberKind.MODULE
    assert os_members["getcwd"].imported  # `from posix import *`
    assert os_members["getcwd"].module == "posix"
    assert not os_members["makedirs"].imported


def test_star_imports_from_several_modules(make: Make) -> None:
    name = make(
        "from .first import *\nfrom .second import *\nfrom .second import _hidden\n",
        {
            "first.py": "__all__ = ['shared']\nshared = object()\nexcluded = object()\n",
            "second.py": "def only_second(): pass\nRATE = 2.5\n_hidden = 1\n",
        },
    )
    listed = by_name(list_members(name, include_imported=True, include_private=True))
    assert (listed["shared"].imported, listed["shared"].module) == (True, f"{name}.first")
    assert (listed["only_second"].imported, listed["only_second"].module) == (
        True,
        f"{name}.second",
    )
    assert (listed["RATE"].imported, listed["RATE"].module) == (True, f"{name}.second")
    assert (listed["_hidden"].imported, listed["_hidden"].module) == (True, f"{name}.second")
    # Bound in the namespace by hand, not by the star import (first's __all__ leaves it out).
    module = sys.modules[name]
    vars(module)["excluded"] = vars(sys.modules[f"{name}.first"])["excluded"]
    listed = by_name(list_members(module, include_imported=True))
    assert (listed["excluded"].imported, listed["excluded"].module) == (False, name)


def test_non_str_namespace_keys_are_skipped(make: Make) -> None:
    module = importlib.import_module(make("x = 1\n"))
    namespace: dict[object, object] = vars(module)  # type: ignore[assignment]
    namespace[42] = "odd"
    assert names(list_members(module, include_private=True, include_imported=True)) == ["x"]


def test_cold_source_cache_gives_the_same_answer(make: Make) -> None:
    name = make("from json import dumps\n__all__ = ['dumps', 'own']\nown = 1\n")
    first = list_members(name)
    clear_source_cache()
    assert list_members(name) == first


# ----------------------------------------------------------- list_members_static


def test_static_never_executes_and_never_imports(make: Make) -> None:
    name = make(
        "import m6_never_imported\nraise SystemExit('executed!')\ndef f(): pass\n",
        {"sub.py": "raise SystemExit('executed!')\nclass C: pass\n"},
    )
    before = sys.modules.copy()
    assert names(list_members_static(name)) == ["f"]
    assert names(list_members_static(f"{name}.sub")) == ["C"]
    assert sys.modules == before
    assert name not in sys.modules


STATIC_CASES = [
    ("class C: pass", "C", MemberKind.CLASS),
    ("def f(): pass", "f", MemberKind.FUNCTION),
    ("async def f(): pass", "f", MemberKind.FUNCTION),
    ("f = lambda: 0", "f", MemberKind.DATA),
    ("import json", "json", MemberKind.MODULE),
    ("import json.decoder", "json", MemberKind.MODULE),
    ("import json.decoder as dec", "dec", MemberKind.MODULE),
    ("from json import dumps", "dumps", MemberKind.FUNCTION),
    ("from json import JSONDecoder", "JSONDecoder", MemberKind.CLASS),
    ("from json import decoder", "decoder", MemberKind.MODULE),
    ("from math import pi", "pi", MemberKind.DATA),
    ("x = 1", "x", MemberKind.DATA),
    ("x: int = 1", "x", MemberKind.DATA),
    ("x = 0\nx += 1", "x", MemberKind.DATA),
    ("a, (b, *c) = 1, (2, 3)", "c", MemberKind.DATA),
    ("for i in range(3): pass", "i", MemberKind.DATA),
    ("import contextlib\nwith contextlib.nullcontext() as cm: pass", "cm", MemberKind.DATA),
    ("if True:\n    def f(): pass\nelse:\n    f = None", "f", MemberKind.FUNCTION),
    ("try:\n    import json as j\nexcept ImportError:\n    j = None", "j", MemberKind.MODULE),
    ("try:\n    pass\nfinally:\n    class F: pass", "F", MemberKind.CLASS),
    ("while False:\n    w = 1", "w", MemberKind.DATA),
    ("match 1:\n    case [x, *rest]: pass\n    case {'k': v, **kw}: pass", "kw", MemberKind.DATA),
]


@pytest.mark.parametrize(("source", "name", "kind"), STATIC_CASES)
def test_static_kind_comes_from_the_syntax(
    tmp_path: Path, source: str, name: str, kind: MemberKind
) -> None:
    path = tmp_path / "mod.py"
    path.write_text(source + "\n")
    member = by_name(list_members_static(path, include_imported=True))[name]
    assert member.kind is kind
    assert isinstance(member, StaticMember)


def test_static_unbound_names(tmp_path: Path) -> None:
    path = tmp_path / "mod.py"
    path.write_text(
        "x: int\n"
        "obj = object\n"
        "obj.attr = 1\n"
        "gone = 1\n"
        "del gone\n"
        "try:\n    pass\nexcept Exception as err:\n    pass\n"
        "def f():\n    inner = 1\n"
    )
    assert names(list_members_static(path, include_private=True)) == ["obj", "f"]


def test_static_linenos_and_modules(make: Make) -> None:
    name = make(
        "from .impl import helper, CONST\nimport json\n\nclass C:\n    pass\nX = 1\n",
        {"impl.py": "def helper(): pass\nCONST = 1\n"},
    )
    listed = list_members_static(name, include_imported=True)
    assert [tuple(member) for member in listed] == [
        # Importing .impl binds the submodule in the package, as at run time.
        ("impl", MemberKind.MODULE, f"{name}.impl", 1, False),
        ("helper", MemberKind.FUNCTION, f"{name}.impl", 1, True),
        ("CONST", MemberKind.DATA, f"{name}.impl", 1, True),
        ("json", MemberKind.MODULE, "json", 2, True),
        ("C", MemberKind.CLASS, name, 4, False),
        ("X", MemberKind.DATA, name, 6, False),
    ]


@pytest.mark.parametrize(
    ("all_source", "expected"),
    [
        ("__all__ = ['b', 'missing', 'a']", ["a", "b"]),
        ("__all__ = ('a',)\n__all__ += ['c']", ["a", "c"]),
        ("__all__ = ['a']\n__all__.extend(['c'])\n__all__.append('_p')", ["a", "c", "_p"]),
        ("__all__: list[str] = ['c']", ["c"]),
        # Not statically knowable: the public names, as without __all__.
        ("__all__ = ['a'] + list('b')", ["a", "b", "c"]),
        ("__all__ = ['a']\n__all__ += dynamic", ["a", "b", "c"]),
        ("__all__ = ['a']\n__all__.remove('a')", ["a", "b", "c"]),
    ],
)
def test_static_all(tmp_path: Path, all_source: str, expected: list[str]) -> None:
    path = tmp_path / "mod.py"
    path.write_text(f"a = 1\nb = 2\n{all_source}\nc = 3\n_p = 4\nimport json\n")
    assert names(list_members_static(path)) == expected


def test_static_matches_runtime_listing(make: Make) -> None:
    name = make(
        """
        from .impl import Helper, helper, CONST, sub_alias
        from . import sub
        import json
        __all__ = ["Helper", "helper", "CONST", "own", "Own", "sub", "sub_alias"]
        def own(): pass
        class Own: pass
        VALUE = 1
        """,
        {
            "impl.py": "from . import sub as sub_alias\nclass Helper: pass\n"
            "def helper(): pass\nCONST = 1\n",
            "sub.py": "",
        },
    )
    for flags in itertools.product([False, True], repeat=2):
        private, imported = flags
        static = list_members_static(name, include_private=private, include_imported=imported)
        runtime = list_members(name, include_private=private, include_imported=imported)
        # Same records; the order may differ: importing .impl binds the submodule
        # `sub` in the namespace before any statement of __init__ does.
        assert sorted((m.name, m.kind.value, m.module, m.imported) for m in static) == sorted(
            (m.name, m.kind.value, m.module, m.imported) for m in runtime
        )


def test_static_star_imports_and_relative_paths(write_tree: WriteTree) -> None:
    root = write_tree(
        {
            "m6pkg/__init__.py": (
                "from .consts import *\nfrom .impl import run\n__all__ = ['RED', 'run']\n"
            ),
            "m6pkg/consts.py": "__all__ = ['RED']\nRED = 1\nBLUE = 2\n",
            "m6pkg/impl.py": "def run(): pass\n",
        }
    )
    before = sys.modules.copy()
    # Given by path, off sys.path: relative imports resolve in the file system.
    listed = list_members_static(root / "m6pkg")
    assert [(m.name, m.kind, m.module) for m in listed] == [
        ("RED", MemberKind.DATA, "m6pkg.consts"),
        ("run", MemberKind.FUNCTION, "m6pkg.impl"),
    ]
    assert list_members_static(str(root / "m6pkg" / "__init__.py")) == listed
    assert sys.modules == before


def test_static_submodules_of_a_package_are_own(make: Make) -> None:
    name = make("from . import sub\nfrom .sub import thing\n", {"sub.py": "thing = 1\n"})
    listed = by_name(list_members_static(name, include_imported=True))
    assert (listed["sub"].kind, listed["sub"].module, listed["sub"].imported) == (
        MemberKind.MODULE,
        f"{name}.sub",
        False,
    )
    assert names(list_members_static(name)) == ["sub"]


@pytest.mark.parametrize(
    ("init", "kind"),
    [
        # The package re-exports a function under its submodule's name: importing
        # .tool binds the submodule first, then the statement binds the function.
        ("from .tool import tool\n", MemberKind.FUNCTION),
        ("from .tool import helper\nfrom .tool import tool\n", MemberKind.FUNCTION),
        ("from . import tool\nfrom .tool import tool\n", MemberKind.FUNCTION),
        ("from .tool import tool as tool\n", MemberKind.FUNCTION),
        # The submodule bound last wins the other way round.
        ("tool = 1\nfrom .tool import helper\n", MemberKind.MODULE),
    ],
)
def test_static_follows_the_binding_that_runs_last(make: Make, init: str, kind: MemberKind) -> None:
    name = make(init, {"tool.py": "def tool(): pass\ndef helper(): pass\n"})
    static = by_name(list_members_static(name, include_imported=True, include_private=True))
    runtime = by_name(list_members(name, include_imported=True, include_private=True))
    assert static["tool"].kind is runtime["tool"].kind is kind
    assert static["tool"].module == runtime["tool"].module
    assert static["tool"].imported == runtime["tool"].imported


@pytest.mark.parametrize(
    ("source", "kind", "lineno"),
    [
        ("x = 1\ndef x(): pass\n", MemberKind.FUNCTION, 2),
        ("def x(): pass\nx = 1\n", MemberKind.DATA, 2),
        ("class x: pass\nx = x()\n", MemberKind.DATA, 2),
        # In blocks the first binding still decides: `except ImportError:` fallbacks.
        ("try:\n    x = 1\nexcept ImportError:\n    def x(): pass\n", MemberKind.DATA, 2),
        ("x = 1\nif x:\n    def x(): pass\n", MemberKind.DATA, 1),
    ],
)
def test_static_top_level_rebinding_wins(
    tmp_path: Path, source: str, kind: MemberKind, lineno: int
) -> None:
    path = tmp_path / "mod.py"
    path.write_text(source)
    [member] = list_members_static(path)
    assert (member.name, member.kind, member.lineno) == ("x", kind, lineno)


def test_static_import_cycles_terminate(make: Make) -> None:
    name = make(
        "from .a import x\n__all__ = ['x']\n",
        {"a.py": "from .b import x\n", "b.py": "from .a import x\n"},
    )
    assert [(m.name, m.kind) for m in list_members_static(name)] == [("x", MemberKind.DATA)]


def test_static_target_by_dotted_name_imports_no_parent(make: Make) -> None:
    name = make("raise SystemExit('parent executed')\n", {"child.py": "def f(): pass\n"})
    before = sys.modules.copy()
    assert names(list_members_static(f"{name}.child")) == ["f"]
    assert sys.modules == before


def test_static_errors(make: Make, tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def broken(:\n")
    name = make("x = 1\n")
    before = sys.modules.copy()
    path = sys.path[:]
    with pytest.raises(SyntaxError, match=r"bad\.py") as syntax:
        list_members_static(bad)
    assert isinstance(syntax.value.__cause__, SyntaxError)
    assert syntax.value.filename == str(bad)
    with pytest.raises(FileNotFoundError, match=r"missing\.py"):
        list_members_static(tmp_path / "missing.py")
    with pytest.raises(FileNotFoundError, match=r"__init__\.py"):
        list_members_static(tmp_path)
    with pytest.raises(ModuleNotFoundError, match="m6_absent") as missing:
        list_members_static("m6_absent.child")
    assert missing.value.name == "m6_absent.child"
    with pytest.raises(ValueError, match="no Python source"):
        list_members_static("sys")
    with pytest.raises(ValueError, match="malformed"):
        list_members_static("a..b")
    with pytest.raises(TypeError, match="dotted module name or a path"):
        list_members_static(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="bytes"):
        list_members_static(Path(os.fsencode(tmp_path)))  # type: ignore[arg-type]
    assert names(list_members_static(name)) == ["x"]
    assert sys.modules == before
    assert sys.path == path


def _touch_later(path: Path) -> None:
    # A different size or a later mtime invalidates the caches; force both to move.
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10_000_000_000))


@pytest.mark.parametrize("via_star", [False, True])
def test_static_follows_edits_in_reexported_files(make: Make, via_star: bool) -> None:
    importer = "from .impl import *\n" if via_star else "from .impl import thing\n"
    name = make(importer + "__all__ = ['thing']\n", {"impl.py": "def thing(): pass\n"})
    assert [(m.name, m.kind) for m in list_members_static(name)] == [("thing", MemberKind.FUNCTION)]
    impl = Path(sys.path[0], name, "impl.py")
    impl.write_text("class thing: pass\n")
    _touch_later(impl)
    assert [(m.name, m.kind) for m in list_members_static(name)] == [("thing", MemberKind.CLASS)]
    target = Path(sys.path[0], name, "__init__.py")
    target.write_text(importer + "__all__ = ['thing', 'extra']\nextra = 1\n")
    _touch_later(target)
    assert names(list_members_static(name)) == ["thing", "extra"]


def test_static_repeated_and_cold_listings_agree(make: Make) -> None:
    name = make(
        "from .impl import *\nfrom .impl import helper as alias\nimport json\n",
        {"impl.py": "def helper(): pass\nclass K: pass\nV = 1\n"},
    )

    def listing() -> list[StaticMember]:
        return list_members_static(name, include_private=True, include_imported=True)

    first = listing()
    assert listing() == first
    clear_source_cache()
    assert listing() == first
    assert {m.name: m.kind for m in first}["alias"] is MemberKind.FUNCTION


def test_static_source_with_null_bytes(tmp_path: Path) -> None:
    path = tmp_path / "nul.py"
    path.write_bytes(b"x = 1\0\n")
    with pytest.raises(SyntaxError, match=r"nul\.py"):
        list_members_static(path)


@pytest.mark.parametrize(
    ("source", "parses_before"),
    [
        pytest.param("x = " + "-" * 100_000 + "1\n", None, id="unary-chain"),
        # 3.10's parser builds this tree; from 3.11 on its AST conversion overflows.
        pytest.param("x = " + "+".join(["1"] * 100_000) + "\n", (3, 11), id="binop-chain"),
        pytest.param("x = " + "(" * 300 + "1" + ")" * 300 + "\n", None, id="parentheses"),
    ],
)
def test_static_deeply_nested_source_raises_syntax_error(
    tmp_path: Path, source: str, parses_before: tuple[int, int] | None
) -> None:
    path = tmp_path / "deep.py"
    path.write_text(source)
    if parses_before is not None and sys.version_info < parses_before:
        assert names(list_members_static(path)) == ["x"]
        return
    with pytest.raises(SyntaxError, match=r"deep\.py") as raised:
        list_members_static(path)
    assert raised.value.filename == str(path)


def _fifo(folder: Path) -> Path:
    path = folder / "fifo.py"
    os.mkfifo(path)
    return path


def _socket(folder: Path) -> Path:
    import socket

    path = folder / "sock.py"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.close()
    return path


def _device(folder: Path) -> Path:
    return Path(os.devnull)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs, sockets and /dev are POSIX")
@pytest.mark.parametrize(
    ("make_file", "what"),
    [(_fifo, "a FIFO"), (_socket, "a socket"), (_device, "a character device")],
)
def test_static_special_files_say_what_they_are(
    tmp_path: Path, make_file: Callable[[Path], Path], what: str
) -> None:
    path = make_file(tmp_path)
    # Never opened (a FIFO would block): a precise ValueError instead.
    with pytest.raises(ValueError, match=f"is {what}.*not a source file") as raised:
        list_members_static(path)
    assert str(path) in str(raised.value)


def test_static_stdlib_module() -> None:
    before = sys.modules.copy()
    listed = by_name(list_members_static("json"))
    expected = ["JSONDecoder", "JSONDecodeError", "JSONEncoder", "dump", "dumps", "load", "loads"]
    assert list(listed) == expected
    assert listed["JSONDecoder"].kind is MemberKind.CLASS
    assert listed["JSONDecoder"].module == "json.decoder"
    assert sys.modules == before


# ------------------------------------------------------------------ properties

_identifier = st.from_regex(r"[^\W\d]\w{0,8}", fullmatch=True)
_names = st.one_of(
    st.lists(_identifier, min_size=1, max_size=3).map(".".join),
    st.sampled_from(["class", "def", "import", "None", "async"]),
    st.text(max_size=12),
)


@settings(max_examples=100, deadline=None)
@given(name=_names)
def test_static_any_name_succeeds_or_raises_documented(name: str) -> None:
    before = sys.modules.copy()
    path = sys.path[:]
    try:
        listed = list_members_static(name)
    except (ValueError, ModuleNotFoundError, FileNotFoundError, SyntaxError, OSError):
        pass
    else:
        assert all(isinstance(member, StaticMember) for member in listed)
    assert sys.modules == before
    assert sys.path == path


@settings(max_examples=100, deadline=None)
@given(name=_names)
def test_runtime_missing_names_fail_cleanly(name: str) -> None:
    # A prefix no module has: every call fails, and must leave no trace.
    before = sys.modules.copy()
    path = sys.path[:]
    with pytest.raises((ValueError, ModuleNotFoundError)):
        list_members(f"m6_prop_{name}")
    assert sys.modules == before
    assert sys.path == path


def test_static_names_files_as_the_package_folders_above_them_say(write_tree: WriteTree) -> None:
    """The same climb as import_path: up through ``__init__.py`` folders, stopping at a
    folder whose name is no identifier; the file's own part is kept as import keeps it."""
    root = write_tree(
        {
            "not-a-package/m6mig/__init__.py": "",
            "not-a-package/m6mig/0001_initial.py": "from .models import Model\nX = 1\n",
            "not-a-package/m6mig/models.py": "class Model: pass\n",
            "not-a-package/__init__.py": "",
        }
    )
    listed = by_name(
        list_members_static(
            root / "not-a-package" / "m6mig" / "0001_initial.py", include_imported=True
        )
    )
    assert listed["Model"].module == "m6mig.models"
    assert listed["X"].module == "m6mig.0001_initial"


# -- issue 18, proofs: static listing leaves lazy modules lazy ------------------------------


def _register_lazily(name: str, how: str) -> types.ModuleType:
    """Put *name* in sys.modules unexecuted: through importlib's LazyLoader or modutils'."""
    from modutils import lazy_import

    return lazy_import(name) if how == "lazy_import" else register_lazily(name)


@pytest.mark.parametrize(
    ("how", "target"),
    [
        ("LazyLoader", "package"),
        ("LazyLoader", "submodule"),
        ("lazy_import", "package"),
        ("lazy_import", "submodule"),
    ],
)
def test_static_listing_leaves_a_lazy_package_lazy(
    write_tree: WriteTree, how: str, target: str
) -> None:
    pkg = f"lazystatic_{how.lower()}_{target}"
    root = write_tree(
        {
            f"{pkg}/__init__.py": "X = 1\nraise RuntimeError('lazy package ran')\n",
            f"{pkg}/sub.py": "Y = 2\n",
        }
    )
    sys.path.insert(0, str(root))
    importlib.invalidate_caches()
    module = _register_lazily(pkg, how)
    lazy_class = type(module)
    assert lazy_class is not types.ModuleType
    try:
        listed = list_members_static(pkg if target == "package" else f"{pkg}.sub")
        # Still the lazy class: nothing read an attribute through it.
        assert type(module) is lazy_class
    finally:
        # The shared clean-up reads __spec__ with getattr, which would run it now.
        del sys.modules[pkg]
    assert [member.name for member in listed] == (["X"] if target == "package" else ["Y"])
