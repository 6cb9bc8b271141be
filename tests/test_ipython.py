"""modutils.ipython: %load_ext modutils.ipython in a real InteractiveShell."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol, cast

import pytest
from IPython.core.interactiveshell import InteractiveShell

from modutils import ReloadError
from modutils.ipython import describe_failure

TYPE_CHECKING = False
if TYPE_CHECKING:
    from IPython.core.interactiveshell import ExecutionResult

    from conftest import WriteTree

_counter = itertools.count()


class _Shell(Protocol):
    """The part of InteractiveShell the tests use (run_cell is untyped in IPython)."""

    user_ns: dict[str, object]

    def run_cell(self, raw_cell: str, store_history: bool = False) -> ExecutionResult: ...


class Session:
    """A shell with the extension loaded, and a folder of modules on sys.path."""

    def __init__(self, shell: _Shell, root: Path, write_tree: WriteTree) -> None:
        self.shell = shell
        self.root = root
        self.write_tree = write_tree

    def run(self, cell: str) -> ExecutionResult:
        result = self.shell.run_cell(textwrap.dedent(cell), store_history=False)
        if result.error_before_exec is not None:
            raise result.error_before_exec
        return result

    def ok(self, cell: str) -> None:
        result = self.run(cell)
        if result.error_in_exec is not None:
            raise result.error_in_exec

    def value(self, expression: str) -> object:
        self.ok(f"_value_ = {expression}")
        return self.shell.user_ns["_value_"]

    def write(self, name: str, source: str) -> None:
        path = self.root / f"{name.replace('.', '/')}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source), encoding="utf-8")


@pytest.fixture
def session(write_tree: WriteTree) -> Iterator[Session]:
    root = write_tree({})
    sys.path.insert(0, str(root))
    shell = cast("_Shell", InteractiveShell.instance())
    namespace = dict(shell.user_ns)
    shell.run_cell("%load_ext modutils.ipython", store_history=False)
    try:
        yield Session(shell, root, write_tree)
    finally:
        shell.run_cell("%unload_ext modutils.ipython", store_history=False)
        shell.user_ns.clear()
        shell.user_ns.update(namespace)


@pytest.fixture
def name() -> str:
    return f"ip{next(_counter)}_mod"


@pytest.mark.parametrize("mode", ["2", "all", "3", "complete"])
def test_all_modes_reload_before_each_cell_live(session: Session, name: str, mode: str) -> None:
    session.write(name, "def f():\n    return 1\nclass C:\n    def m(self):\n        return 1\n")
    session.ok(f"%autoreload {mode}")
    session.ok(f"import {name}\nfrom {name} import f\nobj = {name}.C()")
    session.write(name, "def f():\n    return 2\nclass C:\n    def m(self):\n        return 2\n")
    assert session.value("f()") == 2  # the old function object runs the new code
    assert session.value("obj.m()") == 2
    assert session.value(f"f is {name}.f and isinstance(obj, {name}.C)") is True


@pytest.mark.parametrize("mode", ["0", "off"])
def test_off_reloads_nothing(session: Session, name: str, mode: str) -> None:
    session.write(name, "X = 1\n")
    session.ok(f"%autoreload {mode}\nimport {name}")
    session.write(name, "X = 2\n")
    assert session.value(f"{name}.X") == 1
    session.ok("%autoreload")  # "now": once, whatever the mode
    assert session.value(f"{name}.X") == 2


@pytest.mark.parametrize("mode", ["1", "explicit"])
def test_explicit_reloads_only_aimported_modules(session: Session, mode: str) -> None:
    marked, other = f"ip{next(_counter)}_marked", f"ip{next(_counter)}_other"
    session.write(marked, "X = 1\n")
    session.write(other, "X = 1\n")
    session.ok(f"%autoreload {mode}")
    session.ok(f"%aimport {marked}")
    session.ok(f"import {other}")
    assert marked in session.shell.user_ns  # %aimport imports it into the namespace
    session.write(marked, "X = 2\n")
    session.write(other, "X = 2\n")
    assert session.value(f"({marked}.X, {other}.X)") == (2, 1)


def test_aimport_minus_skips_a_module_in_all_mode(session: Session) -> None:
    skipped, other = f"ip{next(_counter)}_skip", f"ip{next(_counter)}_other"
    session.write(skipped, "X = 1\n")
    session.write(other, "X = 1\n")
    session.ok(f"%autoreload 2\nimport {skipped}, {other}")
    session.ok(f"%aimport -{skipped}")
    session.write(skipped, "X = 2\n")
    session.write(other, "X = 2\n")
    assert session.value(f"({skipped}.X, {other}.X)") == (1, 2)


def test_aimport_with_alias_and_listing(
    session: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    package = f"ip{next(_counter)}_pkg"
    session.write(f"{package}.__init__", "")
    session.write(f"{package}.sub", "X = 1\n")
    session.ok(f"%aimport {package}.sub as alias, -json")
    assert session.value("alias.X") == 1
    capsys.readouterr()
    session.ok("%aimport")
    out = capsys.readouterr().out
    assert f"Modules to reload:\n{package}.sub\n" in out
    assert "Modules to skip:\njson\n" in out


def test_a_failed_edit_prints_one_line_once_and_keeps_the_old_code(
    session: Session, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    session.write(name, "def f():\n    return 1\n")
    session.ok(f"%autoreload 2\nfrom {name} import f")
    session.write(name, "def f():\n    return 2\n\nraise RuntimeError('half-way')\n")
    capsys.readouterr()
    assert session.value("f()") == 1
    err = capsys.readouterr().err
    path = os.path.realpath(session.root / f"{name}.py")
    assert err == f"[autoreload of {name} failed: {path}:4: RuntimeError: half-way]\n"
    assert session.value("f()") == 1
    assert capsys.readouterr().err == ""  # reported once
    session.write(name, "def f():\n    return 3\n")
    assert session.value("f()") == 3


def test_a_syntax_error_names_its_line(
    session: Session, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    session.write(name, "X = 1\n")
    session.ok(f"%autoreload 2\nimport {name}")
    session.write(name, "X = 1\nY = (\n")
    capsys.readouterr()
    assert session.value(f"{name}.X") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"[autoreload of {name} failed: ")
    assert ":2: SyntaxError: " in err


def test_hide_errors_prints_nothing(
    session: Session, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    session.write(name, "X = 1\n")
    session.ok(f"%autoreload 2 --hide-errors\nimport {name}")
    session.write(name, "X = (\n")
    capsys.readouterr()
    assert session.value(f"{name}.X") == 1
    assert capsys.readouterr().err == ""


def test_complete_rebinds_from_imports_and_new_star_names(session: Session, name: str) -> None:
    star = f"ip{next(_counter)}_star"
    session.write(name, "LIMIT = 1\nOTHER = 1\n")
    session.write(star, "A = 1\n")
    session.ok("%autoreload 3")
    session.ok(f"from {name} import LIMIT, OTHER as alias\nfrom {star} import *")
    session.ok("OTHER_MINE = alias\nalias = 'mine'")  # a name the user rebound is kept
    session.write(name, "LIMIT = 2\nOTHER = 2\n")
    session.write(star, "A = 1\nB = 2\n_PRIVATE = 3\n")
    assert session.value("LIMIT") == 2
    assert session.value("alias") == "mine"
    assert session.value("B") == 2
    assert "_PRIVATE" not in session.shell.user_ns


def test_all_mode_does_not_rebind_plain_values(session: Session, name: str) -> None:
    session.write(name, "LIMIT = 1\n")
    session.ok(f"%autoreload 2\nfrom {name} import LIMIT")
    session.write(name, "LIMIT = 2\n")
    assert session.value("LIMIT") == 1
    assert session.value(f"__import__({name!r}).LIMIT") == 2


def test_a_bad_mode_is_an_error(session: Session) -> None:
    result = session.run("%autoreload sometimes")
    assert isinstance(result.error_in_exec, ValueError)


def test_describe_failure_without_a_cause() -> None:
    error = ReloadError("reloading 'm' failed", name="m", path="/src/m.py")
    assert describe_failure(error) == (
        "[autoreload of m failed: /src/m.py:?: ReloadError: reloading 'm' failed]"
    )


def test_modutils_never_imports_ipython() -> None:
    code = (
        "import sys, modutils, modutils.reloader, modutils.reloading\n"
        "modutils.Reloader().check()\n"
        "print('IPython' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout == "False\n"
