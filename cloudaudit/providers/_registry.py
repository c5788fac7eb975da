"""Find provider classes by name: built-ins first, then the ``cloudaudit.providers`` entry points.

Used for configuration-driven runs (a Lambda that reads provider names from its event); library
users construct providers directly.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from typing import Any

from cloudaudit.errors import ConfigurationError
from cloudaudit.providers._extras import require_extra

__all__ = ["BUILTIN_PROVIDERS", "get_provider", "provider_names"]

BUILTIN_PROVIDERS: dict[str, str] = {
    "aws": "cloudaudit.providers.aws:AwsProvider",
    "gcp": "cloudaudit.providers.gcp:GcpProvider",
    "azure": "cloudaudit.providers.azure:AzureProvider",
    "alibaba": "cloudaudit.providers.alibaba:AlibabaProvider",
}


def _plugins() -> dict[str, str]:
    found = {ep.name: ep.value for ep in entry_points(group="cloudaudit.providers")}
    return {**found, **BUILTIN_PROVIDERS}


def provider_names() -> list[str]:
    """Names accepted by :func:`get_provider`."""
    return sorted(_plugins())


def get_provider(name: str, **kwargs: Any) -> Any:
    """Construct a provider by name (``aws``, ``gcp``, ``azure``, ``alibaba`` or a plugin).

    Raises:
        ConfigurationError: no provider has this name.
        ProviderUnavailable: the provider's SDK extra is not installed.
    """
    target = _plugins().get(name)
    if target is None:
        raise ConfigurationError(
            f"unknown provider {name!r}; use one of: {', '.join(provider_names())}"
        )
    require_extra(name)
    module_name, _, attr = target.partition(":")
    cls = getattr(importlib.import_module(module_name), attr)
    return cls(**kwargs)
