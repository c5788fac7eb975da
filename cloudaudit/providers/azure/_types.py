"""Azure resource types named in reports, and the pure transform from a row to a Resource.

A *row* is one resource as a plain dict in the ARM/Resource Graph JSON shape: ``id``, ``name``,
``type``, ``location``, ``subscriptionId``, ``tags``, ``sku``, ``kind`` and ``properties``.
``properties`` is ``None`` when the listing did not return it (the per-subscription fallback):
the copies that need properties are then unknown, never assumed absent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cloudaudit.catalog import Catalog
from cloudaudit.models import Location, ProviderId, Resource
from cloudaudit.providers.azure._geo import UNKNOWN_COPY, Geo

__all__ = [
    "COPY_TYPES",
    "KNOWN_TYPES",
    "copies",
    "split_type",
    "to_resource",
]

KNOWN_TYPES: dict[str, tuple[str, str]] = {
    t.lower(): (t.split("/", 1)[0], t.split("/", 1)[1])
    for t in (
        "Microsoft.Storage/storageAccounts",
        "Microsoft.Compute/disks",
        "Microsoft.Compute/snapshots",
        "Microsoft.Compute/virtualMachines",
        "Microsoft.Compute/virtualMachineScaleSets",
        "Microsoft.Sql/servers",
        "Microsoft.Sql/servers/databases",
        "Microsoft.DocumentDB/databaseAccounts",
        "Microsoft.KeyVault/vaults",
        "Microsoft.ContainerService/managedClusters",
        "Microsoft.Web/sites",
        "Microsoft.RecoveryServices/vaults",
        "Microsoft.DataProtection/backupVaults",
    )
}
"""Lower-case ARM type → (service namespace, type) with Microsoft's casing."""

STORAGE = "microsoft.storage/storageaccounts"
COSMOS = "microsoft.documentdb/databaseaccounts"
RSV = "microsoft.recoveryservices/vaults"
BACKUP = "microsoft.dataprotection/backupvaults"
SQL_SERVER = "microsoft.sql/servers"
SQL_DB = "microsoft.sql/servers/databases"

COPY_TYPES: dict[str, str] = {
    COSMOS: "Cosmos DB replica locations (properties.locations)",
    RSV: "Recovery Services vault storage redundancy (properties.redundancySettings)",
    BACKUP: "Backup vault storage redundancy (properties.storageSettings)",
}
"""Types whose copies need ``properties`` (absent from ``resources.list``)."""

_GEO_SKUS = ("GRS", "GZRS")  # also matches RAGRS / RAGZRS


def split_type(arm_type: str) -> tuple[str, str]:
    """Return ``(service, type)``: ``Microsoft.Storage``, ``storageAccounts`` for known types.

    Unknown types keep the casing they were listed with (Resource Graph lower-cases them).
    """
    known = KNOWN_TYPES.get(arm_type.lower())
    if known:
        return known
    service, _, rest = arm_type.partition("/")
    return service, rest or arm_type


def copies(row: Mapping[str, Any], primary: str, geo: Geo, catalog: Catalog) -> list[Location]:
    """Return the locations that hold copies of a row's data (pure)."""
    kind = str(row.get("type") or "").lower()
    raw = row.get("properties")
    if kind == STORAGE:
        return _storage(row, raw, primary, geo, catalog)
    if kind not in COPY_TYPES:
        return []
    if not isinstance(raw, Mapping):
        return [UNKNOWN_COPY]
    props: Mapping[str, Any] = raw
    if kind == COSMOS:
        locs = props.get("locations") or props.get("readLocations") or []
        names = [geo.name_of(x.get("locationName")) for x in locs if isinstance(x, Mapping)]
        found = [geo.location(n, catalog) for n in names if n]
        return found or [UNKNOWN_COPY]
    if kind == RSV:
        settings = props.get("redundancySettings") or {}
        return _redundancy(settings.get("standardTierStorageRedundancy"), primary, geo, catalog)
    if kind == BACKUP:
        types = [
            s.get("type") for s in props.get("storageSettings") or () if isinstance(s, Mapping)
        ]
        if not types:
            return [UNKNOWN_COPY]
        return [c for t in types for c in _redundancy(t, primary, geo, catalog)]
    return []


def _storage(
    row: Mapping[str, Any], props: Any, primary: str, geo: Geo, catalog: Catalog
) -> list[Location]:
    sku = str((row.get("sku") or {}).get("name") or "").upper()
    if not sku:
        return [UNKNOWN_COPY]
    if not any(s in sku for s in _GEO_SKUS):
        return []
    secondary = props.get("secondaryLocation") if isinstance(props, Mapping) else None
    target = geo.name_of(secondary) if secondary else geo.pair_of(primary)
    return [geo.location(target, catalog)] if target else [UNKNOWN_COPY]


def _redundancy(value: Any, primary: str, geo: Geo, catalog: Catalog) -> list[Location]:
    text = str(value or "")
    if text in ("LocallyRedundant", "ZoneRedundant"):
        return []
    if text == "GeoRedundant":
        pair = geo.pair_of(primary)
        return [geo.location(pair, catalog)] if pair else [UNKNOWN_COPY]
    return [UNKNOWN_COPY]


def _tags(raw: Any) -> dict[str, str]:
    if not isinstance(raw, Mapping):
        return {}
    return {str(k): "" if v is None else str(v) for k, v in raw.items()}


def to_resource(
    row: Mapping[str, Any],
    subscription: str,
    geo: Geo,
    catalog: Catalog,
    extra_copies: Sequence[Location] = (),
) -> Resource:
    """Turn one row into a :class:`Resource` (pure: no I/O)."""
    arm_type = str(row.get("type") or "")
    service, rtype = split_type(arm_type)
    location = geo.location(row.get("location"), catalog)
    data = copies(row, location.region or "", geo, catalog) + list(extra_copies)
    unique = tuple(dict.fromkeys(d for d in data if d != location))
    return Resource(
        provider=ProviderId.AZURE,
        account=str(row.get("subscriptionId") or subscription),
        service=service,
        type=rtype,
        id=str(row.get("id") or ""),
        name=str(row.get("name") or ""),
        location=location,
        data_locations=unique,
        tags=_tags(row.get("tags")),
    )
