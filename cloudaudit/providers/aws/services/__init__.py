"""AWS service collectors, one module per AWS service (found in this package, imported lazily)."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator

from cloudaudit.copymodel import Declaration
from cloudaudit.providers.aws._base import Collector

__all__ = ["FIRST", "PROVIDER_SERVICES", "SERVICE_MODULES", "all_collectors", "copy_declarations"]

FIRST: tuple[str, ...] = ("s3", "ec2", "rds", "dynamodb")
"""Run before the others (the largest inventories: their units start first); the rest follow
in name order."""


def _discover() -> tuple[str, ...]:
    """The module names of this package (``lambda_`` for Lambda), :data:`FIRST` first."""
    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))
    return tuple(sorted(names, key=lambda n: FIRST.index(n) if n in FIRST else len(FIRST)))


SERVICE_MODULES: tuple[str, ...] = _discover()
"""The AWS API names accepted by ``--services``, one module per service (``services/<name>.py``,
found in this package: adding a service adds no line here)."""

PROVIDER_SERVICES: tuple[str, ...] = ("config", "controltower", "ec2", "organizations", "s3", "sts")
"""Services the provider calls itself besides its collectors (account, regions, probes,
organization, guardrails, Config aggregators): typed in ``_client_types`` like theirs."""


def all_collectors(services: frozenset[str] | None = None) -> Iterator[Collector]:
    """Yield the collectors of the selected services (all when ``services`` is None)."""
    for module_name in SERVICE_MODULES:
        if services is not None and module_name.rstrip("_") not in services:
            continue  # each module holds one service's collectors; import only what is asked
        module = importlib.import_module(f"{__name__}.{module_name}")
        for collector in module.COLLECTORS:
            if services is None or collector.service in services:
                yield collector


def copy_declarations() -> tuple[Declaration, ...]:
    """The copy declarations of every collector (:attr:`Collector.copies`), in collector order.

    ``scripts/generate.py`` writes them to the copy model (``cloudaudit/copymodel/aws.json``).

    Two collectors may list one resource type (EC2's snapshots and those in its Recycle
    Bin) when they share its one declaration.

    Raises:
        ValueError: Two collectors declare the same resource type differently.
    """
    out: dict[tuple[str, str, str], Declaration] = {}
    for collector in all_collectors():
        found = collector.copies
        if found is not None:
            if out.get(found.key, found) != found:
                raise ValueError(f"two collectors declare the copies of {found.key} differently")
            out[found.key] = found
    return tuple(out.values())
