"""The command line, run as users run it: ``python -m modutils`` and the ``modutils`` script.

End-to-end cases go through a subprocess with both entry points; the details of
each command run in-process through ``main([...])``, which is faster.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import modutils

# Imported once, before the first test, so that the import-state fixture of
# conftest.py never drops these modules while `modutils` keeps names from them.
from modutils import (
    MemberKind,
    ModuleInfo,
    ModuleLocation,
    iter_submodules,
    list_members,
    locate_module,
)
from modutils.cli import main

Run = Callable[..., "subprocess.CompletedProcess[str]"]
WriteTree = Callable[[dict[str, str]], Path]  # the write_tree fixture of conftest.py

_counter = itertools.count()


def _unique(stem: str) -> str:
    return f"{stem}_{os.getpid()}_{next(_counter)}"


def _console_script() -> Path:
    folder = Path(sys.executable).parent
    found = shutil.which("modutils", path=str(folder))
    if found is None:
        pytest.fail(
            f"the 'modutils' console script is not installed next to {sys.executable}: "
            "install the package (pip install -e .) into this environment"
        )
    return Path(found)


def _run(
    command: list[str], args: tuple[str, ...], cwd: Path | None, pythonpath: Path | None
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run(
        [*command, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.fixture(params=["python -m modutils", "modutils script"])
def cli(request: pytest.FixtureRequest) -> Run:
    """Run the command line in a subprocess, through each entry point in turn."""
    if request.param == "python -m modutils":
        command = [sys.executable, "-m", "modutils"]
    else:
        command = [str(_console_script())]

    def run(
        *args: str, cwd: Path | None = None, pythonpath: Path | None = None
    ) -> subprocess.CompletedProcess[str]:
        return _run(command, args, cwd, pythonpath)

    return run


def run_module(
    *args: str, cwd: Path | None = None, pythonpath: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return _run([sys.executable, "-m", "modutils"], args, cwd, pythonpath)


def assert_one_error_line(stderr: str, *fragments: str) -> str:
    """*stderr* is exactly one ``modutils: error:`` line containing each fragment."""
    assert "Traceback" not in stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    (line,) = lines
    assert line.startswith("modutils: error: ")
    for fragment in fragments:
        assert fragment in line
    return line


class TtyStringIO(io.StringIO):
    """A captured stream that claims to be a terminal."""

    def isatty(self) -> bool:
        return True


# -- packages under test ------------------------------------------------------------


def broken_package(write_tree: WriteTree, marker: Path) -> tuple[str, Path]:
    """A package with every kind of import failure, and a __main__ that leaves *marker*."""
    name = _unique("clibroken")
    root = write_tree(
        {
            f"{name}/__init__.py": "",
            f"{name}/__main__.py": f"open({str(marker)!r}, 'w').close()\n",
            f"{name}/exits.py": "import sys\nsys.exit(3)\n",
            f"{name}/good.py": "VALUE = 1\n",
            f"{name}/raises.py": "raise RuntimeError('boom in raises')\n",
            f"{name}/sub/__init__.py": "raise ImportError('sub is broken')\n",
            f"{name}/sub/child.py": "VALUE = 1\n",
            f"{name}/syntax.py": "def broken(:\n",
            f"{name}/zlast.py": "print('zlast imported')\nVALUE = 2\n",
        }
    )
    return name, root


def healthy_package(write_tree: WriteTree) -> tuple[str, Path]:
    name = _unique("clihealthy")
    root = write_tree(
        {
            f"{name}/__init__.py": "",
            f"{name}/alpha.py": "",
            f"{name}/beta/__init__.py": "",
            f"{name}/beta/gamma.py": "",
            f"{name}/nsfolder/delta.py": "",
        }
    )
    return name, root


# -- both entry points --------------------------------------------------------------


def test_console_script_is_installed() -> None:
    assert _console_script().is_file()


def test_version(cli: Run) -> None:
    result = cli("--version")
    assert result.returncode == 0
    assert result.stdout == f"modutils {modutils.__version__}\n"
    assert result.stderr == ""


@pytest.mark.parametrize("command", [[], ["submodules"], ["members"], ["locate"], ["check"]])
def test_help_everywhere(cli: Run, command: list[str]) -> None:
    result = cli(*command, "--help")
    assert result.returncode == 0
    assert result.stdout.startswith(f"usage: {' '.join(['modutils', *command])} ")
    assert result.stderr == ""


def test_check_reports_every_failure_and_goes_on(
    cli: Run, write_tree: WriteTree, tmp_path: Path
) -> None:
    marker = tmp_path / "main-ran"
    name, root = broken_package(write_tree, marker)
    result = cli("check", "--json", name, pythonpath=root)
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert list(report) == ["package", "imported", "failed", "skipped", "ok"]
    assert report["package"] == name
    assert report["ok"] is False
    # sys.exit() in `exits` neither ended the command nor set its status.
    assert report["imported"] == [name, f"{name}.good", f"{name}.zlast"]
    errors = {failure["name"]: failure["error"] for failure in report["failed"]}
    assert list(errors) == [f"{name}.{sub}" for sub in ("exits", "raises", "sub", "syntax")]
    assert errors[f"{name}.exits"] == "SystemExit: 3"
    assert errors[f"{name}.raises"] == "RuntimeError: boom in raises"
    assert errors[f"{name}.sub"] == "ImportError: sub is broken"
    assert errors[f"{name}.syntax"].startswith("SyntaxError: ")
    assert report["skipped"] == [f"{name}.sub.child"]
    # The package's command-line entry was never run.
    assert not marker.exists()
    assert f"{name}.__main__" not in result.stdout
    # stderr has the progress lines and what the modules printed, nothing else.
    assert "Traceback" not in result.stderr
    assert "zlast imported" in result.stderr
    assert f"[1/8] {name}\n" in result.stderr


def test_check_on_the_standard_library(cli: Run) -> None:
    result = cli("check", "json")
    assert result.returncode == 0, result.stdout + result.stderr
    total = 1 + len(list(iter_submodules("json")))
    assert result.stdout == f"json: {total} modules imported, 0 failed\n"


@pytest.mark.parametrize(
    ("args", "status", "fragments"),
    [
        (["submodules", "no_such_package_xyz"], 1, ["no_such_package_xyz"]),
        (["check", "no_such_package_xyz"], 1, ["no_such_package_xyz"]),
        (["locate", "no_such_package_xyz"], 1, ["No module named 'no_such_package_xyz'"]),
        (["members", "no_such_package_xyz"], 1, ["no_such_package_xyz"]),
        (["submodules", "a..b"], 2, ["a..b"]),
        # import_module accepts any name without empty parts, separators or NUL.
        (["locate", "not a name"], 1, ["No module named 'not a name'"]),
        (["locate", "a..b"], 2, ["a..b"]),
        (["members", "--static", "no/such/file.py"], 2, ["no/such/file.py"]),
        (["check", "json.decoder"], 2, ["json.decoder"]),
        (["frobnicate"], 2, ["frobnicate"]),
        ([], 2, ["COMMAND"]),
        (
            ["submodules", "/some/folder"],
            2,
            [
                "'/some/folder' is a path",
                "dotted module name",
                "try 'modutils submodules folder --path /some'",
            ],
        ),
        (["check", "pkg/"], 2, ["dotted module name", "try 'modutils check pkg'"]),
        (["locate", "json", "--path", "/no/such/folder"], 2, ["--path", "/no/such/folder"]),
        (["members", "pkg/mod.py"], 2, ["add --static"]),
    ],
)
def test_errors_are_one_line(cli: Run, args: list[str], status: int, fragments: list[str]) -> None:
    result = cli(*args)
    assert result.returncode == status
    assert result.stdout == ""
    assert_one_error_line(result.stderr, *fragments)


def test_path_option_searches_a_folder_first(cli: Run, write_tree: WriteTree) -> None:
    name, root = healthy_package(write_tree)
    result = cli("submodules", "--no-recursive", name, "--path", str(root))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"{name}.alpha", f"{name}.beta"]
    checked = cli("check", "-q", name, "--path", str(root))
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout == f"{name}: 4 modules imported, 0 failed\n"


def test_names_that_are_not_identifiers_are_real_modules(cli: Run, write_tree: WriteTree) -> None:
    """django's ``migrations/0001_initial.py``: listed, located and imported by ``check``."""
    name = _unique("nonid")
    root = write_tree({f"{name}/__init__.py": "", f"{name}/0001_initial.py": "X = 1\n"})
    listed = cli("submodules", name, "--path", str(root))
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines() == [f"{name}.0001_initial"]
    located = cli("locate", f"{name}.0001_initial", "--path", str(root))
    assert located.returncode == 0, located.stderr
    assert "0001_initial.py" in located.stdout
    checked = cli("check", "-q", name, "--path", str(root))
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout == f"{name}: 2 modules imported, 0 failed\n"


def test_path_option_in_process_leaves_the_import_path_as_it_was(
    write_tree: WriteTree, capsys: pytest.CaptureFixture[str]
) -> None:
    name, root = healthy_package(write_tree)
    path, hooks = sys.path[:], sys.path_hooks[:]
    assert main(["locate", f"{name}.alpha", "--path", str(root), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["path"] == str(root / name / "alpha.py")
    assert (sys.path, sys.path_hooks) == (path, hooks)
    # The guard of the folder is gone too (the finders the import system cached
    # for the package's own folder are its business).
    assert os.path.realpath(root) not in sys.path_importer_cache


def test_path_option_runs_nothing_from_the_folder(
    cli: Run, planted_folder: tuple[Path, Path], tmp_path: Path
) -> None:
    folder, marker = planted_folder
    _ran(marker)
    located = cli("locate", "--json", "mypkg.mod", "--path", str(folder), cwd=tmp_path)
    assert located.returncode == 0, located.stderr
    assert json.loads(located.stdout)["path"] == str(folder / "mypkg" / "mod.py")
    assert _ran(marker) == []
    checked = cli("check", "--json", "mypkg", "--path", str(folder), cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert _ran(marker) == ["mypkg", "mypkg.mod", "helper"]


def test_modules_in_the_current_directory_are_found(cli: Run, write_tree: WriteTree) -> None:
    name, root = healthy_package(write_tree)
    result = cli("submodules", "--no-recursive", name, cwd=root)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"{name}.alpha", f"{name}.beta"]


# -- the current folder (issue 18) ----------------------------------------------------

# Imported by `python -m` (runpy) before any code of modutils runs: the current
# folder supplies them to every `python -m` command, which modutils cannot change.
_PROBE = "import json, sys\nprint(json.dumps(sorted({n.partition('.')[0] for n in sys.modules})))\n"


def _startup_modules(folder: Path) -> set[str]:
    (folder / "startup_probe.py").write_text(_PROBE, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "startup_probe"],
        capture_output=True,
        text=True,
        cwd=folder,
        check=True,
        timeout=60,
    )
    (folder / "startup_probe.py").unlink()
    # json itself was imported by the probe, after startup.
    return set(json.loads(result.stdout)) - {"json"}


@pytest.fixture(scope="module")
def planted_folder(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A folder holding a module for every standard-library and dependency name.

    Each one appends its name to the returned marker file when it runs, as do the
    user's package ``mypkg`` and top-level module ``helper`` kept next to them.
    """
    folder = tmp_path_factory.mktemp("planted")
    marker = folder.parent / f"{folder.name}-ran.txt"
    record = f"open({str(marker)!r}, 'a').write(__name__ + '\\n')\n"
    names = (
        (set(sys.stdlib_module_names) | {"importlib_metadata", "zipp", "typing_extensions"})
        - _startup_modules(folder)
        - {"__main__"}
    )
    for name in names:
        (folder / f"{name}.py").write_text(record, encoding="utf-8")
    (folder / "mypkg").mkdir()
    (folder / "mypkg" / "__init__.py").write_text(record, encoding="utf-8")
    (folder / "mypkg" / "mod.py").write_text(
        record
        + "import json\nimport helper\n\ndef dumped():\n    return json.dumps(helper.VALUE)\n",
        encoding="utf-8",
    )
    (folder / "helper.py").write_text(record + "VALUE = [1]\n", encoding="utf-8")
    return folder, marker


def _ran(marker: Path) -> list[str]:
    ran = marker.read_text(encoding="utf-8").splitlines() if marker.exists() else []
    marker.unlink(missing_ok=True)
    return ran


def test_static_commands_run_nothing_from_the_current_folder(
    cli: Run, planted_folder: tuple[Path, Path]
) -> None:
    folder, marker = planted_folder
    _ran(marker)
    located = cli("locate", "--json", "mypkg.mod", cwd=folder)
    assert located.returncode == 0, located.stderr
    assert json.loads(located.stdout)["path"] == str(folder / "mypkg" / "mod.py")
    listed = cli("submodules", "--json", "mypkg", cwd=folder)
    assert listed.returncode == 0, listed.stderr
    assert [info["name"] for info in json.loads(listed.stdout)] == ["mypkg.mod"]
    members = cli("members", "--static", "--json", "mypkg.mod", cwd=folder)
    assert members.returncode == 0, members.stderr
    assert [member["name"] for member in json.loads(members.stdout)] == ["dumped"]
    stdlib = cli("locate", "textwrap", cwd=folder)
    assert stdlib.returncode == 0, stdlib.stderr
    assert str(folder) not in stdlib.stdout
    assert _ran(marker) == []


def test_importing_commands_find_the_current_folder_but_not_over_the_clis_modules(
    cli: Run, planted_folder: tuple[Path, Path]
) -> None:
    folder, marker = planted_folder
    _ran(marker)
    checked = cli("check", "--json", "mypkg", cwd=folder)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert json.loads(checked.stdout)["imported"] == ["mypkg", "mypkg.mod"]
    assert _ran(marker) == ["mypkg", "mypkg.mod", "helper"]
    members = cli("members", "--json", "mypkg.mod", cwd=folder)
    assert members.returncode == 0, members.stderr
    assert [member["name"] for member in json.loads(members.stdout)] == ["dumped"]
    assert _ran(marker) == ["mypkg", "mypkg.mod", "helper"]


@pytest.mark.skipif(sys.platform == "win32", reason="a folder in use cannot be removed there")
@pytest.mark.parametrize("entry", ["python -m modutils", "modutils script"])
def test_a_deleted_current_folder_is_no_crash(tmp_path: Path, entry: str) -> None:
    command = (
        [sys.executable, "-m", "modutils"]
        if entry == "python -m modutils"
        else [str(_console_script())]
    )
    folder = tmp_path / "gone"
    folder.mkdir()
    result = subprocess.run(
        [
            *("sh", "-c", 'cd "$1" && rmdir "$1" && shift && exec "$@"', "sh", str(folder)),
            *(*command, "locate", "--json", "json"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["name"] == "json"


# -- submodules ---------------------------------------------------------------------


def test_submodules_lists_the_stdlib_email_package() -> None:
    result = run_module("submodules", "email")
    assert result.returncode == 0
    assert result.stdout.splitlines() == [info.name for info in iter_submodules("email")]
    assert "email.mime.text" in result.stdout.splitlines()


@pytest.mark.parametrize(
    ("options", "recursive", "namespace_packages"),
    [([], True, False), (["--no-recursive"], False, False), (["--namespace-packages"], True, True)],
)
def test_submodules_json(
    write_tree: WriteTree,
    capsys: pytest.CaptureFixture[str],
    options: list[str],
    recursive: bool,
    namespace_packages: bool,
) -> None:
    name, root = healthy_package(write_tree)
    sys.path.insert(0, str(root))
    assert main(["submodules", name, "--json", *options]) == 0
    expected = [
        {
            "name": info.name,
            "path": None if info.path is None else str(info.path),
            "is_package": info.is_package,
        }
        for info in iter_submodules(
            name, recursive=recursive, namespace_packages=namespace_packages
        )
    ]
    listed = json.loads(capsys.readouterr().out)
    assert listed == expected
    assert all(list(entry) == ["name", "path", "is_package"] for entry in listed)
    assert (f"{name}.nsfolder" in [entry["name"] for entry in expected]) is namespace_packages
    assert (f"{name}.beta.gamma" in [entry["name"] for entry in expected]) is recursive


def test_submodules_json_path_is_null_without_a_file() -> None:
    from modutils.cli import _submodule_json

    info = ModuleInfo(name="pkg.ns", path=None, is_package=True)
    assert json.dumps(_submodule_json(info)) == (
        '{"name": "pkg.ns", "path": null, "is_package": true}'
    )


def test_submodules_tree(write_tree: WriteTree, capsys: pytest.CaptureFixture[str]) -> None:
    name, root = healthy_package(write_tree)
    sys.path.insert(0, str(root))
    assert main(["submodules", name, "--tree"]) == 0
    assert capsys.readouterr().out == f"{name}\n  alpha\n  beta\n    gamma\n"


def test_submodules_imports_nothing(write_tree: WriteTree) -> None:
    name = _unique("cliexplosive")
    root = write_tree(
        {
            f"{name}/__init__.py": "raise SystemExit('package ran')\n",
            f"{name}/mod.py": "raise SystemExit('module ran')\n",
        }
    )
    sys.path.insert(0, str(root))
    assert main(["submodules", name]) == 0
    assert [module for module in sys.modules if module.partition(".")[0] == name] == []


def test_tree_and_json_are_exclusive(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["submodules", "email", "--tree", "--json"]) == 2
    assert_one_error_line(capsys.readouterr().err, "--json", "--tree")


# -- members ------------------------------------------------------------------------


def _table(text: str) -> list[list[str]]:
    header, rule, *rows = text.splitlines()
    assert set(rule) <= {"-", " "}
    # Columns are two spaces or more apart; a header may hold one space.
    return [re.split(r"\s{2,}", line.strip()) for line in (header, *rows)]


def test_members_table_on_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["members", "json"]) == 0
    header, *rows = _table(capsys.readouterr().out)
    assert header == ["name", "kind", "module"]
    expected = [
        [member.name, member.kind.value, member.module or "-"] for member in list_members("json")
    ]
    assert rows == expected
    assert ["loads", "function", "json"] in rows


def test_members_columns_are_aligned(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["members", "json"]) == 0
    lines = capsys.readouterr().out.splitlines()
    kind_column = lines[0].index("kind")
    assert all(line[kind_column - 2 : kind_column] == "  " for line in lines)
    assert all(line[kind_column] != " " for line in lines)


@pytest.mark.parametrize(
    "kinds", [["function"], ["class"], ["function", "class"], ["module", "data"]]
)
def test_members_kind_filter(capsys: pytest.CaptureFixture[str], kinds: list[str]) -> None:
    options = [part for kind in kinds for part in ("--kind", kind)]
    args = ["members", "email", "--json", "--imported", "--private", *options]
    assert main(args) == 0
    listed = json.loads(capsys.readouterr().out)
    expected = list_members(
        "email",
        kinds={MemberKind(kind) for kind in kinds},
        include_private=True,
        include_imported=True,
    )
    assert listed == [
        {"name": member.name, "kind": member.kind.value, "module": member.module}
        for member in expected
    ]
    assert {entry["kind"] for entry in listed} <= set(kinds)
    assert all(list(entry) == ["name", "kind", "module"] for entry in listed)


def _members_module(write_tree: WriteTree, marker: Path) -> tuple[str, Path]:
    name = _unique("climembers")
    root = write_tree(
        {
            f"{name}.py": f"""\
                import os
                from json import loads
                open({str(marker)!r}, "w").close()
                CONSTANT = 1
                _private = 2

                class Thing:
                    pass

                def helper():
                    pass
                """
        }
    )
    return name, root


def test_members_static_runs_nothing(
    write_tree: WriteTree, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    marker = tmp_path / "executed"
    name, root = _members_module(write_tree, marker)
    sys.path.insert(0, str(root))
    for target in (name, str(root / f"{name}.py")):
        assert main(["members", "--static", "--json", target]) == 0
        listed = json.loads(capsys.readouterr().out)
        assert [(entry["name"], entry["kind"], entry["lineno"]) for entry in listed] == [
            ("CONSTANT", "data", 4),
            ("Thing", "class", 7),
            ("helper", "function", 10),
        ]
        assert all(list(entry) == ["name", "kind", "module", "lineno"] for entry in listed)
    assert not marker.exists()
    assert name not in sys.modules


def test_members_static_table_has_lines(
    write_tree: WriteTree, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name, root = _members_module(write_tree, tmp_path / "executed")
    assert main(["members", "--static", "--kind", "class", str(root / f"{name}.py")]) == 0
    header, *rows = _table(capsys.readouterr().out)
    # The line is in the listed file, the module is where the object is defined (issue 21).
    assert header == ["name", "kind", "defined in", f"line in {name}.py"]
    assert rows == [["Thing", "class", name, "7"]]


def test_members_static_line_column_names_the_listed_file(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["members", "--static", "--kind", "class", "json"]) == 0
    header, *rows = _table(capsys.readouterr().out)
    assert header == ["name", "kind", "defined in", "line in __init__.py"]
    assert ["JSONDecoder", "class", "json.decoder"] in [row[:3] for row in rows]


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("raise RuntimeError('boom at import')\n", "RuntimeError: boom at import"),
        ("import sys\nsys.exit(0)\n", "SystemExit: 0"),
        ("import no_such_dependency_xyz\n", "no_such_dependency_xyz"),
        ("__all__ = [1]\n", "cannot list the members of"),
    ],
)
def test_members_of_a_module_that_fails_to_import(
    write_tree: WriteTree, capsys: pytest.CaptureFixture[str], source: str, fragment: str
) -> None:
    name = _unique("climembersbroken")
    root = write_tree({f"{name}.py": source})
    sys.path.insert(0, str(root))
    assert main(["members", name]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert_one_error_line(captured.err, name, fragment)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["members", "some/file.py"], "--static"),
        (["members", "--static", "{tmp_path}"], "not a file"),
        (["members", "--static", "a..b"], "a..b"),
        (["members", "a..b"], "a..b"),
    ],
)
def test_members_usage_errors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, args: list[str], fragment: str
) -> None:
    assert main([arg.format(tmp_path=tmp_path) for arg in args]) == 2
    assert_one_error_line(capsys.readouterr().err, fragment)


@pytest.mark.parametrize("by_name", [False, True])
def test_members_static_of_invalid_source_fails(
    write_tree: WriteTree, capsys: pytest.CaptureFixture[str], by_name: bool
) -> None:
    name = _unique("broken_source")
    root = write_tree({f"{name}.py": "def broken(:\n"})
    sys.path.insert(0, str(root))
    target = name if by_name else str(root / f"{name}.py")
    assert main(["members", "--static", target]) == 1
    line = assert_one_error_line(capsys.readouterr().err)
    # One message, said once (issue 21).
    assert line == (
        f"modutils: error: cannot read the members of '{target}': "
        f"{root / name}.py, line 1: invalid syntax"
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("sys", "'sys' has no Python source to read (built-in): drop --static to import it"),
        ("_json", "'_json' has no Python source to read ("),
    ],
)
def test_members_static_of_a_module_without_source(
    capsys: pytest.CaptureFixture[str], name: str, message: str
) -> None:
    assert main(["members", "--static", name]) == 1
    line = assert_one_error_line(capsys.readouterr().err, message)
    assert "origin" not in line


def test_members_static_of_a_namespace_package_with_modules(
    write_tree: WriteTree, capsys: pytest.CaptureFixture[str]
) -> None:
    name = _unique("clins")
    root = write_tree({f"{name}/mod.py": ""})
    sys.path.insert(0, str(root))
    assert main(["members", "--static", name]) == 1
    assert_one_error_line(
        capsys.readouterr().err,
        f"'{name}' is a namespace package",
        f"'modutils submodules --namespace-packages {name}'",
    )


@pytest.mark.parametrize(
    ("args", "status", "stream", "text"),
    [
        (["check", "--quiet"], 1, "err", "modutils: error: {message}: nothing to check\n"),
        (["submodules"], 0, "err", "modutils: warning: {message}\n"),
        (["members"], 0, "err", "modutils: warning: {message}\n"),
        (["members", "--static"], 1, "err", "modutils: error: {message}\n"),
    ],
)
def test_a_namespace_package_without_modules_is_said(
    write_tree: WriteTree,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    status: int,
    stream: str,
    text: str,
) -> None:
    # `modutils check docs` in a project: a folder of no Python files (issue 21).
    name = _unique("clidocs")
    root = write_tree({f"{name}/index.md": "# not Python\n", f"{name}/img/logo.txt": ""})
    sys.path.insert(0, str(root))
    assert main([*args, name]) == status
    captured = capsys.readouterr()
    message = (
        f"'{name}' is a namespace package with no modules (a folder without __init__.py "
        f"that holds no Python module: {root / name})"
    )
    assert captured.out == ""
    assert captured.err == text.format(message=message)


def test_submodules_hints_at_namespace_packages(
    write_tree: WriteTree, capsys: pytest.CaptureFixture[str]
) -> None:
    name = _unique("clinsonly")
    root = write_tree({f"{name}/inner/mod.py": ""})
    sys.path.insert(0, str(root))
    assert main(["submodules", name]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "add --namespace-packages" in captured.err
    assert main(["submodules", "--namespace-packages", name]) == 0
    assert capsys.readouterr().out.splitlines() == [f"{name}.inner", f"{name}.inner.mod"]


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("pkg.mod", False),
        ("json", False),
        ("mod.py", True),
        ("gui.pyw", True),
        ("pkg/mod", True),
        ("./pkg", True),
        (f"pkg{os.sep}mod", True),
    ],
)
def test_looks_like_path(target: str, expected: bool) -> None:
    from modutils._paths import looks_like_path

    assert looks_like_path(target) is expected


def test_members_output_excludes_what_the_module_prints(
    write_tree: WriteTree, capsys: pytest.CaptureFixture[str]
) -> None:
    name = _unique("clichatty")
    root = write_tree({f"{name}.py": "print('hello from import')\nVALUE = 1\n"})
    sys.path.insert(0, str(root))
    assert main(["members", "--json", name]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out) == [{"name": "VALUE", "kind": "data", "module": name}]
    assert "hello from import" in captured.err


# -- locate -------------------------------------------------------------------------


def test_locate_json_has_every_field(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["locate", "--json", "json"]) == 0
    located = json.loads(capsys.readouterr().out)
    expected = locate_module("json")
    assert expected is not None
    assert list(located) == list(ModuleLocation._fields)
    assert located["name"] == "json"
    assert located["path"] == str(expected.path)
    assert located["kind"] == expected.kind.value == "source"
    assert located["is_package"] is True
    assert located["search_locations"] == [str(entry) for entry in expected.search_locations]
    assert located["distribution"] is None
    assert located["version"] is None
    assert located["is_stdlib"] is True


def test_locate_installed_distribution(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["locate", "--json", "_pytest.python"]) == 0
    located = json.loads(capsys.readouterr().out)
    assert located["distribution"] == "pytest"
    assert located["version"] == pytest.__version__
    assert located["is_stdlib"] is False
    assert located["is_package"] is False


def test_locate_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["locate", "json.decoder"]) == 0
    lines = capsys.readouterr().out.splitlines()
    fields = dict(line.split(None, 1) for line in lines)
    location = locate_module("json.decoder")
    assert location is not None
    assert list(fields) == list(location._fields)
    assert fields["path"] == str(location.path)
    assert fields["kind"] == "source"
    assert fields["is_package"] == "no"
    assert fields["distribution"] == "-"
    assert fields["is_stdlib"] == "yes"


def test_locate_builtin(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["locate", "--json", "sys"]) == 0
    located = json.loads(capsys.readouterr().out)
    assert located["path"] is None
    assert located["kind"] == "builtin"


@settings(max_examples=100, deadline=None)
@given(
    st.one_of(
        st.text(max_size=12),
        st.from_regex(
            r"[A-Za-z_][A-Za-z0-9_]{0,8}(\.[A-Za-z_][A-Za-z0-9_]{0,8}){0,2}", fullmatch=True
        ),
        st.sampled_from(["class", "json.if", "é", "\uff46\uff4f\uff4f", "a..b", ".json", "json."]),
    )
)
def test_locate_any_name_exits_cleanly(name: str) -> None:
    out, err = io.StringIO(), io.StringIO()
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        main(["locate", "json"])  # the first call loads what locate needs: not a change
        before_modules = set(sys.modules)
        before_path = sys.path[:]
        out.truncate(0)
        out.seek(0)
        status = main(["locate", "--", name])
    finally:
        sys.stdout, sys.stderr = saved
    assert status in (0, 1, 2)
    if status:
        assert out.getvalue() == ""
        assert_one_error_line(err.getvalue())
    assert set(sys.modules) == before_modules
    assert sys.path == before_path


# -- check --------------------------------------------------------------------------


def test_check_text_report(
    write_tree: WriteTree, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name, root = broken_package(write_tree, tmp_path / "main-ran")
    sys.path.insert(0, str(root))
    assert main(["check", "--quiet", name]) == 1
    captured = capsys.readouterr()
    out = captured.out.splitlines()
    assert out[-1] == f"{name}: 3 modules imported, 4 failed, 1 skipped inside failed packages"
    headers = [line for line in out if not line.startswith("    ")][:-1]
    assert headers[:3] == [
        f"FAILED {name}.exits: SystemExit: 3",
        f"FAILED {name}.raises: RuntimeError: boom in raises",
        f"FAILED {name}.sub: ImportError: sub is broken",
    ]
    assert headers[3].startswith(f"FAILED {name}.syntax: SyntaxError: ")
    raises = out.index(f"FAILED {name}.raises: RuntimeError: boom in raises")
    tail = out[raises + 1 : raises + 4]
    assert tail[0].strip().startswith(f'File "{root / name / "raises.py"}", line 1')
    assert "raise RuntimeError('boom in raises')" in tail[1]
    assert captured.err == "zlast imported\n"


def test_check_traceback_starts_at_the_users_code(
    write_tree: WriteTree, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name, root = broken_package(write_tree, tmp_path / "main-ran")
    sys.path.insert(0, str(root))
    assert main(["check", "--quiet", "--json", name]) == 1
    failed = json.loads(capsys.readouterr().out)["failed"]
    for failure in failed:
        error_type = failure["error"].partition(":")[0]
        assert failure["traceback"].splitlines()[-1].startswith(f"{error_type}: ")
        assert "importlib._bootstrap" not in failure["traceback"]
        assert str(Path(modutils.__file__).parent) not in failure["traceback"]
    raises = next(failure for failure in failed if failure["name"] == f"{name}.raises")
    assert raises["traceback"].splitlines()[:2] == [
        "Traceback (most recent call last):",
        f'  File "{root / name / "raises.py"}", line 1, in <module>',
    ]


@pytest.mark.parametrize(
    ("init", "error"),
    [
        ("import sys\nsys.exit(0)\n", "SystemExit: 0"),
        ("raise SystemExit('init exits')\n", "SystemExit: init exits"),
        ("raise ValueError('bad init')\n", "ValueError: bad init"),
    ],
)
def test_check_a_package_that_fails_itself(
    write_tree: WriteTree, capsys: pytest.CaptureFixture[str], init: str, error: str
) -> None:
    name = _unique("clibadinit")
    root = write_tree({f"{name}/__init__.py": init, f"{name}/mod.py": ""})
    sys.path.insert(0, str(root))
    assert main(["check", "--quiet", "--json", name]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["imported"] == []
    assert [(failure["name"], failure["error"]) for failure in report["failed"]] == [(name, error)]
    assert report["skipped"] == [f"{name}.mod"]
    assert report["ok"] is False


def test_check_never_runs_main(
    write_tree: WriteTree, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    marker = tmp_path / "main-ran"
    name, root = broken_package(write_tree, marker)
    sys.path.insert(0, str(root))
    main(["check", "--quiet", "--json", name])
    assert not marker.exists()
    assert f"{name}.__main__" not in sys.modules
    assert f"{name}.__main__" not in capsys.readouterr().out


def test_check_no_recursive(write_tree: WriteTree, capsys: pytest.CaptureFixture[str]) -> None:
    name, root = healthy_package(write_tree)
    sys.path.insert(0, str(root))
    assert main(["check", "--quiet", "--json", "--no-recursive", name]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report == {
        "package": name,
        "imported": [name, f"{name}.alpha", f"{name}.beta"],
        "failed": [],
        "skipped": [],
        "ok": True,
    }


def test_check_skips_only_what_is_inside_a_failed_package(
    write_tree: WriteTree, capsys: pytest.CaptureFixture[str]
) -> None:
    # `pkg.ab` starts with the text of the failed `pkg.a` but is not inside it (issue 18).
    name = _unique("cliprefix")
    root = write_tree(
        {
            f"{name}/__init__.py": "",
            f"{name}/a/__init__.py": "raise RuntimeError('a is broken')\n",
            f"{name}/a/inner.py": "",
            f"{name}/ab.py": "",
            f"{name}/abc/__init__.py": "",
        }
    )
    sys.path.insert(0, str(root))
    assert main(["check", "--quiet", "--json", name]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["imported"] == [name, f"{name}.ab", f"{name}.abc"]
    assert [failure["name"] for failure in report["failed"]] == [f"{name}.a"]
    assert report["skipped"] == [f"{name}.a.inner"]


def test_check_progress_plain_lines(
    write_tree: WriteTree, capsys: pytest.CaptureFixture[str]
) -> None:
    name, root = healthy_package(write_tree)
    sys.path.insert(0, str(root))
    assert main(["check", name]) == 0
    assert capsys.readouterr().err.splitlines() == [
        f"[1/4] {name}",
        f"[2/4] {name}.alpha",
        f"[3/4] {name}.beta",
        f"[4/4] {name}.beta.gamma",
    ]


def test_check_progress_on_a_terminal(
    write_tree: WriteTree, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    name, root = healthy_package(write_tree)
    sys.path.insert(0, str(root))
    terminal = TtyStringIO()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["check", name]) == 0
    shown = terminal.getvalue()
    assert "\n" not in shown
    assert shown.startswith(f"\r[1/4] {name}\x1b[K\r[2/4] {name}.alpha\x1b[K")
    assert shown.endswith(f"\r[4/4] {name}.beta.gamma\x1b[K\r\x1b[K")
    assert capsys.readouterr().out == f"{name}: 4 modules imported, 0 failed\n"


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX only")
def test_check_output_of_modules_is_not_glued_to_the_progress_line(
    write_tree: WriteTree, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    name = _unique("clitalks")
    root = write_tree(
        {
            f"{name}/__init__.py": "",
            f"{name}/a_prints.py": "print('printed by a')\n",
            # What warnings.showwarning writes (pytest replaces it in this process).
            f"{name}/b_warns.py": (
                "import sys, warnings\n"
                "sys.stderr.write(warnings.formatwarning('warned by b', UserWarning, 'b', 2))\n"
            ),
            f"{name}/c_partial.py": "import sys\nsys.stderr.write('no newline')\n",
            f"{name}/d_quiet.py": "",
            f"{name}/e_partial.py": "import sys\nsys.stderr.write('last words')\n",
        }
    )
    sys.path.insert(0, str(root))
    terminal = TtyStringIO()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["check", name]) == 0
    shown = terminal.getvalue()
    # Each module's output starts on a cleared line, never after "[n/N] name" (issue 21).
    assert f"\r[2/6] {name}.a_prints\x1b[K\r\x1b[Kprinted by a\n" in shown
    assert re.search(
        rf"\r\[3/6\] {name}\.b_warns\x1b\[K\r\x1b\[K[^\r]*UserWarning: warned by b", shown
    )
    # An unfinished line is ended before the next progress line overwrites it.
    assert f"\r\x1b[Kno newline\n\r[5/6] {name}.d_quiet\x1b[K" in shown
    # ...also the last one, before the report.
    assert shown.endswith(f"\r[6/6] {name}.e_partial\x1b[K\r\x1b[Klast words\n")
    assert capsys.readouterr().out == f"{name}: 6 modules imported, 0 failed\n"


def test_check_progress_on_a_real_terminal(write_tree: WriteTree) -> None:
    import pty

    name, root = healthy_package(write_tree)
    parent, child = pty.openpty()
    try:
        env = {**os.environ, "PYTHONPATH": str(root)}
        result = subprocess.run(
            [sys.executable, "-m", "modutils", "check", name],
            stdout=subprocess.PIPE,
            stderr=child,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )
        os.close(child)
        child = -1
        shown = b""
        while True:
            try:
                chunk = os.read(parent, 4096)
            except OSError:  # EIO: every writer of the terminal is gone
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(parent)
        if child != -1:
            os.close(child)
    assert result.returncode == 0
    assert shown.startswith(f"\r[1/4] {name}\x1b[K".encode())
    assert shown.endswith(b"\r\x1b[K")
    assert b"\n" not in shown


def test_check_quiet(write_tree: WriteTree, capsys: pytest.CaptureFixture[str]) -> None:
    name, root = healthy_package(write_tree)
    sys.path.insert(0, str(root))
    assert main(["check", "-q", name]) == 0
    assert capsys.readouterr().err == ""


# -- the process around the commands --------------------------------------------------


def test_interrupt_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(*args: object, **kwargs: object) -> Iterator[ModuleInfo]:
        raise KeyboardInterrupt

    monkeypatch.setattr(modutils, "iter_submodules", interrupted)
    assert main(["submodules", "email"]) == 130
    assert_one_error_line(capsys.readouterr().err, "interrupted")


@pytest.mark.parametrize(
    ("args", "statuses"),
    # From Python 3.11 argparse ignores a failed write of the help itself
    # (ArgumentParser._print_message), so the command sees no broken pipe.
    [(["locate", "email"], {1}), (["check", "json"], {1}), (["--help"], {0, 1})],
)
def test_closed_pipe_is_not_a_traceback(args: list[str], statuses: set[int]) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "modutils", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    assert process.stderr is not None
    process.stdout.close()  # before the command writes anything
    stderr = process.stderr.read().decode()
    process.stderr.close()
    assert process.wait(timeout=120) in statuses
    assert "Traceback" not in stderr
    assert "Exception ignored" not in stderr


def test_main_with_argv_leaves_sys_path_alone(
    write_tree: WriteTree, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    name, root = healthy_package(write_tree)
    monkeypatch.chdir(root)
    monkeypatch.setattr(sys, "path", [entry for entry in sys.path if entry not in ("", str(root))])
    before = sys.path[:]
    assert main(["locate", name]) == 1
    assert sys.path == before
    monkeypatch.setattr(sys, "argv", ["modutils", "locate", name])
    assert main() == 0
    assert sys.path == [str(root), *before]
    capsys.readouterr()


@pytest.mark.parametrize(
    "argv", [["--version"], ["--help"], ["check", "--help"], ["members", "x", "--kind", "bad"]]
)
def test_parsing_imports_no_capability_module(argv: list[str]) -> None:
    code = (
        "import sys, json\n"
        "from modutils.cli import main\n"
        "loaded_before_main = sorted(m for m in sys.modules if m.startswith('modutils'))\n"
        f"main({argv!r})\n"
        "print(json.dumps([loaded_before_main, sorted(m for m in sys.modules"
        " if m.startswith('modutils'))]), file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    before, after = json.loads(result.stderr.splitlines()[-1])
    assert before == ["modutils", "modutils._version", "modutils.cli"]
    assert after == ["modutils", "modutils._version", "modutils.cli"]


def test_import_cli_is_cheap() -> None:
    code = (
        "import sys, json\n"
        "before = set(sys.modules)\n"
        "import modutils.cli\n"
        "print(json.dumps(sorted(set(sys.modules) - before)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    added = set(json.loads(result.stdout))
    ours = {name for name in added if name.startswith("modutils")}
    assert ours == {"modutils", "modutils._version", "modutils.cli"}
    assert added.isdisjoint({"argparse", "traceback", "pathlib", "inspect", "ast"})


# -- issue 18, proofs: PYTHONPATH naming the current folder ----------------------------------

_PREAMBLE_PROBE = (
    "import re, sys\n"  # what the console script imports before modutils.cli
    "from modutils.cli import main\n"
    "names = sorted({name.partition('.')[0] for name in sys.modules})\n"
    "import json\n"
    "print(json.dumps(names))\n"
)


@pytest.fixture(scope="module")
def late_planted_folder(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A folder holding a module for every name the command line may import once it runs.

    Left out: what the interpreter, ``python -m`` and the console script import before
    modutils' own code runs (nothing modutils does can keep those from the folder).
    """
    probe_folder = tmp_path_factory.mktemp("probe")
    (probe_folder / "preamble_probe.py").write_text(_PREAMBLE_PROBE, encoding="utf-8")
    probed = subprocess.run(
        [sys.executable, "-m", "preamble_probe"],
        capture_output=True,
        text=True,
        cwd=probe_folder,
        check=True,
        timeout=60,
    )
    folder = tmp_path_factory.mktemp("late-planted")
    marker = folder.parent / f"{folder.name}-ran.txt"
    record = f"open({str(marker)!r}, 'a').write(__name__ + '\\n')\n"
    names = (
        set(sys.stdlib_module_names) | {"importlib_metadata", "zipp", "typing_extensions"}
    ) - set(json.loads(probed.stdout))
    for name in names - {"__main__"}:
        (folder / f"{name}.py").write_text(record, encoding="utf-8")
    (folder / "mypkg").mkdir()
    (folder / "mypkg" / "__init__.py").write_text(record, encoding="utf-8")
    (folder / "mypkg" / "mod.py").write_text(
        record + "import json\n\ndef dumped():\n    return json.dumps(1)\n", encoding="utf-8"
    )
    return folder, marker


@pytest.mark.parametrize("spelling", ["relative", "absolute"])
def test_static_commands_run_nothing_from_a_current_folder_on_pythonpath(
    cli: Run, late_planted_folder: tuple[Path, Path], spelling: str
) -> None:
    # PYTHONPATH=. puts the current folder on sys.path for the console script too
    # (python -m aside, which modutils.__main__ handles): the command line takes it
    # off before it imports anything itself (json, argparse, textwrap...).
    folder, marker = late_planted_folder
    _ran(marker)
    pythonpath = Path(os.curdir) if spelling == "relative" else folder
    located = cli("locate", "--json", "mypkg.mod", cwd=folder, pythonpath=pythonpath)
    assert located.returncode == 0, located.stderr
    assert json.loads(located.stdout)["path"] == str(folder / "mypkg" / "mod.py")
    listed = cli("submodules", "--json", "mypkg", cwd=folder, pythonpath=pythonpath)
    assert listed.returncode == 0, listed.stderr
    assert [info["name"] for info in json.loads(listed.stdout)] == ["mypkg.mod"]
    members = cli("members", "--static", "--json", "mypkg.mod", cwd=folder, pythonpath=pythonpath)
    assert members.returncode == 0, members.stderr
    assert [member["name"] for member in json.loads(members.stdout)] == ["dumped"]
    assert _ran(marker) == []
