"""Module source, read once: the AST cache, per-file facts and the import scan.

Static member listing, reload's dependency graph and member listing's "was this
name imported?" question all read facts from a module's code. They share these
caches, keyed by path and validated by the file's ``st_mtime_ns`` and
``st_size``, so an edited file is read again and an unchanged one never is. The
import scan reads the module's cached bytecode when it can
(:mod:`modutils._codefacts`). :func:`modutils._cache.remember` is the one eviction policy of
modutils' bounded caches.
"""

from __future__ import annotations

import os
import threading
from typing import NamedTuple

from modutils._cache import remember

TYPE_CHECKING = False
if TYPE_CHECKING:
    import ast
    from collections.abc import Callable
    from typing import TypeVar

    _T = TypeVar("_T")

__all__ = [
    "ImportStatement",
    "analyze_file",
    "clear_source_cache",
    "parse_file",
    "read_source",
    "resolve_import",
    "scan_imports",
]

_AST_CACHE_SIZE = 64

# Held while a file is parsed and its results stored, and while the caches are
# changed: one thread parses a file while the others wanting it wait, then find it
# cached, instead of each parsing it again (a cold reload graph over hundreds of
# modules, asked for by many threads at once). Reentrant, for analyzers that look
# at other files.
_lock = threading.RLock()
# path -> ((mtime_ns, size), tree): trees are large, so few are kept.
_ast_cache: dict[str, tuple[tuple[int, int], ast.Module]] = {}
# (path, analyzer) -> ((mtime_ns, size), analyzer(tree)): small summaries, so many
# are kept (reload's dependency graph scans every loaded module); oldest dropped first.
_ANALYSIS_CACHE_SIZE = 16384
_analysis_cache: dict[tuple[str, object], tuple[tuple[int, int], object]] = {}


class ImportStatement(NamedTuple):
    """One module-level ``import`` or ``from ... import`` statement.

    Statements nested in ``if``/``try``/``with``/loops at module level count; those
    inside functions and classes do not (they bind nothing in the module).
    """

    #: Dots before the module in a ``from`` import; 0 for absolute imports.
    level: int
    #: The module named by the statement (``"a.b"``), ``None`` for ``from . import x``.
    module: str | None
    #: For ``from m import a, b as c``: ``("a", "b")``; ``("*",)`` for a star import;
    #: empty for a plain ``import``.
    names: tuple[str, ...]
    #: The names the statement binds in the module namespace (``"*"`` stays ``"*"``).
    bound: tuple[str, ...]
    lineno: int


def _stat_key(path: str) -> tuple[int, int]:
    st = os.stat(path)
    return (st.st_mtime_ns, st.st_size)


def read_source(path: str) -> str:
    """The text of the Python source file *path*, decoded as the import system does.

    Honours a PEP 263 coding cookie and a UTF-8 BOM, and translates newlines.

    :raises OSError: the file cannot be read.
    """
    from importlib.util import decode_source

    with open(path, "rb") as file:
        return decode_source(file.read())


def _parse(path: str) -> ast.Module:
    import ast

    # Called with _lock held, which also matters for correctness: since gh-95185
    # (3.11), CPython counts the recursion depth of its AST-to-object conversion in
    # interpreter-wide state, and the conversion can switch threads half-way, so
    # two threads parsing at once can fail with "SystemError: AST constructor
    # recursion depth mismatch" (gh-106905; seen here on 3.11.7).
    source = read_source(path)
    try:
        return ast.parse(source, filename=path)
    except (RecursionError, MemoryError) as exc:
        # How CPython's parser reports nesting beyond its limits: RecursionError
        # "during ast construction" (3.11+), MemoryError "Parser stack
        # overflowed" (an empty message before 3.12). The source does not parse.
        detail = str(exc) or "the parser's stack overflowed"
        raise SyntaxError(
            f"the source is too deeply nested to parse ({type(exc).__name__}: {detail})",
            (path, None, None, None),
        ) from exc


def _cached_tree(path: str, key: tuple[int, int]) -> ast.Module | None:
    cached = _ast_cache.get(path)
    return cached[1] if cached is not None and cached[0] == key else None


def parse_file(path: str | os.PathLike[str]) -> ast.Module:
    """The AST of the source file at *path*, from the cache while the file is unchanged.

    The returned tree is shared: callers must not modify it.

    :raises OSError: the file cannot be read.
    :raises SyntaxError: the source does not parse.
    """
    path = os.fspath(path)
    key = _stat_key(path)
    tree = _cached_tree(path, key)
    if tree is not None:
        return tree
    with _lock:
        tree = _cached_tree(path, key)  # parsed by another thread meanwhile?
        if tree is None:
            tree = _parse(path)
            remember(_ast_cache, path, (key, tree), _AST_CACHE_SIZE)
        return tree


def scan_imports(path: str | os.PathLike[str]) -> tuple[ImportStatement, ...]:
    """The module-level import statements of the source file at *path*, in order.

    Read from the file's cached bytecode when it is valid for the source, else
    from the parsed source (see :mod:`modutils._codefacts`); cached per file while
    its mtime and size are unchanged, so a warm call costs one ``os.stat``.

    :raises OSError: the file cannot be read.
    :raises SyntaxError: the source does not parse.
    """
    return cached_fact(path, scan_imports, _read_imports)


def _read_imports(path: str, key: tuple[int, int]) -> tuple[ImportStatement, ...]:
    from modutils._codefacts import read_import_statements

    return read_import_statements(path, key)


def cached_fact(
    path: str | os.PathLike[str], token: object, read: Callable[[str, tuple[int, int]], _T]
) -> _T:
    """``read(path, (st_mtime_ns, st_size))``, cached per *path* and *token* while unchanged.

    One thread computes a fact while the others wanting it wait and then find it
    cached. *token* names the fact (a module-level function); results are shared,
    so keep them small and immutable.
    """
    path = os.fspath(path)
    key = _stat_key(path)
    cached = _analysis_cache.get((path, token))
    if cached is not None and cached[0] == key:
        return cached[1]  # type: ignore[return-value]
    with _lock:
        cached = _analysis_cache.get((path, token))  # done by another thread meanwhile?
        if cached is not None and cached[0] == key:
            return cached[1]  # type: ignore[return-value]
        result = read(path, key)
        remember(_analysis_cache, (path, token), (key, result), _ANALYSIS_CACHE_SIZE)
        return result


def analyze_file(path: str | os.PathLike[str], analyzer: Callable[[ast.Module], _T]) -> _T:
    """``analyzer(tree)`` for the source file at *path*, cached while the file is unchanged.

    The generic form of :func:`scan_imports`: the result is cached per file and
    *analyzer*, validated by the file's ``st_mtime_ns`` and ``st_size``, so a warm
    call costs one ``os.stat`` and a file is parsed at most once per change, however
    many analyses read it. Keep the results small (a summary of the tree, not the
    tree) and immutable: they are shared. *analyzer* must be a module-level function
    (the cache key holds it) that depends on the tree alone.

    :raises OSError: the file cannot be read.
    :raises SyntaxError: the source does not parse.
    """
    return cached_fact(
        path, analyzer, lambda path, key: analyzer(_cached_tree(path, key) or _parse(path))
    )


def resolve_import(statement: ImportStatement, module_name: str, *, is_package: bool) -> str | None:
    """The absolute name of the module *statement* imports from.

    *module_name* and *is_package* describe the module that holds the statement,
    as ``__name__`` and ``__path__`` would; relative imports are resolved against
    its package as :func:`importlib.util.resolve_name` does. ``None`` when a
    relative import reaches above the top-level package.
    """
    if statement.level == 0:
        return statement.module
    package = module_name if is_package else module_name.rpartition(".")[0]
    parts = package.split(".") if package else []
    if statement.level - 1 > len(parts) or not package:
        return None
    base = ".".join(parts[: len(parts) - (statement.level - 1)])
    if not base:
        return None
    return f"{base}.{statement.module}" if statement.module else base


def clear_source_cache() -> None:
    """Forget every cached AST, import scan and :func:`analyze_file` result."""
    with _lock:
        _ast_cache.clear()
        _analysis_cache.clear()
