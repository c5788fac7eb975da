"""Google Cloud: Cloud Asset search results (gcloud, REST) and Cloud Asset exports.

Both go through the GCP provider's own pure transform (its ``asset-search-result`` record
kind in the provider registry: ``search_result_to_resource``), so
an export is judged exactly as a live audit judges the same resources. An export record
(``asset_type`` + ``resource.data``) is first put in the search result's form: its
``resource.data`` is the resource's own API representation, which the transform reads as
``versionedResources[].resource``.

Cloud SQL replicas (``replicaNames``) are added here, placed from the same import; the backup
location (``settings.backupConfiguration``, by default the multi-region that holds the
instance's region) is read by the provider's transform.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from cloudaudit.inventory._shapes import Context, Shape, text, unknown_copy
from cloudaudit.models import Location, ProviderId, Resource
from cloudaudit.providers._registry import record_transform

__all__ = ["SHAPES", "convert_search"]

GCP = ProviderId.GCP
_CONTAINERS = ("cloudresourcemanager.googleapis.com/", "cloudbilling.googleapis.com/")
SQL = "sqladmin.googleapis.com/Instance"


def _projects(ctx: Context) -> dict[str, str]:
    found: dict[str, str] = ctx.extra.setdefault("gcp_projects", {})
    return found


def _container(asset_type: str, data: Mapping[str, Any], ctx: Context) -> bool:
    """Projects, folders, organizations and billing accounts hold no data: remember ids."""
    if asset_type == "cloudresourcemanager.googleapis.com/Project":
        number, pid = text(data, "projectNumber"), text(data, "projectId")
        if number and pid:
            _projects(ctx)[number] = pid
    return asset_type.startswith(_CONTAINERS)


def _last(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1] if url else ""


def _sql_copies(raw: Mapping[str, Any], ctx: Context) -> list[Location]:
    out: list[Location] = []
    for name in raw.get("replicaNames") or ():
        region = ctx.lookup("sql", str(name))
        missing = f"read replica {name} is not in this inventory: region unknown"
        place = Location(provider=GCP, region=region) if region else unknown_copy(GCP, missing)
        out.append(place.model_copy(update={"via": "gcp.sql.read-replica"}))
    return out


def _with_sql(resource: Resource, raw: Mapping[str, Any], ctx: Context) -> Resource:
    extra = [c for c in _sql_copies(raw, ctx) if c != resource.location or not c.region]
    if not extra:
        return resource
    copies = tuple(dict.fromkeys((*resource.data_locations, *extra)))
    return resource.model_copy(update={"data_locations": copies})


def convert_search(record: Any, ctx: Context) -> Iterator[Resource]:
    if not isinstance(record, Mapping) or not record.get("name"):
        raise ValueError("a search result needs name and assetType")
    asset_type = str(record.get("assetType") or "")
    attrs = record.get("additionalAttributes") or {}
    if _container(asset_type, attrs if isinstance(attrs, Mapping) else {}, ctx):
        return
    resource: Resource = record_transform("gcp", "asset-search-result")(record, _projects(ctx))
    if asset_type == SQL:
        versions = [v.get("resource") for v in record.get("versionedResources") or ()]
        raw = next((v for v in versions if v), attrs)
        resource = _with_sql(resource, raw if isinstance(raw, Mapping) else {}, ctx)
    yield resource


def _export_location(resource: Mapping[str, Any], data: Mapping[str, Any]) -> str:
    return (
        text(resource, "location")
        or text(data, "location", "gceZone")
        or _last(text(data, "zone"))
        or _last(text(data, "region"))
    )


def _export(record: Any, ctx: Context) -> Iterator[Resource]:
    if not isinstance(record, Mapping):
        raise TypeError("an export line must be a JSON object")
    asset_type = text(record, "asset_type", "assetType")
    resource = record.get("resource")
    if not asset_type or not isinstance(resource, Mapping):
        raise ValueError("an export record needs asset_type and resource")
    data = resource.get("data") or {}
    if not isinstance(data, Mapping):
        raise ValueError("resource.data must be an object")
    if _container(asset_type, data, ctx):
        return
    parent = text(resource, "parent")
    number = parent.rsplit("/projects/", 1)[-1] if "/projects/" in parent else ""
    result = {
        "name": text(record, "name"),
        "assetType": asset_type,
        "project": f"projects/{number or text(data, 'projectNumber')}",
        "parentFullResourceName": parent,
        "displayName": text(data, "name", "displayName"),
        "location": _export_location(resource, data),
        "labels": data.get("labels") or {},
        "versionedResources": [{"resource": data}],
    }
    yield from convert_search(result, ctx)


def _is_export(record: Any, _key: str | None) -> bool:
    return (
        isinstance(record, Mapping)
        and bool(record.get("asset_type") or record.get("assetType"))
        and isinstance(record.get("resource"), Mapping)
    )


def _is_search(record: Any, _key: str | None) -> bool:
    return (
        isinstance(record, Mapping)
        and bool(record.get("assetType"))
        and bool(record.get("name"))
        and "resource" not in record
    )


SHAPES = (
    Shape(
        name="gcp-asset-export",
        title="Cloud Asset export (gcloud asset export / exportAssets to Cloud Storage, "
        "gcloud asset list --content-type=resource)",
        looks_for="objects with asset_type (or assetType) and a resource object holding data",
        match=_is_export,
        convert=_export,
        keys=(None, "assets"),
    ),
    Shape(
        name="gcp-asset-search",
        title="gcloud asset search-all-resources --format=json, REST searchAllResources",
        looks_for='objects with assetType and name (a list, JSON Lines, or under "results")',
        match=_is_search,
        convert=convert_search,
        keys=(None, "results"),
    ),
)
