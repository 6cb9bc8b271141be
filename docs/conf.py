"""Sphinx configuration for the modutils documentation."""

from __future__ import annotations

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

# Every doctest block, in pages and in docstrings pulled in by autodoc, starts
# with the public API imported.
doctest_global_setup = """
import modutils
from modutils import *
"""


def _drop_field_alias(
    app: object, what: str, name: str, obj: object, options: object, lines: list[str]
) -> None:
    """Hide the "Alias for field number N" text of NamedTuple fields without a ``#:`` comment.

    It tells a reader nothing (issue 21).
    """
    if lines and len(lines) <= 2 and lines[0].startswith("Alias for field number "):
        lines.clear()


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("autodoc-process-docstring", _drop_field_alias)
    return {"parallel_read_safe": True}
