"""modutils.reloader: Reloader.check() reloads what changed, once, and reports it."""

from __future__ import annotations

import importlib
import itertools
import os
import sys
import sysconfig
import textwrap
import threading
import time
import types
from pathlib import Path

import pytest

import modutils
from modutils import Reloader, ReloadError, ReloadReport, reloader

TYPE_CHECKING = False
if TYPE_CHECKING:
    from conftest import ImportTree

_counter = itertools.count()


@pytest.fixture
def prefix() -> str:
    return f"rw{next(_counter)}_"


def _write(module: types.ModuleType, source: str, *, mtime_ns: int | None = None) -> None:
    path = Path(module.__file__ or "")
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    if mtime_ns is not None:
        os.utime(path, ns=(mtime_ns, mtime_ns))


EMPTY = ReloadReport((), (), ())


def test_check_reloads_changed_modules_live(tree: ImportTree, prefix: str) -> None:
    a, b = tree(
        {f"{prefix}a.py": "def f():\n    return 1\n", f"{prefix}b.py": "X = 1\n"},
        f"{prefix}a",
        f"{prefix}b",
    )
    old_f = a.f
    watcher = Reloader()
    assert watcher.check() == EMPTY
    _write(a, "def f():\n    return 2\n")
    assert watcher.check() == ReloadReport((a.__name__,), (), ())
    assert a.f is old_f
    assert old_f() == 2
    assert b.X == 1
    assert watcher.check() == EMPTY


def test_live_false_rebinds_like_a_plain_reload(tree: ImportTree, prefix: str) -> None:
    (a,) = tree({f"{prefix}a.py": "def f():\n    return 1\n"}, f"{prefix}a")
    old_f = a.f
    watcher = Reloader(live=False)
    _write(a, "def f():\n    return 2\n")
    assert watcher.check().reloaded == (a.__name__,)
    assert a.f is not old_f
    assert old_f() == 1


def test_modules_loaded_after_creation_start_from_their_first_check(
    tree: ImportTree, prefix: str
) -> None:
    watcher = Reloader()
    (a,) = tree({f"{prefix}a.py": "X = 1\n"}, f"{prefix}a")
    assert watcher.check() == EMPTY  # first seen: its current source is the baseline
    _write(a, "X = 2\n")
    assert watcher.check().reloaded == (a.__name__,)
    assert a.X == 2


@pytest.mark.parametrize("same_size", [True, False], ids=["same-size", "other-size"])
def test_an_edit_in_the_same_clock_tick_is_seen(
    tree: ImportTree, prefix: str, same_size: bool
) -> None:
    (a,) = tree({f"{prefix}a.py": "X = 1\n"}, f"{prefix}a")
    stat = os.stat(a.__file__ or "")
    watcher = Reloader()
    # The edit keeps the very same mtime: only the size or the content tells.
    _write(a, "X = 2\n" if same_size else "X = 22\n", mtime_ns=stat.st_mtime_ns)
    assert watcher.check().reloaded == (a.__name__,)
    assert (2 if same_size else 22) == a.X


def test_old_files_are_compared_by_stat_alone(
    tree: ImportTree, prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    (a,) = tree({f"{prefix}a.py": "X = 1\n"}, f"{prefix}a")
    an_hour_ago = time.time_ns() - 3600 * 10**9
    os.utime(a.__file__ or "", ns=(an_hour_ago, an_hour_ago))
    hashed: list[str] = []
    digest = reloader._digest

    def counting(path: str) -> bytes | None:
        hashed.append(path)
        return digest(path)

    monkeypatch.setattr(reloader, "_digest", counting)
    watcher = Reloader()
    watcher.check()
    watcher.check()
    assert os.path.realpath(a.__file__ or "") not in hashed
    _write(a, "X = 2\n")
    assert watcher.check().reloaded == (a.__name__,)


def test_a_recent_file_is_hashed_until_its_mtime_is_old(
    tree: ImportTree, prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    (a,) = tree({f"{prefix}a.py": "X = 1\n"}, f"{prefix}a")
    path = os.path.realpath(a.__file__ or "")
    hashed: list[str] = []
    digest = reloader._digest

    def counting(path: str) -> bytes | None:
        hashed.append(path)
        return digest(path)

    monkeypatch.setattr(reloader, "_digest", counting)
    watcher = Reloader()
    watcher.check()
    assert path in hashed
    # Two seconds later, nothing written since: one last hash, then stat alone.
    later = time.time_ns() + 3 * 10**9
    monkeypatch.setattr(time, "time_ns", lambda: later)
    watcher.check()
    hashed.clear()
    watcher.check()
    assert path not in hashed


def test_a_failed_edit_is_reported_once_and_keeps_the_old_code(
    tree: ImportTree, prefix: str
) -> None:
    (a,) = tree({f"{prefix}a.py": "def f():\n    return 1\n"}, f"{prefix}a")
    old_f = a.f
    watcher = Reloader()
    _write(a, "def f():\n    return 2\nraise RuntimeError('half-way')\n")
    report = watcher.check()
    assert report.reloaded == ()
    (failure,) = report.failures
    assert failure.module == a.__name__
    assert failure.path == os.path.realpath(a.__file__ or "")
    assert isinstance(failure.error, ReloadError)
    assert isinstance(failure.error.__cause__, RuntimeError)
    assert old_f() == 1
    assert a.f is old_f
    assert watcher.check() == EMPTY  # not retried, not reported again
    _write(a, "def f():\n    return 3\n")
    assert watcher.check().reloaded == (a.__name__,)
    assert old_f() == 3


def test_a_deleted_file_is_skipped_until_it_comes_back(tree: ImportTree, prefix: str) -> None:
    (a,) = tree({f"{prefix}a.py": "X = 1\n"}, f"{prefix}a")
    watcher = Reloader()
    saved = Path(a.__file__ or "").read_text(encoding="utf-8")
    os.remove(a.__file__ or "")
    assert watcher.check() == EMPTY
    assert a.X == 1
    Path(a.__file__ or "").write_text(saved.replace("1", "2"), encoding="utf-8")
    assert watcher.check().reloaded == (a.__name__,)
    assert a.X == 2


@pytest.mark.parametrize("check_between", [True, False], ids=["checked-between", "not-checked"])
def test_a_module_unloaded_and_imported_again_starts_afresh(
    tree: ImportTree, prefix: str, check_between: bool
) -> None:
    (a,) = tree({f"{prefix}a.py": "X = 1\n"}, f"{prefix}a")
    watcher = Reloader()
    del sys.modules[a.__name__]
    if check_between:
        assert watcher.check() == EMPTY
    _write(a, "X = 2\n")
    again = importlib.import_module(a.__name__)
    assert again.X == 2
    # Imported again after the edit: its source then is its baseline, not a change.
    assert watcher.check() == EMPTY
    _write(again, "X = 3\n")
    assert watcher.check().reloaded == (a.__name__,)
    assert again.X == 3


def test_dependents_see_the_change(tree: ImportTree, prefix: str) -> None:
    a, b = tree(
        {
            f"{prefix}a.py": "LIMIT = 1\n",
            f"{prefix}b.py": f"from {prefix}a import LIMIT\n",
        },
        f"{prefix}a",
        f"{prefix}b",
    )
    watcher = Reloader()
    _write(a, "LIMIT = 2\n")
    assert watcher.check().reloaded == (a.__name__,)
    assert b.LIMIT == 2


def test_replaced_objects_are_reported_not_warned(tree: ImportTree, prefix: str) -> None:
    (a,) = tree({f"{prefix}a.py": "class C:\n    pass\n"}, f"{prefix}a")
    watcher = Reloader()
    _write(a, "class C:\n    __slots__ = ('x',)\n")
    report = watcher.check()
    assert report.reloaded == (a.__name__,)
    assert [(item.module, item.qualname) for item in report.replaced] == [(a.__name__, "C")]


# --- what is watched ----------------------------------------------------------------------


def test_by_default_user_code_is_watched_and_the_stdlib_is_not(
    tree: ImportTree, prefix: str
) -> None:
    tree({f"{prefix}a.py": "", f"{prefix}pkg/__init__.py": ""}, f"{prefix}a", f"{prefix}pkg")
    watched = Reloader().watched()
    assert f"{prefix}a" in watched
    assert f"{prefix}pkg" in watched
    assert "json" not in watched  # stdlib
    assert "sys" not in watched  # builtin
    assert "pytest" not in watched  # installed
    assert "__main__" not in watched


@pytest.mark.parametrize("key", ["stdlib", "platstdlib", "purelib", "platlib"])
def test_modules_in_installed_folders_are_not_watched(
    tree: ImportTree, prefix: str, monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    a, _other = tree({f"{prefix}a.py": "", f"{prefix}other.py": ""}, f"{prefix}a", f"{prefix}other")
    paths = dict(sysconfig.get_paths())
    # The folder of the module counts as, say, site-packages; an editable install's
    # source tree would not be there.
    paths[key] = os.path.dirname(a.__file__ or "")
    monkeypatch.setattr(sysconfig, "get_paths", lambda: paths)
    watched = Reloader().watched()
    assert f"{prefix}a" not in watched
    assert Reloader(include=[f"{prefix}a"]).watched() == [f"{prefix}a"]


def test_include_patterns_narrow_and_widen(tree: ImportTree, prefix: str) -> None:
    tree(
        {
            f"{prefix}a.py": "",
            f"{prefix}b.py": "",
            f"{prefix}pkg/__init__.py": "",
            f"{prefix}pkg/sub.py": "",
        },
        f"{prefix}a",
        f"{prefix}b",
        f"{prefix}pkg.sub",
    )
    importlib.import_module("json.decoder")
    widened = Reloader(include=[f"{prefix}a", "json.decoder"]).watched()
    assert widened == ["json.decoder", f"{prefix}a"]
    assert Reloader(include=[f"{prefix}pkg"]).watched() == [f"{prefix}pkg", f"{prefix}pkg.sub"]
    assert Reloader(include=[f"{prefix}?"]).watched() == [f"{prefix}a", f"{prefix}b"]


def test_an_include_callable_decides_or_defers(tree: ImportTree, prefix: str) -> None:
    a, _b = tree({f"{prefix}a.py": "X = 1\n", f"{prefix}b.py": ""}, f"{prefix}a", f"{prefix}b")
    answers: dict[str, bool | None] = {f"{prefix}b": False, "json": True}
    watcher = Reloader(include=answers.get)
    watched = watcher.watched()
    assert f"{prefix}a" in watched  # None: the default rule
    assert f"{prefix}b" not in watched
    assert "json" in watched
    answers[f"{prefix}a"] = False  # asked again at each check
    _write(a, "X = 2\n")
    assert watcher.check() == EMPTY
    assert a.X == 1


@pytest.mark.parametrize("include", [42, "app", [b"app"], [None]])
def test_bad_include_is_a_type_error(include: object) -> None:
    with pytest.raises(TypeError, match="include"):
        Reloader(include=include)  # type: ignore[arg-type]


# --- threads ------------------------------------------------------------------------------


def test_concurrent_checks_reload_a_change_once(tree: ImportTree, prefix: str) -> None:
    log, a = tree(
        {f"{prefix}log.py": "events = []\n", f"{prefix}a.py": f"import {prefix}log\n"},
        f"{prefix}log",
        f"{prefix}a",
    )
    watcher = Reloader(include=[f"{prefix}a"])
    _write(a, f"import {prefix}log\n{prefix}log.events.append('run')\n")
    barrier = threading.Barrier(4, timeout=10)
    reports: list[ReloadReport] = []

    def check() -> None:
        barrier.wait()
        reports.append(watcher.check())

    threads = [threading.Thread(target=check) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    assert log.events == ["run"]
    assert sorted(len(report.reloaded) for report in reports) == [0, 0, 0, 1]
    assert modutils.Reloader is Reloader
