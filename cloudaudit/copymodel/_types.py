"""The vocabulary of the copy model: mechanisms and per-type declarations (pure data).

Declarations written by ``scripts/generate.py`` (the AWS collectors' own) are stored as JSON:
:func:`declarations_json` writes that text and :func:`declarations_from_json` reads it back.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from enum import StrEnum

from cloudaudit.models import ProviderId

__all__ = [
    "NOT_READ",
    "Declaration",
    "Mechanism",
    "MechanismKind",
    "declarations_from_json",
    "declarations_json",
]

NOT_READ = "not read"
"""The ``field`` of a mechanism that exists but that cloudaudit does not read."""


class MechanismKind(StrEnum):
    """The ways data of a resource can exist somewhere else."""

    REPLICATION = "replication"
    REPLICA = "replica"
    BACKUP = "backup"
    SNAPSHOT = "snapshot"
    PAIRED_REGION = "paired-region"
    MULTI_REGION = "multi-region"
    EDGE_CACHE = "edge-cache"
    STORAGE_LOCATION = "storage-location"


@dataclass(frozen=True)
class Mechanism:
    """One way a resource's data can exist elsewhere.

    Attributes:
        id: Stable id, ``<provider>.<service>.<what>`` (``azure.sql.backup-redundancy``).
            Copies produced by this mechanism carry it in :attr:`Location.via`.
        kind: What sort of mechanism it is.
        title: What an auditor reads in a reason ("backups with Geo redundancy").
        field: The API field (and call) that tells where the copy is, or :data:`NOT_READ`.
        test: The test that shows the mechanism read (``path::function``), or the test that
            shows the unknown copy when it is not read.
    """

    id: str
    kind: MechanismKind
    title: str
    field: str
    test: str

    @property
    def read(self) -> bool:
        """True when a collector reads where this mechanism puts the data."""
        return self.field != NOT_READ


@dataclass(frozen=True)
class Declaration:
    """Every way the data of one resource type can exist elsewhere.

    Attributes:
        provider: The cloud.
        service: :attr:`Resource.service` as the provider reports it.
        type: :attr:`Resource.type` as the provider reports it.
        mechanisms: The copy mechanisms; empty when the type has none.
        note: Why a type has no mechanism, or what is copied as a resource of its own.
    """

    provider: ProviderId
    service: str
    type: str
    mechanisms: tuple[Mechanism, ...] = ()
    note: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        """``(provider, service lower-case, type lower-case)``."""
        return (self.provider.value, self.service.lower(), self.type.lower())


def declarations_json(declarations: Iterable[Declaration]) -> str:
    """The declarations as a JSON list (the text of a generated declaration file)."""
    return json.dumps([asdict(d) for d in declarations], indent=2, ensure_ascii=False) + "\n"


def declarations_from_json(text: str) -> tuple[Declaration, ...]:
    """The declarations :func:`declarations_json` wrote, in the same order.

    Raises:
        ValueError: An unknown provider or mechanism kind.
        KeyError: A declaration or mechanism without one of its fields.
    """
    return tuple(
        Declaration(
            provider=ProviderId(d["provider"]),
            service=d["service"],
            type=d["type"],
            mechanisms=tuple(
                Mechanism(
                    id=m["id"],
                    kind=MechanismKind(m["kind"]),
                    title=m["title"],
                    field=m["field"],
                    test=m["test"],
                )
                for m in d["mechanisms"]
            ),
            note=d["note"],
        )
        for d in json.loads(text)
    )
