"""Timing helpers shared by the benchmark modules.

Every figure is a median over repeats, and every row pairs our helper with its
standard-library baseline measured in the same run, so that the ratio, not the
absolute time, is what the goals speak of.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from typing import NamedTuple


class Row(NamedTuple):
    """One line of the table: our helper against its baseline."""

    name: str
    ours: float  # median seconds per call
    baseline_name: str
    baseline: float  # median seconds per call
    goal: str  # e.g. "<= 1.2x", "< 1 ms"; empty when none

    @property
    def ratio(self) -> float:
        return self.ours / self.baseline if self.baseline else float("inf")


def median_time(
    func: Callable[[], object],
    *,
    repeat: int = 7,
    number: int = 1,
    setup: Callable[[], object] | None = None,
) -> float:
    """Median seconds per call of *func* over *repeat* rounds of *number* calls.

    *setup* runs before each round, outside the timed part.
    """
    rounds = []
    for _ in range(repeat):
        if setup is not None:
            setup()
        start = time.perf_counter()
        for _ in range(number):
            func()
        rounds.append((time.perf_counter() - start) / number)
    return statistics.median(rounds)


def compare(
    name: str,
    ours: Callable[[], object],
    baseline_name: str,
    baseline: Callable[[], object],
    *,
    goal: str = "",
    repeat: int = 7,
    number: int = 1,
    setup: Callable[[], object] | None = None,
) -> Row:
    """Time *ours* and *baseline* alternately, round by round, and return the row.

    Alternating keeps a slow phase of the machine from landing on one side only.
    """
    ours_rounds: list[float] = []
    base_rounds: list[float] = []
    for _ in range(repeat):
        for func, rounds in ((baseline, base_rounds), (ours, ours_rounds)):
            rounds.append(median_time(func, repeat=1, number=number, setup=setup))
    return Row(
        name, statistics.median(ours_rounds), baseline_name, statistics.median(base_rounds), goal
    )


def subprocess_time(args: Iterable[str], *, repeat: int = 15) -> float:
    """Median wall-clock seconds of running ``python *args`` in a fresh interpreter."""
    command = [sys.executable, *args]
    rounds = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        rounds.append(time.perf_counter() - start)
    return statistics.median(rounds)


def format_ratio(ratio: float) -> str:
    """``1.23x``; ``1/118x`` below 0.1, where two decimals would hide the figure."""
    if 0 < ratio < 0.1:
        return f"1/{1 / ratio:.0f}x"
    return f"{ratio:.2f}x"


def format_seconds(seconds: float) -> str:
    """``1.23 ms``-style text for a duration."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"
