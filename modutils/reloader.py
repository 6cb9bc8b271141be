"""Reload what changed: watch loaded modules' source files and reload the edited ones.

:class:`Reloader` is the loop of a development server, a REPL or a notebook: call
:meth:`Reloader.check` whenever it is a good time (before running a cell, between
requests), and every loaded module whose source file changed since the last check
is reloaded with :func:`modutils.reload` (live by default), each in its own
transaction; the result says what was reloaded, what failed and what could not be
updated in place.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from types import ModuleType
from typing import NamedTuple

from modutils._live import ReplacedObject, collect_replaced
from modutils.errors import ReloadError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import TypeAlias

    #: Decides whether a module (by name) is watched: ``True``, ``False``, or ``None``
    #: for the default rule.
    IncludeRule: TypeAlias = Callable[[str], "bool | None"]

__all__ = ["ReloadFailure", "ReloadReport", "Reloader", "ReplacedObject"]

# A file whose mtime is this recent may be written again without its mtime changing
# (file systems keep mtimes in ticks from nanoseconds to two seconds; Linux's
# coarse clock makes two writes milliseconds apart look alike): its content's hash
# is kept too, and compared while the mtime stays this recent.
_AMBIGUOUS_NS = 2_000_000_000


class ReloadFailure(NamedTuple):
    """A changed module that could not be reloaded; it keeps its previous code.

    Example:
        >>> failure = ReloadFailure("app.views", "/src/app/views.py", ReloadError("boom"))
        >>> failure.module, failure.path
        ('app.views', '/src/app/views.py')
    """

    #: The changed module whose reload failed.
    module: str
    #: Its source file.
    path: str
    #: The :class:`~modutils.errors.ReloadError`; the edit's own exception is its ``__cause__``.
    error: ReloadError


class ReloadReport(NamedTuple):
    """What one :meth:`Reloader.check` did.

    Example:
        >>> report = ReloadReport(("app.views",), (), ())
        >>> report.reloaded, bool(report.failures)
        (('app.views',), False)
    """

    #: The changed modules that were reloaded, in the order they were.
    reloaded: tuple[str, ...]
    #: The changed modules whose reload failed, each reported once per edit.
    failures: tuple[ReloadFailure, ...]
    #: Objects a live reload replaced instead of updating in place.
    replaced: tuple[ReplacedObject, ...]


class _Stamp(NamedTuple):
    """What a source file looked like: mtime, size, and its hash while that is ambiguous."""

    mtime_ns: int
    size: int
    digest: bytes | None


def _digest(path: str) -> bytes | None:
    import hashlib

    try:
        with open(path, "rb") as file:
            return hashlib.blake2b(file.read(), digest_size=16).digest()
    except OSError:
        return None


def _stamp(path: str, now_ns: int) -> _Stamp | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    mtime = stat.st_mtime_ns
    digest = _digest(path) if now_ns - mtime < _AMBIGUOUS_NS else None
    return _Stamp(mtime, stat.st_size, digest)


def _installed_folders() -> tuple[str, ...]:
    """The standard library's and installed packages' folders, each ending with a separator."""
    import sysconfig

    paths = sysconfig.get_paths()
    folders = {
        os.path.join(os.path.realpath(paths[key]), "")
        for key in ("stdlib", "platstdlib", "purelib", "platlib")
        if paths.get(key)
    }
    return tuple(sorted(folders))


def _patterns_rule(patterns: Iterable[object]) -> IncludeRule:
    """The rule "watch exactly the modules matching one of *patterns*"."""
    from fnmatch import fnmatchcase

    if isinstance(patterns, (str, bytes)):
        raise TypeError(
            f"include takes an iterable of patterns, not a single {type(patterns).__name__}: "
            f"{patterns!r} (wrap it in a list)"
        )
    try:
        items = tuple(patterns)
    except TypeError as exc:
        raise TypeError(
            f"include must be None, a callable or an iterable of str, not "
            f"{type(patterns).__name__}: {patterns!r}"
        ) from exc
    names: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise TypeError(f"include patterns must be str, not {type(item).__name__}: {item!r}")
        names.append(item)

    def rule(name: str) -> bool:
        # A plain name also covers its submodules: "app" watches "app.views".
        return any(
            fnmatchcase(name, pattern) or name.startswith(f"{pattern}.") for pattern in names
        )

    return rule


class Reloader:
    """Reload the loaded modules whose source changed since the last check.

    Each :meth:`check` looks at every loaded module that is watched, compares its
    source file with what it was at the previous check (or when the module was
    first seen), and reloads the changed ones with :func:`modutils.reload`
    (``live`` and ``dependents`` as given here), one transaction per changed
    module, in name order. A change is noticed even when an edit keeps the size and
    lands in the same clock tick: mtime (in nanoseconds) and size are compared, and
    while a file's mtime is less than two seconds old its content's hash too.

    A failed reload is reported once, and the module keeps its previous code; it is
    tried again when the file changes again. A module whose file was deleted is
    skipped (a reload would fail) until the file exists again.

    By default the modules watched are those with a Python source file outside the
    standard library and the installed-packages folders (``sysconfig`` paths
    ``stdlib``, ``platstdlib``, ``purelib``, ``platlib``): the user's own code and
    editable installs. *include* changes that: an iterable of module-name patterns
    (``fnmatch`` style; a plain name covers its submodules) watches exactly the
    matching modules, installed or not; a callable gets each module's name and
    returns ``True`` (watch), ``False`` (do not) or ``None`` (the default rule). A
    callable is asked again at every check, so it may change its mind.

    Example:
        >>> import importlib, pathlib, sys, tempfile
        >>> folder = tempfile.TemporaryDirectory()
        >>> source = pathlib.Path(folder.name, "config_example.py")
        >>> _ = source.write_text("LEVEL = 'info'\\n")
        >>> sys.path.insert(0, folder.name)
        >>> config = importlib.import_module("config_example")
        >>> reloader = modutils.Reloader()
        >>> reloader.check()
        ReloadReport(reloaded=(), failures=(), replaced=())
        >>> _ = source.write_text("LEVEL = 'debug'\\n")
        >>> reloader.check().reloaded, config.LEVEL
        (('config_example',), 'debug')
        >>> _ = source.write_text("LEVEL = oops\\n")
        >>> [failure.module for failure in reloader.check().failures], config.LEVEL
        (['config_example'], 'debug')
        >>> reloader.check()  # reported once
        ReloadReport(reloaded=(), failures=(), replaced=())
        >>> sys.path.remove(folder.name)
        >>> del sys.modules["config_example"]
        >>> folder.cleanup()

    :param live: update old objects in place (see :func:`modutils.reload`).
    :param dependents: also reload the modules that import a changed one.
    :param include: which modules to watch, instead of the default rule.
    :raises TypeError: *include* is neither ``None``, a callable nor an iterable of ``str``.
    """

    __slots__ = ("_excluded", "_include", "_lock", "_stamps", "_watch", "dependents", "live")

    def __init__(
        self,
        *,
        live: bool = True,
        dependents: bool = True,
        include: Iterable[str] | IncludeRule | None = None,
    ) -> None:
        rule = include if include is None or callable(include) else _patterns_rule(include)
        self.live = live
        self.dependents = dependents
        self._include: IncludeRule | None = rule
        self._excluded = _installed_folders()
        # module name -> (module object, its source file or None when it has none
        # to reload, whether that file is in an installed folder)
        self._watch: dict[str, tuple[object, str | None, bool]] = {}
        # module name -> the stamp of its source at the last check
        self._stamps: dict[str, _Stamp] = {}
        self._lock = threading.Lock()
        with self._lock:
            self._scan(time.time_ns())

    def watched(self) -> list[str]:
        """The names of the loaded modules that :meth:`check` looks at, sorted.

        Example:
            >>> "json" in modutils.Reloader().watched()
            False
        """
        with self._lock:
            return sorted(name for name, _path in self._watched(list(sys.modules.items())))

    def record_new_modules(self) -> list[str]:
        """Take the current source of watched modules not seen before as their baseline.

        Nothing is reloaded, and modules already seen are not looked at. Call it
        right after code that may import modules (a notebook cell), so that an edit
        made before the next :meth:`check` is seen as one.

        :returns: the names of the modules recorded, sorted.
        """
        with self._lock:
            stamps = self._stamps
            now_ns = time.time_ns()
            recorded = []
            for name, path in self._watched(list(sys.modules.items())):
                if name not in stamps:
                    stamp = _stamp(path, now_ns)
                    if stamp is not None:
                        stamps[name] = stamp
                        recorded.append(name)
            return sorted(recorded)

    def check(self) -> ReloadReport:
        """Reload every watched module whose source changed since the last check.

        :returns: what was reloaded, what failed (once per edit), and what a live
            reload replaced instead of updating.
        """
        from modutils.reloading import reload

        with self._lock:
            changed = self._scan(time.time_ns())
            reloaded: list[str] = []
            failures: list[ReloadFailure] = []
            with collect_replaced() as replaced:
                for name, path in changed:
                    if sys.modules.get(name) is None:
                        continue  # dropped by a reload before it in this check
                    try:
                        reload(name, dependents=self.dependents, live=self.live)
                    except ReloadError as exc:
                        failures.append(ReloadFailure(name, path, exc))
                    else:
                        reloaded.append(name)
            return ReloadReport(tuple(reloaded), tuple(failures), tuple(replaced))

    def _watched(self, items: Iterable[tuple[str, object]]) -> list[tuple[str, str]]:
        watch = self._watch
        include = self._include
        found = []
        for name, module in items:
            cached = watch.get(name)
            if cached is None or cached[0] is not module:
                if cached is not None:
                    # Another module object under this name (unloaded, imported
                    # again): it starts afresh, from its source when first seen.
                    self._stamps.pop(name, None)
                path = self._source_of(name, module)
                installed = path is not None and path.startswith(self._excluded)
                cached = watch[name] = (module, path, installed)
            _module, path, installed = cached
            if path is None:
                continue
            if include is not None:
                decision = include(name)
                if decision is False or (decision is None and installed):
                    continue
            elif installed:
                continue
            found.append((name, path))
        return found

    def _scan(self, now_ns: int) -> list[tuple[str, str]]:
        """Update the stamps; return the watched modules whose source changed, by name."""
        items = list(sys.modules.items())
        stamps = self._stamps
        changed = []
        for name, path in self._watched(items):
            previous = stamps.get(name)
            try:
                stat = os.stat(path)
            except OSError:
                continue  # deleted (for now): a reload could only fail
            if previous is not None and (stat.st_mtime_ns, stat.st_size) == previous[:2]:
                if previous.digest is None:
                    continue
                # Same mtime and size, but recent enough that an edit may hide behind them.
                digest = _digest(path)
                if digest == previous.digest:
                    if now_ns - stat.st_mtime_ns >= _AMBIGUOUS_NS:
                        stamps[name] = previous._replace(digest=None)
                    continue
            current = _stamp(path, now_ns)
            if current is None:
                continue
            stamps[name] = current
            if previous is not None:
                changed.append((name, path))
        # Modules no longer loaded are forgotten: loaded again, they start afresh.
        if len(self._watch) > len(items):
            loaded = sys.modules
            for name in [name for name in self._watch if name not in loaded]:
                del self._watch[name]
                stamps.pop(name, None)
        changed.sort()
        return changed

    @staticmethod
    def _source_of(name: str, module: object) -> str | None:
        """The real path of the source file a reload of *module* would run, or None."""
        from modutils.reloading import _why_not_reloadable

        if not isinstance(module, ModuleType):
            return None
        try:
            # Through object.__getattribute__: a lazy module must not be loaded here.
            spec = object.__getattribute__(module, "__dict__").get("__spec__")
        except AttributeError:
            return None
        # Aliases and __main__ (whose spec names another module) cannot be reloaded.
        if getattr(spec, "name", None) != name or not getattr(spec, "has_location", False):
            return None
        origin = spec.origin
        if not isinstance(origin, str) or not origin.endswith(".py"):
            return None
        if _why_not_reloadable(spec) is not None:
            return None
        return os.path.realpath(origin)
