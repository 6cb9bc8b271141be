"""modutils._paths: the path types public functions accept."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from modutils._paths import fspath_str


class _BytesPathLike:
    def __fspath__(self) -> bytes:
        return b"/x"


@pytest.mark.parametrize("path", ["/x", Path("/x")])
def test_str_and_pathlike_give_str(path: str | os.PathLike[str]) -> None:
    assert fspath_str(path, what="path") == "/x"


@pytest.mark.parametrize(
    ("path", "fragment"),
    [(b"/x", "not bytes"), (None, "not NoneType"), (1, "not int"), (_BytesPathLike(), "bytes")],
)
def test_other_types_raise_type_error_naming_the_argument(path: object, fragment: str) -> None:
    with pytest.raises(TypeError, match=f"^target must be a str or os.PathLike.*{fragment}"):
        fspath_str(path, what="target")
