"""First use in a fresh process: each capability against its baseline's own first use.

A script meets modutils cold: the first call pays for importing modutils and the
capability's module (and whatever they import) on top of the work. Each row runs
both sides in fresh interpreters, alternating round by round as
:mod:`benchmarks.bench_discovery` does, and times, inside the child, from right
before the first import of the library (``import modutils`` against ``import
inspect``, ``import importlib.util``, ``import pkgutil``...) to the end of the
first call. What the call works on (the module to list or reload, the file to
load) is prepared before the clock starts, the same on both sides.

| row | ours | baseline |
| --- | --- | --- |
| list | ``modutils.list_members(json)`` | ``inspect.getmembers(json)`` |
| locate | ``modutils.locate_module(name)`` | ``importlib.util.find_spec(name)`` |
| iter_submodules | ``list(modutils.iter_submodules("sympy"))`` | ``pkgutil.walk_packages`` |
| import_path | ``modutils.import_path(file)`` | ``spec_from_file_location`` + ``exec_module`` |
| reload | ``modutils.reload(module)`` | ``importlib.reload(module)`` |
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from importlib.util import find_spec

from benchmarks._harness import Row

# Each child prints the seconds from its first library import to the end of the
# first call. {prepare} runs before the clock starts.
_CHILD = """
import json, sys, time
{prepare}
start = time.perf_counter()
{work}
print(json.dumps(time.perf_counter() - start))
"""


# Children may write bytecode, as pip does on install: with PYTHONDONTWRITEBYTECODE
# set, every fresh process would compile modutils from source, a cost no installed
# copy pays. The untimed first round of each row writes it.
_ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def _child_seconds(prepare: str, work: str, folder: str) -> float:
    code = _CHILD.format(prepare=prepare, work=work)
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=folder,
        env=_ENV,
    )
    seconds = json.loads(result.stdout.strip().splitlines()[-1])
    assert isinstance(seconds, float)
    return seconds


def _fresh_row(
    name: str,
    ours: str,
    baseline_name: str,
    baseline: str,
    *,
    prepare: str = "",
    goal: str = "",
    repeat: int = 7,
    folder: str,
) -> Row:
    """Time *ours* and *baseline* in fresh interpreters, alternating round by round."""
    our_rounds: list[float] = []
    base_rounds: list[float] = []
    # Untimed: writes the bytecode of both sides' modules (see _ENV).
    _child_seconds(prepare, baseline, folder)
    _child_seconds(prepare, ours, folder)
    for _ in range(repeat):
        base_rounds.append(_child_seconds(prepare, baseline, folder))
        our_rounds.append(_child_seconds(prepare, ours, folder))
    return Row(
        f"{name}, first use, fresh process",
        statistics.median(our_rounds),
        baseline_name,
        statistics.median(base_rounds),
        goal,
    )


_MODULE = "bench_first_use_target"
# A module with a handful of members of each kind, for import_path and reload.
_SOURCE = """
import os
from json import dumps

VALUE = 1


def function():
    return dumps(VALUE)


class Class:
    pass
"""


def run() -> Iterator[Row]:
    """Yield one "first use, fresh process" row per capability."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, f"{_MODULE}.py")
        with open(path, "w", encoding="utf-8") as file:
            file.write(_SOURCE)
        yield _fresh_row(
            "list_members(json)",
            "import modutils\nmodutils.list_members(json)",
            "inspect.getmembers, fresh process",
            "import inspect\ninspect.getmembers(json)",
            folder=folder,
        )
        for target in ("json.decoder", "sympy" if find_spec("sympy") else "pytest"):
            yield _fresh_row(
                f"locate_module({target!r})",
                f"import modutils\nmodutils.locate_module({target!r})",
                "importlib.util.find_spec, fresh process",
                f"import importlib.util\nimportlib.util.find_spec({target!r})",
                folder=folder,
            )
        package = "sympy" if find_spec("sympy") else "email"
        yield _fresh_row(
            f"iter_submodules({package!r})",
            f"import modutils\nnames = [i.name for i in modutils.iter_submodules({package!r})]",
            "pkgutil.walk_packages, fresh process",
            "import importlib, pkgutil, warnings\n"
            'warnings.simplefilter("ignore")\n'
            f"module = importlib.import_module({package!r})\n"
            f"names = [i.name for i in pkgutil.walk_packages(module.__path__, {package + '.'!r})]",
            goal="<= 1/100x" if package == "sympy" else "",
            repeat=5,
            folder=folder,
        )
        yield _fresh_row(
            "import_path(file)",
            f"import modutils\nmodutils.import_path({path!r})",
            "spec_from_file_location route, fresh",
            "import importlib.util\n"
            f"spec = importlib.util.spec_from_file_location({_MODULE!r}, {path!r})\n"
            "module = importlib.util.module_from_spec(spec)\n"
            f"sys.modules[{_MODULE!r}] = module\n"
            "spec.loader.exec_module(module)",
            folder=folder,
        )
        yield _fresh_row(
            "reload(module)",
            f"import modutils\nmodutils.reload(sys.modules[{_MODULE!r}])",
            "importlib.reload, fresh process",
            f"import importlib\nimportlib.reload(sys.modules[{_MODULE!r}])",
            prepare=f"sys.path.insert(0, {folder!r})\nimport {_MODULE}",
            folder=folder,
        )
