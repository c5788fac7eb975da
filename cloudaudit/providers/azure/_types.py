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
from cloudaudit.models import Location, LocationKind, ProviderId, Resource
from cloudaudit.providers.azure._geo import UNKNOWN_COPY, Geo

__all__ = [
    "COPY_TYPES",
    "KNOWN_TYPES",
    "UNREAD_KEY",
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
        "Microsoft.Sql/managedInstances",
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
SQL_MI = "microsoft.sql/managedinstances"
KEYVAULT = "microsoft.keyvault/vaults"

COPY_TYPES: dict[str, str] = {
    COSMOS: "Cosmos DB replica locations and backup redundancy (properties.locations, "
    "properties.backupPolicy)",
    RSV: "Recovery Services vault storage redundancy (properties.redundancySettings)",
    BACKUP: "Backup vault storage redundancy (properties.storageSettings)",
    SQL_DB: "SQL database backup storage redundancy (properties.currentBackupStorageRedundancy)",
    SQL_MI: "SQL managed instance backup storage redundancy "
    "(properties.currentBackupStorageRedundancy)",
}
"""Types whose copies need ``properties`` (absent from ``resources.list``)."""

UNREAD_KEY = "_propertiesUnread"
"""Row key naming the GET that failed to read ``properties`` (the copies' reason quotes it)."""

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


def _unknown(via: str, note: str) -> Location:
    return UNKNOWN_COPY.model_copy(update={"via": via, "note": note})


def _paired(primary: str, geo: Geo, catalog: Catalog, via: str, why: str) -> Location:
    """The paired region of ``primary`` as a copy, or an unknown copy saying why."""
    pair = geo.pair_of(primary)
    if not pair:
        return _unknown(via, f"{why}, but Azure publishes no paired region for {primary or '?'}")
    note = f"{why}: the paired region of {primary}" if why else f"the paired region of {primary}"
    return geo.location(pair, catalog).model_copy(update={"via": via, "note": note})


def copies(row: Mapping[str, Any], primary: str, geo: Geo, catalog: Catalog) -> list[Location]:
    """Return the locations that hold copies of a row's data (pure)."""
    kind = str(row.get("type") or "").lower()
    raw = row.get("properties")
    if kind == STORAGE:
        return _storage(row, raw, primary, geo, catalog)
    if kind == KEYVAULT:
        return [_paired(primary, geo, catalog, "azure.keyvault.paired-region", "")]
    if kind not in COPY_TYPES:
        return []
    if not isinstance(raw, Mapping):
        failed = row.get(UNREAD_KEY)
        note = (
            f"{failed}: {COPY_TYPES[kind]}"
            if failed
            else f"properties not returned: {COPY_TYPES[kind]}"
        )
        extra = [_unknown("azure.cosmos.backup-redundancy", note)] if kind == COSMOS else []
        return [_unknown(_VIA[kind], note), *extra]
    props: Mapping[str, Any] = raw
    if kind == COSMOS:
        return _cosmos(props, primary, geo, catalog)
    if kind in (SQL_DB, SQL_MI):
        return _backup_redundancy(kind, props, primary, geo, catalog)
    if kind == RSV:
        settings = props.get("redundancySettings") or {}
        return _redundancy(
            settings.get("standardTierStorageRedundancy"), primary, geo, catalog, RSV
        )
    types = [s.get("type") for s in props.get("storageSettings") or () if isinstance(s, Mapping)]
    if not types:
        return [_unknown(_VIA[BACKUP], "the vault returned no storageSettings")]
    return [c for t in types for c in _redundancy(t, primary, geo, catalog, BACKUP)]


_VIA = {
    COSMOS: "azure.cosmos.replica-regions",
    RSV: "azure.recoveryservices.storage-redundancy",
    BACKUP: "azure.dataprotection.storage-redundancy",
    SQL_DB: "azure.sql.backup-redundancy",
    SQL_MI: "azure.sql-mi.backup-redundancy",
}


def _cosmos(props: Mapping[str, Any], primary: str, geo: Geo, catalog: Catalog) -> list[Location]:
    """Replica regions, and the paired region of periodic backups with Geo redundancy."""
    locs = props.get("locations") or props.get("readLocations") or []
    names = [geo.name_of(x.get("locationName")) for x in locs if isinstance(x, Mapping)]
    via = _VIA[COSMOS]
    found = [
        geo.location(n, catalog).model_copy(update={"via": via, "note": "a replica region"})
        for n in names
        if n
    ]
    out = found or [_unknown(via, "the account returned no locations")]
    policy = props.get("backupPolicy")
    bvia = "azure.cosmos.backup-redundancy"
    if not isinstance(policy, Mapping):
        return [*out, _unknown(bvia, "the account returned no backupPolicy")]
    if str(policy.get("type") or "").lower() == "continuous":
        return out  # continuous backups stay in each region the account is in
    periodic = policy.get("periodicModeProperties") or {}
    redundancy = str(periodic.get("backupStorageRedundancy") or "")
    if redundancy in ("Local", "Zone"):
        return out
    if redundancy == "Geo":
        why = "periodic backups use Geo redundancy"
        return [*out, _paired(primary, geo, catalog, bvia, why)]
    return [*out, _unknown(bvia, f"periodic backup storage redundancy {redundancy or 'not set'}")]


def _backup_redundancy(
    kind: str, props: Mapping[str, Any], primary: str, geo: Geo, catalog: Catalog
) -> list[Location]:
    """SQL database / managed instance backups: Geo and GeoZone go to the paired region."""
    value = (
        props.get("currentBackupStorageRedundancy")
        or props.get("requestedBackupStorageRedundancy")
        or props.get("backupStorageRedundancy")
        or props.get("storageAccountType")  # managed instances before 2021: GRS/LRS/ZRS
    )
    text = str(value or "")
    via = _VIA[kind]
    if text in ("Local", "Zone", "LRS", "ZRS"):
        return []
    if text in ("Geo", "GeoZone", "GRS", "GZRS"):
        return [_paired(primary, geo, catalog, via, f"backups use {text} redundancy")]
    return [_unknown(via, f"backup storage redundancy {text or 'not returned'}")]


def _storage(
    row: Mapping[str, Any], props: Any, primary: str, geo: Geo, catalog: Catalog
) -> list[Location]:
    via = "azure.storage.geo-redundancy"
    sku = str((row.get("sku") or {}).get("name") or "").upper()
    if not sku:
        return [_unknown(via, "the account returned no sku")]
    if not any(s in sku for s in _GEO_SKUS):
        return []
    secondary = props.get("secondaryLocation") if isinstance(props, Mapping) else None
    if secondary:
        loc = geo.location(geo.name_of(secondary), catalog)
        return [loc.model_copy(update={"via": via, "note": f"{sku} secondary location"})]
    return [_paired(primary, geo, catalog, via, f"{sku} replicates to the secondary region")]


def _redundancy(value: Any, primary: str, geo: Geo, catalog: Catalog, kind: str) -> list[Location]:
    text = str(value or "")
    if text in ("LocallyRedundant", "ZoneRedundant"):
        return []
    if text == "GeoRedundant":
        return [_paired(primary, geo, catalog, _VIA[kind], "vault storage is GeoRedundant")]
    return [_unknown(_VIA[kind], f"storage redundancy {text or 'not returned'}")]


def _tags(raw: Any) -> dict[str, str]:
    if not isinstance(raw, Mapping):
        return {}
    return {str(k): "" if v is None else str(v) for k, v in raw.items()}


def extended(location: Location, ext: Any) -> Location:
    """The place of a resource with an ``extendedLocation``: not its ``location`` region.

    An Azure Arc custom location (``CustomLocation``) is the customer's own infrastructure:
    the region is only where its metadata lives, so the location names the custom location
    as its ``site`` (unknown unless the policy's ``premises`` maps it, as an AWS Outpost). An
    Azure Extended Zone (``EdgeZone``) is a metro site that the catalog does not place:
    unknown, with a note naming it and its parent region.
    """
    if not isinstance(ext, Mapping) or not ext.get("name"):
        return location
    name, kind = str(ext["name"]), str(ext.get("type") or "")
    if kind.lower() == "customlocation":
        return location.model_copy(update={"site": name, "kind": LocationKind.UNKNOWN})
    note = (
        f"in Azure extended location {name} ({kind or 'type not given'}, parent region "
        f"{location.region or 'unknown'}), which the region catalog does not place"
    )
    return Location(provider=ProviderId.AZURE, region=None, kind=LocationKind.UNKNOWN, note=note)


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
    location = extended(location, row.get("extendedLocation") or row.get("extended_location"))
    here = (location.region, location.zone)
    unique = tuple(dict.fromkeys(d for d in data if d.region is None or (d.region, d.zone) != here))
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
