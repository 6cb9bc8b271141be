"""``import modutils`` against a bare interpreter start."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator

from benchmarks._harness import Row, subprocess_time


def importtime_cumulative() -> float:
    """Seconds that ``-X importtime`` reports, cumulatively, for ``import modutils``."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import modutils"],
        capture_output=True,
        text=True,
        check=True,
    )
    for line in result.stderr.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+(\d+) \| modutils$", line)
        if match:
            return int(match.group(1)) * 1e-6
    raise RuntimeError(f"no importtime line for modutils in:\n{result.stderr}")


def run() -> Iterator[Row]:
    """Yield the import-cost rows."""
    samples = sorted(importtime_cumulative() for _ in range(15))
    yield Row("import modutils (-X importtime, cumulative)", samples[7], "none", 0.003, "< 3 ms")
    bare = subprocess_time(["-c", "pass"], repeat=21)
    ours = subprocess_time(["-c", "import modutils"], repeat=21)
    yield Row("python -c 'import modutils' (whole process)", ours, "python -c pass", bare, "")
