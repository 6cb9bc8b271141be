"""``iter_submodules`` against ``pkgutil.walk_packages`` and against a bare ``os.scandir`` walk.

Four rows per package set (a dozen stdlib packages; sympy when installed, from
the ``bench`` extra):

- against ``pkgutil.walk_packages``, each in a fresh interpreter, timing the walk
  inside the child (``walk_packages`` must import the package and every
  subpackage first, which is most of its cost); the two module sets are compared
  and a difference stops the run;
- against the floor, a bare ``os.scandir`` walk that only counts files, in one
  warm process: once walking every folder (the floor as the issue states it), once
  skipping ``__pycache__`` (the same folders ``iter_submodules`` reads, stricter);
- the walk again with every record's ``path`` read (records make their Path on
  first use), against the stricter floor.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from collections.abc import Iterator
from importlib.util import find_spec

from benchmarks._harness import Row, compare
from modutils import iter_submodules

STDLIB = [
    "asyncio",
    "concurrent",
    "ctypes",
    "email",
    "encodings",
    "http",
    "importlib",
    "json",
    "logging",
    "multiprocessing",
    "unittest",
    "urllib",
    "venv",
    "xml",
]

# Run in a fresh interpreter: print {"seconds": walk time, "names": [...]}.
_OURS = """
import json, sys, time
from modutils import iter_submodules
start = time.perf_counter()
names = [info.name for package in sys.argv[1:] for info in iter_submodules(package)]
print(json.dumps({"seconds": time.perf_counter() - start, "names": names}))
"""
_THEIRS = """
import importlib, json, pkgutil, sys, time, warnings
warnings.simplefilter("ignore")
start = time.perf_counter()
names = []
for package in sys.argv[1:]:
    module = importlib.import_module(package)
    names += [info.name for info in pkgutil.walk_packages(module.__path__, package + ".")]
print(json.dumps({"seconds": time.perf_counter() - start, "names": names}))
"""


def _in_fresh_process(code: str, packages: list[str]) -> tuple[float, list[str]]:
    """The seconds the child reports for its walk, and the names it found."""
    result = subprocess.run(
        [sys.executable, "-c", code, *packages], capture_output=True, text=True, check=True
    )
    report = json.loads(result.stdout)
    return report["seconds"], report["names"]


def _fresh_medians(packages: list[str], repeat: int) -> tuple[float, list[str], float, list[str]]:
    """Median walk times of ours and walk_packages, each in fresh interpreters, and their names.

    The two alternate round by round (ours three times, being cheap), so that a
    slow phase of the machine lands on both sides, as in :func:`compare`.
    """
    ours: list[float] = []
    theirs: list[float] = []
    our_names: list[str] = []
    their_names: list[str] = []
    for _ in range(repeat):
        seconds, their_names = _in_fresh_process(_THEIRS, packages)
        theirs.append(seconds)
        for _ in range(3):
            seconds, our_names = _in_fresh_process(_OURS, packages)
            ours.append(seconds)
    return statistics.median(ours), our_names, statistics.median(theirs), their_names


def _count_files(folder: str, skip: frozenset[str]) -> int:
    """The floor: one scandir per folder, counting files, recursing into every other folder."""
    count = 0
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir():
                if entry.name not in skip:
                    count += _count_files(entry.path, skip)
            else:
                count += 1
    return count


def _folders(packages: list[str]) -> list[str]:
    folders = []
    for package in packages:
        spec = find_spec(package)
        if spec is None or spec.submodule_search_locations is None:
            raise RuntimeError(f"{package!r} is not an installed package")
        folders += spec.submodule_search_locations
    return folders


def _rows(
    label: str, packages: list[str], *, repeat: int, goals: tuple[str, str, str]
) -> Iterator[Row]:
    """The four rows; *goals*: against walk_packages, the floor, the stricter floor."""
    ours, our_names, theirs, their_names = _fresh_medians(packages, repeat)
    # walk_packages reports __main__ modules, which iter_submodules skips on purpose.
    expected = [name for name in their_names if not name.endswith(".__main__")]
    if set(our_names) != set(expected):
        raise RuntimeError(
            f"iter_submodules and walk_packages disagree on {label}: "
            f"only ours {sorted(set(our_names) - set(expected))}, "
            f"only theirs {sorted(set(expected) - set(our_names))}"
        )
    count = len(our_names)
    yield Row(
        f"iter_submodules {label} ({count} = walk_packages), fresh",
        ours,
        "pkgutil.walk_packages, fresh process",
        theirs,
        goals[0],
    )

    folders = _folders(packages)
    files = sum(_count_files(folder, frozenset()) for folder in folders)

    def walk() -> object:
        return [info for package in packages for info in iter_submodules(package)]

    yield compare(
        f"iter_submodules {label} vs floor ({files} files)",
        walk,
        "os.scandir walk counting files",
        lambda: [_count_files(folder, frozenset()) for folder in folders],
        goal=goals[1],
        repeat=15,
    )
    skip = frozenset({"__pycache__"})
    kept = sum(_count_files(folder, skip) for folder in folders)

    def strict_floor() -> object:
        return [_count_files(folder, skip) for folder in folders]

    yield compare(
        f"iter_submodules {label} vs floor w/o __pycache__ ({kept})",
        walk,
        "os.scandir walk, __pycache__ skipped",
        strict_floor,
        goal=goals[2],
        repeat=15,
    )

    def walk_with_paths() -> object:
        return [info.path for package in packages for info in iter_submodules(package)]

    # Records make their Path when it is first read: what a caller that reads
    # every path pays on top of the walk.
    yield compare(
        f"iter_submodules {label}, every .path read",
        walk_with_paths,
        "os.scandir walk, __pycache__ skipped",
        strict_floor,
        repeat=15,
    )


def run() -> Iterator[Row]:
    """Yield the discovery rows: stdlib packages, then sympy if it is installed."""
    # Small stdlib packages import in milliseconds, so walk_packages is cheap on
    # them: the 100x goal is for big packages, where importing is the cost.
    yield from _rows(f"{len(STDLIB)} stdlib pkgs", STDLIB, repeat=5, goals=("", "<= 2x", ""))
    if find_spec("sympy") is not None:
        goals = ("<= 1/100x", "<= 2x", "<= 2x")
        yield from _rows("sympy", ["sympy"], repeat=5, goals=goals)
