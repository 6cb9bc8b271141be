"""Sphinx configuration for the modutils documentation."""

from __future__ import annotations

import re

from modutils import __version__

TYPE_CHECKING = False
if TYPE_CHECKING:
    from sphinx.application import Sphinx

project = "modutils"
author = "The modutils developers"
copyright = "2026, The modutils developers"
release = __version__
version = __version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
    "sphinx.ext.napoleon",
]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
exclude_patterns = ["_build"]
myst_enable_extensions = ["colon_fence"]
myst_heading_anchors = 3

html_theme = "furo"
html_title = f"modutils {version}"
html_static_path = ["_static"]
html_css_files = ["wrap.css"]

autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_preserve_defaults = True
napoleon_google_docstring = True
napoleon_numpy_docstring = False

# Every doctest group, in pages and in docstrings pulled in by autodoc, starts
# with the public API imported. It must also leave the import state as it found
# it, so that one example's modules and folders never change what the next one
# shows: the global clean-up, which runs after the group's own ``testcleanup``
# code, fails the build when ``sys.path`` differs or a module loaded during the
# group is still registered although its file is gone (a deleted temporary
# folder whose clean-up forgot ``sys.modules``).
doctest_global_setup = """
import modutils
from modutils import *
import os as _doctest_os, sys as _doctest_sys
_doctest_path = list(_doctest_sys.path)
_doctest_modules = set(_doctest_sys.modules)
"""
doctest_global_cleanup = """
_doctest_left = sorted(
    name
    for name, module in list(_doctest_sys.modules.items())
    if name not in _doctest_modules
    and isinstance(getattr(module, "__file__", None), str)
    and not _doctest_os.path.exists(module.__file__)
)
assert not _doctest_left, f"modules of deleted files left in sys.modules: {_doctest_left}"
assert _doctest_sys.path == _doctest_path, (
    f"sys.path changed: {_doctest_path} became {_doctest_sys.path}"
)
"""


def _drop_field_alias(
    app: object, what: str, name: str, obj: object, options: object, lines: list[str]
) -> None:
    """Hide the "Alias for field number N" text of NamedTuple fields without a ``#:`` comment.

    It tells a reader nothing (issue 21).
    """
    if lines and len(lines) <= 2 and lines[0].startswith("Alias for field number "):
        lines.clear()


# A docstring's example ends with the statements that undo it (remove its folder
# from sys.path, forget its modules, delete its files) so that it also passes
# under plain doctest. On a page they are noise (issue 21), but they must still
# run, in place: the docstrings of a page share one doctest group, and reuse
# names such as ``folder``. So a trailing run of such statements becomes a
# hidden doctest block.
_CLEANUP = re.compile(
    r">>> (?:del sys\.modules\[|sys\.modules\.pop\(|sys\.path\.remove\("
    r"|\w+\.cleanup\(\)$|shutil\.rmtree\(|os\.rmdir\()"
)


def _hide_cleanup(
    app: object, what: str, name: str, obj: object, options: object, lines: list[str]
) -> None:
    """Turn the clean-up statements that end a docstring example into a hidden doctest."""
    index = 0
    while index < len(lines):
        start = index
        while index < len(lines) and _CLEANUP.match(lines[index].strip()):
            index += 1
        ends_block = index == len(lines) or not lines[index].strip()
        if index > start and ends_block and start > 0 and lines[start - 1].strip():
            indent = lines[start][: len(lines[start]) - len(lines[start].lstrip())]
            hidden = ["", f"{indent}.. doctest::", f"{indent}   :hide:", ""]
            hidden += [f"{indent}   {line.strip()}" for line in lines[start:index]]
            lines[start:index] = hidden
            index = start + len(hidden)
        index = max(index, start + 1)


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("autodoc-process-docstring", _drop_field_alias)
    app.connect("autodoc-process-docstring", _hide_cleanup)
    return {"parallel_read_safe": True}
