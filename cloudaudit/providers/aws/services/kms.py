"""AWS KMS customer-managed keys, with the regions of multi-region replicas.

``ListKeys`` returns AWS-managed keys too and says nothing about replication, so each key is
described (``DescribeKey``); only ``KeyManager == "CUSTOMER"`` keys are reported. Names come
from one ``ListAliases`` call per region.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any

from cloudaudit.copymodel import Mechanism, MechanismKind
from cloudaudit.models import Resource
from cloudaudit.providers.aws._base import (
    AwsContext,
    Collector,
    Unread,
    declare,
    detail,
    resource,
    via,
)

if TYPE_CHECKING:
    from mypy_boto3_kms import KMSClient

__all__ = [
    "COLLECTORS",
    "MULTI_REGION",
    "collect_keys",
    "customer_managed",
    "fetch_aliases",
    "fetch_key",
    "fetch_key_ids",
    "fetch_keys",
    "replica_regions",
    "to_resource",
]

MULTI_REGION = Mechanism(
    "aws.kms.multi-region-replica",
    MechanismKind.REPLICA,
    "multi-Region key replicas",
    "DescribeKey KeyMetadata.MultiRegionConfiguration.ReplicaKeys[].Region",
    "tests/providers/aws/services/test_aws_secrets_kms.py::"
    "test_customer_keys_with_multi_region_replicas",
)
"""Multi-Region keys (the ``via`` of a key's primary and replicas)."""


def fetch_key_ids(client: KMSClient) -> list[str]:
    """List the id of every key of the client's region (``ListKeys``)."""
    pages = client.get_paginator("list_keys").paginate()
    return [str(k["KeyId"]) for page in pages for k in page["Keys"]]


def fetch_key(client: KMSClient, key_id: str) -> Mapping[str, Any]:
    """Describe one key (``DescribeKey``)."""
    return dict(client.describe_key(KeyId=key_id)["KeyMetadata"])


def fetch_keys(client: KMSClient) -> list[Mapping[str, Any]]:
    """List and describe every key of the client's region (``ListKeys``, ``DescribeKey``)."""
    return [fetch_key(client, key_id) for key_id in fetch_key_ids(client)]


def fetch_aliases(client: KMSClient) -> dict[str, str]:
    """Map key ids to their first alias name (``ListAliases``)."""
    out: dict[str, str] = {}
    for page in client.get_paginator("list_aliases").paginate():
        for alias in page.get("Aliases", []):
            target = alias.get("TargetKeyId")
            if target:
                out.setdefault(target, alias["AliasName"])
    return out


def customer_managed(metas: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Leave out the AWS managed keys (``KeyManager == "AWS"``) of ``metas``.

    A key whose ``KeyManager`` is missing or a value AWS may add later is kept: a key that
    was listed is never dropped on a guess.
    """
    return [m for m in metas if m.get("KeyManager") != "AWS"]


def replica_regions(meta: Mapping[str, Any]) -> list[str]:
    """Regions of the other keys of a multi-region key (primary and replicas)."""
    config = meta.get("MultiRegionConfiguration") or {}
    primary = (config.get("PrimaryKey") or {}).get("Region")
    replicas = [r["Region"] for r in config.get("ReplicaKeys") or ()]
    return [r for r in (primary, *replicas) if r]


def to_resource(
    meta: Mapping[str, Any],
    ctx: AwsContext,
    aliases: Mapping[str, str],
    unread: Unread | None = None,
) -> Resource:
    """Turn one ``KeyMetadata`` into a :class:`Resource` (``unread``: DescribeKey failed)."""
    key_id = meta["KeyId"]
    default = f"arn:{ctx.partition}:kms:{ctx.region}:{ctx.account}:key/{key_id}"
    copies = via(MULTI_REGION, [unread] if unread else replica_regions(meta))
    return resource(
        ctx,
        service="kms",
        type="key",
        id=meta.get("Arn") or default,
        name=aliases.get(key_id, key_id),
        copies=copies,
    )


def collect_keys(ctx: AwsContext) -> list[Resource]:
    """List the keys of ``ctx.region`` but the AWS managed ones.

    A key whose ``DescribeKey`` fails is still reported (it may be customer-managed), with an
    unknown copy naming the failed call. When ``ListAliases`` fails, the keys are named by
    their ids (a gap names the call).
    """
    client = ctx.client("kms")
    described = [
        (key_id, detail("kms:DescribeKey", f"key {key_id}", partial(fetch_key, client, key_id)))
        for key_id in fetch_key_ids(client)
    ]
    keys = customer_managed(m for _, m in described if not isinstance(m, Unread))
    unread = [(k, m) for k, m in described if isinstance(m, Unread)]
    if not keys and not unread:
        return []
    found = detail("kms:ListAliases", f"region {ctx.region}", lambda: fetch_aliases(client))
    aliases = {} if isinstance(found, Unread) else found  # names only: the key id stands in
    out = [to_resource(meta, ctx, aliases) for meta in keys]
    out += [to_resource({"KeyId": k}, ctx, aliases, m) for k, m in unread]
    return out


COLLECTORS: tuple[Collector, ...] = (
    Collector(
        "kms",
        "keys",
        collect_keys,
        actions=("kms:ListKeys", "kms:DescribeKey", "kms:ListAliases"),
        answers={
            "ListKeys": ("Keys[]", "Keys[].KeyId"),
            "DescribeKey": ("KeyMetadata{}", "KeyMetadata.KeyId"),
            "ListAliases": ("Aliases[]",),
        },
        copies=declare(
            "kms",
            "key",
            MULTI_REGION,
        ),
    ),
)
