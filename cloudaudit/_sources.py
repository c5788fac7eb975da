"""Dated answers: the as-of date, catalog entries and legal lists a report's verdicts rest on."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from pydantic import BaseModel, ConfigDict

from cloudaudit.models import Place
from cloudaudit.policies import Policy, load_lists

__all__ = ["CatalogEntryUsed", "ListUsed", "Sources", "sources_of"]

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class CatalogEntryUsed(BaseModel):
    """A catalog entry a report's verdicts rest on, with its source and review date."""

    model_config = _FROZEN

    provider: str
    region: str | None = None
    zone: str | None = None
    country: str | None = None
    operator: str | None = None
    verified: bool = False
    source: str | None = None
    reviewed: str | None = None


class ListUsed(BaseModel):
    """A legal list a report's policy used, as it stood on the report's as-of date."""

    model_config = _FROZEN

    id: str
    citation: str
    effective: date
    reviewed: date
    link: str
    members_on_as_of: int


class Sources(BaseModel):
    """What a report's answers are dated by: the as-of date, catalog entries and legal lists."""

    model_config = _FROZEN

    as_of: date
    catalog: tuple[CatalogEntryUsed, ...] = ()
    lists: tuple[ListUsed, ...] = ()


def sources_of(places: Iterable[Place], policy: Policy, as_of: date) -> Sources:
    """The :class:`Sources` of a report: each place judged, each list the policy names."""
    catalog = sorted(
        (
            CatalogEntryUsed(
                provider=p.provider.value,
                region=p.region,
                zone=p.zone,
                country=p.country,
                operator=p.operator,
                verified=p.verified,
                source=p.source,
                reviewed=p.reviewed,
            )
            for p in places
        ),
        key=lambda e: (e.provider, e.region or "", e.zone or ""),
    )
    lists = load_lists()
    entries = policy.restricted if policy.restricted is not None else policy.allowed or ()
    used = [
        ListUsed(
            id=lid,
            citation=lists[lid].citation,
            effective=lists[lid].effective,
            reviewed=lists[lid].reviewed,
            link=lists[lid].link,
            members_on_as_of=len(lists[lid].members_on(as_of)),
        )
        for lid in entries
        if lid in lists
    ]
    return Sources(as_of=as_of, catalog=tuple(catalog), lists=tuple(used))
