"""File-system paths as the public functions accept them."""

from __future__ import annotations

import os

__all__ = ["fspath_str"]


def fspath_str(path: object, *, what: str) -> str:
    """*path*, a ``str`` or an ``os.PathLike[str]``, as a ``str``.

    :param what: how the message names the argument (``"path"``,
        ``"extend_sys_path() path"``).
    :raises TypeError: *path* is of another type, or its ``__fspath__()`` gives
        ``bytes``.
    """
    if isinstance(path, str):
        return path
    if isinstance(path, os.PathLike):
        text = os.fspath(path)
        if isinstance(text, str):
            return text
        raise TypeError(
            f"{what} must be a str or os.PathLike[str], but {path!r}.__fspath__() "
            f"returned {type(text).__name__}: {text!r}"
        )
    raise TypeError(
        f"{what} must be a str or os.PathLike[str], not {type(path).__name__}: {path!r}"
    )
