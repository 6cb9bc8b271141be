"""Sphinx configuration for the modutils documentation."""

from __future__ import annotations

from modutils import __version__

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
