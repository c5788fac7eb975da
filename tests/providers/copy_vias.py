"""The copy-mechanism check every cloud's estate test runs on what its provider reported.

docs/copies.md promises that a copy a provider read carries, in ``data_locations[].via``, the
id of the mechanism that put the data there. :func:`wrong_vias` names every copy that does
not: no ``via``, or one that is not among the mechanisms the copy model declares for the
resource's (provider, service, type) nor the copy model's own ``UNDECLARED``.
"""

from __future__ import annotations

from collections.abc import Iterable

from cloudaudit.copymodel import UNDECLARED, declaration
from cloudaudit.models import Resource

__all__ = ["vias", "wrong_vias"]


def wrong_vias(resources: Iterable[Resource]) -> list[str]:
    """One line per copy whose ``via`` is missing or not declared for its resource's type."""
    out: list[str] = []
    for r in resources:
        found = declaration(r.provider, r.service, r.type)
        allowed = {m.id for m in found.mechanisms} if found is not None else set()
        for loc in r.data_locations:
            if loc.via not in allowed | {UNDECLARED}:
                where = loc.region or loc.note or loc.kind.value
                out.append(
                    f"{r.provider.value} {r.service}/{r.type} {r.name}: {where} via {loc.via}"
                )
    return out


def vias(resources: Iterable[Resource]) -> set[str | None]:
    """Every ``via`` of every copy (to show that an estate has the copies it is meant to)."""
    return {loc.via for r in resources for loc in r.data_locations}
