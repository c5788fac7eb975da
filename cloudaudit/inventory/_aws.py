"""AWS: Config (select results, configuration items, snapshot files) and Resource Explorer.

Configuration items go through the AWS provider's own pure transform (its ``config-item``
record kind in the provider registry: ``config_item_to_resource``), the one its Config
aggregator path uses too. S3 replication
destinations are given as bucket ARNs without a region: the region comes from the same
import (the destination bucket's own item), else the copy is ``unknown``.

Resource Explorer results carry no configuration: a resource of a type that can hold copies
(S3, DynamoDB, RDS...) gets an ``unknown`` copy, so that it is never judged compliant on its
own region alone.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from cloudaudit.inventory._shapes import Context, Shape, text, with_unknown_copy
from cloudaudit.models import Location, LocationKind, ProviderId, Resource
from cloudaudit.providers._registry import record_transform

__all__ = ["SHAPES"]

AWS = ProviderId.AWS
_DELETED = frozenset({"ResourceDeleted", "ResourceDeletedNotRecorded"})
"""``configurationItemStatus`` of an item that records a deletion (AWS Config API Reference,
ConfigurationItem)."""


def _item(record: Any, ctx: Context) -> Iterator[Resource]:
    if not isinstance(record, Mapping):
        raise TypeError("a configuration item must be an object")
    if isinstance(record.get("ConfigurationItem"), Mapping):  # get-aggregate-resource-config
        record = record["ConfigurationItem"]
    if record.get("configurationItemStatus") in _DELETED:
        return  # the item records that the resource is gone: there is nothing to judge
    to_resource = record_transform("aws", "config-item")
    yield to_resource(record, lambda name: ctx.lookup("s3", name))


def _select(record: Any, ctx: Context) -> Iterator[Resource]:
    item = json.loads(record) if isinstance(record, str) else record
    yield from _item(item, ctx)


_EXPLORER_TYPES = {
    "s3:bucket": ("s3", "bucket"),
    "ec2:instance": ("ec2", "instance"),
    "ec2:volume": ("ec2", "volume"),
    "ec2:snapshot": ("ec2", "snapshot"),
    "ec2:image": ("ec2", "image"),
    "dynamodb:table": ("dynamodb", "table"),
    "rds:db": ("rds", "db-instance"),
    "rds:cluster": ("rds", "db-cluster"),
    "elasticfilesystem:file-system": ("efs", "file-system"),
}


def _explorer(record: Any, _ctx: Context) -> Iterator[Resource]:
    if not isinstance(record, Mapping) or not record.get("Arn"):
        raise ValueError("a Resource Explorer result needs Arn")
    arn = str(record["Arn"])
    rtype = text(record, "ResourceType")
    service, kind = _EXPLORER_TYPES.get(rtype) or (
        text(record, "Service") or rtype.split(":", 1)[0],
        rtype.split(":", 1)[-1] or "resource",
    )
    region = text(record, "Region")
    if not region:
        where = Location(provider=AWS, region=None, kind=LocationKind.UNKNOWN)
    elif region == "global":
        where = Location(provider=AWS, region="global", kind=LocationKind.GLOBAL)
    else:
        where = Location(provider=AWS, region=region)
    parts = arn.split(":")
    name = arn.rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    account = text(record, "OwningAccountId") or (parts[4] if len(parts) > 4 else "") or "unknown"
    resource = Resource(
        provider=AWS,
        account=account,
        service=service,
        type=kind,
        id=arn,
        name=name,
        location=where,
    )
    yield with_unknown_copy(resource, "a Resource Explorer result")


def _is_item(record: Any, _key: str | None) -> bool:
    if isinstance(record, Mapping) and isinstance(record.get("ConfigurationItem"), Mapping):
        record = record["ConfigurationItem"]
    return (
        isinstance(record, Mapping)
        and str(record.get("resourceType") or "").startswith("AWS::")
        and bool(record.get("resourceId") or record.get("resourceName"))
    )


def _is_select(record: Any, key: str | None) -> bool:
    if not isinstance(record, str) or key != "Results":
        return False
    try:
        return _is_item(json.loads(record), None)
    except ValueError:
        return False


def _is_explorer(record: Any, _key: str | None) -> bool:
    return isinstance(record, Mapping) and bool(record.get("Arn")) and "ResourceType" in record


SHAPES = (
    Shape(
        name="aws-config-select",
        title="aws configservice select-resource-config / select-aggregate-resource-config",
        looks_for='"Results": JSON strings with resourceType (AWS::...) and resourceId',
        match=_is_select,
        convert=_select,
        keys=("Results",),
    ),
    Shape(
        name="aws-config-items",
        title="AWS Config configuration items and snapshot/history files delivered to S3, "
        "get-resource-config-history, batch-get-resource-config",
        looks_for="objects with resourceType (AWS::...) and resourceId, in a list, JSON Lines, "
        'or under "configurationItems" / "baseConfigurationItems"',
        match=_is_item,
        convert=_item,
        keys=(None, "configurationItems", "baseConfigurationItems", "ConfigurationItem="),
    ),
    Shape(
        name="aws-resource-explorer",
        title="aws resource-explorer-2 search / list-resources",
        looks_for='objects with Arn and ResourceType, under "Resources" or in a list',
        match=_is_explorer,
        convert=_explorer,
        keys=(None, "Resources"),
    ),
)
