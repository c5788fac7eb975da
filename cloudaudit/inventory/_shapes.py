"""What an export shape is, and the context its transforms share while one import runs."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cloudaudit.models import Location, LocationKind, ProviderId, Resource

__all__ = [
    "COPY_CAPABLE",
    "Context",
    "Shape",
    "copy_capable",
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


COPY_CAPABLE: frozenset[tuple[str, str]] = frozenset(
    {
        ("aws", "s3"),
        ("aws", "dynamodb"),
        ("aws", "rds"),
        ("aws", "efs"),
        ("aws", "fsx"),
        ("aws", "redshift"),
        ("aws", "backup"),
        ("aws", "ecr"),
        ("aws", "kms"),
        ("aws", "secretsmanager"),
        ("aws", "elasticache"),
        ("aws", "opensearch"),
        ("aws", "docdb"),
        ("aws", "neptune"),
        ("gcp", "storage"),
        ("gcp", "sqladmin"),
        ("gcp", "spanner"),
        ("gcp", "bigquery"),
        ("gcp", "bigtableadmin"),
        ("azure", "microsoft.storage"),
        ("azure", "microsoft.sql"),
        ("azure", "microsoft.documentdb"),
        ("azure", "microsoft.keyvault"),
        ("azure", "microsoft.recoveryservices"),
        ("azure", "microsoft.dataprotection"),
    }
)
"""``(provider, service)`` pairs whose data can be copied elsewhere (replicas, backups,
geo-redundancy). A source that cannot carry those copies gives them an ``unknown`` copy."""


def unknown_copy(provider: ProviderId, note: str | None = None) -> Location:
    """A copy whose place the source cannot tell (``note`` says why): judged unknown."""
    return Location(provider=provider, region=None, kind=LocationKind.UNKNOWN, note=note)


def copy_capable(provider: ProviderId, service: str) -> bool:
    """True when resources of ``service`` can hold copies of their data elsewhere."""
    return (provider.value, service.lower()) in COPY_CAPABLE


def with_unknown_copy(resource: Resource, source: str) -> Resource:
    """``resource`` with an ``unknown`` copy added when its service can copy data."""
    if not copy_capable(resource.provider, resource.service):
        return resource
    note = f"{source} does not carry its copies (replicas, backups)"
    extra = unknown_copy(resource.provider, note)
    if extra in resource.data_locations:
        return resource
    return resource.model_copy(update={"data_locations": (*resource.data_locations, extra)})


def text(mapping: Mapping[str, Any], *names: str) -> str:
    """The first non-empty of ``names`` in ``mapping``, as a string (``""`` when none)."""
    for name in names:
        value = mapping.get(name)
        if value not in (None, ""):
            return str(value)
    return ""
