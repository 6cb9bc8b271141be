"""What ``realworld/run.py`` measures, each probe in a fresh interpreter.

``python realworld/probes.py PROBE OUTPUT [ARGUMENT ...]`` runs one probe and writes
its findings to OUTPUT as JSON; the comparison (and its rules) lives in ``run.py``.
A probe never decides: it records what modutils and the standard library answer,
in an interpreter where nothing but the probe has run, so that one answer cannot
depend on what another imported.
"""

from __future__ import annotations

import importlib
import io
import json
import sys
import types

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from importlib.machinery import ModuleSpec
    from typing import Any, TypeAlias

    Json: TypeAlias = Any


def _describe(exc: BaseException) -> str:
    """``Type: first line of the message``: one line of a report."""
    lines = str(exc).splitlines()
    return f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__


def _under(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def _loaded_under(package: str) -> list[str]:
    return sorted(name for name in sys.modules if _under(name, package))


# -- discovery -------------------------------------------------------------------------


def discover(package: str) -> Json:
    """``iter_submodules(package)`` first, statically; then ``pkgutil.walk_packages``."""
    import pkgutil

    import modutils

    static = [[info.name, info.is_package] for info in modutils.iter_submodules(package)]
    # iter_submodules promises to run nothing: nothing of the package may be loaded now.
    loaded_by_static = _loaded_under(package)
    walked: list[list[object]] = []
    errors: list[str] = []
    module = importlib.import_module(package)
    for info in pkgutil.walk_packages(module.__path__, package + ".", onerror=errors.append):
        walked.append([info.name, info.ispkg])
    return {
        "static": static,
        "loaded_by_static": loaded_by_static,
        "walk": walked,
        "walk_errors": sorted(errors),
    }


# -- locate ----------------------------------------------------------------------------


def _spec_record(spec: ModuleSpec | None) -> Json:
    if spec is None:
        return None
    loader: object = spec.loader
    # BuiltinImporter and FrozenImporter are the loaders themselves, not instances.
    loader_class = loader.__name__ if isinstance(loader, type) else type(loader).__name__
    frozen_file = None
    if loader_class == "FrozenImporter":
        # The file a frozen module was frozen from (Python 3.11+), its __file__.
        frozen_file = getattr(spec.loader_state, "filename", None)
    search = spec.submodule_search_locations
    return {
        "origin": spec.origin if spec.has_location else None,
        "loader": loader_class,
        "is_package": search is not None,
        "search_locations": None if search is None else [str(entry) for entry in search],
        "live_path": None,
        "frozen_file": frozen_file,
    }


def locate(names_file: str) -> Json:
    """``locate_module`` for every name first (nothing imported), then ``find_spec``.

    ``find_spec`` imports the parents of a dotted name; when one of them fails to
    import, the standard library has no answer and the error is recorded instead.
    """
    import importlib.util

    import modutils

    with open(names_file, encoding="utf-8") as stream:
        names: list[str] = json.load(stream)
    # L0: the first calls may import modutils' own lazy dependencies (importlib_metadata
    # outside the standard library, sysconfig and its data module inside it; see
    # docs/locate.md): made here, before the count starts.
    modutils.locate_module("json")
    modutils.locate_module("importlib_metadata")
    before = set(sys.modules)
    located: dict[str, Json] = {}
    for name in names:
        try:
            location = modutils.locate_module(name)
        except Exception as exc:  # recorded: run.py reports it as a failure
            located[name] = {"error": _describe(exc)}
            continue
        located[name] = (
            None
            if location is None
            else {
                "path": None if location.path is None else str(location.path),
                "is_package": location.is_package,
                "kind": location.kind.value,
                "search_locations": list(location.search_locations),
                "distribution": location.distribution,
                "version": location.version,
            }
        )
    # locate_module runs nothing: only modutils' own lazy dependencies may appear.
    loaded_by_locate = sorted(
        name
        for name in set(sys.modules) - before
        if any(_under(name, target.partition(".")[0]) for target in names)
    )
    found: dict[str, Json] = {}
    for name in names:
        try:
            spec = importlib.util.find_spec(name)
        except ModuleNotFoundError as exc:
            # The name itself, or a parent, is missing (or a parent is a plain
            # module): ``import name`` fails, as locate_module's None says.
            if exc.name is not None and _under(name, exc.name):
                found[name] = None
            else:
                found[name] = {"error": _describe(exc)}
            continue
        except BaseException as exc:  # a parent's code failed: no answer
            found[name] = {"error": _describe(exc)}
            continue
        found[name] = _spec_record(spec)
    # Read after every find_spec: a package imported for a later name has its live
    # __path__ by now, which is what import searches.
    for name, record in found.items():
        if isinstance(record, dict) and "loader" in record:
            module = sys.modules.get(name)
            live = vars(module).get("__path__") if module is not None else None
            if live is not None and not isinstance(live, (str, bytes)):
                record["live_path"] = [str(entry) for entry in live]
    return {"located": located, "found": found, "loaded_by_locate": loaded_by_locate}


def foreign_meta_path(name: str) -> Json:
    """``locate_module`` and ``iter_submodules`` with only an editable finder on sys.meta_path.

    Tools that resolve modules for another environment (astroid, editable-install
    finders) replace ``sys.meta_path`` with their own finders. modutils' own lazy
    imports must not depend on it: the answer is the one those finders give.
    """
    import modutils

    package = name.partition(".")[0]
    finders = [finder for finder in sys.meta_path if "__editable__" in finder.__module__]
    saved = sys.meta_path[:]
    result: dict[str, Json] = {"finders": [repr(finder) for finder in finders]}
    sys.meta_path[:] = finders
    try:
        try:
            location = modutils.locate_module(name)
            result["located"] = (
                None
                if location is None
                else {
                    "path": None if location.path is None else str(location.path),
                    "distribution": location.distribution,
                }
            )
        except Exception as exc:
            result["locate_error"] = _describe(exc)
        try:
            result["listed"] = [info.name for info in modutils.iter_submodules(package)]
        except Exception as exc:
            result["list_error"] = _describe(exc)
    finally:
        # The caller's finders stay, in order; what may follow is importlib_metadata's
        # own finder, which importing it appends (a plain import leaves it there too).
        added = sys.meta_path[len(finders) :]
        result["meta_path_kept"] = sys.meta_path[: len(finders)] == finders and all(
            type(finder).__module__ == "importlib_metadata" for finder in added
        )
        sys.meta_path[:] = saved
    return result


def versions(*distributions: str) -> Json:
    """The metadata ``Name`` and ``Version`` of each installed distribution."""
    import importlib.metadata

    result = {}
    for dist in distributions:
        meta = importlib.metadata.metadata(dist)
        result[dist] = [meta["Name"], meta["Version"]]
    return result


# -- reload ----------------------------------------------------------------------------


def stale_bindings(packages: tuple[str, ...]) -> list[str]:
    """Module-level names in *packages* bound to a class or function that is no longer current.

    A class or function defined at the top of module ``m`` under the name ``q`` is
    current when ``m`` still holds it under ``q``. After a fresh import every
    ``from m import q`` binding is current; after a correct reload too. Values
    are filtered by their exact type before any attribute is read, so that proxies
    (werkzeug's ``LocalProxy``) are never asked anything.
    """
    stale = []
    for name in sorted(sys.modules):
        if not any(_under(name, package) for package in packages):
            continue
        module = sys.modules[name]
        namespace = getattr(module, "__dict__", None)
        if not isinstance(namespace, dict):
            continue
        for attribute, value in list(namespace.items()):
            if not issubclass(type(value), (type, types.FunctionType)):
                continue
            home, qualname = value.__module__, value.__qualname__
            if not isinstance(home, str) or not isinstance(qualname, str) or "." in qualname:
                continue
            if not any(_under(home, package) for package in packages):
                continue
            defining = sys.modules.get(home)
            current = vars(defining).get(qualname) if defining is not None else None
            if current is not None and current is not value:
                stale.append(f"{name}.{attribute} is an old {home}.{qualname}")
    return stale


def _package(name: str) -> Json:
    """Import a checked package's module; typed ``Any``, as the session's packages are
    not installed where the scripts are type-checked."""
    return importlib.import_module(name)


def _smoke_rich() -> Json:
    """Render a table of styled text, the way rich's users call it."""
    console_module, text_module = _package("rich.console"), _package("rich.text")
    table_module, segment_module = _package("rich.table"), _package("rich.segment")
    text = text_module.Text
    console = console_module.Console(
        file=io.StringIO(),
        width=48,
        color_system="truecolor",
        force_terminal=True,
        force_jupyter=False,
        legacy_windows=False,
        _environ={},
    )
    table = table_module.Table("module", "state", title="realworld")
    table.add_row("rich.segment", text("reloaded", style="bold green"))
    table.add_row("rich.text", "[italic red]re-executed[/]")
    console.print(table)
    console.print(text.assemble(("cycle", "blue"), " ok"))
    lines = list(segment_module.Segment.split_lines(console.render(text("a\nb"))))
    return {"output": console.file.getvalue(), "lines": len(lines)}


def _smoke_flask() -> Json:
    """Serve a request through Flask's test client."""
    flask = _package("flask")
    app = flask.Flask("realworld")

    def item(number: int) -> Json:
        return flask.jsonify(number=number, double=2 * number)

    app.add_url_rule("/items/<int:number>", view_func=item)
    response = app.test_client().get("/items/21")
    return {"status": response.status_code, "json": response.get_json()}


def _smoke_rweditable() -> Json:
    """Draw shapes of the editable package, one made before the reload, one after."""
    rweditable, leaf = _package("rweditable"), _package("rweditable.sub.leaf")
    return {"leaf": leaf.LEAF.draw(), "new": rweditable.Shape("new").draw()}


# The reload scenarios: (packages checked for stale bindings, modules imported
# first, the smoke call).
RELOADS: dict[str, tuple[tuple[str, ...], tuple[str, ...], Callable[[], Json]]] = {
    # rich.segment sits in a cycle with rich.console and rich.text in modutils'
    # import graph (their module-level imports, TYPE_CHECKING blocks included).
    "rich.segment": (
        ("rich",),
        ("rich", "rich.console", "rich.table", "rich.text", "rich.segment"),
        _smoke_rich,
    ),
    # flask.app, flask.ctx, flask.wrappers and flask.sansio import each other.
    "flask.wrappers": (("flask",), ("flask", "flask.testing"), _smoke_flask),
    # An editable install (setuptools' meta path finder): shapes <-> drawing, and
    # Shape re-exported through rweditable/__init__.py.
    "rweditable.shapes": (
        ("rweditable",),
        ("rweditable", "rweditable.sub.leaf"),
        _smoke_rweditable,
    ),
}


def reload(target: str) -> Json:
    """Import the package, smoke it, ``reload(target, dependents=True)``, smoke it again."""
    import modutils

    packages, imports, smoke = RELOADS[target]
    for name in imports:
        importlib.import_module(name)
    module = sys.modules[target]
    old_objects = {
        key: value
        for key, value in vars(module).items()
        if issubclass(type(value), (type, types.FunctionType)) and value.__module__ == target
    }
    stale_before = stale_bindings(packages)
    smoke_before = smoke()
    result: dict[str, Json] = {"stale_before": stale_before, "smoke_before": smoke_before}
    try:
        reloaded = modutils.reload(target, dependents=True)
    except Exception as exc:
        result["error"] = _describe(exc)
        return result
    result["same_module_object"] = reloaded is module and sys.modules[target] is module
    result["re_executed"] = sorted(
        key for key, value in old_objects.items() if vars(module).get(key) is not value
    )
    result["defined"] = sorted(old_objects)
    result["stale_after"] = stale_bindings(packages)
    try:
        result["smoke_after"] = smoke()
    except Exception as exc:
        result["smoke_error"] = _describe(exc)
    return result


PROBES: dict[str, Callable[..., Json]] = {
    "discover": discover,
    "locate": locate,
    "foreign_meta_path": foreign_meta_path,
    "versions": versions,
    "reload": reload,
}


def main(argv: list[str]) -> int:
    probe, output, *arguments = argv
    # What the packages print while imported must not end up in the findings.
    sys.stdout = sys.stderr
    result = PROBES[probe](*arguments)
    with open(output, "w", encoding="utf-8") as stream:
        json.dump(result, stream, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
