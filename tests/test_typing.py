"""The public API under ``mypy --strict``, used the way an application uses it.

One user-style module calls every public name: loops, unpacking, calls on what
the functions return, helpers annotated with the public classes. mypy checks it
once per session (``mypy.api.run``, with its cache in a temporary folder), and
each scenario below is a test that fails on any error inside its function.
"""

from __future__ import annotations

import re
import textwrap
from typing import NamedTuple

import pytest

# The user's module. Each `def scenario_<name>` is one scenario: its errors are
# those reported on the lines up to the next scenario.
USER_CODE = textwrap.dedent(
    """
    from __future__ import annotations

    import json
    from pathlib import Path
    from types import ModuleType

    import modutils
    from modutils import (
        ImportSnapshot,
        MakeModule,
        Member,
        MemberKind,
        ModuleInfo,
        ModuleKind,
        ModuleLoadError,
        ModuleLocation,
        ModutilsError,
        ReloadError,
        StaticMember,
        SysPathFixture,
        clear_locate_cache,
        extend_sys_path,
        import_path,
        import_string,
        import_submodules,
        is_stdlib_module,
        iter_submodules,
        list_members,
        list_members_static,
        locate_module,
        preserve_import_state,
        reload,
    )
    from modutils.cli import main


    def scenario_members() -> list[str]:
        functions: list[Member] = list_members("json", kinds={MemberKind.FUNCTION})
        lines = [f"{member.name.upper()} {member.kind.value} {member.module or '-'}"
                 for member in functions]
        for name, value, kind, module, imported in list_members("json"):
            lines.append(f"{name.strip()} {callable(value)} {kind.name} {module} {not imported}")
        static: list[StaticMember] = list_members_static(Path("app/settings.py"))
        lines.extend(f"{member.name}:{member.lineno + 1}" for member in static)
        return lines


    def scenario_reload() -> str:
        try:
            settings = reload("app.settings", dependents=True)
        except ReloadError as exc:
            return str(exc.__cause__)
        same: ModuleType = reload(settings)
        return same.__name__.upper()


    def scenario_sys_path() -> list[str]:
        with extend_sys_path("plugins", Path("more"), unload=True) as added:
            first = added[0].upper()

        @extend_sys_path("plugins")
        def load_plugins(count: int) -> int:
            return count + 1

        with preserve_import_state(preserve=lambda name: name.startswith("app")) as snapshot:
            import json.tool  # noqa: F401
        changed: ImportSnapshot = snapshot
        return [first, str(load_plugins(1) + 1), *sorted(changed.added_modules)]


    def scenario_discovery() -> list[str]:
        names = [info.name.upper() for info in iter_submodules("email", recursive=False)]
        infos: list[ModuleInfo] = list(iter_submodules("email", namespace_packages=True))
        names.extend(str(info.path.suffix if info.path else None) for info in infos)
        failures: dict[str, str] = {}

        def on_error(name: str, exc: BaseException) -> None:
            failures[name] = type(exc).__name__

        modules = import_submodules("email", on_error=on_error, on_import=names.append)
        names.extend(module.__name__ for module in modules.values())
        return names


    def scenario_discovery_unpacking() -> list[str]:
        found = []
        for name, path, is_package in iter_submodules("email"):
            where = path.with_suffix("").name if path is not None else "namespace"
            found.append(f"{name.upper()} {where} {is_package and 'package'}")
        return found


    def scenario_loading() -> str:
        try:
            config = import_path("conf/settings.py", name="settings", replace=True)
        except ModuleLoadError as exc:
            return repr(exc.__cause__)
        return config.__name__


    def scenario_import_string() -> str:
        dumps = import_string("json:dumps")
        text: str = dumps({"answer": 42}, indent=2)
        sep: str = import_string("os.path:sep")
        return text + sep


    def scenario_public_context_classes() -> None:
        from modutils import ImportStateGuard, SysPathExtension

        def plugin_folder() -> SysPathExtension:
            return extend_sys_path("plugins", unload=True)

        def isolated() -> ImportStateGuard:
            return preserve_import_state()

        with plugin_folder() as added, isolated() as snapshot:
            print(added[0].upper(), snapshot.added_modules)


    def scenario_locate() -> list[str]:
        location: ModuleLocation | None = locate_module("json.decoder")
        if location is None:
            return []
        clear_locate_cache()
        fields = [location.name.upper(), str(location.is_package)]
        if location.path is not None:
            fields.append(location.path.name if isinstance(location.path, Path) else location.path)
        if location.kind is ModuleKind.SOURCE and is_stdlib_module(location.name):
            fields.extend(location.search_locations)
        fields.append(location.distribution or "-")
        fields.append(location.version or "-")
        return fields


    def scenario_errors() -> bool:
        return issubclass(ModuleLoadError, ModutilsError) and issubclass(ReloadError, ImportError)


    def scenario_command_line() -> int:
        status: int = main(["locate", "json", "--json"])
        return status + len(modutils.__version__.split("."))


    def scenario_wrong_use() -> object:
        return locate_module("json").path  # the one error mypy must report


    def scenario_fixtures(make_module: MakeModule, sys_path: SysPathFixture) -> str:
        settings = make_module("app.settings", "DEBUG = True", package=False)
        added = sys_path.prepend("plugins") + sys_path.append(Path("more"))
        return f"{settings.__name__} {make_module.root.name} {json.dumps(added)}"
    """
)


class _Report(NamedTuple):
    """mypy's verdict on USER_CODE: error lines per scenario, and the raw output."""

    errors: dict[str, list[str]]
    output: str


def _scenario_lines() -> list[tuple[int, str]]:
    """``(first line, scenario)`` for each scenario of USER_CODE, in order."""
    return [
        (number, match.group(1))
        for number, line in enumerate(USER_CODE.splitlines(), start=1)
        if (match := re.match(r"def scenario_(\w+)\(", line))
    ]


@pytest.fixture(scope="session")
def mypy_report(tmp_path_factory: pytest.TempPathFactory) -> _Report:
    """Run ``mypy --strict`` once on USER_CODE; group its errors by scenario."""
    from mypy import api

    folder = tmp_path_factory.mktemp("typing")
    user = folder / "user_app.py"
    user.write_text(USER_CODE, encoding="utf-8")
    config = folder / "mypy.ini"
    config.write_text("[mypy]\n", encoding="utf-8")
    stdout, stderr, _ = api.run(
        [
            "--strict",
            "--config-file",
            str(config),
            "--cache-dir",
            str(folder / "cache"),
            "--no-error-summary",
            "--show-error-codes",
            str(user),
        ]
    )
    starts = _scenario_lines()
    errors: dict[str, list[str]] = {name: [] for _, name in starts}
    errors["<module>"] = []
    for line in stdout.splitlines():
        match = re.match(r".*user_app\.py:(\d+): error: ", line)
        if match is None:
            continue
        number = int(match.group(1))
        owner = "<module>"
        for start, name in starts:
            if start <= number:
                owner = name
        errors[owner].append(line)
    return _Report(errors, stdout + stderr)


def test_mypy_checked_the_module(mypy_report: _Report) -> None:
    # Proof that the run can fail: the one deliberate mistake is reported, and it
    # is the only error outside the pending scenarios.
    (error,) = mypy_report.errors["wrong_use"]
    assert error.endswith(
        'error: Item "None" of "ModuleLocation | None" has no attribute "path"  [union-attr]'
    )


def test_module_level_code_type_checks(mypy_report: _Report) -> None:
    """The imports: every public name, ``MakeModule`` and ``SysPathFixture`` included."""
    assert mypy_report.errors["<module>"] == []


@pytest.mark.parametrize(
    "scenario",
    [name for _, name in _scenario_lines() if name != "wrong_use"],
)
def test_scenario_type_checks(mypy_report: _Report, scenario: str) -> None:
    assert mypy_report.errors[scenario] == [], "\n".join(mypy_report.errors[scenario])
