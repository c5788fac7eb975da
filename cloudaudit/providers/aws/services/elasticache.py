"""Amazon ElastiCache clusters, with the regions of their Global Datastore.

A cluster that belongs to a replication group which is a member of a Global Datastore has
copies in the regions of the other members. ``DescribeReplicationGroups`` is called only when
some cluster belongs to a replication group, ``DescribeGlobalReplicationGroups`` only when
some replication group is part of a Global Datastore. Both are secondary calls: when one fails,
the clusters are still reported, with an unknown copy that names the call.

Snapshots (``DescribeSnapshots``: manual, automatic and final ones) are data in their region
and outlive the cluster they were taken from: each is listed as a resource of its region.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from cloudaudit.copymodel import Mechanism, MechanismKind
from cloudaudit.models import Resource
from cloudaudit.providers.aws._base import (
    AwsContext,
    Collector,
    Unread,
    arn,
    declare,
    detail,
    on_outpost,
    resource,
    via,
)

if TYPE_CHECKING:
    from mypy_boto3_elasticache import ElastiCacheClient

__all__ = [
    "COLLECTORS",
    "GLOBAL_DATASTORE",
    "collect_clusters",
    "collect_snapshots",
    "fetch_clusters",
    "fetch_global_groups",
    "fetch_replication_groups",
    "fetch_snapshots",
    "global_regions",
    "group_copies",
    "to_resource",
    "to_snapshot",
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

_GROUPS_CALL = "elasticache:DescribeReplicationGroups"
_GLOBAL_CALL = "elasticache:DescribeGlobalReplicationGroups"

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
) -> dict[str, list[str | Unread]]:
    """Map replication group ids to the regions of their Global Datastore's members.

    A replication group naming a Global Datastore that was not listed gets an
    :class:`Unread` (an unknown copy naming the call), not a guess.
    """
    members: dict[str, list[str | Unread]] = {
        g["GlobalReplicationGroupId"]: [m["ReplicationGroupRegion"] for m in g.get("Members") or ()]
        for g in global_groups
    }
    out: dict[str, list[str | Unread]] = {}
    for group in groups:
        global_id = _global_id(group)
        if global_id:
            missing = Unread(_GLOBAL_CALL, f"global datastore {global_id}", "NotListed")
            out[group["ReplicationGroupId"]] = members.get(global_id, [missing])
    return out


def _global_id(group: Mapping[str, Any]) -> str | None:
    found: str | None = (group.get("GlobalReplicationGroupInfo") or {}).get(
        "GlobalReplicationGroupId"
    )
    return found


def group_copies(
    ctx: AwsContext, client: ElastiCacheClient
) -> dict[str, list[str | Unread]] | Unread:
    """The Global Datastore copies of each replication group of the region.

    Both calls are secondary: when one fails, the clusters are still reported, those in a
    replication group with an unknown copy naming the call (an :class:`Unread`).
    """
    where = f"region {ctx.region}"
    groups = detail(_GROUPS_CALL, where, lambda: fetch_replication_groups(client))
    if isinstance(groups, Unread) or not any(map(_global_id, groups)):
        return groups if isinstance(groups, Unread) else {}
    found = detail(_GLOBAL_CALL, where, lambda: fetch_global_groups(client))
    if isinstance(found, Unread):
        return {g["ReplicationGroupId"]: [found] for g in groups if _global_id(g)}
    return global_regions(groups, found)


def to_resource(
    raw: Mapping[str, Any],
    ctx: AwsContext,
    copies: Mapping[str, Sequence[str | Unread]] | Unread | None = None,
) -> Resource:
    """Turn one ``CacheCluster`` into a :class:`Resource` (zonal when it has one zone).

    Args:
        raw: The ``CacheCluster`` from ``DescribeCacheClusters``.
        ctx: The unit's context.
        copies: :func:`global_regions` of the region's replication groups, or the
            :class:`Unread` of the call that was to list them.
    """
    ident = raw["CacheClusterId"]
    group = raw.get("ReplicationGroupId") or ""
    if isinstance(copies, Unread):
        regions: Sequence[str | Unread] = [copies] if group else ()
    else:
        regions = (copies or {}).get(group, ())
    zone = raw.get("PreferredAvailabilityZone")
    res = resource(
        ctx,
        service="elasticache",
        type="cache-cluster",
        id=raw.get("ARN")
        or arn(ctx.partition, "elasticache", ctx.region, ctx.account, f"cluster:{ident}"),
        name=ident,
        zone=None if zone == _MULTIPLE else zone,
        copies=via(GLOBAL_DATASTORE, regions),
    )
    return on_outpost(res, _outpost(raw))


def _outpost(raw: Mapping[str, Any]) -> str | None:
    """The Outpost of a cluster (ElastiCache on Outposts): preferred, or a node's."""
    found = raw.get("PreferredOutpostArn")
    nodes = (n.get("CustomerOutpostArn") for n in raw.get("CacheNodes") or ())
    return str(found) if found else next((str(n) for n in nodes if n), None)


def collect_clusters(ctx: AwsContext) -> list[Resource]:
    """List the ElastiCache clusters of ``ctx.region``."""
    client = ctx.client("elasticache")
    clusters = fetch_clusters(client)
    copies: dict[str, list[str | Unread]] | Unread = {}
    if any(c.get("ReplicationGroupId") for c in clusters):
        copies = group_copies(ctx, client)
    return [to_resource(raw, ctx, copies) for raw in clusters]


def fetch_snapshots(client: ElastiCacheClient) -> list[Mapping[str, Any]]:
    """Every snapshot of the client's region (``DescribeSnapshots``, all pages)."""
    pages = client.get_paginator("describe_snapshots").paginate()
    return [item for page in pages for item in page.get("Snapshots") or ()]


def to_snapshot(raw: Mapping[str, Any], ctx: AwsContext) -> Resource:
    """A ``Snapshot`` as a resource of its region, named for what it was taken from."""
    name = str(raw["SnapshotName"])
    source = raw.get("ReplicationGroupId") or raw.get("CacheClusterId")
    ident = raw.get("ARN") or arn(
        ctx.partition, "elasticache", ctx.region, ctx.account, f"snapshot:{name}"
    )
    res = resource(
        ctx,
        service="elasticache",
        type="snapshot",
        id=str(ident),
        name=f"{name} (snapshot of {source})" if source else name,
    )
    return on_outpost(res, _snapshot_outpost(raw))


def _snapshot_outpost(raw: Mapping[str, Any]) -> object:
    """An Outpost the snapshot's cluster was on (preferred, or a node group's), if any.

    The answer describes the cluster the snapshot was taken from, not where the snapshot is
    stored: an Outpost there is taken as the snapshot's place (unknown unless the policy
    maps it), never as the parent region.
    """
    found = raw.get("PreferredOutpostArn")
    for node in raw.get("NodeSnapshots") or ():
        group = node.get("NodeGroupConfiguration") or {}
        found = (
            found
            or group.get("PrimaryOutpostArn")
            or next(iter(group.get("ReplicaOutpostArns") or ()), None)
        )
    return found


def collect_snapshots(ctx: AwsContext) -> list[Resource]:
    """Snapshots of ``ctx.region``, whether or not their cluster still exists."""
    return [to_snapshot(raw, ctx) for raw in fetch_snapshots(ctx.client("elasticache"))]


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
        answers={
            "DescribeCacheClusters": ("CacheClusters[]", "CacheClusters[].CacheClusterId"),
            "DescribeReplicationGroups": ("ReplicationGroups[]",),
            "DescribeGlobalReplicationGroups": ("GlobalReplicationGroups[]",),
        },
        copies=declare(
            "elasticache",
            "cache-cluster",
            GLOBAL_DATASTORE,
        ),
    ),
    Collector(
        "elasticache",
        "snapshots",
        collect_snapshots,
        actions=("elasticache:DescribeSnapshots",),
        answers={"DescribeSnapshots": ("Snapshots[]", "Snapshots[].SnapshotName")},
        copies=declare(
            "elasticache",
            "snapshot",
            note="a copy (CopySnapshot) is a snapshot of its own, in the same region",
        ),
    ),
)
