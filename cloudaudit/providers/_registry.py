"""Find providers by name: the built-in table first, then the ``cloudaudit.providers`` entry points.

The CLI (``cloudaudit audit <name>``) and the Lambda (``{"name": ...}``) build providers here,
so a provider another package installs through the entry point is offered by both without a
change to cloudaudit. Library users may also construct providers directly.

Inventory import reads a provider's pure record-to-model transforms here too
(:func:`record_transform`), never by importing the provider: the table declares them as lazy
``module:callable`` references, and a plugin declares its own in the ``inventory_records``
attribute of its entry point's class.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Mapping
from importlib.metadata import entry_points
from typing import Any

from cloudaudit._provider_table import BUILTINS, ProviderSpec
from cloudaudit.errors import ConfigurationError
from cloudaudit.providers._extras import require, require_extra

__all__ = [
    "BUILTIN_PROVIDERS",
    "ENTRY_POINT_GROUP",
    "get_provider",
    "provider_class",
    "provider_names",
    "provider_specs",
    "record_transform",
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


_BY_NAME = {spec.name: spec for spec in BUILTINS}
_RECORDS = {spec.name: dict(spec.records) for spec in BUILTINS}


def _records(name: str) -> Mapping[str, str]:
    """``kind -> module:callable`` of provider ``name``: the table's, or a plugin's attribute."""
    builtin = _RECORDS.get(name)
    if builtin is not None:
        return builtin
    declared = getattr(provider_class(name), "inventory_records", None) or {}
    if not isinstance(declared, Mapping):
        raise ConfigurationError(f"{name}: inventory_records must map a kind to 'module:callable'")
    return {str(kind): str(ref) for kind, ref in declared.items()}


@functools.cache
def _load(name: str, ref: str, extra: str | None) -> Callable[..., Any]:
    module_name, _, attr = ref.partition(":")
    module = require(module_name, extra, name) if extra else importlib.import_module(module_name)
    found: object = getattr(module, attr, None)
    if not callable(found):
        raise ConfigurationError(f"{name}: inventory record transform {ref!r} is not callable")
    return found


def record_transform(name: str, kind: str) -> Callable[..., Any]:
    """Provider ``name``'s pure function for inventory records of ``kind`` (imported lazily).

    The contract of each kind (arguments, result) is the provider's public function's own; the
    built-in kinds are listed in the provider table (``cloudaudit/_provider_table.py``).

    Raises:
        ConfigurationError: no provider has this name, or it declares no such kind.
        ProviderUnavailable: the module of the transform needs a missing SDK (names the extra).
    """
    records = _records(name)
    ref = records.get(kind)
    if ref is None:
        known = ", ".join(sorted(records)) or "none"
        raise ConfigurationError(
            f"provider {name!r} declares no inventory record kind {kind!r} (it has: {known})"
        )
    spec = _BY_NAME.get(name)
    return _load(name, ref, spec.extra if spec else None)
