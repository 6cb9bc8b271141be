"""An editable package: ``Shape`` and ``render`` are re-exported from modules in a cycle."""

from rweditable.drawing import render
from rweditable.shapes import Shape

__all__ = ["Shape", "render"]
