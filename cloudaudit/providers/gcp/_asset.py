"""Fast path: Cloud Asset Inventory ``searchAllResources``, one asset type per unit of work.

:func:`fetch_search` only calls the API and paginates; :func:`to_resource` is pure. Fields
relied on in each ``ResourceSearchResult``: ``name`` (full resource name, used as the id),
``assetType``, ``project`` (``projects/NUMBER``), ``parentFullResourceName``, ``displayName``,
``location``, ``labels``, and ``versionedResources[].resource`` (the resource's own API
representation), read for ``storageLocations`` / ``sourceDisk`` / ``sourceInstance`` (compute
snapshots, images, machine images), ``location`` / ``locationType`` /
``customPlacementConfig.dataLocations`` (buckets), ``replication`` (secrets) and
``messageStoragePolicy`` (Pub/Sub topics). When ``versionedResources`` is absent the same keys
are looked up in ``additionalAttributes``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cloudaudit.evidence._record import recorded
from cloudaudit.models import Location, LocationKind, ProviderId, Resource
from cloudaudit.providers.gcp._locations import (
    bucket_locations,
    labels,
    parse_location,
    replica_locations,
    spanner_location,
    sql_backup_copies,
    stored_locations,
)
from cloudaudit.providers.gcp._paging import guarded_items

__all__ = ["ASSET_TYPES", "READ_MASK", "fetch_search", "service_and_type", "to_resource"]

ASSET_TYPES: tuple[str, ...] = (
    "storage.googleapis.com/Bucket",
    "compute.googleapis.com/Instance",
    "compute.googleapis.com/Disk",
    "compute.googleapis.com/Snapshot",
    "compute.googleapis.com/Image",
    "compute.googleapis.com/MachineImage",
    "sqladmin.googleapis.com/Instance",
    "spanner.googleapis.com/Instance",
    "bigtableadmin.googleapis.com/Instance",
    "bigtableadmin.googleapis.com/Cluster",
    "file.googleapis.com/Instance",
    "file.googleapis.com/Backup",
    "alloydb.googleapis.com/Cluster",
    "redis.googleapis.com/Instance",
    "bigquery.googleapis.com/Dataset",
    "container.googleapis.com/Cluster",
    "run.googleapis.com/Service",
    "cloudfunctions.googleapis.com/Function",
    "cloudfunctions.googleapis.com/CloudFunction",
    "artifactregistry.googleapis.com/Repository",
    "pubsub.googleapis.com/Topic",
    "secretmanager.googleapis.com/Secret",
    "cloudkms.googleapis.com/KeyRing",
)
"""The searchable asset types that hold or process data, in the order units are scheduled."""

READ_MASK = "name,assetType,project,displayName,location,labels,parentFullResourceName"
"""Fields requested for every asset type."""

WITH_COPIES = frozenset(
    {
        "storage.googleapis.com/Bucket",
        "compute.googleapis.com/Snapshot",
        "compute.googleapis.com/Image",
        "compute.googleapis.com/MachineImage",
        "secretmanager.googleapis.com/Secret",
        "pubsub.googleapis.com/Topic",
        "sqladmin.googleapis.com/Instance",
        "spanner.googleapis.com/Instance",
    }
)
"""Asset types whose copies are read from ``versionedResources`` / ``additionalAttributes``."""
PAGE_SIZE = 500  # the API maximum


def service_and_type(asset_type: str) -> tuple[str, str]:
    """``compute.googleapis.com/Snapshot`` → ``("compute", "snapshot")``."""
    host, _, kind = asset_type.partition("/")
    service = host.split(".", 1)[0]
    return service, (kind[:1].lower() + kind[1:]) if kind else "resource"


@recorded("cloudasset:searchAllResources")
def fetch_search(
    client: Any, scope: str, asset_types: Sequence[str], **call: Any
) -> list[dict[str, Any]]:
    """Search all resources of ``asset_types`` under ``scope``, following every page.

    Args:
        client: An ``asset_v1.AssetServiceClient``.
        scope: ``organizations/ID``, ``folders/ID`` or ``projects/ID``.
        asset_types: Asset types to search for.
        **call: Per-call options (``retry``, ``timeout``).

    Returns:
        Each result as a JSON-style mapping (camelCase keys, as the REST API sends them).
    """
    from google.cloud import asset_v1

    mask = READ_MASK
    if WITH_COPIES.intersection(asset_types):
        mask += ",additionalAttributes,versionedResources"
    request = asset_v1.SearchAllResourcesRequest(
        scope=scope, asset_types=list(asset_types), page_size=PAGE_SIZE, read_mask=mask
    )
    pager = client.search_all_resources(request=request, **call)
    return [
        _as_mapping(r)
        for r in guarded_items(pager, f"cloudasset.searchAllResources {scope}", "results")
    ]


def _as_mapping(result: Any) -> dict[str, Any]:
    """A search result as a JSON-style mapping (reads the raw protobuf: fast on large pages)."""
    from google.protobuf.json_format import MessageToDict

    pb = type(result).pb(result)
    out: dict[str, Any] = {
        "name": pb.name,
        "assetType": pb.asset_type,
        "project": pb.project,
        "displayName": pb.display_name,
        "location": pb.location,
        "parentFullResourceName": pb.parent_full_resource_name,
        "labels": dict(pb.labels),
    }
    if pb.versioned_resources:
        out["versionedResources"] = [
            {"version": v.version, "resource": MessageToDict(v.resource)}
            for v in pb.versioned_resources
        ]
    if pb.HasField("additional_attributes"):
        out["additionalAttributes"] = MessageToDict(pb.additional_attributes)
    return out


def _versioned(result: Mapping[str, Any]) -> Mapping[str, Any]:
    """The resource's own representation: newest versioned resource, else additional attrs."""
    for item in result.get("versionedResources") or ():
        resource = item.get("resource")
        if isinstance(resource, Mapping) and resource:
            return resource
    extra = result.get("additionalAttributes")
    return extra if isinstance(extra, Mapping) else {}


def _account(result: Mapping[str, Any], ids_by_number: Mapping[str, str]) -> str:
    number = str(result.get("project") or "").rsplit("/", 1)[-1]
    if number and number in ids_by_number:
        return ids_by_number[number]
    parent = str(result.get("parentFullResourceName") or "")
    if "/projects/" in parent:
        return parent.split("/projects/", 1)[1].split("/", 1)[0]
    return number or "unknown"


def _locations(asset_type: str, result: Mapping[str, Any]) -> tuple[Location, tuple[Location, ...]]:
    raw = _versioned(result)
    own = parse_location(result.get("location"))
    if asset_type == "storage.googleapis.com/Bucket":
        placement = raw.get("customPlacementConfig") or {}
        return bucket_locations(
            str(raw.get("location") or result.get("location") or ""),
            raw.get("locationType"),
            list(placement.get("dataLocations") or ()),
        )
    if asset_type in _STORED_ELSEWHERE:
        return stored_locations(
            list(raw.get("storageLocations") or ()), _STORED_ELSEWHERE[asset_type]
        )
    if asset_type == "sqladmin.googleapis.com/Instance":
        region = str(raw.get("region") or own.region or "") or None
        backups = sql_backup_copies(raw, region)
        return own, tuple(c for c in backups if c.region is None or c.region != own.region)
    if asset_type == "spanner.googleapis.com/Instance":
        return spanner_location(str(raw.get("config") or result.get("location") or "")), ()
    if asset_type == "secretmanager.googleapis.com/Secret":
        managed = (raw.get("replication") or {}).get("userManaged") or {}
        regions = [str(r.get("location")) for r in managed.get("replicas") or ()]
        if regions:
            return replica_locations(regions, "gcp.secretmanager.replicas")
        return own if own.kind is not LocationKind.UNKNOWN else parse_location("global"), ()
    if asset_type == "pubsub.googleapis.com/Topic":
        policy = raw.get("messageStoragePolicy") or {}
        regions = list(policy.get("allowedPersistenceRegions") or ())
        return replica_locations(regions, "gcp.pubsub.persistence-regions")
    return own, ()


_STORED_ELSEWHERE = {
    "compute.googleapis.com/Snapshot": "gcp.compute.snapshot-storage",
    "compute.googleapis.com/Image": "gcp.compute.image-storage",
    "compute.googleapis.com/MachineImage": "gcp.compute.machine-image-storage",
}


def to_resource(result: Mapping[str, Any], ids_by_number: Mapping[str, str]) -> Resource:
    """Map one ``ResourceSearchResult`` to a :class:`Resource`.

    Args:
        result: The search result (camelCase keys).
        ids_by_number: Project number → project id, from scope discovery.

    Returns:
        The resource; ``id`` is the full resource name, ``account`` the project id.
    """
    asset_type = str(result.get("assetType", ""))
    service, kind = service_and_type(asset_type)
    name = str(result.get("name", ""))
    location, data_locations = _locations(asset_type, result)
    return Resource(
        provider=ProviderId.GCP,
        account=_account(result, ids_by_number),
        service=service,
        type=kind,
        id=name,
        name=str(result.get("displayName") or name.rsplit("/", 1)[-1]),
        location=location,
        data_locations=data_locations,
        tags=labels(result.get("labels")),
    )
