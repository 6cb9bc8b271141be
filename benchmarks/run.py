"""Run the benchmark modules (``benchmarks/bench_*.py``) and print one table.

Each module defines ``run() -> Iterable[Row]``. ``-k TEXT`` runs only the modules
whose name contains TEXT (``-k loading`` runs ``bench_loading``); ``--json`` prints
the rows as JSON.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
from collections.abc import Iterator, Sequence

import benchmarks
from benchmarks._harness import Row, format_ratio, format_seconds


def iter_rows(keyword: str = "") -> Iterator[Row]:
    """The rows of every benchmark module whose name contains *keyword*."""
    for info in sorted(pkgutil.iter_modules(benchmarks.__path__), key=lambda i: i.name):
        if info.name.startswith("bench_") and keyword in info.name:
            module = importlib.import_module(f"benchmarks.{info.name}")
            yield from module.run()


def main(argv: Sequence[str] | None = None) -> int:
    """Print the benchmark table; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("-k", dest="keyword", default="", help="only modules named like TEXT")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args(argv)
    rows: list[Row] = []
    if not args.json:
        print(f"{'benchmark':<58} {'ours':>10} {'baseline':>10} {'ratio':>7}  goal  (baseline)")
    for row in iter_rows(args.keyword):
        rows.append(row)
        if not args.json:
            print(
                f"{row.name:<58} {format_seconds(row.ours):>10} "
                f"{format_seconds(row.baseline):>10} {format_ratio(row.ratio):>7}  "
                f"{row.goal or '-'}  ({row.baseline_name})",
                flush=True,
            )
    if args.json:
        print(json.dumps([{**row._asdict(), "ratio": row.ratio} for row in rows], indent=2))
    return 0
