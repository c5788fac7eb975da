"""Which optional extra each built-in provider needs, checked before any work starts.

A provider whose SDK is missing raises :class:`~cloudaudit.errors.ProviderUnavailable` naming
the extra when it is constructed (or looked up with ``get_provider``), so that a missing extra
is a configuration error (CLI exit code 2, no traceback), never an audit that found nothing.
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

from cloudaudit._provider_table import BUILTINS
from cloudaudit.errors import ProviderUnavailable

__all__ = ["EXTRAS", "require", "require_extra"]

#: provider name -> (extra, modules the provider imports from it), from the provider table
EXTRAS: dict[str, tuple[str, tuple[str, ...]]] = {
    spec.name: (spec.extra, spec.modules) for spec in BUILTINS if spec.extra is not None
}


def _present(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a missing parent package, or a broken one
        return False


def require(module: str, extra: str, provider: str | None = None) -> ModuleType:
    """Import an optional SDK module, or raise :class:`ProviderUnavailable` naming the extra.

    The one lazy SDK import of cloudaudit: every provider (and the Lambda) imports its SDK
    through it, inside the function that needs it, never at ``import cloudaudit``.

    Args:
        module: The module to import (``google.cloud.asset_v1``).
        extra: The ``cloudaudit[extra]`` that installs it.
        provider: The provider named in the message (defaults to ``extra``).
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        missing = getattr(exc, "name", None) or module
        raise ProviderUnavailable(provider or extra, extra, missing) from exc


def require_extra(provider: str) -> None:
    """Raise :class:`ProviderUnavailable` when a module of ``provider``'s extra is missing.

    Providers that are not built in (plugins) are not checked.
    """
    entry = EXTRAS.get(provider)
    if entry is None:
        return
    extra, modules = entry
    for module in modules:
        if not _present(module):
            raise ProviderUnavailable(provider, extra, module)
