"""Check modutils against the standard library on real, pinned packages (``nox -s realworld``).

Four comparisons, each probe in a fresh interpreter (``probes.py``), each
difference either explained by a rule of ``docs/realworld.md`` (named next to the
check, as ``D1``, ``L2``...) or reported as a failure:

- ``iter_submodules`` names against ``pkgutil.walk_packages``;
- ``locate_module`` against ``importlib.util.find_spec``;
- ``modutils check`` verdicts against importing the module in a fresh interpreter
  (a fixed, evenly spread sample of each verdict);
- ``reload(module, dependents=True)`` of a module inside an import cycle, then a
  smoke call of the package, compared with the same call before the reload.

Usage: ``python realworld/run.py [NAME ...]``, NAME a package of ``PACKAGES`` or a
reload target of ``probes.RELOADS``; no NAME runs everything. Exit status 0 when
every check passes, 1 otherwise. Deterministic: sorted inputs, a fixed hash seed,
a fixed sample, an empty working folder, no network.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
import tempfile
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TypeAlias

    Json: TypeAlias = Any

HERE = os.path.dirname(os.path.abspath(__file__))
PROBES = os.path.join(HERE, "probes.py")

#: Package -> the distribution each of its modules comes from, by name prefix
#: (the longest prefix wins); ``None``: no distribution may be reported.
PACKAGES: dict[str, dict[str, str | None]] = {
    "numpy": {"numpy": "numpy"},
    "django": {"django": "Django"},
    "rich": {"rich": "rich"},
    "pydantic": {"pydantic": "pydantic"},
    "flask": {"flask": "Flask"},
    "sqlalchemy": {"sqlalchemy": "SQLAlchemy"},
    # An editable install served by setuptools' meta path finder.
    "rweditable": {"rweditable": "rweditable"},
    # pkgutil-style namespace package: legns-alpha installed as a wheel into
    # site-packages, legns-beta editable (its src folder put on sys.path by a .pth).
    # L5: an editable install lists no module files, so its modules belong to it
    # only when their top-level name is the distribution's name (docs/locate.md,
    # "Distributions", rule 3): not so for legns-beta.
    "legns": {"legns": "legns-alpha", "legns.alpha": "legns-alpha", "legns.beta": None},
}

#: Standard-library names whose location is compared too: frozen modules
#: (L3: their source file is reported, kind frozen), a builtin, a plain package,
#: and the sysconfig data module, whose name is not an identifier (L4).
STDLIB_NAMES = [
    "codecs",
    "importlib.util",
    "json",
    "json.decoder",
    "os",
    "os.path",
    "posixpath",
    "sys",
    "zipimport",
    sysconfig._get_sysconfigdata_name(),  # type: ignore[attr-defined]
]

#: How many modules of each verdict ``modutils check`` gave are imported again in
#: a fresh interpreter, per package.
SAMPLE = {"imported": 8, "failed": 8, "skipped": 3}

#: Failures printed per check and package; the rest are counted.
PRINTED_PER_CHECK = 12

#: Lines of a crashed subprocess's stderr shown.
TAIL_LINES = 25

#: Seconds a single subprocess may take before the run counts it as hung.
TIMEOUT = 600


class Report:
    """Collects passes, explained differences and failures, and prints them as they come."""

    def __init__(self) -> None:
        self.failures: list[str] = []
        self.explained: dict[str, int] = {}
        self.passed = 0

    def check(self, ok: bool, what: str, detail: str = "") -> bool:
        if ok:
            self.passed += 1
            return True
        message = f"FAIL {what}" + (f": {detail}" if detail else "")
        self.failures.append(message)
        # A regression can fail hundreds of modules alike: the first few of each
        # check show it, the count gives its size.
        shown = sum(1 for failure in self.failures if failure.startswith(f"FAIL {what}:"))
        if shown <= PRINTED_PER_CHECK:
            print(message, flush=True)
        elif shown == PRINTED_PER_CHECK + 1:
            print(f"FAIL {what}: ... (more failures of this check are counted, not shown)")
        return False

    def explain(self, rule: str, count: int = 1) -> None:
        self.explained[rule] = self.explained.get(rule, 0) + count


def clean_environment(bytecode_cache: str) -> dict[str, str]:
    """The environment of every subprocess: no PYTHON* or DJANGO_* settings, a fixed hash seed.

    Bytecode is read from and written to *bytecode_cache* only, a folder of this
    run: any ``__pycache__`` beside the sources (left by other tools) is ignored,
    and none is written there, so every run starts from the same files, as the
    first run after an install does.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTHON", "DJANGO_")) and key not in ("COLUMNS", "LINES", "TERM")
    }
    env.update(
        PYTHONHASHSEED="0",
        PYTHONIOENCODING="utf-8",
        PYTHONNOUSERSITE="1",
        PYTHONPYCACHEPREFIX=bytecode_cache,
    )
    return env


def run_python(
    args: list[str], workdir: str, *, bytecode: str = "shared"
) -> subprocess.CompletedProcess[str]:
    """Run this interpreter on *args*, in the empty folder of the run's *workdir*.

    The current folder is on ``sys.path`` of ``python -c`` and of ``modutils
    check``: an empty one shadows nothing. *bytecode* names the run's bytecode
    folder to use: the probes and fresh imports share one (compiling Django and
    SQLAlchemy again for each would take a minute); a new name compiles every
    module imported.
    """
    cwd = os.path.join(workdir, "empty")
    os.makedirs(cwd, exist_ok=True)
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env=clean_environment(os.path.join(workdir, "bytecode", bytecode)),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def probe(name: str, arguments: list[str], workdir: str) -> Json:
    """Run probes.py NAME in a fresh interpreter; its JSON findings."""
    output = os.path.join(workdir, f"{name}-{len(os.listdir(workdir))}.json")
    done = run_python([PROBES, name, output, *arguments], workdir)
    if done.returncode != 0:
        raise RuntimeError(f"probe {name} {arguments} failed:\n{done.stderr[-3000:]}")
    with open(output, encoding="utf-8") as stream:
        return json.load(stream)


def under(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def walk_order(name: str) -> list[str]:
    """Sort key of iter_submodules' documented order: by name, each package before its children."""
    return name.split(".")


def spread(items: list[str], count: int) -> list[str]:
    """*count* items evenly spread over sorted *items*: a fixed sample."""
    items = sorted(items)
    if len(items) <= count:
        return items
    return [items[index * len(items) // count] for index in range(count)]


# -- iter_submodules against pkgutil.walk_packages ---------------------------------------


def compare_discovery(report: Report, package: str, found: Json) -> list[str]:
    """Compare the two listings of *package*; return every name either one found."""
    static: dict[str, bool] = dict(found["static"])
    walked: dict[str, bool] = dict(found["walk"])
    errors: list[str] = found["walk_errors"]
    what = f"discovery {package}"
    report.check(
        not found["loaded_by_static"],
        what,
        f"iter_submodules imported {found['loaded_by_static']} (it must run nothing)",
    )
    names = [name for name, _ in found["static"]]
    report.check(
        names == sorted(names, key=walk_order),
        what,
        "iter_submodules is not in its documented order (sorted, packages before children)",
    )
    for name in sorted(set(walked) - set(static)):
        if name.rpartition(".")[2] == "__main__":
            # D1: a package's __main__ is its command line, not part of its API:
            # iter_submodules skips it (docs/discovery.md), walk_packages lists it.
            report.explain("D1 __main__ is skipped")
            continue
        report.check(False, what, f"{name} is listed by walk_packages, not by iter_submodules")
    for name in sorted(set(static) - set(walked)):
        if any(under(name, failed) and name != failed for failed in errors):
            # D2: walk_packages imports a package to list its children; when that
            # import fails it calls onerror and lists nothing below. iter_submodules
            # reads the folders and lists them all.
            report.explain("D2 below a package walk_packages could not import")
            continue
        report.check(False, what, f"{name} is listed by iter_submodules, not by walk_packages")
    for name in sorted(set(static) & set(walked)):
        report.check(
            static[name] == walked[name],
            what,
            f"{name}: is_package {static[name]} from iter_submodules, {walked[name]} from pkgutil",
        )
    return sorted(set(static) | set(walked))


# -- locate_module against importlib.util.find_spec ----------------------------------------


def expected_kind(loader: str) -> str | None:
    kinds = {
        "SourceFileLoader": "source",
        "SourcelessFileLoader": "bytecode",
        "ExtensionFileLoader": "extension",
        "BuiltinImporter": "builtin",
        "FrozenImporter": "frozen",
        "NamespaceLoader": "namespace",
        "_NamespaceLoader": "namespace",
        "zipimporter": "zip",
    }
    return kinds.get(loader)


def canonical(distribution: str | None) -> str | None:
    return None if distribution is None else re.sub(r"[-_.]+", "-", distribution).lower()


def expected_distribution(package: str, name: str) -> str | None:
    owners = PACKAGES.get(package, {})
    best = max((prefix for prefix in owners if under(name, prefix)), key=len, default=None)
    return None if best is None else owners[best]


def compare_locate(
    report: Report, package: str, names: list[str], found: Json, versions: Json
) -> None:
    what = f"locate {package}"
    report.check(
        not found["loaded_by_locate"],
        what,
        f"locate_module imported {found['loaded_by_locate']} (it must run nothing)",
    )
    for name in names:
        located, spec = found["located"][name], found["found"][name]
        if isinstance(spec, dict) and "error" in spec:
            # L1: find_spec imports the parents of a dotted name; when one fails to
            # import (django's models without settings), the standard library has
            # no answer to compare with. locate_module answers without importing.
            report.explain("L1 find_spec could not import a parent")
            continue
        if isinstance(located, dict) and "error" in located:
            report.check(False, what, f"{name}: locate_module raised {located['error']}")
            continue
        if spec is None or located is None:
            report.check(
                spec is None and located is None,
                what,
                f"{name}: locate_module gives {located and located['path']}, "
                f"find_spec gives {spec and (spec['origin'] or spec['loader'])}",
            )
            continue
        kind = expected_kind(spec["loader"])
        # L3: a frozen module is reported with the file it was frozen from, its
        # __file__ (the loader state's filename), kind frozen.
        path = spec["frozen_file"] if kind == "frozen" else spec["origin"]
        problems = []
        if kind is not None and located["kind"] != kind:
            problems.append(f"kind {located['kind']}, expected {kind} ({spec['loader']})")
        if located["path"] != path:
            problems.append(f"path {located['path']}, expected {path}")
        if located["is_package"] != spec["is_package"]:
            problems.append(f"is_package {located['is_package']}, expected {spec['is_package']}")
        # L2: the folders submodules are searched in are those of the live
        # __path__ once the package is imported (a pkgutil-style namespace package
        # extends it at import): locate_module must give them before the import.
        search = spec["live_path"] if spec["live_path"] is not None else spec["search_locations"]
        if spec["is_package"] and located["search_locations"] != search:
            problems.append(f"search_locations {located['search_locations']}, expected {search}")
        if package != "stdlib":
            distribution = expected_distribution(package, name)
            version = None if distribution is None else versions[distribution][1]
            if canonical(located["distribution"]) != canonical(distribution) or (
                located["version"] != version
            ):
                problems.append(
                    f"distribution {located['distribution']} {located['version']}, "
                    f"expected {distribution} {version}"
                )
        report.check(not problems, what, f"{name}: " + "; ".join(problems))


def compare_foreign_meta_path(report: Report, name: str, listed: list[str], found: Json) -> None:
    """M1: with only the editable finder on sys.meta_path, the finder's answers."""
    what = "locate with a foreign sys.meta_path"
    relative = os.path.join(*name.split(".")[1:]) + ".py"
    path = os.path.join(HERE, "projects", "rweditable", "source", "code", relative)
    report.check(bool(found["finders"]), what, "no editable finder on sys.meta_path")
    report.check(found["meta_path_kept"], what, "modutils changed the caller's sys.meta_path")
    report.check(
        found.get("located") == {"path": path, "distribution": "rweditable"},
        what,
        f"{name}: locate_module gives {found.get('located') or found.get('locate_error')}, "
        f"expected {path} from rweditable",
    )
    report.check(
        found.get("listed") == listed,
        what,
        f"iter_submodules gives {found.get('listed') or found.get('list_error')}, "
        f"expected {listed}",
    )


# -- modutils check against a fresh interpreter ------------------------------------------------


#: Imports one module; on failure names the exception's type on a marker line, as
#: ``modutils check`` names it (``__qualname__``), then lets it propagate.
FRESH_IMPORT = """\
import importlib, sys
try:
    importlib.import_module(sys.argv[1])
except BaseException as exc:
    print("realworld-error:", type(exc).__qualname__, file=sys.stderr)
    raise
"""


def fresh_import(name: str, workdir: str) -> str | None:
    """Import *name* alone in a new interpreter: None if it imports, else the exception's type."""
    done = run_python(["-c", FRESH_IMPORT, name], workdir)
    if done.returncode == 0:
        return None
    marked = [line for line in done.stderr.splitlines() if line.startswith("realworld-error: ")]
    return marked[-1].split()[-1] if marked else f"exit status {done.returncode}"


def compare_check(report: Report, package: str, listed: list[str], workdir: str) -> None:
    what = f"check {package}"
    # faulthandler: a crash of the interpreter is reported with the Python stack.
    command = ["-X", "faulthandler", "-m", "modutils", "check", package, "--json", "--quiet"]
    # A bytecode folder of its own: check compiles every module it imports, as on
    # the first run after an install (where CPython's compiler may need modules a
    # rollback of sys.modules removed: numpy's tests catch that).
    done = run_python(command, workdir, bytecode=f"check-{package}")
    try:
        result = json.loads(done.stdout)
    except ValueError:
        # Addresses (faulthandler's thread id) differ from run to run; the report must not.
        tail = re.sub(r"0x[0-9a-f]+", "0x...", "\n".join(done.stderr.splitlines()[-TAIL_LINES:]))
        detail = f"no JSON report (exit status {done.returncode}), stderr ends with:\n{tail}"
        report.check(False, what, detail)
        return
    report.check(
        done.returncode == (0 if result["ok"] else 1),
        what,
        f"exit status {done.returncode} with ok={result['ok']}",
    )
    # C2: check imports the package and every module iter_submodules lists; each
    # one ends up imported, failed, or skipped inside a failed package.
    accounted = {*result["imported"], *(entry["name"] for entry in result["failed"])}
    missing = sorted({package, *listed} - accounted - set(result["skipped"]))
    report.check(not missing, what, f"listed by iter_submodules, not checked: {missing[:8]}")
    verdicts: dict[str, str | None] = {}
    # "error" is "Type: message", Type the exception's __qualname__.
    failed = {entry["name"]: entry["error"].partition(":")[0] for entry in result["failed"]}
    for name in spread(result["imported"], SAMPLE["imported"]):
        verdicts[name] = None
    for name in spread(list(failed), SAMPLE["failed"]):
        verdicts[name] = failed[name]
    skipped = spread(result["skipped"], SAMPLE["skipped"])
    print(
        f"  check {package}: {len(result['imported'])} imported, {len(failed)} failed, "
        f"{len(result['skipped'])} skipped; {len(verdicts) + len(skipped)} imported afresh",
        flush=True,
    )
    for name, verdict in sorted(verdicts.items()):
        fresh = fresh_import(name, workdir)
        report.check(
            fresh == verdict,
            what,
            f"{name}: modutils check says {verdict or 'imports'}, "
            f"a fresh interpreter says {fresh or 'imports'}",
        )
    for name in skipped:
        # C1: a module inside a package that failed is skipped by check; a fresh
        # import of it fails too, since its package runs first and fails.
        fresh = fresh_import(name, workdir)
        report.check(
            fresh is not None,
            what,
            f"{name}: skipped inside a failed package, yet it imports in a fresh interpreter",
        )


# -- reload(dependents=True) in a cycle, then a smoke call -------------------------------------


def compare_reload(report: Report, target: str, found: Json) -> None:
    what = f"reload {target}"
    if "error" in found:
        report.check(False, what, f"reload(dependents=True) raised {found['error']}")
        return
    report.check(found["same_module_object"], what, "the module object was replaced")
    report.check(
        found["re_executed"] == found["defined"],
        what,
        f"not re-executed: {sorted(set(found['defined']) - set(found['re_executed']))}",
    )
    # R1: after the reload every module-level binding of a class or function of
    # the package is the object its defining module holds now, as after a fresh
    # import (bindings that a fresh import already leaves behind are not counted).
    new = sorted(set(found["stale_after"]) - set(found["stale_before"]))
    report.check(not new, what, f"{len(new)} bindings refer to old objects: {new[:8]}")
    if "smoke_error" in found:
        report.check(False, what, f"the package's smoke call raised {found['smoke_error']}")
    else:
        report.check(
            found["smoke_after"] == found["smoke_before"],
            what,
            f"the smoke call answers {found['smoke_after']!r}, "
            f"before the reload {found['smoke_before']!r}",
        )


# -- driver ---------------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    from probes import RELOADS  # the probes' table of reload scenarios; imports nothing else

    selected = argv or [*PACKAGES, "stdlib", *RELOADS]
    unknown = [name for name in selected if name not in {*PACKAGES, "stdlib", *RELOADS}]
    if unknown:
        print(f"unknown: {unknown}; choose from {[*PACKAGES, 'stdlib', *RELOADS]}")
        return 2
    report = Report()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="modutils-realworld-") as workdir:
        distributions = sorted(
            {dist for owners in PACKAGES.values() for dist in owners.values() if dist}
        )
        versions = probe("versions", distributions, workdir)
        for package in [name for name in selected if name in PACKAGES]:
            begin = time.perf_counter()
            found = probe("discover", [package], workdir)
            listed = [name for name, _ in found["static"]]
            names = compare_discovery(report, package, found)
            # Plus the package itself and names that must not be found: a missing
            # submodule, and a child of a plain module.
            plain = [name for name in names if not name.endswith("__main__")]
            queries = [package, *names, f"{package}.no_such_module_realworld"]
            if plain:
                queries.append(f"{plain[-1]}.no_such_child")
            names_file = os.path.join(workdir, f"names-{package}.json")
            with open(names_file, "w", encoding="utf-8") as stream:
                json.dump(queries, stream)
            found = probe("locate", [names_file], workdir)
            compare_locate(report, package, queries, found, versions)
            compare_check(report, package, listed, workdir)
            if package == "rweditable":
                # M1: modutils' own imports do not go through the caller's
                # sys.meta_path (astroid and editable installs replace it).
                target = "rweditable.shapes"
                found = probe("foreign_meta_path", [target], workdir)
                compare_foreign_meta_path(report, target, listed, found)
            print(
                f"{package}: {len(names)} modules, {time.perf_counter() - begin:.1f} s",
                flush=True,
            )
        if "stdlib" in selected:
            names_file = os.path.join(workdir, "names-stdlib.json")
            with open(names_file, "w", encoding="utf-8") as stream:
                json.dump(STDLIB_NAMES, stream)
            found = probe("locate", [names_file], workdir)
            compare_locate(report, "stdlib", STDLIB_NAMES, found, versions)
        for target in [name for name in selected if name in RELOADS]:
            compare_reload(report, target, probe("reload", [target], workdir))
            print(f"{target}: reloaded", flush=True)
    failed: dict[str, int] = {}
    for failure in report.failures:
        what = failure.removeprefix("FAIL ").partition(":")[0]
        failed[what] = failed.get(what, 0) + 1
    for what, count in sorted(failed.items()):
        print(f"failed: {what}: {count}")
    explained = ", ".join(f"{rule}: {count}" for rule, count in sorted(report.explained.items()))
    print(f"explained differences: {explained or 'none'}")
    print(
        f"realworld: {report.passed} checks passed, {len(report.failures)} failed, "
        f"{time.perf_counter() - started:.0f} s"
    )
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
