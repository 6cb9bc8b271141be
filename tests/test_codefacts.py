"""Tests for modutils._codefacts: module-level bindings from source and from cached bytecode."""

from __future__ import annotations

import ast
import importlib.util
import os
import py_compile
import subprocess
import sys
import textwrap
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

from modutils import _codefacts, _source
from modutils._codefacts import imports_of_code, read_import_statements, summarize
from modutils._source import ImportStatement, clear_source_cache, scan_imports

# Every shape of module-level import, in every kind of block that runs at module
# level; imports inside functions and classes bind nothing in the module.
SHAPES = """\
from __future__ import annotations
import a
import a.b.c
import a.b.c as d
import e as f, g
from . import x
from .. import y as z
from ..p.q import r as s, t
from m import *
from .n import *
from k import (
    k1,
    k2 as k3,
)
global gg
from gmod import gg
if cond:
    import in_if
elif other:
    import in_elif
else:
    import in_else
try:
    import in_try
except ImportError:
    import in_except
else:
    import in_try_else
finally:
    import in_finally
for i in range(1):
    import in_for
else:
    import in_for_else
while cond:
    import in_while
    break
with ctx:
    from w import inner
match cond:
    case 1:
        import in_case
    case _:
        from .case import other
def f():
    import in_function
class C:
    import in_class
lambda: __import__("nothing")
import last
"""

STAR_TRY = """\
try:
    from fast import *
except* ImportError:
    from slow import *
"""


def _compiled(source: str) -> tuple[ast.Module, types.CodeType]:
    tree = ast.parse(source)
    return tree, compile(tree, "<facts>", "exec", dont_inherit=True)


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(SHAPES, id="shapes"),
        pytest.param(
            STAR_TRY,
            id="try-star",
            marks=pytest.mark.skipif(sys.version_info < (3, 11), reason="except* is 3.11+"),
        ),
        pytest.param("x = 1\n", id="no-imports"),
        pytest.param("", id="empty"),
        # Enough constants and names that the import's arguments need EXTENDED_ARG.
        pytest.param(
            "".join(f"v{i} = {i}.5\n" for i in range(300))
            + "".join(f"import mod{i} as alias{i}\n" for i in range(300))
            + "from deep import (name_a, name_b as name_c)\n",
            id="extended-arg",
        ),
        # Hundreds of names in one from-import, plain and with renames among them.
        pytest.param(
            "from big import (" + ", ".join(f"n{i}" for i in range(400)) + ")\n",
            id="wide-from-import",
        ),
        pytest.param(
            "from big import ("
            + ", ".join(f"n{i} as r{i}" if i % 97 == 0 else f"n{i}" for i in range(400))
            + ")\nglobal g\nfrom big import g, n5\n",
            id="wide-from-import-renames",
        ),
    ],
)
def test_bytecode_and_source_give_the_same_statements(source: str) -> None:
    tree, code = _compiled(source)
    expected = summarize(tree).imports
    assert imports_of_code(code) == expected
    assert expected or source in ("x = 1\n", "")


def test_statement_fields() -> None:
    _, code = _compiled(SHAPES)
    statements = imports_of_code(code)
    assert statements is not None
    first = {statement.module: statement for statement in reversed(statements)}
    assert statements[0] == ImportStatement(0, "__future__", ("annotations",), ("annotations",), 1)
    assert first["a.b.c"] == ImportStatement(0, "a.b.c", (), ("a",), 3)
    assert statements[3] == ImportStatement(0, "a.b.c", (), ("d",), 4)
    assert statements[4:6] == (
        ImportStatement(0, "e", (), ("f",), 5),
        ImportStatement(0, "g", (), ("g",), 5),
    )
    assert first[None] == ImportStatement(1, None, ("x",), ("x",), 6)
    assert first["p.q"] == ImportStatement(2, "p.q", ("r", "t"), ("s", "t"), 8)
    assert first["m"] == ImportStatement(0, "m", ("*",), ("*",), 9)
    assert first["k"] == ImportStatement(0, "k", ("k1", "k2"), ("k1", "k3"), 11)
    assert first["gmod"].bound == ("gg",)  # stored with STORE_GLOBAL
    # The finally block is compiled twice; it is one statement. Nothing from the
    # function, the class or the lambda.
    modules = [statement.module for statement in statements]
    assert modules.count("in_finally") == 1
    assert not {"in_function", "in_class", "nothing"} & set(modules)
    assert modules[-1] == "last"


def test_dead_code_is_left_out_of_bytecode() -> None:
    tree, code = _compiled("if False:\n    import never\nimport always\n")
    assert [s.module for s in summarize(tree).imports] == ["never", "always"]
    assert [s.module for s in imports_of_code(code) or ()] == ["always"]


def test_unknown_bytecode_shape_defers_to_source(monkeypatch: pytest.MonkeyPatch) -> None:
    _, code = _compiled("import a\n")
    # An opcode table in which STORE_NAME is something else: the shape is unknown.
    opcodes = _codefacts._load_opcodes()
    monkeypatch.setattr(_codefacts, "_opcodes", opcodes._replace(stores=frozenset()))
    assert imports_of_code(code) is None


# ------------------------------------------------------------ the bytecode cache


def _module(
    tmp_path: Path,
    source: str,
    invalidation_mode: py_compile.PycInvalidationMode = py_compile.PycInvalidationMode.TIMESTAMP,
) -> tuple[str, str]:
    path = tmp_path / "facts_module.py"
    path.write_text(source)
    cached = importlib.util.cache_from_source(str(path))
    py_compile.compile(str(path), cfile=cached, doraise=True, invalidation_mode=invalidation_mode)
    return str(path), cached


def _key(path: str) -> tuple[int, int]:
    st = os.stat(path)
    return (st.st_mtime_ns, st.st_size)


@pytest.fixture
def no_parse(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Record every source parse instead of letting it happen silently."""
    parsed: list[str] = []
    real = _source._parse

    def parse(path: str) -> ast.Module:
        parsed.append(path)
        return real(path)

    monkeypatch.setattr(_source, "_parse", parse)
    clear_source_cache()
    yield parsed
    clear_source_cache()


def test_valid_bytecode_is_read_without_parsing(tmp_path: Path, no_parse: list[str]) -> None:
    path, _ = _module(tmp_path, "import json\nfrom os import path as p\n")
    assert read_import_statements(path, _key(path)) == (
        ImportStatement(0, "json", (), ("json",), 1),
        ImportStatement(0, "os", ("path",), ("p",), 2),
    )
    assert scan_imports(path) == read_import_statements(path, _key(path))
    assert no_parse == []


def _rewrite_source(path: str, source: str, *, same_stat: bool) -> None:
    st = os.stat(path)
    Path(path).write_text(source)
    if same_stat:
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    else:
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))


@pytest.mark.parametrize(
    "corrupt",
    ["mtime", "size", "magic", "flags", "truncated", "not-code", "missing"],
)
def test_stale_or_broken_bytecode_falls_back_to_source(
    tmp_path: Path, no_parse: list[str], corrupt: str
) -> None:
    path, cached = _module(tmp_path, "import json\n")
    data = bytearray(Path(cached).read_bytes())
    if corrupt == "mtime":  # same size, newer: the cache is stale
        _rewrite_source(path, "import sys\n", same_stat=False)
    elif corrupt == "size":
        Path(path).write_text("import sys, os\n")
    else:
        Path(path).write_text("import sys\n")
        st = os.stat(path)
        data[8:12] = (int(st.st_mtime) & 0xFFFFFFFF).to_bytes(4, "little")
        data[12:16] = (st.st_size & 0xFFFFFFFF).to_bytes(4, "little")
        if corrupt == "magic":
            data[0:2] = b"\x00\x00"
        elif corrupt == "flags":
            data[4] = 0b100
        elif corrupt == "truncated":
            del data[20:]
        elif corrupt == "not-code":
            import marshal

            data[16:] = marshal.dumps(("import", "json"))
        Path(cached).write_bytes(bytes(data))
        if corrupt == "missing":
            os.remove(cached)
    statements = read_import_statements(path, _key(path))
    assert [s.module for s in statements] == (["sys", "os"] if corrupt == "size" else ["sys"])
    assert no_parse == [path]


def test_valid_timestamp_cache_of_an_untouched_file_wins_over_a_same_stat_edit(
    tmp_path: Path, no_parse: list[str]
) -> None:
    # The import system's own check (mtime in seconds, size): an edit that keeps
    # both is invisible to it, and the module it runs is the cached one.
    path, _ = _module(tmp_path, "import json\n")
    _rewrite_source(path, "import yaml\n", same_stat=True)
    assert [s.module for s in read_import_statements(path, _key(path))] == ["json"]
    assert no_parse == []


@pytest.mark.parametrize(
    ("invalidation", "edited_source_wins"),
    [
        (py_compile.PycInvalidationMode.CHECKED_HASH, True),
        (py_compile.PycInvalidationMode.UNCHECKED_HASH, False),
    ],
)
def test_hash_based_bytecode(
    tmp_path: Path,
    no_parse: list[str],
    invalidation: py_compile.PycInvalidationMode,
    edited_source_wins: bool,
) -> None:
    path, _ = _module(tmp_path, "import json\n", invalidation_mode=invalidation)
    assert [s.module for s in read_import_statements(path, _key(path))] == ["json"]
    assert no_parse == []
    Path(path).write_text("import yaml\n")
    # A checked hash is compared with the source; an unchecked one is what the
    # import system runs whatever the source says.
    expected = ["yaml"] if edited_source_wins else ["json"]
    assert [s.module for s in read_import_statements(path, _key(path))] == expected
    assert no_parse == ([path] if edited_source_wins else [])


def test_scan_imports_is_cached_per_file_state(tmp_path: Path, no_parse: list[str]) -> None:
    path, _ = _module(tmp_path, "import json\n")
    first = scan_imports(path)
    assert scan_imports(path) is first
    _rewrite_source(path, "import sys\n", same_stat=False)
    assert [s.module for s in scan_imports(path)] == ["sys"]


def test_import_modutils_loads_no_bytecode_or_parser_modules() -> None:
    code = textwrap.dedent(
        """
        import sys
        import modutils
        print(sorted({"dis", "opcode", "marshal", "ast"} & set(sys.modules) - BEFORE))
        """
    )
    code = "import sys\nBEFORE = set(sys.modules)\n" + code
    result = subprocess.run(
        [sys.executable, "-I", "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_stdlib_sample_agrees(tmp_path: Path) -> None:
    # The whole standard library and sympy: tests/check_codefacts.py. A sample here.
    sys.path.insert(0, str(Path(__file__).parent))
    try:
        from check_codefacts import compare
    finally:
        sys.path.remove(str(Path(__file__).parent))
    names = ["os", "typing", "json.decoder", "importlib.util", "collections", "asyncio.tasks"]
    for name in names:
        spec = importlib.util.find_spec(name)
        assert spec is not None
        assert spec.origin is not None
        assert compare(spec.origin) is None, name
