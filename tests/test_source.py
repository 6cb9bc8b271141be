"""modutils._source: the parse cache and the import-statement scan."""

from __future__ import annotations

import ast
import os
import threading
import time

import pytest

from conftest import WriteTree
from modutils._source import (
    ImportStatement,
    analyze_file,
    clear_source_cache,
    parse_file,
    read_source,
    resolve_import,
    scan_imports,
)

SOURCE = """\
import os
import a.b.c as abc, json
from . import sibling
from ..up import thing as other, more
from x.y import *
if True:
    try:
        import in_try
    except ImportError:
        from fallback import in_except
def f():
    import not_module_level
class C:
    import not_either
"""


def test_scan_lists_module_level_imports_in_order(write_tree: WriteTree) -> None:
    path = write_tree({"m.py": SOURCE}) / "m.py"
    assert scan_imports(path) == (
        ImportStatement(0, "os", (), ("os",), 1),
        ImportStatement(0, "a.b.c", (), ("abc",), 2),
        ImportStatement(0, "json", (), ("json",), 2),
        ImportStatement(1, None, ("sibling",), ("sibling",), 3),
        ImportStatement(2, "up", ("thing", "more"), ("other", "more"), 4),
        ImportStatement(0, "x.y", ("*",), ("*",), 5),
        ImportStatement(0, "in_try", (), ("in_try",), 8),
        ImportStatement(0, "fallback", ("in_except",), ("in_except",), 10),
    )


def test_caches_follow_the_file(write_tree: WriteTree) -> None:
    path = write_tree({"m.py": "import os\n"}) / "m.py"
    tree = parse_file(path)
    assert parse_file(str(path)) is tree
    first = scan_imports(path)
    assert scan_imports(path) is first
    path.write_text("import sys, json\n", encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    edited = parse_file(path)
    assert edited is not tree
    assert [s.module for s in scan_imports(path)] == ["sys", "json"]
    clear_source_cache()
    assert parse_file(path) is not edited


def test_read_source_honours_the_coding_cookie(write_tree: WriteTree) -> None:
    root = write_tree({})
    path = root / "latin.py"
    path.write_bytes("# -*- coding: latin-1 -*-\nname = 'caf\xe9'\n".encode("latin-1"))
    assert "café" in read_source(str(path))


def test_syntax_errors_propagate(write_tree: WriteTree) -> None:
    path = write_tree({"bad.py": "def (:\n"}) / "bad.py"
    with pytest.raises(SyntaxError):
        scan_imports(path)


@pytest.mark.parametrize(
    ("statement", "module", "is_package", "expected"),
    [
        (ImportStatement(0, "a.b", (), ("a",), 1), "pkg.mod", False, "a.b"),
        (ImportStatement(1, None, ("x",), ("x",), 1), "pkg.mod", False, "pkg"),
        (ImportStatement(1, "sib", ("x",), ("x",), 1), "pkg.mod", False, "pkg.sib"),
        (ImportStatement(1, "sub", ("x",), ("x",), 1), "pkg", True, "pkg.sub"),
        (ImportStatement(2, "up", ("x",), ("x",), 1), "pkg.sub.mod", False, "pkg.up"),
        (ImportStatement(2, None, ("x",), ("x",), 1), "pkg.sub", True, "pkg"),
        (ImportStatement(2, None, ("x",), ("x",), 1), "pkg.mod", False, None),
        (ImportStatement(1, None, ("x",), ("x",), 1), "toplevel", False, None),
    ],
)
def test_resolve_import(
    statement: ImportStatement, module: str, is_package: bool, expected: str | None
) -> None:
    assert resolve_import(statement, module, is_package=is_package) == expected


def _count_names(tree: ast.Module) -> int:
    _count_names.calls += 1  # type: ignore[attr-defined]
    return sum(isinstance(node, ast.Name) for node in ast.walk(tree))


def test_analyze_file_caches_per_file_and_analyzer(write_tree: WriteTree) -> None:
    _count_names.calls = 0  # type: ignore[attr-defined]
    path = write_tree({"m.py": "a = b\n"}) / "m.py"
    assert analyze_file(path, _count_names) == 2
    assert analyze_file(str(path), _count_names) == 2
    assert _count_names.calls == 1  # type: ignore[attr-defined]
    path.write_text("a = b + c\n", encoding="utf-8")
    assert analyze_file(path, _count_names) == 3
    clear_source_cache()
    assert analyze_file(path, _count_names) == 3
    assert _count_names.calls == 3  # type: ignore[attr-defined]


def test_threads_asking_for_one_file_parse_it_once(
    write_tree: WriteTree, monkeypatch: pytest.MonkeyPatch
) -> None:
    from modutils import _source

    files = sorted(write_tree({f"t{i}.py": f"import os\nX = {i}\n" for i in range(4)}).iterdir())
    parsed: list[str] = []
    real_parse = _source._parse

    def slow_parse(path: str) -> ast.Module:
        parsed.append(path)
        time.sleep(0.02)  # let every other thread reach the cache meanwhile
        return real_parse(path)

    monkeypatch.setattr(_source, "_parse", slow_parse)
    errors: list[BaseException] = []

    def scan() -> None:
        try:
            for file in files:
                assert scan_imports(file)[0].module == "os"
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=scan) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(parsed) == [str(file) for file in files]


@pytest.mark.parametrize(
    ("stored", "limit", "expected"),
    [
        (["a", "b", "c"], 3, ["a", "b", "c"]),
        (["a", "b", "c", "d"], 3, ["b", "c", "d"]),
        # Storing a key again replaces it in place and evicts nothing.
        (["a", "b", "c", "a"], 3, ["a", "b", "c"]),
        (["a", "b", "c", "d", "e"], 1, ["e"]),
    ],
)
def test_remember_drops_the_oldest_entry_at_the_limit(
    stored: list[str], limit: int, expected: list[str]
) -> None:
    from modutils._cache import remember

    cache: dict[str, int] = {}
    for value, key in enumerate(stored):
        remember(cache, key, value, limit)
    assert list(cache) == expected
    assert cache[expected[-1]] == max(i for i, key in enumerate(stored) if key == expected[-1])
