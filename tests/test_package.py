"""The package as users get it: its wheel, its public names and its import cost."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import modutils

ROOT = Path(__file__).resolve().parent.parent

# Modules that `import modutils` must not import (each costs milliseconds).
HEAVY_MODULES = [
    "ast",
    "dataclasses",
    "email",
    "importlib.metadata",
    "importlib_metadata",
    "inspect",
    "pkgutil",
    "pytest",
    "tokenize",
    "typing",
    "typing_extensions",
    "zipfile",
]


def test_wheel_contains_py_typed(tmp_path: Path) -> None:
    from hatchling.builders.wheel import WheelBuilder

    (wheel,) = WheelBuilder(str(ROOT)).build(directory=str(tmp_path), versions=["standard"])
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    assert "modutils/py.typed" in names
    assert "modutils/__init__.py" in names
    assert not [name for name in names if name.startswith("tests/")]


def test_version_is_single_sourced() -> None:
    from modutils._version import __version__

    assert modutils.__version__ == __version__
    assert __version__[0].isdigit()


def _fresh_interpreter(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return result.stdout


def test_import_does_not_load_heavy_modules() -> None:
    code = (
        "import sys, json\n"
        "before = set(sys.modules)\n"
        "import modutils\n"
        "print(json.dumps(sorted(set(sys.modules) - before)))\n"
    )
    new_modules = set(json.loads(_fresh_interpreter(code)))
    assert "modutils" in new_modules
    assert new_modules.isdisjoint(HEAVY_MODULES), sorted(new_modules & set(HEAVY_MODULES))


def test_import_loads_no_capability_module() -> None:
    code = (
        "import sys, json, modutils\n"
        "print(json.dumps([m for m in sys.modules if m.startswith('modutils')]))"
    )
    loaded = set(json.loads(_fresh_interpreter(code)))
    assert loaded == {"modutils", "modutils._version"}


@pytest.mark.parametrize("name", modutils.__all__)
def test_public_name_resolves_and_is_documented(name: str) -> None:
    value = getattr(modutils, name)
    if name != "__version__":
        assert value.__doc__, f"modutils.{name} has no docstring"
        assert "Example" in value.__doc__ or ">>>" in value.__doc__, name
    assert name in dir(modutils)


@pytest.mark.parametrize("name", ["MakeModule", "SysPathFixture"])
def test_fixture_types_are_reexported(name: str) -> None:
    # Users annotate fixtures with them, as with pytest-mock's MockerFixture (issue 22).
    from modutils import pytest_plugin

    assert getattr(modutils, name) is getattr(pytest_plugin, name)


def test_unknown_attribute_raises_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        modutils.nope  # noqa: B018


def test_all_is_sorted_and_unique() -> None:
    assert modutils.__all__ == sorted(set(modutils.__all__))
