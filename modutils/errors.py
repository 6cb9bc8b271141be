"""The exceptions modutils raises for failures of the code it imports or reloads.

Bad input (a wrong type, a malformed name, a missing file) gets the most specific
built-in exception instead: :class:`TypeError`, :class:`ValueError`,
:class:`FileNotFoundError` or :class:`ModuleNotFoundError`.
"""

from __future__ import annotations

__all__ = ["LiveReloadWarning", "ModuleLoadError", "ModutilsError", "ReloadError"]


class ModutilsError(Exception):
    """Base class of every exception that modutils defines.

    Catch it to handle any failure that modutils reports about user code.

    Example:
        >>> import modutils
        >>> issubclass(modutils.ReloadError, modutils.ModutilsError)
        True
    """


class ModuleLoadError(ModutilsError, ImportError):
    """Running a module's code failed while modutils was loading it.

    Raised by :func:`modutils.import_path` (and the helpers built on it) when the
    module's code raises, ``SyntaxError`` included. The original exception is the
    ``__cause__``; :attr:`name` and :attr:`path` say which module and file failed, and
    the import state is left exactly as it was before the call.

    Example:
        >>> err = ModuleLoadError("cannot load 'plugin'", name="plugin", path="/x/plugin.py")
        >>> err.name, err.path
        ('plugin', '/x/plugin.py')
        >>> isinstance(err, ImportError)
        True
    """


class ReloadError(ModutilsError, ImportError):
    """A module could not be reloaded; it was left exactly as it was.

    Raised by :func:`modutils.reload` when re-executing a module (or one of its
    dependents) fails, or when the module cannot be reloaded at all (builtin,
    frozen, extension or source-less modules). :attr:`name` and :attr:`path` name
    the module that failed; the original exception, if any, is the ``__cause__``.

    Example:
        >>> err = ReloadError("cannot reload 'sys': builtin module", name="sys")
        >>> err.name, err.path
        ('sys', None)
    """


class LiveReloadWarning(UserWarning):
    """A live reload replaced an object it could not update in place.

    Issued by :func:`modutils.reload` with ``live=True`` for each function or class
    whose new version could not be copied into the old object (changed base
    classes, metaclass or ``__slots__`` layout, a closure with other free
    variables, an object of a C type): the module holds the new version, as after a
    plain reload, while existing references keep the old one.
    :class:`modutils.Reloader` reports these in its result instead.

    Example:
        >>> issubclass(LiveReloadWarning, UserWarning)
        True
    """
