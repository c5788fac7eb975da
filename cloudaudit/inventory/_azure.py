"""Azure: Resource Graph results (``az graph query``, the REST response) and locations.

Rows go through the Azure provider's own pure transforms (its ``resource-graph-row``,
``location`` and ``locations`` record kinds in the provider registry), so a saved
Resource Graph result is judged exactly as a live audit judges the same resources, copies
included: storage ``secondaryLocation`` (or the paired region when the SKU is geo-redundant),
Cosmos DB locations, vault redundancy. Azure SQL failover groups and geo-replication links
are not in a row: SQL servers and databases get an ``unknown`` copy. Paired regions come from
``az account list-locations`` output given in the same import (a file of its own); without
it, a geo-redundant copy whose target is not in the row is ``unknown``, never absent.

The REST response's ``data`` may be a list of objects (``resultFormat: objectArray``) or a
table (``{"columns": [...], "rows": [[...]]}``): both are read.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from cloudaudit.catalog import default_catalog
from cloudaudit.inventory._shapes import Context, Shape
from cloudaudit.models import Location, LocationKind, ProviderId, Resource
from cloudaudit.providers._registry import record_transform

__all__ = ["SHAPES", "convert_rows"]

_SQL_TYPES = ("microsoft.sql/servers", "microsoft.sql/servers/databases")
UNKNOWN_SQL = Location(
    provider=ProviderId.AZURE,
    region=None,
    kind=LocationKind.UNKNOWN,
    note="failover groups and geo-replication links are not in a Resource Graph row",
)
"""Azure SQL failover groups and geo-replication links are separate ARM resources that a
Resource Graph row does not carry: a SQL server or database gets an ``unknown`` copy."""


def _geo(ctx: Context) -> Any:
    """The import's Azure locations (the provider's ``Geo``), made on first use."""
    geo = ctx.extra.get("azure_geo")
    if geo is None:
        geo = record_transform("azure", "locations")()
        ctx.extra["azure_geo"] = geo
    return geo


def _table(data: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    names = [str(c.get("name")) for c in data.get("columns") or () if isinstance(c, Mapping)]
    for row in data.get("rows") or ():
        if not isinstance(row, list) or len(row) != len(names):
            raise ValueError(f"table row has {len(row)} cells for {len(names)} columns")
        yield dict(zip(names, row, strict=True))


def _rows(record: Any) -> Iterator[Mapping[str, Any]]:
    if isinstance(record, Mapping) and set(record) == {"data"}:  # the table form
        data = record["data"]
        if isinstance(data, Mapping):
            yield from _table(data)
            return
        if isinstance(data, list):
            yield from (r for r in data if isinstance(r, Mapping))
            return
    if not isinstance(record, Mapping):
        raise TypeError("a Resource Graph row must be an object")
    yield record


def convert_rows(record: Any, ctx: Context) -> Iterator[Resource]:
    geo, catalog = _geo(ctx), default_catalog()
    to_resource = record_transform("azure", "resource-graph-row")
    for row in _rows(record):
        rid = str(row.get("id") or "")
        if not rid.lower().startswith("/subscriptions/") or not row.get("type"):
            raise ValueError("a Resource Graph row needs id (/subscriptions/...) and type")
        subscription = rid.split("/")[2]
        extra = [UNKNOWN_SQL] if str(row.get("type")).lower() in _SQL_TYPES else []
        yield to_resource(row, subscription, geo, catalog, extra)


def _locations(record: Any, ctx: Context) -> Iterator[Resource]:
    if not isinstance(record, Mapping) or not record.get("name"):
        raise ValueError("a location needs a name")
    _geo(ctx).add([record_transform("azure", "location")(record)])
    return iter(())


def _is_row(record: Any, key: str | None) -> bool:
    if key == "data=":
        return isinstance(record, Mapping) and isinstance(record.get("data"), Mapping)
    return (
        isinstance(record, Mapping)
        and str(record.get("id") or "").lower().startswith("/subscriptions/")
        and bool(record.get("type"))
        # a Steampipe or CloudQuery table row has these columns, never Resource Graph (which
        # says subscriptionId): its location is `region` or `location`, its sku and properties
        # are table columns, read by the table shape
        and not _TABLE_COLUMNS.intersection(record)
    )


_TABLE_COLUMNS = frozenset({"subscription_id", "_cq_id", "_cq_source_name", "_ctx", "akas"})


def _is_location(record: Any, _key: str | None) -> bool:
    return (
        isinstance(record, Mapping)
        and isinstance(record.get("metadata"), Mapping)
        and "regionType" in record["metadata"]
    )


SHAPES = (
    Shape(
        name="azure-locations",
        title="az account list-locations (paired regions for geo-redundant copies)",
        looks_for="objects with name and metadata.regionType",
        match=_is_location,
        convert=_locations,
        keys=(None, "value"),
    ),
    Shape(
        name="azure-resource-graph",
        title="az graph query output, Resource Graph REST response (objects or table)",
        looks_for='rows with id (/subscriptions/...) and type, under "data" or in a list',
        match=_is_row,
        convert=convert_rows,
        keys=(None, "data", "data=", "value"),
    ),
)
