"""The ``modutils`` command line: ``python -m modutils`` or the ``modutils`` script.

Four commands over the public API: ``submodules`` (discover without importing),
``members`` (list a module's members, from source with ``--static``), ``locate``
(where a module comes from) and ``check`` (does every module of a package import?).

Exit status: 0 on success, 1 when the command ran but failed (a module that cannot
be found, a module that fails to import, a ``check`` with failures), 2 for a usage
error (bad arguments, a malformed module name, a path that does not exist, a
module given where a package is needed). Errors are one line on stderr, starting
with ``modutils: error:``; a traceback is never printed for them.

``import modutils.cli`` is cheap: ``argparse``, ``json`` and the capability
modules are imported by the command that needs them.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Iterable, Sequence
    from importlib.machinery import ModuleSpec
    from types import TracebackType
    from typing import Any, Final, NoReturn, TextIO

    from modutils import Member, MemberKind, ModuleInfo, ModuleLocation, StaticMember

    Handler = Callable[[argparse.Namespace], int]

__all__ = ["main"]

_EXIT_OK: Final = 0
_EXIT_FAILURE: Final = 1
_EXIT_USAGE: Final = 2
# 128 + SIGINT, what a shell reports for a command stopped with Ctrl-C.
_EXIT_INTERRUPTED: Final = 130

# How many lines of a failed module's traceback `check` prints: enough for the
# failing line of the user's code and the exception.
_TRACEBACK_TAIL: Final = 6

_TRACEBACK_HEADER: Final = "Traceback (most recent call last):"

_MEMBER_KINDS: Final = ("module", "class", "function", "data")

# Frames of the import machinery and of modutils itself, cut from the top of the
# tracebacks `check` reports: the user's own frames are what explain a failure.
_MACHINERY_MODULES: Final = frozenset(
    {
        "importlib",
        "importlib._bootstrap",
        "importlib._bootstrap_external",
        "modutils.cli",
        "modutils.discovery",
    }
)


class _CommandError(Exception):
    """A failure reported as one ``modutils: error: ...`` line on stderr."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def _usage_error(message: str) -> _CommandError:
    return _CommandError(message, _EXIT_USAGE)


def _failure(message: str) -> _CommandError:
    return _CommandError(message, _EXIT_FAILURE)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with *argv* (default: ``sys.argv[1:]``); return the exit status.

    This is the ``modutils`` console script and ``python -m modutils``. It never
    raises for a bad command line or a failing module: errors are written as one
    line on stderr and turned into the exit status (0 success, 1 failure, 2 usage
    error, 130 interrupted). Called without *argv*, as the scripts do, it also makes
    the current folder searched first, as ``python -m`` does, but never for a module
    the command line itself may import: ``locate``, ``submodules`` and ``members
    --static`` find only the package they name there; ``check`` and ``members``
    find any module there except one named like a standard-library module or a
    module already imported (see :doc:`cli`); the folders given with ``--path``
    come first, searched the same way. Called with *argv* it searches only the
    ``--path`` folders, and puts :data:`sys.path` back as it found it.

    Example:
        >>> from modutils.cli import main
        >>> main(["--version"])  # doctest: +ELLIPSIS
        modutils ...
        0
        >>> main(["locate", "json"])  # doctest: +ELLIPSIS
        name              json
        path              .../json/__init__.py
        ...
        is_stdlib         yes
        0

    :raises SystemExit: never: ``--help``, ``--version`` and argparse's usage errors
        return their status instead of exiting, so ``main`` can be called in-process.
    """
    if argv is None:
        _close_current_folder()
    try:
        status = _run(argv)
        # Flushed here, not at exit, so that a closed pipe is handled below.
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`modutils submodules sympy | head`): point stdout at
        # devnull so that the interpreter's final flush does not fail again, as the
        # "Note on SIGPIPE" of the signal module's documentation recommends.
        _silence_stdout()
        return _EXIT_FAILURE
    return status


def _run(argv: Sequence[str] | None) -> int:
    try:
        parser = _build_parser()
        try:
            args = parser.parse_args(argv)
        except SystemExit as exc:  # --help and --version exit through argparse
            return exc.code if isinstance(exc.code, int) else _EXIT_OK
        handler: Handler = args.handler
        folders = _search_folders(args.paths or [], current=argv is None)
        if not folders:
            return handler(args)
        path, hooks, cached = sys.path[:], sys.path_hooks[:], set(sys.path_importer_cache)
        try:
            _open_folders(args, folders)
            return handler(args)
        finally:
            # Called with argv (in-process), main() leaves the import path as it
            # found it; the scripts exit anyway.
            if argv is not None:
                sys.path[:], sys.path_hooks[:] = path, hooks
                for folder in folders:
                    if folder not in cached:
                        sys.path_importer_cache.pop(folder, None)
    except _CommandError as exc:
        _print_error(str(exc))
        return exc.status
    except KeyboardInterrupt:
        _print_error("interrupted")
        return _EXIT_INTERRUPTED


def _print_error(message: str) -> None:
    sys.stderr.write(f"modutils: error: {_one_line(message)}\n")
    sys.stderr.flush()


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _silence_stdout() -> None:
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # an in-memory stdout has no descriptor to redirect
        pass


def _current_folder() -> str | None:
    """The current folder, resolved; ``None`` when it was deleted (nothing to find there)."""
    import os

    try:
        return os.path.realpath(os.getcwd())
    except OSError:
        return None


def _is_current_folder(entry: str, cwd: str) -> bool:
    import os

    # "" is how `python -c` and the interactive prompt spell the current folder.
    return os.path.realpath(entry or os.curdir) == cwd


def _close_current_folder() -> None:
    """Take the current folder off :data:`sys.path` before the command line imports anything.

    ``python -m`` puts it first (``modutils.__main__`` already took it off), and so
    does ``PYTHONPATH=.``; :func:`_open_folders` puts it back, guarded.
    """
    cwd = _current_folder()
    if cwd is not None:
        sys.path[:] = [entry for entry in sys.path if not _is_current_folder(entry, cwd)]


# Top-level names the current folder never supplies to the command line: modutils'
# own run-time dependencies, besides the standard library and what is imported.
_DEPENDENCIES: Final = frozenset({"importlib_metadata", "modutils", "typing_extensions", "zipp"})

_STATIC_COMMANDS: Final = frozenset({"locate", "submodules"})


class _CurrentFolderFinder:
    """The current folder's path-entry finder, answering only for the names allowed.

    The other commands' own imports (``json``, ``textwrap``, importlib-metadata's
    imports...) are resolved while the folder is on :data:`sys.path`; a file of the
    same name there must not run (issue 18). Path-entry finders are asked with the
    full name (PEP 302), and for a folder on :data:`sys.path` that is a top-level name.
    """

    __slots__ = ("_allowed", "_finder")

    def __init__(self, finder: Any, allowed: Callable[[str], bool]) -> None:
        self._finder = finder
        self._allowed = allowed

    def find_spec(self, fullname: str, target: object = None) -> ModuleSpec | None:
        if not self._allowed(fullname):
            return None
        spec: ModuleSpec | None = self._finder.find_spec(fullname, target)
        return spec

    def invalidate_caches(self) -> None:
        invalidate = getattr(self._finder, "invalidate_caches", None)
        if invalidate is not None:
            invalidate()


def _search_folders(paths: list[str], *, current: bool) -> list[str]:
    """The ``--path`` folders, resolved, then (for the scripts) the current folder.

    :raises _CommandError: a ``--path`` that is not a folder (a usage error).
    """
    import os

    folders = []
    for path in paths:
        if not os.path.isdir(path):
            raise _usage_error(f"--path: no such folder: '{path}'")
        folders.append(os.path.realpath(path))
    cwd = _current_folder() if current else None
    if cwd is not None:
        folders.append(cwd)
    return list(dict.fromkeys(folders))


def _open_folders(args: argparse.Namespace, folders: list[str]) -> None:
    """Put *folders* first on :data:`sys.path`, each guarded by :class:`_CurrentFolderFinder`.

    The static commands may find there only the top-level package of the name they
    were given; ``check`` and ``members`` find any module there, as ``python -m``
    would, except one named like a module of the standard library, of modutils'
    dependencies or one already imported: the command line itself may import those.
    """
    protected = (
        set(sys.stdlib_module_names)
        | _DEPENDENCIES
        | {name.partition(".")[0] for name in list(sys.modules)}
    )
    if args.command in _STATIC_COMMANDS or (args.command == "members" and args.static):
        named = _named_module(args).partition(".")[0]

        def allowed(fullname: str) -> bool:
            return fullname == named and named not in protected
    else:

        def allowed(fullname: str) -> bool:
            return fullname not in protected

    guarded: dict[str, _CurrentFolderFinder] = {}
    for folder in folders:
        finder = _folder_finder(folder)
        if finder is not None:  # else no hook accepts it: nothing can come from there
            guarded[folder] = _CurrentFolderFinder(finder, allowed)

    def hook(entry: str) -> _CurrentFolderFinder:
        # Gives the guard back when something empties sys.path_importer_cache
        # (importlib.invalidate_caches keeps it: the entry is an absolute path).
        try:
            return guarded[entry]
        except KeyError:
            raise ImportError(f"not a folder of the command line: {entry!r}") from None

    sys.path_hooks.insert(0, hook)
    sys.path_importer_cache.update(guarded)
    sys.path[0:0] = list(guarded)


def _named_module(args: argparse.Namespace) -> str:
    """The module name (or, for ``members --static``, maybe a path) the command was given."""
    field = {"locate": "name", "members": "target"}.get(args.command, "package")
    named: str = getattr(args, field)
    return named


def _folder_finder(folder: str) -> Any:
    """The path-entry finder the import system would use for *folder*, or ``None``."""
    for hook in sys.path_hooks:
        try:
            return hook(folder)
        except ImportError:
            continue
    return None


# -- the parser ---------------------------------------------------------------------


def _build_parser() -> argparse.ArgumentParser:
    import argparse

    from modutils._version import __version__

    class Parser(argparse.ArgumentParser):
        # One line instead of argparse's usage text plus message, and no SystemExit.
        def error(self, message: str) -> NoReturn:
            raise _usage_error(f"{message} (see '{self.prog} --help')")

    formatter = argparse.RawDescriptionHelpFormatter
    parser = Parser(
        prog="modutils",
        description="Inspect Python modules and packages without surprises.",
        epilog=(
            "exit status: 0 success, 1 failure (module not found, import failed),\n"
            "2 usage error (bad arguments, malformed name, missing path)"
        ),
        formatter_class=formatter,
    )
    parser.add_argument("--version", action="version", version=f"modutils {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", dest="command")
    commands.required = True

    sub = commands.add_parser(
        "submodules",
        help="list a package's submodules without importing them",
        description=(
            "List the submodules of PACKAGE, one dotted name per line, found without\n"
            "running any code of the package."
        ),
        formatter_class=formatter,
    )
    sub.add_argument("package", metavar="PACKAGE", help="dotted name of the package")
    sub.add_argument(
        "--no-recursive",
        dest="recursive",
        action="store_false",
        help="only the direct submodules, not those of subpackages",
    )
    sub.add_argument(
        "--namespace-packages",
        action="store_true",
        help="also list folders without __init__.py as namespace subpackages",
    )
    shape = sub.add_mutually_exclusive_group()
    shape.add_argument("--tree", action="store_true", help="indent the names by depth")
    shape.add_argument(
        "--json", action="store_true", help="print an array of {name, path, is_package}"
    )
    _add_path_option(sub)
    sub.set_defaults(handler=_cmd_submodules)

    sub = commands.add_parser(
        "members",
        help="list a module's members: name, kind and defining module",
        description=(
            "List the members of TARGET as a table of name, kind and defining module.\n"
            "The module is imported, unless --static is given: then the members come\n"
            "from its source alone and TARGET may also be the path of a .py file."
        ),
        formatter_class=formatter,
    )
    sub.add_argument("target", metavar="TARGET", help="dotted module name (or file with --static)")
    sub.add_argument("--private", action="store_true", help="include _private names")
    sub.add_argument("--imported", action="store_true", help="include imported names")
    sub.add_argument(
        "--static", action="store_true", help="read the source instead of importing the module"
    )
    sub.add_argument(
        "--kind",
        action="append",
        choices=_MEMBER_KINDS,
        metavar="KIND",
        help=f"only members of this kind ({', '.join(_MEMBER_KINDS)}); repeatable",
    )
    sub.add_argument("--json", action="store_true", help="print an array of objects")
    _add_path_option(sub)
    sub.set_defaults(handler=_cmd_members)

    sub = commands.add_parser(
        "locate",
        help="show where a module comes from, without importing it",
        description=(
            "Show where 'import NAME' would come from: path, kind, package or not,\n"
            "distribution and version, standard library or not. Nothing is imported."
        ),
        formatter_class=formatter,
    )
    sub.add_argument("name", metavar="NAME", help="dotted module name")
    sub.add_argument("--json", action="store_true", help="print one object")
    _add_path_option(sub)
    sub.set_defaults(handler=_cmd_locate)

    sub = commands.add_parser(
        "check",
        help="import a package and every submodule; report each failure",
        description=(
            "Import PACKAGE and each of its submodules in turn, and report every module\n"
            "that fails to import (exceptions, SyntaxError, SystemExit) with the last\n"
            "lines of its traceback. The package's __main__ is never run. Exit status\n"
            "0 when every module imports, 1 when any fails."
        ),
        formatter_class=formatter,
    )
    sub.add_argument("package", metavar="PACKAGE", help="dotted name of the package")
    sub.add_argument(
        "--no-recursive",
        dest="recursive",
        action="store_false",
        help="only the package and its direct submodules",
    )
    sub.add_argument("--json", action="store_true", help="print one object with the results")
    sub.add_argument(
        "-q", "--quiet", action="store_true", help="no progress on stderr while importing"
    )
    _add_path_option(sub)
    sub.set_defaults(handler=_cmd_check)
    return parser


def _add_path_option(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--path",
        action="append",
        dest="paths",
        metavar="FOLDER",
        help="look for the module in FOLDER first, as if it were the current folder (repeatable)",
    )


def _checked_name(name: str, command: str, *, any_import_name: bool = False) -> str:
    """*name* checked as *command* takes it; *any_import_name* accepts every name
    ``import_module`` accepts (``pkg.0001_initial``), as the static capabilities do."""
    from modutils._paths import looks_like_path
    from modutils._spec import check_import_name, check_module_name

    if looks_like_path(name):
        raise _usage_error(_path_given(name, command))
    try:
        return (check_import_name if any_import_name else check_module_name)(name)
    except ValueError as exc:
        raise _usage_error(str(exc)) from exc


def _path_given(path: str, command: str) -> str:
    """The hint for a path given where *command* takes a dotted module name."""
    import os

    folder, base = os.path.split(os.path.normpath(path))
    stem = base.removesuffix(".pyw").removesuffix(".py")
    hint = f"'{path}' is a path; {command} takes a dotted module name like 'pkg.sub'"
    if stem.isidentifier():
        where = f" --path {folder}" if folder else ""
        hint += f": try 'modutils {command} {stem}{where}'"
    if command == "members":
        hint += "; or add --static to read a .py file"
    return hint


def _warn(message: str) -> None:
    sys.stderr.write(f"modutils: warning: {_one_line(message)}\n")
    sys.stderr.flush()


def _namespace_folders(name: str) -> list[str] | None:
    """The folders of *name* when it is a namespace package, else ``None``; nothing imported."""
    from modutils._spec import find_spec_static

    spec = find_spec_static(name)
    if spec is None or spec.submodule_search_locations is None or spec.origin is not None:
        return None
    return list(spec.submodule_search_locations)


def _empty_namespace(name: str) -> str | None:
    """What to say when *name* is a namespace package holding no module at all, or ``None``."""
    from modutils import iter_submodules

    folders = _namespace_folders(name)
    if folders is None or any(True for _ in iter_submodules(name, namespace_packages=True)):
        return None
    where = ", ".join(folders) or "no folder"
    return (
        f"'{name}' is a namespace package with no modules (a folder without __init__.py "
        f"that holds no Python module: {where})"
    )


def _describe(exc: BaseException) -> str:
    """``Type: message`` on one line, as the last line of a traceback reads."""
    message = str(exc)
    kind = type(exc).__qualname__
    return _one_line(f"{kind}: {message}" if message else kind)


def _write_json(value: object) -> None:
    import json

    sys.stdout.write(json.dumps(value, indent=2) + "\n")


def _jsonable(value: object) -> object:
    """*value* as JSON: enums by value, paths as strings, sequences as lists."""
    import enum
    import os

    if isinstance(value, enum.Enum):
        return _jsonable(value.value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    return str(value)


def _text(value: object) -> str:
    """*value* for a table cell: ``-`` for nothing, ``yes``/``no`` for booleans."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    converted = _jsonable(value)
    return converted if isinstance(converted, str) else str(converted)


def _write_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(row[column]) for row in (header, *rows)) for column in range(len(header))]
    for row in (header, ["-" * width for width in widths], *rows):
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=True)]
        sys.stdout.write("  ".join(cells).rstrip() + "\n")


# -- submodules ---------------------------------------------------------------------


def _cmd_submodules(args: argparse.Namespace) -> int:
    from modutils import iter_submodules

    package = _checked_name(args.package, "submodules", any_import_name=True)
    try:
        found = list(
            iter_submodules(
                package, recursive=args.recursive, namespace_packages=args.namespace_packages
            )
        )
    except ModuleNotFoundError as exc:
        raise _failure(str(exc)) from exc
    except (TypeError, ValueError) as exc:  # a plain module where a package is needed
        raise _usage_error(str(exc)) from exc
    if not found:
        empty = _empty_namespace(package)
        if empty is not None:
            _warn(empty)
        elif not args.namespace_packages and _namespace_folders(package) is not None:
            _warn(
                f"'{package}' is a namespace package whose modules are all in namespace "
                "subpackages (folders without __init__.py): add --namespace-packages"
            )
    if args.json:
        _write_json([_submodule_json(info) for info in found])
    elif args.tree:
        depth0 = package.count(".")
        sys.stdout.write(f"{package}\n")
        for info in found:
            depth = info.name.count(".") - depth0
            sys.stdout.write(f"{'  ' * depth}{info.name.rpartition('.')[2]}\n")
    else:
        for info in found:
            sys.stdout.write(f"{info.name}\n")
    return _EXIT_OK


def _submodule_json(info: ModuleInfo) -> dict[str, object]:
    return {"name": info.name, "path": _jsonable(info.path), "is_package": info.is_package}


# -- members ------------------------------------------------------------------------


def _cmd_members(args: argparse.Namespace) -> int:
    from modutils import MemberKind

    target: str = args.target
    kinds = None if args.kind is None else {MemberKind(kind) for kind in args.kind}
    private: bool = args.private
    imported: bool = args.imported
    if args.static:
        source, static = _static_members(
            target, kinds, include_private=private, include_imported=imported
        )
        if args.json:
            _write_json([{**_member_json(member), "lineno": member.lineno} for member in static])
        else:
            rows = [[*_member_row(member), str(member.lineno)] for member in static]
            if rows:
                # The line is where the listed file binds the name; "module" is where
                # the object is defined, often another file (issue 21).
                _write_table(["name", "kind", "defined in", f"line in {source}"], rows)
        return _EXIT_OK
    members = _imported_members(target, kinds, include_private=private, include_imported=imported)
    if not members and not _looks_like_a_path(target):
        empty = _empty_namespace(target)
        if empty is not None:
            _warn(empty)
    if args.json:
        _write_json([_member_json(member) for member in members])
    elif members:
        _write_table(["name", "kind", "module"], [_member_row(member) for member in members])
    return _EXIT_OK


def _looks_like_a_path(target: str) -> bool:
    from modutils._paths import looks_like_path

    return looks_like_path(target)


def _static_members(
    target: str, kinds: set[MemberKind] | None, *, include_private: bool, include_imported: bool
) -> tuple[str, list[StaticMember]]:
    """The file name the members are read from, and the members."""
    import os
    from pathlib import Path

    from modutils import list_members_static

    source: str | Path
    if _looks_like_a_path(target):
        source = Path(target)
        if not source.exists():
            raise _usage_error(f"no such file: '{target}'")
        if not source.is_file():
            raise _usage_error(f"not a file: '{target}'")
    else:
        source = _checked_name(target, "members")
    try:
        members = list_members_static(
            source, kinds=kinds, include_private=include_private, include_imported=include_imported
        )
    except ModuleNotFoundError as exc:
        raise _failure(str(exc)) from exc
    except SyntaxError as exc:
        # The library's message already carries the location that str() adds again:
        # said once here, in the file's terms.
        error = exc.__cause__ if isinstance(exc.__cause__, SyntaxError) else exc
        where = f"{error.filename}, line {error.lineno}" if error.filename else "its source"
        message = f"cannot read the members of '{target}': {where}: {error.msg}"
        raise _failure(message) from exc
    except ValueError as exc:  # a module without Python source
        raise _failure(_no_source(target, exc)) from exc
    except Exception as exc:  # unreadable source: the target's fault, not ours
        raise _failure(f"cannot read the members of '{target}': {_describe(exc)}") from exc
    if isinstance(source, Path):
        return source.name, members
    from modutils._spec import find_spec_static, source_path

    path = source_path(find_spec_static(source))
    return (os.path.basename(path) if path else source), members


def _no_source(name: str, exc: ValueError) -> str:
    from modutils._spec import find_spec_static

    if _namespace_folders(name) is not None:
        return _empty_namespace(name) or (
            f"'{name}' is a namespace package (a folder without __init__.py): it has no "
            f"source of its own to read; see 'modutils submodules --namespace-packages {name}'"
        )
    spec = find_spec_static(name)
    if spec is None or spec.origin is None:
        return str(exc)
    return f"'{name}' has no Python source to read ({spec.origin}): drop --static to import it"


def _imported_members(
    target: str, kinds: set[MemberKind] | None, *, include_private: bool, include_imported: bool
) -> list[Member]:
    import contextlib

    from modutils import ModuleLoadError, list_members

    if _looks_like_a_path(target):
        raise _usage_error(f"'{target}' is a file path: add --static to list it from source")
    name = _checked_name(target, "members")
    try:
        # What the module prints while imported is not part of the listing.
        with contextlib.redirect_stdout(sys.stderr):
            return list_members(
                name,
                kinds=kinds,
                include_private=include_private,
                include_imported=include_imported,
            )
    except KeyboardInterrupt:
        raise
    except ModuleNotFoundError as exc:
        if exc.name == name:
            raise _failure(str(exc)) from exc
        raise _failure(f"cannot import '{name}': {_describe(exc)}") from exc
    except ModuleLoadError as exc:
        # The cause is what the module's code raised; the wrapper only repeats the name.
        raise _failure(f"cannot import '{name}': {_describe(exc.__cause__ or exc)}") from exc
    except Exception as exc:  # the module imported, but its namespace is unusable
        raise _failure(f"cannot list the members of '{name}': {_describe(exc)}") from exc
    except BaseException as exc:  # SystemExit from the module's code, passed through as is
        raise _failure(f"cannot import '{name}': {_describe(exc)}") from exc


def _member_row(member: Member | StaticMember) -> list[str]:
    return [member.name, _text(member.kind), _text(member.module)]


def _member_json(member: Member | StaticMember) -> dict[str, object]:
    return {"name": member.name, "kind": _jsonable(member.kind), "module": member.module}


# -- locate -------------------------------------------------------------------------


def _cmd_locate(args: argparse.Namespace) -> int:
    from modutils import locate_module

    name = _checked_name(args.name, "locate", any_import_name=True)
    location = locate_module(name)
    if location is None:
        # The words of ModuleNotFoundError, as the other commands report it.
        raise _failure(f"No module named '{name}'")
    if args.json:
        _write_json(_location_json(location))
        return _EXIT_OK
    width = max(len(field) for field in location._fields) + 2
    for field in location._fields:
        value = getattr(location, field)
        lines = (
            [_text(item) for item in value] if isinstance(value, (list, tuple)) else [_text(value)]
        )
        for index, line in enumerate(lines or ["-"]):
            label = field if index == 0 else ""
            sys.stdout.write(f"{label.ljust(width)}{line}\n")
    return _EXIT_OK


def _location_json(location: ModuleLocation) -> dict[str, object]:
    return {field: _jsonable(getattr(location, field)) for field in location._fields}


# -- check --------------------------------------------------------------------------


class _Progress:
    """``[count/total] module`` on stderr: rewritten in place on a terminal, else lines."""

    __slots__ = ("count", "line_open", "live", "showing", "stream", "total")

    def __init__(self, stream: TextIO, total: int) -> None:
        self.stream = stream
        self.total = total
        self.count = 0
        isatty = getattr(stream, "isatty", None)
        self.live = bool(isatty is not None and isatty())
        # Whether the progress line is on screen, and whether what a module printed
        # left its last line unfinished.
        self.showing = False
        self.line_open = False

    def show(self, name: str) -> None:
        self.count += 1
        # The import may find modules the static count did not (a __path__ extended
        # at run time): never show a count above the total.
        self.total = max(self.total, self.count)
        text = f"[{self.count}/{self.total}] {name}"
        if self.live:
            width = _terminal_width(self.stream) - 1
            # "\r" would overwrite a module's unfinished line: end it first.
            prefix = "\n" if self.line_open else ""
            self.stream.write(f"{prefix}\r{text[:width]}\x1b[K")
            self.showing = True
            self.line_open = False
        else:
            self.stream.write(f"{text}\n")
        self.stream.flush()

    def before_output(self, text: str) -> None:
        """Clear the progress line before a module's own output (issue 21)."""
        if self.showing:
            self.stream.write("\r\x1b[K")
            self.showing = False
        self.line_open = not text.endswith("\n")

    def clear(self) -> None:
        if self.live and self.showing:
            self.stream.write("\r\x1b[K")
        elif self.live and self.line_open:
            self.stream.write("\n")  # a module's unfinished line: the shell prompt follows
        self.stream.flush()
        self.showing = self.line_open = False


class _ModuleOutput:
    """``sys.stdout`` and ``sys.stderr`` while ``check`` imports, on a terminal.

    What a module prints (or warns) then starts on a line of its own instead of
    being glued to the progress line; everything else is the terminal's stream.
    """

    __slots__ = ("_progress", "_stream")

    def __init__(self, progress: _Progress) -> None:
        self._progress = progress
        self._stream = progress.stream

    def write(self, text: str) -> int:
        if text:
            self._progress.before_output(text)
        return self._stream.write(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _terminal_width(stream: TextIO) -> int:
    import os

    try:
        columns = os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, OSError, ValueError):  # not a real terminal after all
        columns = 0
    # A fresh pseudo-terminal reports 0 columns until someone sets its size.
    return columns if columns > 0 else 80


class _ImportFailure:
    """One module that failed to import, formatted at once (no frames kept alive)."""

    __slots__ = ("error", "name", "traceback")

    def __init__(self, name: str, exc: BaseException) -> None:
        import traceback

        self.name = name
        self.error = _describe(exc)
        tb = _user_frames(exc.__traceback__)
        lines = traceback.format_exception(type(exc), exc, tb)
        self.traceback = "".join(lines).rstrip("\n")

    def as_json(self) -> dict[str, object]:
        return {"name": self.name, "error": self.error, "traceback": self.traceback}


def _user_frames(tb: TracebackType | None) -> TracebackType | None:
    while tb is not None and tb.tb_frame.f_globals.get("__name__") in _MACHINERY_MODULES:
        tb = tb.tb_next
    return tb


def _cmd_check(args: argparse.Namespace) -> int:
    import contextlib
    from typing import cast

    from modutils import import_submodules, iter_submodules

    package = _checked_name(args.package, "check", any_import_name=True)
    recursive: bool = args.recursive
    # The static walk runs no code, so bad input surfaces here, before any import,
    # and gives the total for the progress display.
    try:
        expected = [info.name for info in iter_submodules(package, recursive=recursive)]
    except ModuleNotFoundError as exc:
        raise _failure(str(exc)) from exc
    except (TypeError, ValueError) as exc:
        raise _usage_error(str(exc)) from exc
    if not expected:
        empty = _empty_namespace(package)
        if empty is not None:
            raise _failure(f"{empty}: nothing to check")

    failures: list[_ImportFailure] = []
    progress = None if args.quiet else _Progress(sys.stderr, len(expected) + 1)

    def on_error(name: str, exc: BaseException) -> None:
        failures.append(_ImportFailure(name, exc))

    def on_import(name: str) -> None:
        if progress is not None:
            progress.show(name)

    imported: list[str] = []
    output: TextIO = sys.stderr
    if progress is not None and progress.live:
        output = cast("TextIO", _ModuleOutput(progress))
    try:
        # What the modules print while imported is not part of the report.
        with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
            imported = list(
                import_submodules(
                    package, recursive=recursive, on_error=on_error, on_import=on_import
                )
            )
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # a failure not routed to on_error counts as the package's
        failures.append(_ImportFailure(package, exc))
    finally:
        if progress is not None:
            progress.clear()
    failures.extend(_lazy_name_failures(imported))

    failed = [failure.name for failure in failures]
    skipped = [
        name
        for name in expected
        if name not in failed and any(name.startswith(f"{parent}.") for parent in failed)
    ]
    ok = not failures
    if args.json:
        report = {
            "package": package,
            "imported": imported,
            "failed": [failure.as_json() for failure in failures],
            "skipped": skipped,
            "ok": ok,
        }
        _write_json(report)
    else:
        _write_check_report(package, imported, failures, skipped)
    return _EXIT_OK if ok else _EXIT_FAILURE


def _lazy_name_failures(imported: list[str]) -> list[_ImportFailure]:
    """Every lazily attached name (``modutils.lazy_attach``) of *imported* that fails to resolve."""
    import contextlib

    lazy = sys.modules.get("modutils.lazy")
    if lazy is None:  # no package used lazy_attach: nothing to resolve
        return []
    with contextlib.redirect_stdout(sys.stderr):
        return [_ImportFailure(name, exc) for name, exc in lazy.resolve_attached(imported)]


def _write_check_report(
    package: str, imported: list[str], failures: list[_ImportFailure], skipped: list[str]
) -> None:
    write = sys.stdout.write
    for failure in failures:
        write(f"FAILED {failure.name}: {failure.error}\n")
        lines = [line for line in failure.traceback.splitlines() if line != _TRACEBACK_HEADER]
        for line in lines[-_TRACEBACK_TAIL:]:
            write(f"    {line}\n")
    summary = f"{package}: {_count(len(imported))} imported, {len(failures)} failed"
    if skipped:
        summary += f", {len(skipped)} skipped inside failed packages"
    write(f"{summary}\n")


def _count(number: int) -> str:
    return f"{number} module" if number == 1 else f"{number} modules"
