"""The modutils pytest plugin, loaded through the ``pytest11`` entry point."""

from __future__ import annotations

__all__: list[str] = []
