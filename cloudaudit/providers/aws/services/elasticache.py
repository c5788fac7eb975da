"""Amazon ElastiCache clusters, with the regions of their Global Datastore.

A cluster that belongs to a replication group which is a member of a Global Datastore has
copies in the regions of the other members. ``DescribeReplicationGroups`` is called only when
some cluster belongs to a replication group, ``DescribeGlobalReplicationGroups`` only when
some replication group is part of a Global Datastore.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from cloudaudit.copymodel import Mechanism, MechanismKind
from cloudaudit.models import Resource
from cloudaudit.providers.aws._base import AwsContext, Collector, arn, declare, resource, via

if TYPE_CHECKING:
    from mypy_boto3_elasticache import ElastiCacheClient

__all__ = [
    "COLLECTORS",
    "GLOBAL_DATASTORE",
    "collect_clusters",
    "fetch_clusters",
    "fetch_global_groups",
    "fetch_replication_groups",
    "global_regions",
    "to_resource",
]

GLOBAL_DATASTORE = Mechanism(
    "aws.elasticache.global-datastore",
    MechanismKind.REPLICATION,
    "Global Datastore members",
    "DescribeGlobalReplicationGroups GlobalReplicationGroups[].Members[].ReplicationGroupRegion",
    "tests/providers/aws/services/test_aws_compute.py::"
    "test_elasticache_global_datastore_members_are_copies",
)
"""Global Datastore membership (the ``via`` of a cluster's copies)."""

_MULTIPLE = "Multiple"
"""``PreferredAvailabilityZone`` of a Memcached cluster spread over several zones."""


def fetch_clusters(client: ElastiCacheClient) -> list[Mapping[str, Any]]:
    """List every cache cluster of the client's region (``DescribeCacheClusters``)."""
    pages = client.get_paginator("describe_cache_clusters").paginate()
    return [item for page in pages for item in page.get("CacheClusters", [])]


def fetch_replication_groups(client: ElastiCacheClient) -> list[Mapping[str, Any]]:
    """List every replication group of the client's region (``DescribeReplicationGroups``)."""
    pages = client.get_paginator("describe_replication_groups").paginate()
    return [item for page in pages for item in page.get("ReplicationGroups", [])]


def fetch_global_groups(client: ElastiCacheClient) -> list[Mapping[str, Any]]:
    """List the Global Datastores with their members (``DescribeGlobalReplicationGroups``)."""
    paginator = client.get_paginator("describe_global_replication_groups")
    pages = paginator.paginate(ShowMemberInfo=True)
    return [item for page in pages for item in page.get("GlobalReplicationGroups", [])]


def global_regions(
    groups: Iterable[Mapping[str, Any]], global_groups: Iterable[Mapping[str, Any]]
) -> dict[str, list[str]]:
    """Map replication group ids to the regions of their Global Datastore's members.

    Raises:
        LookupError: A replication group names a Global Datastore that was not listed.
    """
    members = {
        g["GlobalReplicationGroupId"]: [m["ReplicationGroupRegion"] for m in g.get("Members") or ()]
        for g in global_groups
    }
    out: dict[str, list[str]] = {}
    for group in groups:
        global_id = (group.get("GlobalReplicationGroupInfo") or {}).get("GlobalReplicationGroupId")
        if not global_id:
            continue
        if global_id not in members:
            raise LookupError(f"members of global datastore {global_id!r} not found")
        out[group["ReplicationGroupId"]] = members[global_id]
    return out


def to_resource(
    raw: Mapping[str, Any], ctx: AwsContext, copies: Mapping[str, Sequence[str]] | None = None
) -> Resource:
    """Turn one ``CacheCluster`` into a :class:`Resource` (zonal when it has one zone).

    Args:
        raw: The ``CacheCluster`` from ``DescribeCacheClusters``.
        ctx: The unit's context.
        copies: :func:`global_regions` of the region's replication groups.
    """
    ident = raw["CacheClusterId"]
    zone = raw.get("PreferredAvailabilityZone")
    return resource(
        ctx,
        service="elasticache",
        type="cache-cluster",
        id=raw.get("ARN")
        or arn(ctx.partition, "elasticache", ctx.region, ctx.account, f"cluster:{ident}"),
        name=ident,
        zone=None if zone == _MULTIPLE else zone,
        copies=via(GLOBAL_DATASTORE, (copies or {}).get(raw.get("ReplicationGroupId") or "", ())),
    )


def collect_clusters(ctx: AwsContext) -> list[Resource]:
    """List the ElastiCache clusters of ``ctx.region``."""
    client = ctx.client("elasticache")
    clusters = fetch_clusters(client)
    copies: dict[str, list[str]] = {}
    if any(c.get("ReplicationGroupId") for c in clusters):
        groups = fetch_replication_groups(client)
        if any(g.get("GlobalReplicationGroupInfo") for g in groups):
            copies = global_regions(groups, fetch_global_groups(client))
    return [to_resource(raw, ctx, copies) for raw in clusters]


COLLECTORS: tuple[Collector, ...] = (
    Collector(
        "elasticache",
        "clusters",
        collect_clusters,
        actions=(
            "elasticache:DescribeCacheClusters",
            "elasticache:DescribeReplicationGroups",
            "elasticache:DescribeGlobalReplicationGroups",
        ),
        copies=declare(
            "elasticache",
            "cache-cluster",
            GLOBAL_DATASTORE,
        ),
    ),
)
