"""AWS KMS customer-managed keys, with the regions of multi-region replicas.

``ListKeys`` returns AWS-managed keys too and says nothing about replication, so each key is
described (``DescribeKey``); only ``KeyManager == "CUSTOMER"`` keys are reported. Names come
from one ``ListAliases`` call per region.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from cloudaudit.models import Resource
from cloudaudit.providers.aws._base import AwsContext, Collector, resource

__all__ = [
    "COLLECTORS",
    "collect_keys",
    "customer_managed",
    "fetch_aliases",
    "fetch_keys",
    "replica_regions",
    "to_resource",
]


def fetch_keys(client: Any) -> list[dict[str, Any]]:
    """List and describe every key of the client's region (``ListKeys``, ``DescribeKey``)."""
    pages = client.get_paginator("list_keys").paginate()
    ids = [k["KeyId"] for page in pages for k in page.get("Keys", [])]
    return [client.describe_key(KeyId=key_id)["KeyMetadata"] for key_id in ids]


def fetch_aliases(client: Any) -> dict[str, str]:
    """Map key ids to their first alias name (``ListAliases``)."""
    out: dict[str, str] = {}
    for page in client.get_paginator("list_aliases").paginate():
        for alias in page.get("Aliases", []):
            target = alias.get("TargetKeyId")
            if target:
                out.setdefault(target, alias["AliasName"])
    return out


def customer_managed(metas: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Keep the customer-managed keys (``KeyManager == "CUSTOMER"``) of ``metas``."""
    return [m for m in metas if m.get("KeyManager") == "CUSTOMER"]


def replica_regions(meta: Mapping[str, Any]) -> list[str]:
    """Regions of the other keys of a multi-region key (primary and replicas)."""
    config = meta.get("MultiRegionConfiguration") or {}
    primary = (config.get("PrimaryKey") or {}).get("Region")
    replicas = [r["Region"] for r in config.get("ReplicaKeys") or ()]
    return [r for r in (primary, *replicas) if r]


def to_resource(meta: Mapping[str, Any], ctx: AwsContext, aliases: Mapping[str, str]) -> Resource:
    """Turn one ``KeyMetadata`` into a :class:`Resource`."""
    key_id = meta["KeyId"]
    return resource(
        ctx,
        service="kms",
        type="key",
        id=meta["Arn"],
        name=aliases.get(key_id, key_id),
        copies=replica_regions(meta),
    )


def collect_keys(ctx: AwsContext) -> list[Resource]:
    """List the customer-managed keys of ``ctx.region``."""
    client = ctx.client("kms")
    keys = customer_managed(fetch_keys(client))
    if not keys:
        return []
    aliases = fetch_aliases(client)
    return [to_resource(meta, ctx, aliases) for meta in keys]


COLLECTORS: tuple[Collector, ...] = (
    Collector(
        "kms",
        "keys",
        collect_keys,
        actions=("kms:ListKeys", "kms:DescribeKey", "kms:ListAliases"),
    ),
)
