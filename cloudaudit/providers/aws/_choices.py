"""The arguments that choose what an AWS audit covers: regions and services (checked early)."""

from __future__ import annotations

from collections.abc import Iterable

from cloudaudit.errors import ConfigurationError
from cloudaudit.providers._choose import chosen
from cloudaudit.providers.aws._partitions import region_name_error
from cloudaudit.providers.aws.services import SERVICE_MODULES

__all__ = ["SERVICE_NAMES", "check_services", "checked_regions"]

SERVICE_NAMES: frozenset[str] = frozenset(m.rstrip("_") for m in SERVICE_MODULES)
"""The AWS API names accepted by ``services`` / ``--services``."""


def checked_regions(regions: Iterable[str] | None) -> tuple[str, ...] | None:
    """``regions`` as a provider keeps them: none (every region), or names of regions.

    Raises:
        ConfigurationError: They name nothing, or a value is not a region name.
    """
    named = chosen(regions, "regions", "region")
    for region in named or ():
        problem = region_name_error(region)
        if problem is not None:
            raise ConfigurationError(f"regions: {problem}")
    return named


def check_services(services: Iterable[str] | None) -> frozenset[str] | None:
    """``services`` as a provider keeps them: none (every service), or known AWS API names.

    Raises:
        ConfigurationError: They name nothing, or a name that no collector has.
    """
    named = chosen(services, "services", "service")
    if named is None:
        return None
    wanted = frozenset(s.lower() for s in named)
    unknown = sorted(wanted - SERVICE_NAMES)
    if unknown:
        raise ConfigurationError(
            f"unknown AWS service(s): {', '.join(unknown)}; "
            f"use AWS API names among: {', '.join(sorted(SERVICE_NAMES))}"
        )
    return wanted
