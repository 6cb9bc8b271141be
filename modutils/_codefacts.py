"""Facts read from a module's code: the names its module-level statements bind.

One walk over a module's top-level statements (:func:`summarize`) records, in
order, what binds each name: definitions, assignments, deletions and import
statements, nested ``if``/``try``/``with``/loop/``match`` blocks included, function
and class bodies not. Its result serves :func:`modutils.list_members_static`
(every binding), :func:`modutils.list_members` (which names an import bound) and
reload's dependency graph (which modules are imported).

The import statements alone are also in the module's cached bytecode
(``__pycache__/*.pyc``), which reads in a fraction of a parse:
:func:`read_import_statements` takes them from there when the cache file is valid
for the source by the checks the import system makes, and from the parsed source
otherwise. ``opcode`` (the instruction table) is imported only then.
"""

from __future__ import annotations

from typing import NamedTuple

from modutils._source import ImportStatement, analyze_file

TYPE_CHECKING = False
if TYPE_CHECKING:
    import ast
    import re
    import types

__all__ = [
    "Delete",
    "FromImport",
    "Import",
    "Local",
    "Summary",
    "read_import_statements",
    "summarize",
]

#: The kinds a binding's syntax tells (the values of ``MemberKind``).
CLASS, FUNCTION, DATA = "class", "function", "data"


class Local(NamedTuple):
    """``class``/``def``/assignment: the module binds *name* itself."""

    name: str
    #: :data:`CLASS`, :data:`FUNCTION` or :data:`DATA`.
    kind: str
    lineno: int
    #: Whether the statement is outside any block: it runs unconditionally.
    top: bool


class Import(NamedTuple):
    """``import imported`` (binds its first part) or ``import imported as bound``."""

    imported: str
    bound: str
    #: The module the name is bound to: *imported* with ``as``, its first part without.
    module: str
    lineno: int
    top: bool


class FromImport(NamedTuple):
    """``from <level dots><module> import name as bound, ...`` (``("*", "*")``: a star)."""

    level: int
    module: str | None
    names: tuple[tuple[str, str], ...]
    lineno: int
    top: bool


class Delete(NamedTuple):
    """``del name`` at the top level."""

    name: str


Event = Local | Import | FromImport | Delete


class Summary(NamedTuple):
    """A source file's module-level bindings, in order, as its syntax alone tells them.

    Independent of the name the file is imported under and of every other file,
    so :func:`modutils._source.analyze_file` caches it per file: following a chain
    of re-exports costs one ``os.stat`` per file once the files are summarised.
    """

    events: tuple[Event, ...]
    #: A literal ``__all__``; ``None`` when there is none or the source cannot tell.
    exported: tuple[str, ...] | None
    #: Whether a star import binds names: then the bindings depend on other files.
    stars: bool
    #: The import statements among :attr:`events`, as reload and list_members read them.
    imports: tuple[ImportStatement, ...]


def summarize(tree: ast.Module) -> Summary:
    """The module-level bindings of *tree*, in source order (see :class:`Summary`)."""
    collector = _Collector()
    collector.visit_body(tree.body, top=True)
    events = tuple(collector.events)
    imports: list[ImportStatement] = []
    stars = False
    for event in events:
        if type(event) is Import:
            imports.append(ImportStatement(0, event.imported, (), (event.bound,), event.lineno))
        elif type(event) is FromImport:
            names = tuple(name for name, _ in event.names)
            bound = tuple(bound for _, bound in event.names)
            stars = stars or "*" in names
            imports.append(ImportStatement(event.level, event.module, names, bound, event.lineno))
    return Summary(events, collector.exported(), stars, tuple(imports))


class _Collector:
    """Walks module-level statements in order and records what binds each name."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self._all: list[str] | None = None
        self._all_dynamic = False
        self._top = True

    def exported(self) -> tuple[str, ...] | None:
        if self._all is None or self._all_dynamic:
            return None
        return tuple(self._all)

    def local(self, name: str, kind: str, lineno: int) -> None:
        self.events.append(Local(name, kind, lineno, self._top))

    def visit_body(self, body: list[ast.stmt], *, top: bool) -> None:
        outer = self._top
        self._top = top
        try:
            for node in body:
                self._visit(node)
        finally:
            self._top = outer

    def _visit(self, node: ast.stmt) -> None:
        import ast

        if isinstance(node, ast.ClassDef):
            self.local(node.name, CLASS, node.lineno)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.local(node.name, FUNCTION, node.lineno)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                # `import a.b` binds `a`; `import a.b as c` binds the module a.b.
                bound = alias.asname or alias.name.partition(".")[0]
                module = alias.name if alias.asname else bound
                self.events.append(Import(alias.name, bound, module, node.lineno, self._top))
        elif isinstance(node, ast.ImportFrom):
            names = tuple((alias.name, alias.asname or alias.name) for alias in node.names)
            self.events.append(FromImport(node.level, node.module, names, node.lineno, self._top))
            if any(bound == "__all__" for _, bound in names):
                self._all_dynamic = True
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            self._assign(node)
        elif isinstance(node, ast.Delete):
            if self._top:
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        self.events.append(Delete(target.id))
        elif isinstance(node, ast.Expr):
            self._all_call(node.value)
        else:
            self._visit_block(node)

    def _visit_block(self, node: ast.stmt) -> None:
        """A compound statement: its targets, then every block of it (which may not run)."""
        import ast

        if isinstance(node, (ast.For, ast.AsyncFor)):
            self._target(node.target, node.lineno)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if item.optional_vars is not None:
                    self._target(item.optional_vars, node.lineno)
        elif isinstance(node, ast.Match):
            for case in node.cases:
                for pattern in ast.walk(case.pattern):
                    name = getattr(pattern, "name", None) or getattr(pattern, "rest", None)
                    if isinstance(name, str):
                        self.local(name, DATA, case.pattern.lineno)
                self.visit_body(case.body, top=False)
            return
        elif type(node).__name__ == "TypeAlias":  # `type X = ...` (3.12+)
            self._target(node.name, node.lineno)  # type: ignore[attr-defined]
            return
        # if/while/for/with/try/try-star, their blocks in source order. `except E
        # as e` binds nothing that survives: the name is deleted when the handler
        # ends (compiler-generated `del e`).
        self.visit_body(getattr(node, "body", []), top=False)
        for handler in getattr(node, "handlers", ()):
            self.visit_body(handler.body, top=False)
        self.visit_body(getattr(node, "orelse", []), top=False)
        self.visit_body(getattr(node, "finalbody", []), top=False)

    def _assign(self, node: ast.Assign | ast.AnnAssign | ast.AugAssign) -> None:
        import ast

        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign) and node.value is None:
            return  # `x: int` annotates without binding
        else:
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Name) and target.id == "__all__":
                names = _literal_names(node.value)
                if isinstance(node, ast.AugAssign):
                    if names is None or self._all is None or not isinstance(node.op, ast.Add):
                        self._all_dynamic = True
                    else:
                        self._all.extend(names)
                elif names is None or len(targets) > 1:
                    self._all_dynamic = True
                else:
                    self._all = list(names)
            self._target(target, node.lineno)

    def _target(self, target: ast.expr, lineno: int) -> None:
        import ast

        pending = [target]
        while pending:
            node = pending.pop()
            if isinstance(node, ast.Name):
                if node.id == "__all__" and self._all is None:
                    self._all_dynamic = True
                self.local(node.id, DATA, lineno)
            elif isinstance(node, (ast.Tuple, ast.List)):
                pending.extend(reversed(node.elts))
            elif isinstance(node, ast.Starred):
                pending.append(node.value)
            # Attributes and subscripts bind no module-level name.

    def _all_call(self, call: ast.expr) -> None:
        import ast

        if not (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and isinstance(call.func.value, ast.Name)
            and call.func.value.id == "__all__"
        ):
            return
        method = call.func.attr
        if self._all is not None and method in ("extend", "append") and len(call.args) == 1:
            argument = call.args[0]
            if method == "append":
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                    self._all.append(argument.value)
                    return
            else:
                names = _literal_names(argument)
                if names is not None:
                    self._all.extend(names)
                    return
        self._all_dynamic = True


def _literal_names(node: ast.expr | None) -> list[str] | None:
    import ast

    if not isinstance(node, (ast.List, ast.Tuple)):
        return None
    names: list[str] = []
    for element in node.elts:
        if not (isinstance(element, ast.Constant) and isinstance(element.value, str)):
            return None
        names.append(element.value)
    return names


# ------------------------------------------------------------------ cached bytecode


def read_import_statements(path: str, key: tuple[int, int]) -> tuple[ImportStatement, ...]:
    """The module-level import statements of the source file *path*, in source order.

    Read from the file's cached bytecode when it is valid for the source (*key* is
    the source's ``(st_mtime_ns, st_size)``), else from its parsed source. The two
    differ only where the compiler drops code that can never run (``if False:``).

    :raises OSError: the source cannot be read (and has no valid bytecode).
    :raises SyntaxError: the source does not parse (and has no valid bytecode).
    """
    code = _cached_code(path, key)
    statements = None if code is None else imports_of_code(code)
    if statements is None:
        statements = analyze_file(path, summarize).imports
    return statements


def _cached_code(path: str, key: tuple[int, int]) -> types.CodeType | None:
    """The code object in *path*'s bytecode cache if the import system would use it."""
    import importlib.util

    try:
        cached = importlib.util.cache_from_source(path)
    except (NotImplementedError, ValueError):  # no cache tag; a path it rejects
        return None
    try:
        with open(cached, "rb") as file:
            data = file.read()
    except OSError:
        return None
    # The checks of importlib._bootstrap_external: _classify_pyc, then
    # _validate_timestamp_pyc or (when asked to) _validate_hash_pyc.
    if len(data) < 16 or data[:4] != importlib.util.MAGIC_NUMBER:
        return None
    flags = int.from_bytes(data[4:8], "little")
    if flags & ~0b11:
        return None
    if flags & 0b1:
        if not _hash_matches(path, data[8:16], check_source=bool(flags & 0b10)):
            return None
    else:
        mtime_ns, size = key
        if int.from_bytes(data[8:12], "little") != (mtime_ns // 1_000_000_000) & 0xFFFFFFFF:
            return None
        if int.from_bytes(data[12:16], "little") != size & 0xFFFFFFFF:
            return None
    import marshal
    import types

    try:
        code = marshal.loads(memoryview(data)[16:])
    except (EOFError, ValueError, TypeError):
        return None
    return code if isinstance(code, types.CodeType) else None


def _hash_matches(path: str, expected: bytes, *, check_source: bool) -> bool:
    import _imp
    import importlib.util

    mode = _imp.check_hash_based_pycs
    if mode == "never" or (not check_source and mode != "always"):
        return True  # an unchecked hash-based pyc: the import system runs it as is
    try:
        with open(path, "rb") as file:
            source = file.read()
    except OSError:
        return False
    return importlib.util.source_hash(source) == expected


class _Opcodes(NamedTuple):
    import_name: int
    import_from: int
    load_const: int
    stores: frozenset[int]
    extended_arg: int
    #: IMPORT_STAR (3.10, 3.11), or CALL_INTRINSIC_1 with INTRINSIC_IMPORT_STAR (3.12+).
    import_star: int
    import_star_arg: int | None
    #: What may come between IMPORT_NAME and the store of ``import a.b as c``, and
    #: the inline cache entries (3.11+) the raw bytecode holds after some opcodes.
    skipped: frozenset[int]
    #: ``IMPORT_FROM x; STORE_NAME x`` pairs (each with the same EXTENDED_ARG
    #: prefixes): a from-import that renames nothing, matched at C speed.
    plain_from: re.Pattern[bytes]


_opcodes: _Opcodes | None = None
_INFINITY = float("inf")


def _load_opcodes() -> _Opcodes:
    global _opcodes
    if _opcodes is None:
        # opcode, not dis: the same table, without dis' own imports.
        import opcode

        opmap = opcode.opmap
        star = opmap.get("IMPORT_STAR")
        skipped = {
            opmap[name]
            for name in ("IMPORT_FROM", "POP_TOP", "ROT_TWO", "SWAP", "CACHE", "EXTENDED_ARG")
            if name in opmap
        }
        _opcodes = _Opcodes(
            opmap["IMPORT_NAME"],
            opmap["IMPORT_FROM"],
            opmap["LOAD_CONST"],
            frozenset({opmap["STORE_NAME"], opmap["STORE_GLOBAL"]}),
            opmap["EXTENDED_ARG"],
            opmap["CALL_INTRINSIC_1"] if star is None else star,
            # INTRINSIC_IMPORT_STAR, Include/internal/pycore_intrinsics.h (3.12+)
            2 if star is None else None,
            frozenset(skipped),
            _plain_from_pattern(opmap),
        )
    return _opcodes


def _plain_from_pattern(opmap: dict[str, int]) -> re.Pattern[bytes]:
    import re

    def byte(name: str) -> bytes:
        return re.escape(bytes([opmap[name]]))

    prefix = b"((?:" + byte("EXTENDED_ARG") + b".)*)"
    stores = b"(?:" + byte("STORE_NAME") + b"|" + byte("STORE_GLOBAL") + b")"
    pair = prefix + byte("IMPORT_FROM") + b"(.)" + b"\\1" + stores + b"\\2"
    return re.compile(b"(?:" + pair + b")+", re.DOTALL)


def imports_of_code(code: types.CodeType) -> tuple[ImportStatement, ...] | None:
    """The import statements a module's code object runs at module level, in source order.

    Every ``import`` compiles to ``LOAD_CONST level; LOAD_CONST fromlist;
    IMPORT_NAME module`` followed by the stores of its names: ``IMPORT_FROM name;
    STORE_NAME bound`` per name of a from-import, a star import instruction, or
    the store of the (first) module of a plain import. Only the module's own code
    is read: functions and class bodies are code objects of their own. ``None``
    when an import does not have one of these shapes (a compiler this code does
    not know): the caller then reads the source.
    """
    ops = _load_opcodes()
    raw = code.co_code
    names = code.co_names
    consts = code.co_consts
    marker = bytes([ops.import_name])
    found: list[tuple[int, ImportStatement]] = []
    position = raw.find(marker)
    while position != -1:
        if position % 2 == 0:  # opcodes sit at even offsets, arguments at odd ones
            statements = _statements_at(raw, position, names, consts, ops)
            if statements is None:
                return None
            found.extend((position, statement) for statement in statements)
        position = raw.find(marker, position + 1)
    if not found:
        return ()
    lines = _lines_at(code, [position for position, _ in found])
    ordered: dict[ImportStatement, None] = {}
    # Code order is not source order (3.11+ moves exception handlers after the
    # code that follows them) and a `finally` block is compiled twice: sort by
    # line, stably, and keep one of each.
    for position, statement in sorted(found, key=lambda item: lines[item[0]]):
        ordered.setdefault(statement._replace(lineno=lines[position]))
    return tuple(ordered)


def _argument(raw: bytes, position: int, extended_arg: int) -> int:
    argument = raw[position + 1]
    shift = 8
    position -= 2
    while position >= 0 and raw[position] == extended_arg:
        argument |= raw[position + 1] << shift
        shift += 8
        position -= 2
    return argument


def _previous(raw: bytes, position: int, extended_arg: int) -> int:
    """The offset of the instruction before the one at *position* (its prefixes skipped)."""
    position -= 2
    while position >= 0 and raw[position] == extended_arg:
        position -= 2
    return position


def _statements_at(
    raw: bytes,
    position: int,
    names: tuple[str, ...],
    consts: tuple[object, ...],
    ops: _Opcodes,
) -> list[ImportStatement] | None:
    extended = ops.extended_arg
    fromlist_at = _previous(raw, position, extended)
    level_at = _previous(raw, fromlist_at, extended)
    if level_at < 0 or raw[fromlist_at] != ops.load_const or raw[level_at] != ops.load_const:
        return None
    level = consts[_argument(raw, level_at, extended)]
    fromlist = consts[_argument(raw, fromlist_at, extended)]
    module: str | None = names[_argument(raw, position, extended)]
    if type(level) is not int or not (fromlist is None or type(fromlist) is tuple):
        return None
    if not module:
        module = None  # `from . import x`
    cursor = position + 2
    end = len(raw)
    if fromlist is None:
        # `import a.b` stores `a`; `import a.b as c` walks to a.b, then stores `c`.
        while cursor < end and raw[cursor] in ops.skipped:
            cursor += 2
        if cursor >= end or raw[cursor] not in ops.stores or module is None:
            return None
        bound = names[_argument(raw, cursor, extended)]
        return [ImportStatement(level, module, (), (bound,), 0)]
    if fromlist == ("*",):
        if (
            cursor < end
            and raw[cursor] == ops.import_star
            and (ops.import_star_arg is None or raw[cursor + 1] == ops.import_star_arg)
        ):
            return [ImportStatement(level, module, ("*",), ("*",), 0)]
        return None
    try:
        "".join(fromlist)  # one C-level check that every name is a str
    except TypeError:
        return None
    plain = ops.plain_from.match(raw, cursor)
    if plain is not None and plain.group()[::2].count(ops.import_from) == len(fromlist):
        # Every name is stored under the name it is imported as (the usual case,
        # and sympy's __init__ imports about 900 names this way).
        return [ImportStatement(level, module, fromlist, fromlist, 0)]
    # Each name: IMPORT_FROM name, then its store; EXTENDED_ARG prefixes folded in.
    import_from, stores = ops.import_from, ops.stores
    binds: list[str] = []
    append = binds.append
    wanted = len(fromlist)
    done = 0
    expecting_from = True
    argument = 0
    while done < wanted and cursor < end:
        op = raw[cursor]
        argument |= raw[cursor + 1]
        cursor += 2
        if op == extended:
            argument <<= 8
            continue
        if expecting_from:
            if op != import_from or names[argument] != fromlist[done]:
                return None
            expecting_from = False
        elif op in stores:
            append(names[argument])
            done += 1
            expecting_from = True
        else:
            return None
        argument = 0
    if done != wanted:
        return None
    return [ImportStatement(level, module, fromlist, tuple(binds), 0)]


def _lines_at(code: types.CodeType, positions: list[int]) -> dict[int, int]:
    """The source line of the instruction at each of *positions*."""
    from bisect import bisect_right

    # (start, stop, line) ranges in offset order, made in C; each look-up is a C
    # bisection (the tuples compare on start, then on stop < inf: never on line).
    ranges = list(code.co_lines())
    lines: dict[int, int] = {}
    for position in positions:
        index = bisect_right(ranges, (position, _INFINITY)) - 1
        line = None
        while index >= 0 and line is None:
            line = ranges[index][2]
            index -= 1
        lines[position] = line or 0
    return lines
