"""Compare the import statements read from bytecode with those read from source.

Run as ``python tests/check_codefacts.py [folder ...]`` (default: the standard
library and, when installed, sympy). Every ``.py`` file is compiled in memory and
parsed; the two readings of its module-level import statements must agree,
except where the compiler drops code that never runs (``if False:``, ``if not
__debug__:``), which the bytecode rightly leaves out. Prints each mismatch and a
summary; exits 1 if any mismatch is not explained by dead code.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import sys
import sysconfig
import warnings
from collections.abc import Iterable, Iterator

from modutils._codefacts import imports_of_code, summarize
from modutils._source import ImportStatement, read_source


def python_files(folders: Iterable[str]) -> Iterator[str]:
    for folder in folders:
        for root, dirs, files in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if d not in ("__pycache__", "site-packages"))
            yield from (os.path.join(root, f) for f in sorted(files) if f.endswith(".py"))


def compare(path: str) -> tuple[str, list[ImportStatement], list[ImportStatement]] | None:
    """``None`` when both readings agree (or the file does not compile), else the verdict."""
    try:
        source = read_source(path)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(source, path)
            code = compile(tree, path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError, UnicodeDecodeError, OSError, RecursionError):
        return None
    from_source = list(summarize(tree).imports)
    from_code = imports_of_code(code)
    if from_code is None:
        return "unknown shape", from_source, []
    if list(from_code) == from_source:
        return None
    missing = [s for s in from_source if s not in from_code]
    extra = [s for s in from_code if s not in from_source]
    if not extra and all(_dead(tree, s.lineno) for s in missing):
        return "dead code", missing, []
    return "MISMATCH", missing, extra


def _dead(tree: ast.Module, lineno: int) -> bool:
    """Whether line *lineno* is inside a block the compiler removes as never run."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.If, ast.While)):
            test = node.test
            constant = isinstance(test, ast.Constant) or (
                isinstance(test, ast.UnaryOp)
                and isinstance(test.op, ast.Not)
                and isinstance(test.operand, ast.Name)
                and test.operand.id == "__debug__"
            )
            if constant:
                blocks = [node.body, node.orelse]
                for block in blocks:
                    if block and block[0].lineno <= lineno <= (block[-1].end_lineno or 0):
                        return True
    return False


def main(argv: list[str]) -> int:
    folders = argv or [sysconfig.get_paths()["stdlib"]]
    if not argv:
        sympy = importlib.util.find_spec("sympy")
        if sympy is not None and sympy.origin:
            folders.append(os.path.dirname(sympy.origin))
    counts = {"files": 0, "dead code": 0, "unknown shape": 0, "MISMATCH": 0}
    for path in python_files(folders):
        counts["files"] += 1
        verdict = compare(path)
        if verdict is None:
            continue
        label, missing, extra = verdict
        counts[label] += 1
        print(f"{label}: {path}")
        for statement in missing:
            print(f"    only in source:   {statement}")
        for statement in extra:
            print(f"    only in bytecode: {statement}")
    print(f"Python {sys.version.split()[0]}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 1 if counts["MISMATCH"] or counts["unknown shape"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
