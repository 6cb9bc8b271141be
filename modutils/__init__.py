"""modutils: typed, safe helpers for module management.

List a module's members, reload it transactionally, extend ``sys.path`` for a
while, discover a package's submodules without running them, load a module from
any file path, and locate a module without importing it.

``import modutils`` is cheap: each capability module is imported the first time
one of its names is used (PEP 562 module ``__getattr__``).

Example:
    >>> import modutils
    >>> modutils.is_stdlib_module("json.decoder")
    True
"""

# No `from __future__ import annotations` and no eager import of a module that has
# it: `python -m modutils` runs this file with the current folder first on
# sys.path, and that statement imports the `__future__` module, which a file in
# the current folder would replace (issue 18). modutils.__main__ drops the folder
# from sys.path before importing anything else.
from modutils._version import __version__

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import ModuleType

    from modutils.discovery import ModuleInfo, import_submodules, iter_submodules
    from modutils.errors import LiveReloadWarning, ModuleLoadError, ModutilsError, ReloadError
    from modutils.lazy import (
        lazy_attach,
        lazy_attach_stub,
        lazy_attach_type_checking,
        lazy_import,
    )
    from modutils.loading import import_path, import_string
    from modutils.locate import (
        ModuleKind,
        ModuleLocation,
        clear_locate_cache,
        is_stdlib_module,
        locate_module,
    )
    from modutils.members import (
        Member,
        MemberKind,
        StaticMember,
        list_members,
        list_members_static,
    )
    from modutils.pytest_plugin import MakeModule, SysPathFixture
    from modutils.reloader import Reloader, ReloadFailure, ReloadReport, ReplacedObject
    from modutils.reloading import reload
    from modutils.syspath import (
        ImportSnapshot,
        ImportStateGuard,
        SysPathExtension,
        extend_sys_path,
        preserve_import_state,
    )

__all__ = [
    "ImportSnapshot",
    "ImportStateGuard",
    "LiveReloadWarning",
    "MakeModule",
    "Member",
    "MemberKind",
    "ModuleInfo",
    "ModuleKind",
    "ModuleLoadError",
    "ModuleLocation",
    "ModutilsError",
    "ReloadError",
    "ReloadFailure",
    "ReloadReport",
    "Reloader",
    "ReplacedObject",
    "StaticMember",
    "SysPathExtension",
    "SysPathFixture",
    "__version__",
    "clear_locate_cache",
    "extend_sys_path",
    "import_path",
    "import_string",
    "import_submodules",
    "is_stdlib_module",
    "iter_submodules",
    "lazy_attach",
    "lazy_attach_stub",
    "lazy_attach_type_checking",
    "lazy_import",
    "list_members",
    "list_members_static",
    "locate_module",
    "preserve_import_state",
    "reload",
]

# Public name -> the capability module that defines it, imported on first use.
_LAZY: dict[str, str] = {
    "ModuleLoadError": "modutils.errors",
    "ModutilsError": "modutils.errors",
    "ReloadError": "modutils.errors",
    "LiveReloadWarning": "modutils.errors",
    "ImportSnapshot": "modutils.syspath",
    "ImportStateGuard": "modutils.syspath",
    "SysPathExtension": "modutils.syspath",
    "extend_sys_path": "modutils.syspath",
    "preserve_import_state": "modutils.syspath",
    "import_path": "modutils.loading",
    "import_string": "modutils.loading",
    "ModuleInfo": "modutils.discovery",
    "import_submodules": "modutils.discovery",
    "iter_submodules": "modutils.discovery",
    "Member": "modutils.members",
    "MemberKind": "modutils.members",
    "StaticMember": "modutils.members",
    "list_members": "modutils.members",
    "list_members_static": "modutils.members",
    "reload": "modutils.reloading",
    "Reloader": "modutils.reloader",
    "ReloadFailure": "modutils.reloader",
    "ReloadReport": "modutils.reloader",
    "ReplacedObject": "modutils.reloader",
    "ModuleKind": "modutils.locate",
    "ModuleLocation": "modutils.locate",
    "clear_locate_cache": "modutils.locate",
    "is_stdlib_module": "modutils.locate",
    "locate_module": "modutils.locate",
    # The pytest fixtures' types, for annotations (as pytest-mock re-exports
    # MockerFixture); importing them imports pytest, so only on first use.
    "MakeModule": "modutils.pytest_plugin",
    "SysPathFixture": "modutils.pytest_plugin",
    "lazy_import": "modutils.lazy",
    "lazy_attach": "modutils.lazy",
    "lazy_attach_stub": "modutils.lazy",
    "lazy_attach_type_checking": "modutils.lazy",
}


def __getattr__(name: str) -> object:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'modutils' has no attribute {name!r}")
    from sys import modules

    if module_name not in modules:
        try:
            # __import__, not importlib.import_module: importing the importlib package
            # (and warnings with it) would add to every script's first call.
            __import__(module_name)
        except ImportError:
            # sys.meta_path replaced by the caller (editable-install finders, astroid):
            # modutils' own modules come from the standard finders all the same.
            _load_own().import_own(module_name)

    value = getattr(modules[module_name], name)
    globals()[name] = value  # later look-ups skip this function
    return value


def _load_own() -> "ModuleType":
    """``modutils._own``, loaded through PathFinder itself if the caller's finders fail."""
    from sys import modules

    own = modules.get("modutils._own")
    if own is None:
        # The import system itself, loaded before any user code runs.
        import _frozen_importlib
        import _frozen_importlib_external

        spec = _frozen_importlib_external.PathFinder.find_spec("modutils._own", __path__)
        own = _frozen_importlib._load(spec)  # type: ignore[attr-defined]
    return own


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
