"""The modutils pytest plugin: import-isolation fixtures and an import-leak detector.

Installing modutils is all it takes: pytest loads this module through the
``pytest11`` entry point (``-p no:modutils`` turns it off). It adds three
function-scoped fixtures, built on the library's own context managers:

- ``isolated_imports``: the test runs inside :func:`modutils.preserve_import_state`;
- ``sys_path``: :class:`SysPathFixture`, folders put on ``sys.path`` for one test;
- ``make_module``: :class:`MakeModule`, a throwaway module written and imported.

and the ``--import-leaks[=report|fail|off]`` option (ini ``import_leaks``), which
checks after each test that ``sys.path``, ``sys.meta_path``, ``sys.path_hooks`` and
the modules already in ``sys.modules`` are as they were before it.

The capability modules are imported by the fixtures that use them, never here:
pytest imports entry-point plugins before ``pytest-cov`` starts measuring, and
before every test run of every project that has modutils installed.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
from pathlib import Path
from typing import NamedTuple

import pytest

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Hashable, Iterator, Sequence
    from types import ModuleType
    from typing import Final, Literal, TypeAlias

    from modutils._state import ModulesSnapshot
    from modutils.syspath import ImportSnapshot

    StrPath: TypeAlias = "str | os.PathLike[str]"
    LeakMode: TypeAlias = Literal["off", "report", "fail"]

__all__ = [
    "ImportLeakWarning",
    "MakeModule",
    "SysPathFixture",
    "isolated_imports",
    "make_module",
    "sys_path",
]

# The leak-detector modes, one vocabulary for the command line and the ini file
# (issue 21). "true"/"false" are still read, as the ini option's first spelling.
_LEAK_MODES: Final[dict[str, LeakMode]] = {
    "": "off",
    "false": "off",
    "off": "off",
    "true": "report",
    "report": "report",
    "fail": "fail",
}
_DETECTOR_NAME: Final = "modutils-import-leaks"
# The user property that carries a test's leak from an xdist worker to the controller.
_LEAK_PROPERTY: Final = "modutils_import_leak"


class ImportLeakWarning(pytest.PytestWarning):
    """A test left ``sys.path``, the import hooks or ``sys.modules`` changed.

    Issued (with the test's location) by ``pytest --import-leaks`` for each test
    whose import state was not put back by the end of its teardown; the message
    lists what leaked. It is a :class:`pytest.PytestWarning`, so the usual
    ``filterwarnings`` settings apply: ``error`` turns every leak into a teardown
    error, as ``--import-leaks=fail`` does.

    Example:
        >>> import pytest
        >>> from modutils.pytest_plugin import ImportLeakWarning
        >>> issubclass(ImportLeakWarning, pytest.PytestWarning)
        True
    """


class SysPathFixture:
    """What the ``sys_path`` fixture returns: put folders on ``sys.path`` for one test.

    Each :meth:`prepend` or :meth:`append` call enters a
    :func:`modutils.extend_sys_path` block with ``unload=True`` that stays open
    until the fixture's teardown (the *stack*'s close), so every entry it added
    is then removed, one occurrence each, and every module imported from those
    entries is unloaded, whether the test passed or failed. Entries are
    ``os.path.abspath`` of the paths given.

    Example:
        >>> import contextlib, sys, tempfile
        >>> from modutils.pytest_plugin import SysPathFixture
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     with contextlib.ExitStack() as stack:
        ...         added = SysPathFixture(stack).prepend(folder)
        ...         print(sys.path[0] == added[0])
        ...     print(added[0] in sys.path)
        True
        False

    :raises TypeError: (from :meth:`prepend` / :meth:`append`) a path that is
        neither ``str`` nor ``os.PathLike``; ``sys.path`` is left untouched.
    """

    __slots__ = ("_stack",)

    def __init__(self, stack: contextlib.ExitStack) -> None:
        self._stack = stack

    def prepend(self, *paths: StrPath) -> list[str]:
        """Insert *paths* at the front of ``sys.path``, in the order given.

        :returns: the entries inserted, as ``extend_sys_path`` yields them.
        :raises TypeError: a path is neither ``str`` nor ``os.PathLike``.
        """
        return self._extend(paths, prepend=True)

    def append(self, *paths: StrPath) -> list[str]:
        """Add *paths* at the end of ``sys.path``, in the order given.

        :returns: the entries inserted, as ``extend_sys_path`` yields them.
        :raises TypeError: a path is neither ``str`` nor ``os.PathLike``.
        """
        return self._extend(paths, prepend=False)

    def _extend(self, paths: tuple[StrPath, ...], *, prepend: bool) -> list[str]:
        from modutils.syspath import extend_sys_path

        return self._stack.enter_context(extend_sys_path(*paths, prepend=prepend, unload=True))


class MakeModule:
    """What the ``make_module`` fixture returns: write a module under *root* and import it.

    ``make_module(name, source="", *, package=False)`` writes the dedented
    *source* to ``root/<name as folders>.py`` (``root/<...>/__init__.py`` with
    ``package=True``), creates an empty ``__init__.py`` for each parent package of
    a dotted name that does not have one yet, and loads the module with
    :func:`modutils.import_path`, which imports those parents first and registers
    everything in ``sys.modules``. All calls of one test write under the same
    *root*, so later modules can import earlier ones. The fixture puts *root* on
    ``sys.path`` with ``extend_sys_path(root, unload=True)``: at teardown *root*
    leaves ``sys.path`` and everything imported from it leaves ``sys.modules``.

    If the module's own code raises, the test gets :class:`modutils.ModuleLoadError`
    (the original exception is its ``__cause__``) and ``sys.modules`` is as it was
    before the call; the file stays on disk, so the traceback shows its source.

    Example:
        >>> import sys, tempfile
        >>> from modutils.pytest_plugin import MakeModule
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     with extend_sys_path(folder, unload=True):
        ...         make_module = MakeModule(folder)
        ...         greet = make_module("doc_pkg.greet", '''
        ...             def hello():
        ...                 return "hello"
        ...         ''')
        ...         print(greet.hello(), greet.__name__)
        ...     print("doc_pkg.greet" in sys.modules)
        hello doc_pkg.greet
        False

    :raises TypeError: *name* or *source* is not a ``str``.
    :raises ValueError: *name* is malformed; or it (or one of its parent packages)
        is already in ``sys.modules`` but was not made under *root*; or it was
        already made by this object; or a parent was made as a plain module.
    :raises modutils.ModuleLoadError: the module's code (or a new parent
        package's) raised, ``SyntaxError`` included.
    """

    __slots__ = ("_check_name", "_import_path", "_made", "_root")

    def __init__(self, root: StrPath) -> None:
        # Imported here, not on first call: a call made inside ``isolated_imports``
        # or an assertion on sys.modules must not see modutils' own modules appear.
        from modutils._spec import check_module_name
        from modutils.loading import import_path

        self._check_name = check_module_name
        self._import_path = import_path
        self._root = Path(os.path.abspath(root))
        self._made: set[str] = set()

    @property
    def root(self) -> Path:
        """The folder the modules are written in (the one put on ``sys.path``)."""
        return self._root

    def __call__(self, name: str, source: str = "", *, package: bool = False) -> ModuleType:
        """Write module *name* with *source*, import it and return it."""
        self._check_name(name)
        if not isinstance(source, str):
            raise TypeError(f"source of module {name!r} must be a str, not {type(source).__name__}")
        target = self._plan(name, package=package)
        self._made.update(_names_along(name))
        for part_count in range(1, name.count(".") + 1):
            init = self._root.joinpath(*name.split(".")[:part_count], "__init__.py")
            if not init.exists():
                init.parent.mkdir(parents=True, exist_ok=True)
                init.write_text("", encoding="utf-8")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(_dedent(source), encoding="utf-8")
        # importlib docs (invalidate_caches): a finder may not notice a source file
        # created after the interpreter started until its cache is invalidated.
        importlib.invalidate_caches()
        return self._import_path(target.parent if package else target)

    def _plan(self, name: str, *, package: bool) -> Path:
        """The file *name* goes to, after checking it collides with nothing."""
        parts = name.split(".")
        for prefix in _names_along(name):
            if prefix in sys.modules and prefix not in self._made:
                origin = getattr(sys.modules[prefix], "__file__", None) or "no file"
                raise ValueError(
                    f"cannot make module {name!r}: {prefix!r} is already imported "
                    f"(from {origin}); choose a name that is not in sys.modules"
                )
        folder = self._root
        for index, part in enumerate(parts[:-1]):
            if (folder / f"{part}.py").exists():
                parent = ".".join(parts[: index + 1])
                raise ValueError(
                    f"cannot make module {name!r}: {parent!r} was made as a plain module "
                    f"({folder / f'{part}.py'}), not as a package"
                )
            folder = folder / part
        as_module = folder / f"{parts[-1]}.py"
        as_package = folder / parts[-1] / "__init__.py"
        if as_module.exists() or as_package.exists():
            existing = as_module if as_module.exists() else as_package
            raise ValueError(f"module {name!r} was already made by this test, in {existing}")
        return as_package if package else as_module


def _dedent(source: str) -> str:
    import textwrap

    return textwrap.dedent(source)


def _names_along(name: str) -> list[str]:
    """``"a.b.c"`` -> ``["a", "a.b", "a.b.c"]``."""
    parts = name.split(".")
    return [".".join(parts[:count]) for count in range(1, len(parts) + 1)]


@pytest.fixture
def isolated_imports(pytestconfig: pytest.Config) -> Iterator[ImportSnapshot]:
    """Run the test inside ``modutils.preserve_import_state()``; yield its snapshot.

    Whatever the test imports is unloaded afterwards, modules it deleted or
    replaced are put back, and ``sys.path``, ``sys.meta_path`` and
    ``sys.path_hooks`` are restored, even when the test fails. The snapshot's
    ``added_modules``, ``removed_modules`` and ``replaced_modules`` say what the
    test changed so far. Modules matched by the ``isolated_imports_preserve`` ini
    option (glob patterns; a match on a package covers its submodules) stay
    loaded. Fixtures set up before this one are outside the isolation: request it
    first.

    Example:
        A test module::

            def test_json_tool(isolated_imports):
                import json.tool

                assert "json.tool" in isolated_imports.added_modules
    """
    from modutils.syspath import preserve_import_state

    _import_lazy_dependencies()
    patterns: list[str] = pytestconfig.getini("isolated_imports_preserve")
    with preserve_import_state(preserve=_preserve_predicate(patterns)) as snapshot:
        yield snapshot


@pytest.fixture
def sys_path() -> Iterator[SysPathFixture]:
    """Put folders on ``sys.path`` for one test: ``sys_path.prepend(*paths)`` / ``.append``.

    Each call returns the entries it inserted (absolute paths). At teardown, as
    ``modutils.extend_sys_path(..., unload=True)`` does, exactly those entries
    are removed and every module imported from them is unloaded, also when the
    test fails. See :class:`modutils.pytest_plugin.SysPathFixture`.

    Example:
        A test module::

            def test_plugin_folder(sys_path, tmp_path):
                (tmp_path / "plugin_a.py").write_text("NAME = 'a'")
                sys_path.prepend(tmp_path)
                import plugin_a

                assert plugin_a.NAME == "a"
    """
    with contextlib.ExitStack() as stack:
        yield SysPathFixture(stack)


@pytest.fixture
def make_module(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MakeModule]:
    """Write a throwaway module and import it: ``make_module(name, source="", *, package=False)``.

    The dedented source goes under a fresh temporary folder put on ``sys.path``
    for the test; parent packages of a dotted name are created; the module is
    loaded with ``modutils.import_path`` and returned. At teardown the folder
    leaves ``sys.path`` and everything imported from it leaves ``sys.modules``,
    also when the test failed or the module's code raised (which reaches the test
    as ``modutils.ModuleLoadError``). See :class:`modutils.pytest_plugin.MakeModule`.

    Example:
        A test module::

            def test_config(make_module):
                settings = make_module("app.settings", '''
                    DEBUG = True
                ''')
                assert settings.DEBUG
    """
    from modutils.syspath import extend_sys_path

    # Resolved, so that the sys.path entry names the same folder as the
    # resolved ``__file__`` that import_path gives the modules.
    root = tmp_path_factory.mktemp("make_module").resolve()
    with extend_sys_path(root, unload=True):
        yield MakeModule(root)


def _import_lazy_dependencies() -> None:
    """Import what modutils imports lazily and that changes the import system.

    importlib-metadata, which :func:`modutils.locate_module` imports on first use,
    appends its finder to ``sys.meta_path`` and takes distribution discovery away
    from the standard library's ``PathFinder`` when imported. First imported inside
    a test, that finder would count as the test's leak (issue 18), and
    ``isolated_imports`` would take it away again at teardown, leaving
    ``importlib.metadata`` unable to find any distribution for the rest of the
    session.
    """
    import importlib_metadata  # noqa: F401


def _preserve_predicate(patterns: Sequence[str]) -> Callable[[str], bool] | None:
    """A predicate accepting module names that match one of *patterns*, or a parent does."""
    if not patterns:
        return None
    import re
    from fnmatch import translate

    matches = re.compile("|".join(f"(?:{translate(pattern)})" for pattern in patterns)).match

    def preserve(name: str) -> bool:
        while True:
            if matches(name) is not None:
                return True
            name, dot, _ = name.rpartition(".")
            if not dot:
                return False

    return preserve


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register ``--import-leaks`` and the ini options of the plugin.

    ``--import-leaks`` and the ini option ``import_leaks`` take one of ``report``,
    ``fail`` or ``off``; checks are off unless one of them asks. ``--import-leaks``
    alone means ``report``, and the option overrides the ini value. Write
    ``--import-leaks=fail``, or put the option after the test paths, so that a path
    is not taken for its value.
    """
    group = parser.getgroup("modutils", "modutils import isolation")
    group.addoption(
        "--import-leaks",
        action="store",
        nargs="?",
        const="report",
        default=None,
        metavar="report|fail|off",
        dest="modutils_import_leaks",
        help="check that each test leaves sys.path, sys.meta_path, sys.path_hooks and the "
        "modules already in sys.modules as it found them: 'report' (what the option alone "
        "means) warns and lists leaks in the summary, 'fail' makes a leaking test error at "
        "teardown, 'off' (the default without the option) checks nothing; overrides the "
        "ini option import_leaks",
    )
    parser.addini(
        "import_leaks",
        "check each test for import-state leaks: report, fail or off (the default)",
        type="string",
        default="off",
    )
    parser.addini(
        "isolated_imports_preserve",
        "module-name glob patterns that the isolated_imports fixture leaves loaded "
        "(a match on a package covers its submodules), e.g. multiprocessing",
        type="args",
        default=[],
    )


def pytest_configure(config: pytest.Config) -> None:
    """Turn the import-leak detector on when ``--import-leaks`` or ``import_leaks`` asks for it.

    :raises pytest.UsageError: the option or the ini value is not one of the
        accepted modes.
    """
    option: str | None = config.getoption("modutils_import_leaks")
    if option is not None:
        mode = _parse_leak_mode(
            option, "--import-leaks", "write --import-leaks=VALUE, or put test paths first"
        )
    else:
        mode = _parse_leak_mode(
            config.getini("import_leaks"),
            "ini option import_leaks",
            "for instance 'import_leaks = fail' in the [pytest] section",
        )
    if mode != "off":
        config.pluginmanager.register(_ImportLeakDetector(mode), _DETECTOR_NAME)


def _parse_leak_mode(value: str, where: str, hint: str) -> LeakMode:
    mode = _LEAK_MODES.get(value.strip().lower())
    if mode is None:
        raise pytest.UsageError(
            f"{where}: invalid value {value!r}; expected report, fail or off ({hint})"
        )
    return mode


class _Leak(NamedTuple):
    """What one test left changed: its id and one description per kind of change."""

    nodeid: str
    changes: tuple[str, ...]

    def describe(self) -> str:
        return "; ".join(self.changes)


class _ImportLeakDetector:
    """The ``--import-leaks`` plugin object, registered only when the option is on.

    An autouse function fixture rather than a hook wrapper: pytest sets up
    higher-scoped fixtures before function-scoped ones and tears them down after
    (``SetupState`` finalizes the item before its module, class or session), and
    plugin autouse fixtures come first among function-scoped ones. So the
    snapshot brackets the test and its function-scoped fixtures, and a module- or
    session-scoped fixture that extends ``sys.path`` for many tests is not blamed
    on the first or last of them.
    """

    def __init__(self, mode: LeakMode) -> None:
        # Part of every test's "before": modutils' own lazy imports are no leak.
        _import_lazy_dependencies()

        from modutils._state import ModulesSnapshot

        self.fail: Final = mode == "fail"
        self.leaks: list[_Leak] = []
        self._snapshot_type: type[ModulesSnapshot] = ModulesSnapshot

    @pytest.fixture(autouse=True)
    def _modutils_import_leak_check(self, request: pytest.FixtureRequest) -> Iterator[None]:
        """Compare the import state after the test's teardown with the one before its setup."""
        before = _ImportState(self._snapshot_type())
        yield
        changes = before.changes()
        if not changes:
            return
        leak = _Leak(request.node.nodeid, changes)
        # Recorded through the teardown report, not here: under pytest-xdist this
        # runs in a worker, and only the controller writes the summary. User
        # properties travel with the report (and land in JUnit XML).
        request.node.user_properties.append((_LEAK_PROPERTY, leak.describe()))
        message = f"import state leaked: {leak.describe()}"
        if self.fail:
            pytest.fail(message, pytrace=False)
        request.node.warn(ImportLeakWarning(message))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when != "teardown":
            return
        for key, value in report.user_properties:
            if key == _LEAK_PROPERTY:
                self.leaks.append(_Leak(report.nodeid, (str(value),)))

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if not self.leaks:
            return
        terminalreporter.write_sep("=", "import leaks", yellow=True)
        for leak in self.leaks:
            terminalreporter.line(f"{leak.nodeid}: {leak.describe()}")
        count = len(self.leaks)
        terminalreporter.line(f"{count} test{'s' if count != 1 else ''} leaked import state")


class _ImportState:
    """The import state a test may leak: ``sys.modules`` and three lists, copied."""

    __slots__ = ("meta_path", "modules", "path", "path_hooks")

    def __init__(self, modules: ModulesSnapshot) -> None:
        self.modules = modules
        self.path = sys.path[:]
        self.meta_path = sys.meta_path[:]
        self.path_hooks = sys.path_hooks[:]

    def changes(self) -> tuple[str, ...]:
        """Descriptions of what differs now; new entries in ``sys.modules`` excepted."""
        found: list[str] = []
        for where, before, after, key, show in (
            ("sys.path", self.path, sys.path, _path_key, repr),
            ("sys.meta_path", self.meta_path, sys.meta_path, id, _short_repr),
            ("sys.path_hooks", self.path_hooks, sys.path_hooks, id, _short_repr),
        ):
            added, removed = _list_changes(before, after, key)
            if added:
                found.append(f"{where} added {', '.join(map(show, added))}")
            if removed:
                found.append(f"{where} removed {', '.join(map(show, removed))}")
        snapshot = self.modules
        # dict_items comparison runs in C and compares values by identity first:
        # the common case, nothing deleted or rebound, costs no Python-level loop.
        if not snapshot.saved.items() <= sys.modules.items():
            removed_modules = snapshot.removed()
            replaced_modules = snapshot.replaced()
            if removed_modules:
                found.append(f"sys.modules removed {', '.join(map(repr, removed_modules))}")
            if replaced_modules:
                found.append(f"sys.modules replaced {', '.join(map(repr, replaced_modules))}")
        return tuple(found)


def _list_changes(
    before: Sequence[object], after: Sequence[object], key: Callable[[object], Hashable]
) -> tuple[list[object], list[object]]:
    """Entries of *after* not in *before* and the reverse, counted as multisets.

    Order does not matter: moving an entry is not a leak, inserting a second
    copy is.
    """
    if len(before) == len(after) and all(map(_is, before, after)):
        return [], []
    remaining: dict[Hashable, int] = {}
    for entry in before:
        entry_key = key(entry)
        remaining[entry_key] = remaining.get(entry_key, 0) + 1
    added: list[object] = []
    for entry in after:
        entry_key = key(entry)
        if remaining.get(entry_key, 0) > 0:
            remaining[entry_key] -= 1
        else:
            added.append(entry)
    removed: list[object] = []
    for entry in before:
        entry_key = key(entry)
        if remaining.get(entry_key, 0) > 0:
            remaining[entry_key] -= 1
            removed.append(entry)
    return added, removed


def _is(first: object, second: object) -> bool:
    return first is second


def _path_key(entry: object) -> Hashable:
    """``sys.path`` entries compare by value when they are strings, else by identity."""
    return entry if isinstance(entry, str) else id(entry)


def _short_repr(entry: object) -> str:
    import reprlib

    shortener = reprlib.Repr()
    shortener.maxother = 100
    return shortener.repr(entry)
