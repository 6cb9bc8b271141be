"""Development sessions: ``nox`` runs tests (3.10-3.13), typecheck, lint, docs and realworld."""

from __future__ import annotations

import glob
import os

import nox

PYTHONS = ["3.10", "3.11", "3.12", "3.13"]

nox.needs_version = ">=2024.4.15"
nox.options.sessions = ["tests", "typecheck", "lint", "docs", "realworld"]
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.error_on_missing_interpreters = True


def _put_pyenv_interpreters_on_path() -> None:
    """Make ``python3.X`` resolve to pyenv's installs, with no ``pyenv global`` needed.

    pyenv's shims answer only for the selected versions; the interpreters
    themselves live in ``$PYENV_ROOT/versions/3.X.Y/bin``.
    """
    root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    folders = []
    for version in PYTHONS:
        pattern = os.path.join(root, "versions", f"{version}.*", "bin", f"python{version}")
        found = sorted(
            glob.glob(pattern),
            key=lambda p: [int(x) for x in p.split(os.sep)[-3].split(".") if x.isdigit()],
        )
        if found:
            folders.append(os.path.dirname(found[-1]))
    os.environ["PATH"] = os.pathsep.join([*folders, os.environ.get("PATH", "")])
    # uv must use these interpreters, never download its own.
    os.environ.setdefault("UV_PYTHON_DOWNLOADS", "never")


_put_pyenv_interpreters_on_path()


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """Run the test suite against a regular (wheel) install of the package."""
    session.install(".[tests]")
    session.run("pytest", *session.posargs)


@nox.session(python="3.11")
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the package, the tests and the benchmarks."""
    session.install("-e", ".[typecheck]")
    session.run(
        "mypy",
        "--strict",
        "modutils",
        "tests",
        "benchmarks",
        "noxfile.py",
        # The scripts only: the fixture projects under realworld/projects ship two
        # copies of the same namespace package on purpose.
        "realworld/run.py",
        "realworld/probes.py",
    )


@nox.session(python="3.11")
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check."""
    session.install(".[lint]")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python="3.11")
def docs(session: nox.Session) -> None:
    """Build the docs with warnings as errors, then run their doctests."""
    session.install(".[docs]")
    build = os.path.join("docs", "_build")
    session.run("sphinx-build", "-W", "--keep-going", "-b", "html", "docs", f"{build}/html")
    session.run("sphinx-build", "-W", "--keep-going", "-b", "doctest", "docs", f"{build}/doctest")


@nox.session(python="3.11")
def bench(session: nox.Session) -> None:
    """Time each helper against its standard-library baseline (not part of ``nox``)."""
    # Installed as pip installs (bytecode compiled), as the packages the rows walk
    # and import are on users' machines; uv compiles nothing unless told to.
    session.install(".[bench]", env={"UV_COMPILE_BYTECODE": "1"})
    session.run("python", "-m", "benchmarks", *session.posargs)


@nox.session(python="3.11")
def realworld(session: nox.Session) -> None:
    """Compare modutils with the standard library on pinned real packages (issue 19).

    numpy, django, rich, pydantic, flask and sqlalchemy at the versions pinned in
    ``realworld/requirements.txt``, plus three local projects: an editable install
    served by setuptools' meta path finder, and the two portions of a pkgutil-style
    namespace package (one a wheel in site-packages, one editable). Only the
    installs use the network; ``realworld/run.py`` works offline. ``nox -s
    realworld -- rich flask.wrappers`` runs the checks of some names only.
    """
    projects = os.path.join("realworld", "projects")
    # No bytecode: uv compiles none unless told to; pip (the virtualenv fallback)
    # must be told not to. run.py keeps bytecode in folders of each run only, so
    # every run imports from source, as the first run after an install does.
    no_bytecode = [] if session.venv_backend == "uv" else ["--no-compile"]
    session.install(
        *no_bytecode,
        # The compiled ones as wheels only: a pin without a wheel for this Python
        # fails the install at once instead of compiling for minutes.
        "--only-binary",
        "numpy,pydantic-core,sqlalchemy,greenlet,markupsafe",
        "-r",
        os.path.join("realworld", "requirements.txt"),
        # modutils as users install it (a wheel), not editable.
        ".",
        os.path.join(projects, "legns-alpha"),
        "-e",
        os.path.join(projects, "legns-beta"),
        "-e",
        os.path.join(projects, "rweditable"),
        env={"UV_COMPILE_BYTECODE": "0"},
    )
    session.run("python", os.path.join("realworld", "run.py"), *session.posargs)
