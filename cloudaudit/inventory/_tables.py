"""Steampipe and CloudQuery tables (CSV or JSON, as their CLIs write them).

A row is recognised by its cloud id column: an ``arn`` (AWS), an ``id`` starting with
``/subscriptions/`` (Azure), or a ``self_link`` on googleapis.com (GCP). Region columns:
``region`` / ``location``. JSON columns (Steampipe's ``replication``, CloudQuery's
``replication_rules``, ``sku``, ``properties``...) arrive as JSON text in CSV and as objects in
JSON; both are read. Copy columns read: S3 ``replication`` / ``replication_rules``, DynamoDB
``replicas``, RDS ``read_replica_db_instance_identifiers``, Azure storage ``sku_name`` /
``sku`` and ``secondary_location`` / ``properties``, GCS ``location_type`` and
``custom_placement_config``, Cloud SQL ``backup_configuration`` (or ``backup_enabled`` and
``backup_location``) and ``replica_names``. A table of a type that can hold copies but
without its copy column gives an ``unknown`` copy, one per copy mechanism the live provider
reads and the table does not show (from the copy model; a DynamoDB table without a
``global_table_version`` column cannot tell a legacy global table, whose replication group it
never shows).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from cloudaudit.inventory import _azure, _gcp
from cloudaudit.inventory._shapes import (
    Context,
    Shape,
    arm_type,
    text,
    unknown_copy,
    with_unknown_copy,
)
from cloudaudit.models import Location, LocationKind, ProviderId, Resource

__all__ = ["SHAPES"]

AWS = ProviderId.AWS
_ARN_TYPES = {
    ("s3", ""): ("s3", "bucket"),
    ("ec2", "instance"): ("ec2", "instance"),
    ("ec2", "volume"): ("ec2", "volume"),
    ("ec2", "snapshot"): ("ec2", "snapshot"),
    ("ec2", "image"): ("ec2", "image"),
    ("dynamodb", "table"): ("dynamodb", "table"),
    ("rds", "db"): ("rds", "db-instance"),
    ("rds", "cluster"): ("rds", "db-cluster"),
    ("elasticfilesystem", "file-system"): ("efs", "file-system"),
}


def _json(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _get(row: Mapping[str, Any], key: str) -> Any:
    """A column's value; ``...`` when the table has no such column (not the same as null)."""
    if key not in row:
        return ...
    return _json(row[key])


def _s3_destinations(rules: Any) -> list[str]:
    if isinstance(rules, Mapping):
        rules = rules.get("Rules") or rules.get("rules") or ()
    names: list[str] = []
    for rule in rules or ():
        if isinstance(rule, Mapping):
            dest = rule.get("Destination") or rule.get("destination") or {}
            target = str(dest.get("Bucket") or dest.get("bucket") or "")
            if target and target.rsplit(":", 1)[-1] not in names:
                names.append(target.rsplit(":", 1)[-1])
    return names


_S3 = "aws.s3.replication"
_DDB = "aws.dynamodb.global-table"
_DDB_V1 = "aws.dynamodb.global-table-v1"
_DDB_WITNESS = "aws.dynamodb.global-table-witness"
_RDS = "aws.rds.read-replica"


def _aws_copies(
    kind: tuple[str, str], row: Mapping[str, Any], ctx: Context
) -> tuple[list[Location], tuple[str, ...]]:
    """The copies a row's columns show, and the mechanisms whose columns it has."""
    if kind == ("s3", "bucket"):
        rules = _get(row, "replication")
        rules = _get(row, "replication_rules") if rules is ... else rules
        if rules is ...:
            return [_unknown("no replication column: S3 replication not seen", _S3)], (_S3,)
        names = _s3_destinations(rules)
        regions = [ctx.lookup("s3", n) for n in names]
        return [
            _copy(r, _S3) if r else _unknown(_unseen(n), _S3)
            for n, r in zip(names, regions, strict=True)
        ], (_S3,)
    if kind == ("dynamodb", "table"):
        return _table_copies(row)
    if kind == ("rds", "db-instance"):
        ids = _get(row, "read_replica_db_instance_identifiers")
        if ids is ...:
            return [_unknown("no read_replica column: read replicas not seen", _RDS)], (_RDS,)
        parts = [str(i).split(":") for i in ids or ()]
        return [_copy(p[3], _RDS) for p in parts if len(p) > 5 and p[3]], (_RDS,)
    return [], ()


def _table_copies(row: Mapping[str, Any]) -> tuple[list[Location], tuple[str, ...]]:
    """A table's replicas, and the mechanisms the row shows.

    A legacy (2017.11.29) global table's replication group is not in the row (an unknown
    copy); without a version column a legacy table cannot be told apart.
    """
    replicas = _get(row, "replicas")
    out: list[Location] = []
    carried = [_DDB]
    if replicas is ...:
        out.append(_unknown("no replicas column: global-table replicas not seen", _DDB))
    else:
        found = [
            text(r, "RegionName", "region_name") for r in replicas or () if isinstance(r, Mapping)
        ]
        out += [_copy(r, _DDB) for r in found if r]
        out += _witnesses(row, bool(replicas))
        carried.append(_DDB_WITNESS)
    version = _get(row, "global_table_version")
    if version is ...:
        return out, tuple(carried)  # the legacy kind cannot be told: an unseen copy by it
    if version == "2017.11.29":
        note = "a version 2017.11.29 global table: its replication group is not in this table"
        out.append(_unknown(note, _DDB_V1))
    return out, (*carried, _DDB_V1)


def _witnesses(row: Mapping[str, Any], global_table: bool) -> list[Location]:
    """The witness region of a multi-Region strongly consistent global table.

    A table without replicas is no global table and has no witness; a global table's row
    without a ``global_table_witnesses`` column cannot say whether it has one (unknown).
    """
    witnesses = _get(row, "global_table_witnesses")
    if witnesses is ...:
        note = "a global table: whether it has a witness region is not in this table"
        return [_unknown(note, _DDB_WITNESS)] if global_table else []
    found = [
        text(w, "RegionName", "region_name") for w in witnesses or () if isinstance(w, Mapping)
    ]
    return [_copy(r, _DDB_WITNESS) for r in found if r]


def _copy(region: str, via: str) -> Location:
    return Location(provider=AWS, region=region, via=via)


def _unknown(note: str, via: str) -> Location:
    return unknown_copy(AWS, note).model_copy(update={"via": via})


def _unseen(name: str) -> str:
    return f"replication destination bucket {name} is not in this inventory: region unknown"


def _aws(row: Mapping[str, Any], ctx: Context) -> Resource:
    arn = text(row, "arn")
    parts = arn.split(":", 5)
    if len(parts) < 6:
        raise ValueError(f"arn {arn!r} is not an ARN")
    _, _, service, arn_region, account, rest = parts
    prefix = rest.split("/", 1)[0].split(":", 1)[0] if ("/" in rest or ":" in rest) else ""
    kind = _ARN_TYPES.get((service, prefix)) or (service, prefix or "resource")
    region = text(row, "region") or arn_region
    zone = text(row, "availability_zone", "placement_availability_zone")
    if region:
        where = Location(
            provider=AWS,
            region=region,
            zone=zone or None,
            kind=LocationKind.ZONE if zone else LocationKind.REGION,
        )
    else:
        where = unknown_copy(AWS)
    found, carried = _aws_copies(kind, row, ctx)
    copies = [c for c in found if not c.region or c.key() != where.key()]
    resource = Resource(
        provider=AWS,
        account=text(row, "account_id") or account or "unknown",
        service=kind[0],
        type=kind[1],
        id=arn,
        name=text(row, "name", "table_name", "db_instance_identifier") or rest.rsplit("/", 1)[-1],
        location=where,
        data_locations=tuple(dict.fromkeys(copies)),
        tags=_tags(_get(row, "tags")),
    )
    return with_unknown_copy(resource, "this table", carried)


def _tags(raw: Any) -> dict[str, str]:
    if isinstance(raw, Mapping):
        return {str(k): "" if v is None else str(v) for k, v in raw.items()}
    return {}


def _azure_row(row: Mapping[str, Any]) -> dict[str, Any]:
    rid = text(row, "id")
    sku = _get(row, "sku")
    if sku is ...:
        name = text(row, "sku_name")
        sku = {"name": name} if name else None
    props = _get(row, "properties")
    if props is ...:
        secondary = _get(row, "secondary_location")
        props = None if secondary is ... else {"secondaryLocation": secondary}
    return {
        "id": rid,
        "name": text(row, "name"),
        "type": text(row, "type") or arm_type(rid),
        "location": text(row, "region", "location"),
        "subscriptionId": text(row, "subscription_id"),
        "tags": _tags(_get(row, "tags")),
        "sku": sku,
        "properties": props,
    }


def _gcp_result(row: Mapping[str, Any]) -> dict[str, Any]:
    link = text(row, "self_link")
    project = text(row, "project", "project_id")
    if "/storage/" in link or "/b/" in link:
        asset_type, name = (
            "storage.googleapis.com/Bucket",
            f"//storage.googleapis.com/{text(row, 'name')}",
        )
    elif "sqladmin" in link or "database_version" in row:
        asset_type = "sqladmin.googleapis.com/Instance"
        name = f"//cloudsql.googleapis.com/projects/{project}/instances/{text(row, 'name')}"
    else:
        path = link.split("/projects/", 1)[-1]
        kind = path.rsplit("/", 2)[-2] if path.count("/") >= 2 else "resource"
        asset_type = f"compute.googleapis.com/{kind[:1].upper()}{kind[1:].rstrip('s')}"
        name = f"//compute.googleapis.com/projects/{path}"
    placement = _get(row, "custom_placement_config")
    raw: dict[str, Any] = {
        "location": text(row, "location", "region", "gce_zone", "zone"),
        "locationType": text(row, "location_type"),
        "customPlacementConfig": {
            "dataLocations": (placement or {}).get("data_locations")
            or (placement or {}).get("dataLocations")
            or []
        }
        if isinstance(placement, Mapping)
        else {},
    }
    backup = _get(row, "backup_configuration")
    if backup is ... and ("backup_enabled" in row or "backup_location" in row):
        enabled = str(row.get("backup_enabled")).lower() in ("true", "t", "1")
        backup = {"enabled": enabled, "location": row.get("backup_location") or None}
    if backup is not ...:
        raw["settings"] = {"backupConfiguration": backup or {}}
    replicas = _get(row, "replica_names")
    raw["replicaNames"] = [] if replicas is ... else list(replicas or ())
    return {
        "name": name,
        "assetType": asset_type,
        "parentFullResourceName": f"//cloudresourcemanager.googleapis.com/projects/{project}",
        "displayName": text(row, "name"),
        "location": raw["location"],
        "labels": _tags(_get(row, "labels")),
        "versionedResources": [{"resource": raw}],
    }


def _convert(record: Any, ctx: Context) -> Iterator[Resource]:
    if not isinstance(record, Mapping):
        raise TypeError("a table row must be an object")
    if text(record, "arn").startswith("arn:"):
        yield _aws(record, ctx)
    elif text(record, "id").lower().startswith("/subscriptions/"):
        yield from _azure.convert_rows(_azure_row(record), ctx)
    elif "googleapis.com" in text(record, "self_link") or text(record, "project_id"):
        yield from _gcp.convert_search(_gcp_result(record), ctx)
    else:
        raise ValueError("no arn, Azure id or GCP self_link/project_id column in this row")


def _is_table(record: Any, _key: str | None) -> bool:
    if not isinstance(record, Mapping):
        return False
    marks = {"_cq_id", "_cq_source_name", "_cq_sync_time", "_ctx", "akas"}
    ids = ("arn" in record and "account_id" in record) or "subscription_id" in record
    return bool(marks & set(record)) or ids or ("self_link" in record and "project" in record)


SHAPES = (
    Shape(
        name="steampipe-cloudquery",
        title="Steampipe query output (--output csv or json) and CloudQuery tables "
        "(file destination, csv or json)",
        looks_for="rows with arn + account_id, or id + subscription_id, or self_link + project, "
        "or CloudQuery's _cq_* columns",
        match=_is_table,
        convert=_convert,
        keys=(None, "rows"),
    ),
)
