"""What an export shape is, and the context its transforms share while one import runs."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cloudaudit.copymodel import unseen_copies
from cloudaudit.models import Location, LocationKind, ProviderId, Resource

__all__ = [
    "Context",
    "Shape",
    "arm_type",
    "text",
    "unknown_copy",
    "with_unknown_copy",
]


@dataclass
class Context:
    """State shared by the records of one import (every file of it).

    Copies given only by a name (an S3 replication destination ARN, a Cloud SQL replica name)
    are resolved from the resources of the same import: :meth:`lookup` returns the place of
    a name seen so far, and counts a miss; a record with misses is converted again at the
    end, when every name has been seen (then a name still unknown is an ``unknown`` copy).

    Attributes:
        places: ``(kind, name)`` → region, for the kinds that copies refer to by name.
        misses: Names looked up and not found while converting the current record.
        final: True in the last pass: a miss is then final.
        extra: Per-shape state (Azure locations, GCP project ids).
    """

    places: dict[tuple[str, str], str] = field(default_factory=dict)
    misses: int = 0
    final: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def lookup(self, kind: str, name: str) -> str | None:
        """The region of ``name`` (of ``kind``: ``s3``, ``sql``), or None (a miss)."""
        found = self.places.get((kind, name))
        if found is None:
            self.misses += 1
        return found

    def register(self, resource: Resource) -> None:
        """Remember where a resource is, for copies that name it."""
        key = _PLACE_KEYS.get((resource.provider.value, resource.service, resource.type))
        region = resource.location.region
        if key and region:
            self.places[(key, resource.name)] = region


_PLACE_KEYS = {
    ("aws", "s3", "bucket"): "s3",
    ("gcp", "sqladmin", "instance"): "sql",
}

Convert = Callable[[Any, Context], Iterable[Resource]]
Match = Callable[[Any, "str | None"], bool]


@dataclass(frozen=True)
class Shape:
    """One export shape: how it is recognised and how its records become resources.

    Attributes:
        name: Short id (``gcp-asset-export``), reported as the audited scope's method.
        title: The tools and commands that write it.
        looks_for: What detection looks for, shown when a file matches no shape.
        match: ``(first record, envelope key)`` → whether the file has this shape.
        convert: One record → resources; raises ``ValueError``/``KeyError``/``TypeError``
            for a record it cannot read (it becomes a gap naming file and line).
        keys: Envelope keys the records may sit under (``None``: a bare list or lines).
    """

    name: str
    title: str
    looks_for: str
    match: Match
    convert: Convert
    keys: tuple[str | None, ...] = (None,)


def unknown_copy(provider: ProviderId, note: str | None = None) -> Location:
    """A copy whose place the source cannot tell (``note`` says why): judged unknown."""
    return Location(provider=provider, region=None, kind=LocationKind.UNKNOWN, note=note)


def with_unknown_copy(resource: Resource, source: str, carried: Iterable[str] = ()) -> Resource:
    """``resource`` with an ``unknown`` copy for each mechanism ``source`` does not carry.

    One per copy mechanism the live provider reads for the resource's type (the copy model's
    :func:`~cloudaudit.copymodel.unseen_copies`) other than ``carried``: a record that shows no
    copy is no evidence of none. A type the copy model does not declare gets its unknown copy
    from the policy engine.
    """
    why = f"{source} does not carry it"
    unseen = unseen_copies(resource.provider, resource.service, resource.type, carried, why)
    extra = tuple(c for c in unseen if c not in resource.data_locations)
    if not extra:
        return resource
    return resource.model_copy(update={"data_locations": (*resource.data_locations, *extra)})


def text(mapping: Mapping[str, Any], *names: str) -> str:
    """The first non-empty of ``names`` in ``mapping``, as a string (``""`` when none)."""
    for name in names:
        value = mapping.get(name)
        if value not in (None, ""):
            return str(value)
    return ""


def arm_type(resource_id: str) -> str:
    """The ARM type an Azure resource id names, ``""`` when it names none.

    ``/subscriptions/s/resourceGroups/g/providers/Microsoft.Sql/servers/a/databases/b`` →
    ``Microsoft.Sql/servers/databases``.
    """
    if "/providers/" not in resource_id:
        return ""
    segments = resource_id.split("/providers/", 1)[1].split("/")
    return f"{segments[0]}/{'/'.join(segments[1::2])}" if len(segments) > 2 else ""
