"""Fallback path: per-project listing with google-cloud-storage and google-cloud-compute.

Used for a project where Cloud Asset search is disabled or denied. ``fetch_*`` functions only
call the API and paginate, returning JSON-style mappings (camelCase keys, as the REST APIs send
them); ``to_*`` functions are pure. Ids are full resource names, the same as the Cloud Asset
path, so a resource seen by both is judged once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from cloudaudit.evidence._record import recorded
from cloudaudit.models import Location, ProviderId, Resource
from cloudaudit.providers._detail import left_out
from cloudaudit.providers.gcp._locations import (
    bucket_locations,
    labels,
    parse_location,
    stored_locations,
)
from cloudaudit.providers.gcp._paging import guarded_items, guarded_pages

__all__ = [
    "FALLBACK_SERVICES",
    "fetch_buckets",
    "fetch_compute",
    "to_bucket",
    "to_compute",
]

COMPUTE = "//compute.googleapis.com/projects/"

FALLBACK_SERVICES: dict[str, tuple[str, str, bool]] = {
    # service label: (compute client attribute, resource type, aggregated per zone)
    "compute.instances": ("InstancesClient", "instance", True),
    "compute.disks": ("DisksClient", "disk", True),
    "compute.snapshots": ("SnapshotsClient", "snapshot", False),
    "compute.images": ("ImagesClient", "image", False),
    "compute.machineImages": ("MachineImagesClient", "machineImage", False),
}
"""Compute listings of the fallback path (buckets are listed with google-cloud-storage)."""
_LISTED = {client: label for label, (client, _, _) in FALLBACK_SERVICES.items()}
"""The API collection a compute client lists (``InstancesClient``: ``compute.instances``)."""
BENIGN_WARNING = "NO_RESULTS_ON_PAGE"
"""The one ``aggregatedList`` scope warning that leaves nothing out (the scope is empty)."""

COVERED_ASSET_TYPES = frozenset(
    {
        "storage.googleapis.com/Bucket",
        "compute.googleapis.com/Instance",
        "compute.googleapis.com/Disk",
        "compute.googleapis.com/Snapshot",
        "compute.googleapis.com/Image",
        "compute.googleapis.com/MachineImage",
    }
)
"""Asset types the fallback path also lists; the others become a gap without Cloud Asset."""


@recorded("storage:buckets.list")
def fetch_buckets(client: Any, project: str, **call: Any) -> list[dict[str, Any]]:
    """List every bucket of ``project`` (all pages).

    Args:
        client: A ``google.cloud.storage.Client``.
        project: Project id.
        **call: Per-call options (``retry``, ``timeout``).

    Returns:
        One mapping per bucket with ``name``, ``location``, ``locationType``,
        ``customPlacementConfig`` and ``labels``.
    """
    return [
        {
            "name": b.name,
            "location": b.location,
            "locationType": b.location_type,
            "customPlacementConfig": {"dataLocations": list(b.data_locations or ())},
            "labels": dict(b.labels or {}),
        }
        for b in guarded_items(
            client.list_buckets(project=project, page_size=1000, **call),
            f"storage.buckets.list projects/{project}",
        )
    ]


def to_bucket(raw: Mapping[str, Any], project: str) -> Resource:
    """Map a bucket mapping to a :class:`Resource` (id ``//storage.googleapis.com/NAME``)."""
    placement = raw.get("customPlacementConfig") or {}
    location, data_locations = bucket_locations(
        raw.get("location"), raw.get("locationType"), list(placement.get("dataLocations") or ())
    )
    name = str(raw["name"])
    return Resource(
        provider=ProviderId.GCP,
        account=project,
        service="storage",
        type="bucket",
        id=f"//storage.googleapis.com/{name}",
        name=name,
        location=location,
        data_locations=data_locations,
        tags=labels(raw.get("labels")),
    )


@recorded("compute:list")
def fetch_compute(client: Any, project: str, aggregated: bool, **call: Any) -> list[dict[str, Any]]:
    """List compute resources of one kind in ``project`` (all pages, all zones).

    Args:
        client: A ``compute_v1`` client (``InstancesClient``, ``SnapshotsClient``, ...).
        project: Project id.
        aggregated: Use ``aggregated_list`` (zonal kinds) instead of ``list`` (global kinds).
        **call: Per-call options (``retry``, ``timeout``).

    Returns:
        One JSON-style mapping per resource; zonal ones carry ``zone`` (a URL or name).
    """
    to_dict: Callable[..., dict[str, Any]]
    out: list[dict[str, Any]] = []
    listing = _LISTED.get(type(client).__name__, "compute")
    if aggregated:
        request = {"project": project, "max_results": 500}
        pager = client.aggregated_list(request=request, **call)
        what = f"{listing}.aggregatedList"
        missed: dict[str, tuple[str, str]] = {}
        for page in guarded_pages(pager, f"{what} projects/{project}"):
            for item in (i for scoped in page.items.values() for i in _items(scoped)):
                to_dict = type(item).to_dict
                out.append(to_dict(item, preserving_proto_field_name=False))
            _left_out(page, project, missed)
        for scope, (code, message) in sorted(missed.items()):
            left_out(what, scope, code, message)
        return out
    pager = client.list(request={"project": project, "max_results": 500}, **call)
    for item in guarded_items(pager, f"{listing}.list projects/{project}", "items"):
        to_dict = type(item).to_dict
        out.append(to_dict(item, preserving_proto_field_name=False))
    return out


def _left_out(page: Any, project: str, missed: dict[str, tuple[str, str]]) -> None:
    """Add the scopes one ``aggregatedList`` page says it left out to ``missed``."""
    warned = [(f"projects/{project}", page)] if "warning" in page else []
    warned += [(scope, scoped) for scope, scoped in page.items.items() if "warning" in scoped]
    for scope, holder in warned:
        code = str(holder.warning.code or "")
        if code != BENIGN_WARNING:
            missed.setdefault(scope, (code or "UnknownWarning", str(holder.warning.message or "")))
    for scope in page.unreachables:
        missed.setdefault(str(scope), ("UNREACHABLE", "named in the answer's unreachables"))


def _items(scoped: Any) -> list[Any]:
    """The resources inside one ``aggregated_list`` scope (``instances`` or ``disks``)."""
    for attr in ("instances", "disks"):
        values = getattr(scoped, attr, None)
        if values:
            return list(values)
    return []


def to_compute(raw: Mapping[str, Any], project: str, kind: str) -> Resource:
    """Map a compute resource mapping to a :class:`Resource`.

    Zonal resources (instances, disks) live in their zone. Snapshots, images and machine
    images live where their source disk or instance was, and ``storageLocations`` are copies.
    """
    name = str(raw["name"])
    zone = str(raw.get("zone") or "").rsplit("/", 1)[-1]
    region = str(raw.get("region") or "").rsplit("/", 1)[-1]
    stored = list(raw.get("storageLocations") or ())
    data_locations: tuple[Location, ...] = ()
    if zone:
        location = parse_location(zone)
        path = f"{project}/zones/{zone}/{kind}s/{name}"
    elif region:
        location = parse_location(region)
        path = f"{project}/regions/{region}/{kind}s/{name}"
    else:
        via = f"gcp.compute.{'machine-image' if kind == 'machineImage' else kind}-storage"
        location, data_locations = stored_locations(stored, via)
        path = f"{project}/global/{kind}s/{name}"
    return Resource(
        provider=ProviderId.GCP,
        account=project,
        service="compute",
        type=kind,
        id=COMPUTE + path,
        name=name,
        location=location,
        data_locations=data_locations,
        tags=labels(raw.get("labels")),
    )
