"""Find providers by name: the built-in table first, then the ``cloudaudit.providers`` entry points.

The CLI (``cloudaudit audit <name>``) and the Lambda (``{"name": ...}``) build providers here,
so a provider another package installs through the entry point is offered by both without a
change to cloudaudit. Library users may also construct providers directly.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from typing import Any

from cloudaudit._provider_table import BUILTINS, ProviderSpec
from cloudaudit.errors import ConfigurationError
from cloudaudit.providers._extras import require_extra

__all__ = [
    "BUILTIN_PROVIDERS",
    "ENTRY_POINT_GROUP",
    "get_provider",
    "provider_class",
    "provider_names",
    "provider_specs",
]

ENTRY_POINT_GROUP = "cloudaudit.providers"

BUILTIN_PROVIDERS: dict[str, str] = {spec.name: spec.target for spec in BUILTINS}
"""``name -> module:Class`` of the built-in providers (the package's entry-point defaults)."""


def provider_specs() -> dict[str, ProviderSpec]:
    """Every provider by name: plugins from the entry points, then the built-ins (which win)."""
    found = {
        ep.name: ProviderSpec(ep.name, ep.value, help=f"Audit with the {ep.name} provider plugin.")
        for ep in entry_points(group=ENTRY_POINT_GROUP)
    }
    return {**found, **{spec.name: spec for spec in BUILTINS}}


def provider_names() -> list[str]:
    """Names accepted by :func:`get_provider`."""
    return sorted(provider_specs())


def _spec(name: str) -> ProviderSpec:
    spec = provider_specs().get(name)
    if spec is None:
        raise ConfigurationError(
            f"unknown provider {name!r}; use one of: {', '.join(provider_names())}"
        )
    return spec


def provider_class(name: str) -> Any:
    """The class of provider ``name`` (imports it; checks its SDK extra first).

    Raises:
        ConfigurationError: no provider has this name.
        ProviderUnavailable: the provider's SDK extra is not installed.
    """
    spec = _spec(name)
    require_extra(name)
    module_name, _, attr = spec.target.partition(":")
    return getattr(importlib.import_module(module_name), attr)


def get_provider(name: str, **kwargs: Any) -> Any:
    """Construct a provider by name (``aws``, ``gcp``, ``azure``, ``alibaba`` or a plugin).

    Raises:
        ConfigurationError: no provider has this name.
        ProviderUnavailable: the provider's SDK extra is not installed.
    """
    return provider_class(name)(**kwargs)
