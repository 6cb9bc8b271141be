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

from __future__ import annotations

from modutils._version import __version__
from modutils.errors import ModuleLoadError, ModutilsError, ReloadError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from modutils.discovery import ModuleInfo, import_submodules, iter_submodules
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
    from modutils.reloading import reload
    from modutils.syspath import ImportSnapshot, extend_sys_path, preserve_import_state

__all__ = [
    "ImportSnapshot",
    "Member",
    "MemberKind",
    "ModuleInfo",
    "ModuleKind",
    "ModuleLoadError",
    "ModuleLocation",
    "ModutilsError",
    "ReloadError",
    "StaticMember",
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
    "ImportSnapshot": "modutils.syspath",
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
    "ModuleKind": "modutils.locate",
    "ModuleLocation": "modutils.locate",
    "clear_locate_cache": "modutils.locate",
    "is_stdlib_module": "modutils.locate",
    "locate_module": "modutils.locate",
    "lazy_import": "modutils.lazy",
    "lazy_attach": "modutils.lazy",
    "lazy_attach_stub": "modutils.lazy",
    "lazy_attach_type_checking": "modutils.lazy",
}


def __getattr__(name: str) -> object:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'modutils' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(module_name), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
