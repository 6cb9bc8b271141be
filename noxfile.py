"""Development sessions: ``nox`` runs tests (3.10-3.13), typecheck, lint and docs."""

from __future__ import annotations

import glob
import os

import nox

PYTHONS = ["3.10", "3.11", "3.12", "3.13"]

nox.needs_version = ">=2024.4.15"
nox.options.sessions = ["tests", "typecheck", "lint", "docs"]
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
    session.run("mypy", "--strict", "modutils", "tests", "benchmarks", "noxfile.py")


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
