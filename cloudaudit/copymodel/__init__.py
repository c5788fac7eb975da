"""The copy model: every way each reported resource type's data can exist elsewhere.

For every resource type a provider reports, each mechanism and the API field that tells where
the copy is (or that it is not read). This is the one place that code and docs read
(docs/copies.md is generated from it by ``scripts/generate.py``, which also writes the AWS
declarations, ``aws.json``, from the AWS collectors' own). The rule it enforces, in
:func:`unread_copies`:

* a declared mechanism whose field cloudaudit does not read gives the resource an *unknown*
  copy whose reason names the mechanism;
* a type the declaration does not cover gives an unknown copy too ("no copy declaration");

so neither can ever read as compliant. Copies that collectors do read carry the mechanism id
in :attr:`~cloudaudit.models.Location.via`.

Example:
    >>> from cloudaudit.copymodel import declaration
    >>> [m.id for m in declaration("azure", "Microsoft.KeyVault", "vaults").mechanisms]
    ['azure.keyvault.paired-region']
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from cloudaudit.copymodel._alibaba import ALIBABA
from cloudaudit.copymodel._aws import AWS
from cloudaudit.copymodel._azure import AZURE
from cloudaudit.copymodel._gcp import GCP
from cloudaudit.copymodel._types import NOT_READ, Declaration, Mechanism, MechanismKind
from cloudaudit.models import Location, LocationKind, ProviderId, Resource

__all__ = [
    "DECLARATIONS",
    "DECLARED_PROVIDERS",
    "NOT_READ",
    "UNDECLARED",
    "Declaration",
    "Mechanism",
    "MechanismKind",
    "declaration",
    "mechanism",
    "type_unread_copies",
    "undeclared",
    "unread_copies",
    "unseen_copies",
]

DECLARATIONS: tuple[Declaration, ...] = (*AWS, *AZURE, *GCP, *ALIBABA)
"""Every declaration, by provider."""

DECLARED_PROVIDERS: frozenset[ProviderId] = frozenset(d.provider for d in DECLARATIONS)
"""Providers whose collectors are held to the declaration."""

UNDECLARED = "undeclared"
"""The ``via`` of the unknown copy given to a type the declaration does not cover."""


@cache
def _index() -> dict[tuple[str, str, str], Declaration]:
    out: dict[tuple[str, str, str], Declaration] = {}
    for d in DECLARATIONS:
        if d.key in out:
            raise ValueError(f"duplicate copy declaration for {d.key}")
        out[d.key] = d
    return out


@cache
def _mechanisms() -> dict[str, Mechanism]:
    return {m.id: m for d in DECLARATIONS for m in d.mechanisms}


def declaration(provider: ProviderId | str, service: str, type_: str) -> Declaration | None:
    """The declaration of one resource type, or ``None`` when the type is not declared."""
    return _index().get((ProviderId(provider).value, service.lower(), type_.lower()))


def mechanism(mechanism_id: str | None) -> Mechanism | None:
    """The declared mechanism with this id (a copy's ``via``), else ``None``."""
    return _mechanisms().get(mechanism_id) if mechanism_id else None


@cache
def _unread(provider: ProviderId, service: str, type_: str) -> tuple[Location, ...]:
    found = declaration(provider, service, type_)
    if found is None:
        note = (
            f"cloudaudit declares no copy mechanism for {provider.value} {service}/{type_}, "
            "so copies of its data (replicas, backups, paired regions) cannot be ruled out"
        )
        return (Location(provider=provider, kind=LocationKind.UNKNOWN, via=UNDECLARED, note=note),)
    return tuple(
        Location(
            provider=provider,
            kind=LocationKind.UNKNOWN,
            via=m.id,
            note="not read by cloudaudit (docs/copies.md lists what is read)",
        )
        for m in found.mechanisms
        if not m.read
    )


def unread_copies(resource: Resource) -> tuple[Location, ...]:
    """The unknown copies a resource gets from the declaration (pure, cached per type).

    Empty for a provider that has no declaration (a user's inventory, another cloud).
    """
    return type_unread_copies(resource.provider, resource.service, resource.type)


def type_unread_copies(provider: ProviderId, service: str, type_: str) -> tuple[Location, ...]:
    """:func:`unread_copies` of every resource of one type: the same, shared, tuple each call."""
    if provider not in DECLARED_PROVIDERS:
        return ()
    return _unread(provider, service, type_)


def undeclared(resources: Iterable[Resource]) -> set[tuple[str, str, str]]:
    """``(provider, service, type)`` of the resources whose type has no declaration.

    Only providers held to the declaration count (see :data:`DECLARED_PROVIDERS`).
    """
    return {
        (r.provider.value, r.service, r.type)
        for r in resources
        if r.provider in DECLARED_PROVIDERS and declaration(r.provider, r.service, r.type) is None
    }


def unseen_copies(
    provider: ProviderId, service: str, type_: str, carried: Iterable[str], why: str
) -> tuple[Location, ...]:
    """Unknown copies for what a source of one type's records does not carry.

    One per mechanism a collector reads for the type (a mechanism nobody reads gets its
    unknown copy from :func:`unread_copies` anyway) whose id is not in ``carried``: a record
    that shows no copy is no evidence of none by a mechanism it cannot show (an AWS Config
    item, an export of another tool, a search result). Empty for a type without a
    declaration, which :func:`unread_copies` covers.

    Args:
        provider: The cloud.
        service: :attr:`Resource.service`.
        type_: :attr:`Resource.type`.
        carried: Ids of the mechanisms the source does carry (their copies read from it).
        why: The note's tail (``"not recorded in a configuration item"``), after the title.
    """
    found = declaration(provider, service, type_)
    if found is None:
        return ()
    skip = frozenset(carried)
    return tuple(
        Location(provider=provider, kind=LocationKind.UNKNOWN, via=m.id, note=f"{m.title}: {why}")
        for m in found.mechanisms
        if m.read and m.id not in skip
    )
