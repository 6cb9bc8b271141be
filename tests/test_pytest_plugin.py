"""modutils.pytest_plugin: the isolation fixtures and the import-leak detector.

Most checks run inner pytest sessions with ``pytester``: in a subprocess where the
``pytest11`` entry point itself is under test, in-process (faster) elsewhere; the
plugin is loaded through the entry point in both. Inner sessions have their own
configuration; ``_run`` keeps the outer ``filterwarnings = error`` out of in-process ones.
"""

from __future__ import annotations

import contextlib
import itertools
import re
import sys
import types
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

import importlib_metadata  # noqa: F401
import pytest

from modutils import ImportSnapshot, ModuleLoadError
from modutils._state import ModulesSnapshot
from modutils.pytest_plugin import (
    ImportLeakWarning,
    MakeModule,
    SysPathFixture,
    _ImportState,
    _list_changes,
    _preserve_predicate,
)

# importlib_metadata is imported above, at collection, on purpose: on import it
# appends its finder to sys.meta_path and takes distribution discovery away from
# the standard library's PathFinder. Imported during a test instead (by an inner
# session's leak detector), the import-state restore after the test would drop
# the finder and leave pytest unable to find any plugin's entry point.
_counter = itertools.count()

# Inner sessions need no cache folder; and hypothesis' plugin imports hypothesis
# (assertion-rewritten, about a second) in every in-process run, where pytester's
# snapshot of sys.modules drops it again afterwards.
_INNER_INI = """
[pytest]
addopts = -p no:cacheprovider -p no:hypothesispytest
"""


def _unique(prefix: str) -> str:
    return f"{prefix}_{next(_counter)}"


def _inner(pytester: pytest.Pytester, ini: str = "", **files: str) -> None:
    pytester.makeini(_INNER_INI + ini)
    pytester.makepyfile(**files)


def _run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """Run the inner session in this process, with the warning filters of a fresh one.

    Inner sessions add their filters in front of the current ones, so without
    this the outer ``filterwarnings = error`` would still apply to them.
    """
    with warnings.catch_warnings():
        warnings.resetwarnings()
        return pytester.runpytest_inprocess(*args)


# --- the entry point and the fixture listing -------------------------------------------


def test_entry_point_loads_the_plugin_in_a_fresh_process(pytester: pytest.Pytester) -> None:
    _inner(
        pytester,
        test_uses=f"""
        def test_all_three(isolated_imports, sys_path, make_module, tmp_path):
            sys_path.append(tmp_path)
            assert make_module({_unique("ep")!r}, "X = 1").X == 1
        """,
    )
    pytester.runpytest_subprocess().assert_outcomes(passed=1)
    # Without the plugin the fixtures do not exist: the pass above came from it.
    pytester.runpytest_subprocess("-p", "no:modutils").assert_outcomes(errors=1)


def test_fixtures_are_listed_with_their_docs(pytester: pytest.Pytester) -> None:
    _inner(pytester, test_empty="")
    result = pytester.runpytest_subprocess("--fixtures")
    assert result.ret == 0
    result.stdout.fnmatch_lines(
        [
            "*fixtures defined from modutils.pytest_plugin*",
            "isolated_imports -- *pytest_plugin.py:*",
            "    Run the test inside ``modutils.preserve_import_state()``; yield its snapshot.",
            "sys_path -- *pytest_plugin.py:*",
            "    Put folders on ``sys.path`` for one test:*",
            "make_module -- *pytest_plugin.py:*",
            "    Write a throwaway module and import it:*",
        ],
        consecutive=False,
    )
    # The detector's autouse fixture only exists when it is turned on.
    assert "_modutils_import_leak_check" not in result.stdout.str()
    verbose = pytester.runpytest_subprocess("--fixtures", "-v", "--import-leaks")
    verbose.stdout.fnmatch_lines(["_modutils_import_leak_check -- *pytest_plugin.py:*"])


# --- sys_path --------------------------------------------------------------------------


@pytest.mark.parametrize("fail", [False, True], ids=["passing", "failing"])
def test_sys_path_cleans_up_after_the_test(pytester: pytest.Pytester, fail: bool) -> None:
    first, second = pytester.mkdir("first"), pytester.mkdir("second")
    module = _unique("sp_mod")
    (first / f"{module}.py").write_text("VALUE = 1\n", encoding="utf-8")
    _inner(
        pytester,
        test_sys_path=f"""
        import os, sys

        FIRST, SECOND = {str(first)!r}, {str(second)!r}
        BEFORE = list(sys.path)

        def test_uses(sys_path):
            assert sys_path.append(SECOND) == [SECOND]
            assert sys_path.prepend(FIRST) == [FIRST]
            assert sys.path[0] == FIRST and sys.path[-1] == SECOND
            import {module}
            assert {module}.VALUE == 1
            assert {fail!r} is False

        def test_after():
            assert sys.path == BEFORE
            assert {module!r} not in sys.modules
        """,
    )
    result = _run(pytester)
    result.assert_outcomes(passed=1 + (not fail), failed=int(fail))


def test_sys_path_entries_are_absolute_and_returned_in_order(sys_path: SysPathFixture) -> None:
    assert sys_path.prepend("rel_a", Path("rel_b")) == [
        str(Path("rel_a").absolute()),
        str(Path("rel_b").absolute()),
    ]
    assert sys.path[:2] == [str(Path("rel_a").absolute()), str(Path("rel_b").absolute())]
    assert sys_path.append() == []


@pytest.mark.parametrize("bad", [None, 3, b"/bytes", ["/a/list"]])
def test_sys_path_rejects_bad_paths_before_touching_sys_path(
    sys_path: SysPathFixture, bad: object
) -> None:
    before = sys.path[:]
    with pytest.raises(TypeError, match=r"str or os\.PathLike"):
        sys_path.prepend("/fine", bad)  # type: ignore[arg-type]
    assert sys.path == before


def test_sys_path_fixture_object_exits_in_reverse_order(tmp_path: Path) -> None:
    before = sys.path[:]
    with contextlib.ExitStack() as stack:
        fixture = SysPathFixture(stack)
        fixture.prepend(tmp_path)
        fixture.append(tmp_path)
        assert sys.path.count(str(tmp_path)) == before.count(str(tmp_path)) + 2
    assert sys.path == before


# --- make_module -----------------------------------------------------------------------


def test_make_module_writes_dedented_source_and_parent_packages(make_module: MakeModule) -> None:
    top = _unique("mm_pkg")
    module = make_module(
        f"{top}.sub.leaf",
        """
        def twice(value):
            return 2 * value
        """,
    )
    assert module.__name__ == f"{top}.sub.leaf"
    assert module.twice(21) == 42
    assert sys.modules[f"{top}.sub.leaf"] is module
    assert sys.modules[f"{top}.sub"].leaf is module
    root = make_module.root
    assert (root / top / "__init__.py").read_text(encoding="utf-8") == ""
    assert (root / top / "sub" / "leaf.py").read_text(encoding="utf-8").startswith("\ndef twice")
    assert str(root) in sys.path


def test_make_module_package_and_later_modules_import_earlier_ones(
    make_module: MakeModule,
) -> None:
    top = _unique("mm_pkg")
    helper_pkg = make_module(top, "MARK = 'package'", package=True)
    assert helper_pkg.__path__ == [str(make_module.root / top)]
    helper = make_module(f"{top}.helper", "NAME = 'helper'")
    user = make_module(
        f"{top}.user",
        """
        from . import helper
        from .helper import NAME
        import {top}
        PACKAGE_MARK = {top}.MARK
        """.replace("{top}", top),
    )
    assert user.NAME == "helper"
    assert user.helper is helper
    assert user.PACKAGE_MARK == "package"
    assert make_module.root.joinpath(top, "__init__.py").read_text(encoding="utf-8") == (
        "MARK = 'package'"
    )


def test_make_module_failure_is_a_module_load_error_and_restores_sys_modules(
    make_module: MakeModule,
) -> None:
    top = _unique("mm_fail")
    before = sys.modules.copy()
    with pytest.raises(ModuleLoadError, match=f"{top}.broken") as info:
        make_module(
            f"{top}.broken",
            """
            import colorsys
            VALUE = 1
            raise LookupError("half-way")
            """,
        )
    assert isinstance(info.value.__cause__, LookupError)
    assert info.value.name == f"{top}.broken"
    assert info.value.path == str(make_module.root / top / "broken.py")
    # The parent package it registered and what the module imported are gone again.
    assert sys.modules == before
    # The file stays, so that the traceback can show its source.
    assert (make_module.root / top / "broken.py").exists()


def test_make_module_base_exception_propagates_unchanged(make_module: MakeModule) -> None:
    top = _unique("mm_exit")
    before = sys.modules.copy()
    with pytest.raises(SystemExit) as info:
        make_module(f"{top}.quits", "import colorsys\nraise SystemExit(3)")
    assert info.value.code == 3
    assert sys.modules == before


def test_make_module_syntax_error_is_a_module_load_error(make_module: MakeModule) -> None:
    name = _unique("mm_syntax")
    with pytest.raises(ModuleLoadError) as info:
        make_module(name, "def broken(:\n")
    assert isinstance(info.value.__cause__, SyntaxError)
    assert name not in sys.modules


def _taken_by_stdlib(make_module: MakeModule) -> str:
    return "json"


def _parent_taken_by_stdlib(make_module: MakeModule) -> str:
    return "json.extra"


def _made_twice(make_module: MakeModule) -> str:
    name = _unique("mm_twice")
    make_module(name)
    return name


def _made_twice_as_package(make_module: MakeModule) -> str:
    name = _unique("mm_twice")
    make_module(f"{name}.child")  # writes the empty name/__init__.py
    return name


def _parent_is_a_plain_module(make_module: MakeModule) -> str:
    name = _unique("mm_plain")
    make_module(name)
    return f"{name}.child"


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (_taken_by_stdlib, "'json' is already imported"),
        (_parent_taken_by_stdlib, "'json' is already imported"),
        (_made_twice, "was already made by this test"),
        (_made_twice_as_package, "was already made by this test"),
        (_parent_is_a_plain_module, "was made as a plain module"),
    ],
)
def test_make_module_refuses_names_that_collide(
    make_module: MakeModule, setup: Callable[[MakeModule], str], message: str
) -> None:
    name = setup(make_module)
    files = sorted(make_module.root.rglob("*"))
    modules = sys.modules.copy()
    with pytest.raises(ValueError, match=message):
        make_module(name, "RAN = True")
    assert sorted(make_module.root.rglob("*")) == files
    assert sys.modules == modules


@pytest.mark.parametrize(
    ("name", "source", "error"),
    [
        (3, "", TypeError),
        ("", "", ValueError),
        ("bad-name", "", ValueError),
        ("a..b", "", ValueError),
        ("fine", b"X = 1", TypeError),
    ],
)
def test_make_module_bad_input(
    make_module: MakeModule, name: object, source: object, error: type[Exception]
) -> None:
    files = sorted(make_module.root.rglob("*"))
    with pytest.raises(error):
        make_module(name, source)  # type: ignore[arg-type]
    assert sorted(make_module.root.rglob("*")) == files


@pytest.mark.parametrize("outcome", ["passing", "failing", "module_raised"])
def test_make_module_leaves_nothing_behind(pytester: pytest.Pytester, outcome: str) -> None:
    top = _unique("mm_clean")
    body = {
        "passing": "pass",
        "failing": "assert False, 'the test failed'",
        "module_raised": f"make_module({top + '.bad'!r}, 'import colorsys; raise KeyError(1)')",
    }[outcome]
    _inner(
        pytester,
        test_clean=f"""
        import importlib, sys

        BEFORE_PATH = list(sys.path)
        BEFORE_MODULES = set(sys.modules)
        SEEN = {{}}

        def test_makes(make_module):
            SEEN["root"] = str(make_module.root)
            package = make_module({top!r}, "import json", package=True)
            make_module({top + ".sibling"!r})
            make_module({top + ".sub"!r}, "from . import sibling")
            # Not made by make_module, but imported from its folder: unloaded too.
            (make_module.root / {top!r} / "later.py").write_text("X = 1")
            importlib.invalidate_caches()
            import {top}.later
            {body}

        def test_after():
            assert SEEN["root"] not in sys.path
            assert sys.path == BEFORE_PATH
            assert not [name for name in sys.modules if name.startswith({top!r})]
        """,
    )
    result = _run(pytester, "--import-leaks=fail")
    if outcome == "passing":
        result.assert_outcomes(passed=2)
    else:
        result.assert_outcomes(passed=1, failed=1)
        if outcome == "module_raised":
            result.stdout.fnmatch_lines(["*ModuleLoadError: cannot load module*KeyError*"])


# --- isolated_imports ------------------------------------------------------------------


def test_isolated_imports_yields_the_live_snapshot(isolated_imports: ImportSnapshot) -> None:
    name = _unique("iso_mod")
    sys.modules[name] = types.ModuleType(name)
    import colorsys  # noqa: F401  (new here: the outer conftest restores it too)

    assert name in isolated_imports.added_modules
    assert isolated_imports.removed_modules == isolated_imports.replaced_modules == []


@pytest.mark.parametrize("fail", [False, True], ids=["passing", "failing"])
def test_isolated_imports_restores_after_the_test(pytester: pytest.Pytester, fail: bool) -> None:
    _inner(
        pytester,
        test_iso=f"""
        import sys, types

        import json
        # An earlier test of the outer session may have left it loaded (in-process run).
        sys.modules.pop("colorsys", None)
        BEFORE_PATH = list(sys.path)
        BEFORE_META = list(sys.meta_path)

        def test_changes(isolated_imports):
            import colorsys
            del sys.modules["json"]
            sys.modules["types"] = types.ModuleType("types")
            sys.path.insert(0, "/iso-nowhere")
            sys.meta_path.append(object())
            assert "colorsys" in isolated_imports.added_modules
            assert isolated_imports.removed_modules == ["json"]
            assert isolated_imports.replaced_modules == ["types"]
            assert {fail!r} is False

        def test_after():
            assert "colorsys" not in sys.modules
            assert sys.modules["json"] is json and sys.modules["types"] is types
            assert sys.path == BEFORE_PATH and sys.meta_path == BEFORE_META
        """,
    )
    _run(pytester).assert_outcomes(passed=1 + (not fail), failed=int(fail))


@pytest.mark.parametrize(
    ("ini", "kept"),
    [
        ("", False),
        ("isolated_imports_preserve = other_name", False),
        ("isolated_imports_preserve = {keep}", True),
        ("isolated_imports_preserve = unrelated {keep}", True),
        ("isolated_imports_preserve =\n    keep_*\n    unrelated", True),
    ],
)
def test_isolated_imports_preserve_ini_option(
    pytester: pytest.Pytester, ini: str, kept: bool
) -> None:
    keep, drop = _unique("keep_mod"), _unique("drop_mod")
    for name in (keep, drop):
        pytester.path.joinpath(f"{name}.py").write_text("STATE = object()\n", encoding="utf-8")
    _inner(
        pytester,
        ini=ini.format(keep=keep),
        test_preserve=f"""
        import sys

        def test_imports(isolated_imports):
            import {keep}, {drop}

        def test_survivor():
            assert {drop!r} not in sys.modules
            assert ({keep!r} in sys.modules) is {kept!r}
        """,
    )
    _run(pytester).assert_outcomes(passed=2)


@pytest.mark.parametrize(("ini", "kept"), [("", False), ("multiprocessing.*", True)])
def test_isolated_imports_preserve_keeps_multiprocessing_state(
    pytester: pytest.Pytester, ini: str, kept: bool
) -> None:
    # The case from pytest's history: multiprocessing's resource tracker holds
    # process-wide state, and a fresh copy imported later knows nothing of it.
    # ``multiprocessing.*`` also keeps the package that contains the submodules.
    _inner(
        pytester,
        ini=f"isolated_imports_preserve = {ini}",
        test_mp="""
        import sys

        SEEN = {}

        def test_imports(isolated_imports):
            assert "multiprocessing" not in sys.modules
            from multiprocessing import resource_tracker
            SEEN["tracker"] = resource_tracker._resource_tracker

        def test_same_tracker():
            from multiprocessing import resource_tracker
            assert resource_tracker._resource_tracker is SEEN["tracker"]
        """,
    )
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=1 + kept, failed=int(not kept))


@pytest.mark.parametrize(
    ("patterns", "name", "expected"),
    [
        (["multiprocessing"], "multiprocessing", True),
        (["multiprocessing"], "multiprocessing.resource_tracker", True),
        (["multiprocessing"], "multiprocessing_extra", False),
        (["multiprocessing.*"], "multiprocessing.resource_tracker", True),
        (["multiprocessing.*"], "multiprocessing", False),
        (["pkg.sub"], "pkg", False),
        (["pkg.sub"], "pkg.sub.deep", True),
        (["pkg?"], "pkg1.x", True),
        (["*_state"], "a.process_state", True),
        (["[ab]mod"], "cmod", False),
        (["one", "two"], "two", True),
    ],
)
def test_preserve_patterns_match_modules_and_their_submodules(
    patterns: list[str], name: str, expected: bool
) -> None:
    predicate = _preserve_predicate(patterns)
    assert predicate is not None
    assert predicate(name) is expected


def test_no_preserve_patterns_means_no_predicate() -> None:
    assert _preserve_predicate([]) is None


# --- the import-leak detector ----------------------------------------------------------

# Installed while the inner test module is collected, so that tests can remove them.
_PROBES = """
import sys, types

PROBE_PATH = "/leak-probe"
sys.path.append(PROBE_PATH)


class Finder:
    def find_spec(self, name, path=None, target=None):
        return None


FINDER = Finder()
sys.meta_path.append(FINDER)


def HOOK(path):
    raise ImportError(path)


sys.path_hooks.append(HOOK)


def OTHER_HOOK(path):
    raise ImportError(path)


PROBE = sys.modules.setdefault("leak_probe", types.ModuleType("leak_probe"))
"""

# The quiet neighbours of every leaking test: none of them may be reported.
_CLEAN_TESTS = """
import pytest


@pytest.fixture(scope="module")
def module_wide_path():
    # Set up in the first test that uses it, torn down after the last one:
    # neither test is blamed for it.
    sys.path.insert(0, "/module-wide")
    yield
    sys.path.remove("/module-wide")


def test_clean():
    pass


def test_new_imports(module_wide_path):
    import {fresh}  # a newly imported module is not a leak
    import json.tool


def test_moved_entry(module_wide_path):
    sys.path.append(sys.path.pop(0))
    sys.path.insert(0, sys.path.pop())


def test_restored_by_fixtures(monkeypatch):
    monkeypatch.syspath_prepend("/restored")
    monkeypatch.delitem(sys.modules, "leak_probe")
    monkeypatch.setattr(sys, "meta_path", [])
"""

_LEAKS = {
    "path_added": ("sys.path.insert(0, '/leaked')", "sys.path added '/leaked'"),
    "path_added_twice": ("sys.path.append(PROBE_PATH)", "sys.path added '/leak-probe'"),
    "path_removed": ("sys.path.remove(PROBE_PATH)", "sys.path removed '/leak-probe'"),
    "path_rebound": ("sys.path = sys.path + ['/rebound']", "sys.path added '/rebound'"),
    "meta_path_added": ("sys.meta_path.insert(0, Finder())", "sys.meta_path added <*Finder*>"),
    "meta_path_removed": ("sys.meta_path.remove(FINDER)", "sys.meta_path removed <*Finder*>"),
    "path_hooks_added": (
        "sys.path_hooks.insert(0, OTHER_HOOK)",
        "sys.path_hooks added <function OTHER_HOOK*>",
    ),
    "path_hooks_removed": ("sys.path_hooks.remove(HOOK)", "sys.path_hooks removed <*HOOK*>"),
    "module_deleted": ("del sys.modules['leak_probe']", "sys.modules removed 'leak_probe'"),
    "module_replaced": (
        "sys.modules['leak_probe'] = types.ModuleType('leak_probe')",
        "sys.modules replaced 'leak_probe'",
    ),
    "several": (
        "sys.path.insert(0, '/a'); del sys.modules['leak_probe']",
        "sys.path added '/a'; sys.modules removed 'leak_probe'",
    ),
}


def _leaky_session(pytester: pytest.Pytester, statement: str, ini: str = "") -> None:
    fresh = _unique("leak_fresh")
    pytester.path.joinpath(f"{fresh}.py").write_text("", encoding="utf-8")
    _inner(
        pytester,
        ini=ini,
        test_leaky=_PROBES
        + _CLEAN_TESTS.format(fresh=fresh)
        + f"\n\ndef test_leak():\n    {statement}\n\n\ndef test_after_the_leak():\n    pass\n",
    )


@pytest.mark.parametrize("kind", list(_LEAKS))
def test_leaks_are_reported_per_test(pytester: pytest.Pytester, kind: str) -> None:
    statement, description = _LEAKS[kind]
    _leaky_session(pytester, statement)
    result = _run(pytester, "--import-leaks", "-rA")
    result.assert_outcomes(passed=6, warnings=1)
    result.stdout.fnmatch_lines(
        [
            "*= warnings summary =*",
            "test_leaky.py::test_leak",
            f"*ImportLeakWarning: import state leaked: {description}",
            "*= import leaks =*",
            f"test_leaky.py::test_leak: {description}",
            "1 test leaked import state",
        ]
    )
    # Exactly one test is blamed, and only once.
    assert len(re.findall(r"test_leaky\.py::\w+: sys\.", result.stdout.str())) == 1


@pytest.mark.parametrize(
    ("args", "ini"),
    [
        (["--import-leaks=fail"], ""),
        (["--import-leaks", "fail"], ""),
        ([], "import_leaks = fail"),
        ([], "import_leaks = FAIL"),
        (
            ["--import-leaks=report"],
            "filterwarnings = error::modutils.pytest_plugin.ImportLeakWarning",
        ),
    ],
)
def test_fail_mode_makes_the_leaking_test_error(
    pytester: pytest.Pytester, args: list[str], ini: str
) -> None:
    _leaky_session(pytester, "sys.path.insert(0, '/leaked')", ini=ini)
    result = _run(pytester, *args)
    result.assert_outcomes(passed=6, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_leak*",
            "*import state leaked: sys.path added '/leaked'*",
            "*= import leaks =*",
            "test_leaky.py::test_leak: sys.path added '/leaked'",
        ]
    )


@pytest.mark.parametrize(
    ("args", "ini", "reported"),
    [
        ([], "", False),
        ([], "import_leaks = false", False),
        ([], "import_leaks = true", True),
        ([], "import_leaks = report", True),
        (["--import-leaks=off"], "import_leaks = fail", False),
        (["--import-leaks"], "import_leaks = false", True),
    ],
)
def test_ini_option_and_command_line(
    pytester: pytest.Pytester, args: list[str], ini: str, reported: bool
) -> None:
    _leaky_session(pytester, "sys.path.insert(0, '/leaked')", ini=ini)
    result = _run(pytester, *args)
    result.assert_outcomes(passed=6, warnings=int(reported))
    assert ("= import leaks =" in result.stdout.str()) is reported


@pytest.mark.parametrize(
    ("args", "ini", "message"),
    [
        (["--import-leaks=sometimes"], "", "--import-leaks: invalid value 'sometimes'"),
        (["--import-leaks", "test_leaky.py"], "", "invalid value 'test_leaky.py'"),
        ([], "import_leaks = maybe", "ini option import_leaks: invalid value 'maybe'"),
    ],
)
def test_bad_mode_is_a_usage_error(
    pytester: pytest.Pytester, args: list[str], ini: str, message: str
) -> None:
    _leaky_session(pytester, "pass", ini=ini)
    result = _run(pytester, *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert message in result.stderr.str()
    # The hint speaks of where the value came from (issue 21).
    assert ("--import-leaks=VALUE" in result.stderr.str()) is bool(args)
    assert ("'import_leaks = fail'" in result.stderr.str()) is not bool(args)


def test_help_states_one_vocabulary(pytester: pytest.Pytester) -> None:
    pytester.makeini(_INNER_INI)
    result = _run(pytester, "--help")
    text = " ".join(result.stdout.str().split())
    assert "--import-leaks=[report|fail|off]" in text
    assert "'off' (the default without the option)" in text
    assert "import_leaks (string): check each test for import-state leaks: report, fail or off" in (
        text
    )
    assert "true" not in text.partition("import_leaks (string)")[2].split("isolated")[0]


def test_modutils_lazy_imports_are_not_a_leak(pytester: pytest.Pytester) -> None:
    # importlib-metadata appends its finder to sys.meta_path when first imported,
    # and locate_module() imports it (issue 18). A fresh interpreter, so that it
    # is not imported yet.
    _inner(
        pytester,
        test_locate="""
            import modutils


            def test_locate():
                assert modutils.locate_module("pytest").distribution == "pytest"
        """,
    )
    result = pytester.runpytest_subprocess("--import-leaks=fail", "-W", "error")
    result.assert_outcomes(passed=1)
    assert "import leaks" not in result.stdout.str()


def test_isolated_imports_keeps_distribution_discovery_working(pytester: pytest.Pytester) -> None:
    # First imported inside the isolation, importlib-metadata's finder used to be
    # taken off sys.meta_path at teardown, after it had disabled the standard
    # library's own discovery: no distribution was found any more.
    _inner(
        pytester,
        test_isolated="""
            import importlib.metadata

            import modutils


            def test_locate(isolated_imports):
                assert modutils.locate_module("pytest").distribution == "pytest"


            def test_metadata_afterwards():
                assert importlib.metadata.version("pytest")
        """,
    )
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=2)


def test_leaks_are_summarised_by_the_xdist_controller(pytester: pytest.Pytester) -> None:
    _leaky_session(pytester, "sys.path.insert(0, '/leaked')")
    result = pytester.runpytest_subprocess("-n", "2", "--import-leaks", "-p", "xdist")
    result.assert_outcomes(passed=6, warnings=1)
    result.stdout.fnmatch_lines(
        [
            "*= import leaks =*",
            "test_leaky.py::test_leak: sys.path added '/leaked'",
            "1 test leaked import state",
        ]
    )
    assert result.stdout.str().count("test_leaky.py::test_leak: sys.path") == 1


def test_clean_session_is_quiet(pytester: pytest.Pytester) -> None:
    _leaky_session(pytester, "pass")
    result = _run(pytester, "--import-leaks=fail", "-W", "error")
    result.assert_outcomes(passed=6)
    assert "import leaks" not in result.stdout.str()
    assert "ImportLeakWarning" not in result.stdout.str()


# --- the comparison itself, without a pytest session ------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "added", "removed"),
    [
        (["a", "b"], ["a", "b"], [], []),
        (["a", "b"], ["b", "a"], [], []),
        (["a", "b"], ["a", "b", "a"], ["a"], []),
        (["a", "a", "b"], ["a", "b"], [], ["a"]),
        (["a", "b"], ["c", "b"], ["c"], ["a"]),
        ([], ["x", "x"], ["x", "x"], []),
    ],
)
def test_list_changes_counts_entries_as_multisets(
    before: list[str], after: list[str], added: list[str], removed: list[str]
) -> None:
    # Fresh string objects, as a test that rebuilds sys.path would make.
    copied = ["".join(entry) for entry in after]
    assert _list_changes(before, copied, lambda entry: entry) == (added, removed)


def test_list_changes_compares_hooks_by_identity() -> None:
    class Equal:
        def __eq__(self, other: object) -> bool:
            return True

        __hash__ = None  # type: ignore[assignment]

    first, second = Equal(), Equal()
    assert _list_changes([first], [second], id) == ([second], [first])
    assert _list_changes([first], [first], id) == ([], [])


def _delete(name: str) -> None:
    del sys.modules[name]


def _replace(name: str) -> None:
    sys.modules[name] = types.ModuleType(name)


def _add_submodule(name: str) -> None:
    sys.modules[f"{name}.new"] = types.ModuleType(f"{name}.new")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_delete, ("sys.modules removed {name!r}",)),
        (_replace, ("sys.modules replaced {name!r}",)),
        (_add_submodule, ()),
    ],
)
def test_import_state_changes_on_sys_modules(
    change: Callable[[str], None], expected: tuple[str, ...]
) -> None:
    name = _unique("state_mod")
    sys.modules[name] = types.ModuleType(name)
    state = _ImportState(ModulesSnapshot())
    change(name)
    assert state.changes() == tuple(line.format(name=name) for line in expected)


def test_import_state_changes_on_the_three_lists() -> None:
    def old_hook(path: str) -> NoReturn:
        raise ImportError(path)

    def new_hook(path: str) -> NoReturn:
        raise ImportError(path)

    sys.path_hooks.append(old_hook)
    finder = object()
    state = _ImportState(ModulesSnapshot())
    sys.path.insert(0, "/state-added")
    sys.meta_path.append(finder)  # type: ignore[arg-type]
    sys.path_hooks.remove(old_hook)
    sys.path_hooks.append(new_hook)
    changes = state.changes()
    assert len(changes) == 4
    assert changes[0] == "sys.path added '/state-added'"
    assert changes[1].startswith("sys.meta_path added <object object at")
    assert re.fullmatch(r"sys\.path_hooks added <function .*new_hook at 0x\w+>", changes[2])
    assert re.fullmatch(r"sys\.path_hooks removed <function .*old_hook at 0x\w+>", changes[3])


def test_import_leak_warning_is_a_pytest_warning() -> None:
    assert issubclass(ImportLeakWarning, pytest.PytestWarning)


# --- the documentation's examples -------------------------------------------------------

_DOCS = Path(__file__).resolve().parents[1] / "docs" / "testing.md"


def test_documented_test_files_pass_without_leaks(pytester: pytest.Pytester) -> None:
    blocks = re.findall(r"```python\n# (test_\w+)\.py\n(.*?)```", _DOCS.read_text("utf-8"), re.S)
    assert len(blocks) >= 5
    _inner(pytester, **dict(blocks))
    expected = sum(len(re.findall(r"^def test_", source, re.M)) for _, source in blocks)
    result = pytester.runpytest_subprocess("--import-leaks=fail", "-W", "error")
    result.assert_outcomes(passed=expected)
