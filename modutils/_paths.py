"""File-system paths as the public functions accept them."""

from __future__ import annotations

import os

__all__ = ["fspath_str", "looks_like_path"]


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


def looks_like_path(target: str) -> bool:
    """Whether *target*, a command-line or API argument, names a file rather than a module.

    A path holds a separator (``/``, or the platform's ``os.sep``/``os.altsep``) or
    ends with a source suffix (``.py``, ``.pyw``); a dotted module name never does.
    """
    separators = {"/", os.sep, os.altsep or "/"}
    return target.endswith((".py", ".pyw")) or any(sep in target for sep in separators)
