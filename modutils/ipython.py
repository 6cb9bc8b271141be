"""IPython extension: ``%load_ext modutils.ipython``, a transactional ``%autoreload``.

Loading it registers a pre-cell hook over :meth:`modutils.Reloader.check` and the
magics of IPython's own ``autoreload`` extension, with the same syntax:
``%autoreload`` with the modes ``0``/``off``, ``1``/``explicit``, ``2``/``all`` and
``3``/``complete`` (and ``now``, the default: reload what changed once), and
``%aimport``. Modules are reloaded live (old functions, classes and instances run
the new code) with their dependents; a failed edit prints one line naming the
module, the file and line, and the error, and the module keeps its previous code.

This is the only modutils module that imports IPython.
"""

from __future__ import annotations

import sys
from importlib import import_module

from IPython.core.magic import Magics, line_magic, magics_class

from modutils.reloader import Reloader

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import ModuleType, TracebackType
    from typing import TextIO

    from IPython.core.interactiveshell import ExecutionInfo, ExecutionResult, InteractiveShell

    from modutils.errors import ReloadError
    from modutils.reloader import ReloadReport

__all__ = ["AutoreloadMagics", "load_ipython_extension", "unload_ipython_extension"]

_MODES = {
    "0": "off",
    "off": "off",
    "1": "explicit",
    "explicit": "explicit",
    "2": "all",
    "all": "all",
    "3": "complete",
    "complete": "complete",
}

_MISSING = object()


def describe_failure(error: ReloadError) -> str:
    """One line for a failed reload: the module, the file and line, and the error.

    Example:
        >>> import modutils
        >>> error = modutils.ReloadError("reloading 'app' failed", name="app", path="/src/app.py")
        >>> try:
        ...     compile("x = (", "/src/app.py", "exec")
        ... except SyntaxError as exc:
        ...     error.__cause__ = exc
        >>> print(describe_failure(error))
        [autoreload of app failed: /src/app.py:1: SyntaxError: '(' was never closed]
    """
    cause = error.__cause__ if error.__cause__ is not None else error
    where = error.path or "?"
    line: object = "?"
    if isinstance(cause, SyntaxError):
        where = cause.filename or where
        line = cause.lineno or "?"
        message = cause.msg
    else:
        message = str(cause)
        frame = _last_frame_in(cause.__traceback__, error.path)
        if frame is not None:
            where, line = frame
    first = message.splitlines()[0] if message else ""
    return f"[autoreload of {error.name} failed: {where}:{line}: {type(cause).__name__}: {first}]"


def _last_frame_in(traceback: TracebackType | None, path: str | None) -> tuple[str, int] | None:
    """The innermost frame of *traceback* in *path*, or else the innermost of all."""
    found: tuple[str, int] | None = None
    innermost: tuple[str, int] | None = None
    while traceback is not None:
        code = traceback.tb_frame.f_code
        innermost = (code.co_filename, traceback.tb_lineno)
        if path is not None and code.co_filename == path:
            found = innermost
        traceback = traceback.tb_next
    return found or innermost


@magics_class
class AutoreloadMagics(Magics):  # type: ignore[misc,unused-ignore]  # untyped in IPython 8
    """The ``%autoreload`` and ``%aimport`` magics and the hooks that run the checks.

    Example:
        >>> AutoreloadMagics.__name__
        'AutoreloadMagics'
    """

    def __init__(self, shell: InteractiveShell) -> None:
        super().__init__(shell)
        self._shell = shell
        self.mode = "off"
        self.explicit: dict[str, None] = {}
        self.skipped: dict[str, None] = {}
        self.verbose = False
        self.hide_errors = False
        self._everything = False
        # Complete mode: module -> {name in the module: names bound to it in the user
        # namespace by ``from module import name [as alias]``}; star-imported modules.
        self.from_imports: dict[str, dict[str, set[str]]] = {}
        self.star_imports: set[str] = set()
        self._cell: str | None = None
        self.reloader = Reloader(include=self._include)

    def _include(self, name: str) -> bool | None:
        if name in self.skipped:
            return False
        if name in self.explicit:
            return True
        # Off, the modules are still followed, for "%autoreload now".
        return False if self.mode == "explicit" and not self._everything else None

    # --- magics -------------------------------------------------------------------------

    @line_magic  # type: ignore[misc,untyped-decorator,unused-ignore]
    def autoreload(self, line: str = "") -> None:
        """%autoreload [mode] [-p|--print] [-l|--log] [--hide-errors] [--full]

        Reload edited modules (live, with their dependents, all or nothing):

        - blank or ``now``: reload what changed now (every module but the skipped ones);
        - ``0`` or ``off``: no automatic reloading;
        - ``1`` or ``explicit``: before each cell, the modules marked with %aimport;
        - ``2`` or ``all``: before each cell, every watched module but the skipped ones;
        - ``3`` or ``complete``: as ``all``, and re-bind the names cells imported with
          ``from module import name``, and add new names of star imports.

        A trailing ``-`` and ``--full`` (IPython's choice of algorithm) are accepted.
        """
        mode = "now"
        verbose = hide_errors = False
        for word in line.split():
            if word in ("-p", "--print", "-l", "--log"):
                verbose = True
            elif word == "--hide-errors":
                hide_errors = True
            elif word == "--full":
                pass
            elif word.startswith("-"):
                raise ValueError(f"%autoreload: unknown option {word!r}")
            else:
                mode = word
        self.verbose = verbose
        self.hide_errors = hide_errors
        mode = mode.lower().rstrip("-")
        if mode in ("", "now"):
            self._everything = True
            try:
                self.check()
            finally:
                self._everything = False
            return
        if mode not in _MODES:
            raise ValueError(f'Unrecognized autoreload mode "{mode}".')
        self.mode = _MODES[mode]

    @line_magic  # type: ignore[misc,untyped-decorator,unused-ignore]
    def aimport(self, parameter_s: str = "", stream: TextIO | None = None) -> None:
        """%aimport [[-]module[ as alias], ...]: mark modules to reload (or, with -, not).

        Without arguments, list the modules marked either way.
        """
        if not parameter_s.strip():
            out = sys.stdout if stream is None else stream
            if self.mode in ("all", "complete"):
                out.write("Modules to reload:\nall-except-skipped\n")
            else:
                out.write("Modules to reload:\n{}\n".format(" ".join(sorted(self.explicit))))
            out.write("\nModules to skip:\n{}\n".format(" ".join(sorted(self.skipped))))
            return
        for item in (part.strip() for part in parameter_s.split(",")):
            if item.startswith("-"):
                name = item[1:].strip()
                self.explicit.pop(name, None)
                self.skipped[name] = None
                continue
            name, _, alias = (part.strip() for part in item.partition(" as "))
            self.skipped.pop(name, None)
            self.explicit[name] = None
            import_module(name)
            top = name.partition(".")[0]
            if alias:
                self._shell.user_ns[alias] = sys.modules[name]
            else:
                self._shell.user_ns[top] = sys.modules[top]
        self.reloader.record_new_modules()

    # --- hooks --------------------------------------------------------------------------

    def pre_run_cell(self, info: ExecutionInfo) -> None:
        """Before each cell: reload what changed, in the modes that say so."""
        # The cell as Python (magics turned into calls) where IPython says (8.13+).
        self._cell = getattr(info, "transformed_cell", None) or getattr(info, "raw_cell", None)
        if self.mode != "off":
            self.check()

    def post_run_cell(self, result: ExecutionResult) -> None:
        """After each cell: record the modules it imported, and its from-imports."""
        cell, self._cell = self._cell, None
        self.reloader.record_new_modules()
        if self.mode == "complete" and cell and getattr(result, "success", False):
            self._track_imports(cell)

    def check(self) -> ReloadReport:
        """Run :meth:`Reloader.check`, print failures, re-bind names in complete mode."""
        before = self._imported_values() if self.mode == "complete" else {}
        report = self.reloader.check()
        if self.verbose:
            for name in report.reloaded:
                print(f"Reloading '{name}'.")
        if not self.hide_errors:
            for failure in report.failures:
                print(describe_failure(failure.error), file=sys.stderr)
        if self.mode == "complete":
            self._rebind(report.reloaded, before)
        return report

    # --- complete mode --------------------------------------------------------------------

    def _track_imports(self, cell: str) -> None:
        import ast

        try:
            tree = ast.parse(cell)
        except (SyntaxError, ValueError):
            return
        for node in tree.body:
            if not isinstance(node, ast.ImportFrom) or node.level or not node.module:
                continue
            names = self.from_imports.setdefault(node.module, {})
            for alias in node.names:
                if alias.name == "*":
                    self.star_imports.add(node.module)
                else:
                    names.setdefault(alias.name, set()).add(alias.asname or alias.name)

    def _imported_values(self) -> dict[tuple[str, str], object]:
        """What each from-imported name is bound to in its module now."""
        values: dict[tuple[str, str], object] = {}
        for module_name, names in self.from_imports.items():
            module = sys.modules.get(module_name)
            if module is not None:
                namespace = module.__dict__
                for name in names:
                    values[(module_name, name)] = namespace.get(name, _MISSING)
        return values

    def _rebind(self, reloaded: tuple[str, ...], before: dict[tuple[str, str], object]) -> None:
        user_ns = self._shell.user_ns
        for module_name in reloaded:
            module: ModuleType | None = sys.modules.get(module_name)
            if module is None:
                continue
            namespace = module.__dict__
            for name, bound_as in self.from_imports.get(module_name, {}).items():
                old = before.get((module_name, name), _MISSING)
                new = namespace.get(name, _MISSING)
                if new is _MISSING or new is old:
                    continue
                for user_name in bound_as:
                    # A name the user rebound since is theirs, not the import's.
                    if user_ns.get(user_name, _MISSING) is old:
                        user_ns[user_name] = new
            if module_name in self.star_imports:
                public = namespace.get("__all__")
                names = (
                    list(public)
                    if isinstance(public, (list, tuple))
                    else [key for key in namespace if not key.startswith("_")]
                )
                for name in names:
                    if name not in user_ns and name in namespace:
                        user_ns[name] = namespace[name]


def load_ipython_extension(ipython: InteractiveShell) -> None:
    """Register the magics and hooks (``%load_ext modutils.ipython``)."""
    magics = AutoreloadMagics(ipython)
    ipython.register_magics(magics)
    ipython.events.register("pre_run_cell", magics.pre_run_cell)
    ipython.events.register("post_run_cell", magics.post_run_cell)
    _loaded[id(ipython)] = magics


def unload_ipython_extension(ipython: InteractiveShell) -> None:
    """Unregister the hooks (``%unload_ext modutils.ipython``)."""
    magics = _loaded.pop(id(ipython), None)
    if magics is not None:
        ipython.events.unregister("pre_run_cell", magics.pre_run_cell)
        ipython.events.unregister("post_run_cell", magics.post_run_cell)


_loaded: dict[int, AutoreloadMagics] = {}
