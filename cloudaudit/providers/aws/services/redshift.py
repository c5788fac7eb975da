"""Amazon Redshift provisioned clusters, with their cross-region snapshot copy region.

Snapshots the account owns (``DescribeClusterSnapshots``: manual and automated, and the copies
another region's cluster sends here) are data in their region and a manual one outlives its
cluster: each is listed as a resource of its region. Snapshots other accounts share with this
one are theirs, and left to their owners' audits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from cloudaudit.copymodel import Mechanism, MechanismKind
from cloudaudit.models import Resource
from cloudaudit.providers.aws._base import AwsContext, Collector, arn, declare, resource, via

if TYPE_CHECKING:
    from mypy_boto3_redshift import RedshiftClient

__all__ = [
    "COLLECTORS",
    "SNAPSHOT_COPY",
    "collect_clusters",
    "collect_snapshots",
    "fetch_clusters",
    "fetch_snapshots",
    "owned",
    "to_resource",
    "to_snapshot",
]

SNAPSHOT_COPY = Mechanism(
    "aws.redshift.snapshot-copy",
    MechanismKind.SNAPSHOT,
    "cross-region snapshot copy",
    "DescribeClusters ClusterSnapshotCopyStatus.DestinationRegion",
    "tests/providers/aws/services/test_aws_compute.py::"
    "test_redshift_clusters_zone_and_snapshot_copy",
)
"""Cross-region snapshot copy (the ``via`` of a cluster's copy)."""


def fetch_clusters(client: RedshiftClient) -> list[Mapping[str, Any]]:
    """List every provisioned cluster of the client's region (``DescribeClusters``)."""
    pages = client.get_paginator("describe_clusters").paginate()
    return [item for page in pages for item in page.get("Clusters", [])]


def to_resource(raw: Mapping[str, Any], ctx: AwsContext) -> Resource:
    """Turn one Redshift ``Cluster`` into a zonal :class:`Resource`.

    Automated snapshots copied to another region (``ClusterSnapshotCopyStatus``) are copies.
    """
    ident = raw["ClusterIdentifier"]
    copy_status = raw.get("ClusterSnapshotCopyStatus") or {}
    return resource(
        ctx,
        service="redshift",
        type="cluster",
        id=arn(ctx.partition, "redshift", ctx.region, ctx.account, f"cluster:{ident}"),
        name=ident,
        zone=raw.get("AvailabilityZone"),
        copies=via(SNAPSHOT_COPY, [copy_status.get("DestinationRegion", "")]),
        tags=raw.get("Tags"),
    )


def collect_clusters(ctx: AwsContext) -> list[Resource]:
    """List the Redshift clusters of ``ctx.region``."""
    return [to_resource(raw, ctx) for raw in fetch_clusters(ctx.client("redshift"))]


def fetch_snapshots(client: RedshiftClient) -> list[Mapping[str, Any]]:
    """Every cluster snapshot of the client's region (``DescribeClusterSnapshots``)."""
    pages = client.get_paginator("describe_cluster_snapshots").paginate()
    return [item for page in pages for item in page.get("Snapshots", [])]


def to_snapshot(raw: Mapping[str, Any], ctx: AwsContext) -> Resource:
    """A cluster ``Snapshot`` as a resource of its region, named for its cluster."""
    name, cluster = str(raw["SnapshotIdentifier"]), raw.get("ClusterIdentifier")
    ident = arn(ctx.partition, "redshift", ctx.region, ctx.account, f"snapshot:{cluster}/{name}")
    return resource(
        ctx,
        service="redshift",
        type="snapshot",
        id=ident,
        name=f"{name} (snapshot of cluster {cluster})" if cluster else name,
        tags=raw.get("Tags"),
    )


def collect_snapshots(ctx: AwsContext) -> list[Resource]:
    """The account's own cluster snapshots in ``ctx.region`` (shared ones are their owners')."""
    mine = owned(fetch_snapshots(ctx.client("redshift")), ctx.account)
    return [to_snapshot(s, ctx) for s in mine]


def owned(snapshots: Iterable[Mapping[str, Any]], account: str) -> list[Mapping[str, Any]]:
    """The snapshots ``account`` owns (``OwnerAccount``; one that names no owner is kept)."""
    return [s for s in snapshots if str(s.get("OwnerAccount") or account) == account]


COLLECTORS: tuple[Collector, ...] = (
    Collector(
        "redshift",
        "clusters",
        collect_clusters,
        actions=("redshift:DescribeClusters",),
        answers={"DescribeClusters": ("Clusters[]",)},
        copies=declare(
            "redshift",
            "cluster",
            SNAPSHOT_COPY,
        ),
    ),
    Collector(
        "redshift",
        "snapshots",
        collect_snapshots,
        actions=("redshift:DescribeClusterSnapshots",),
        answers={"DescribeClusterSnapshots": ("Snapshots[]", "Snapshots[].SnapshotIdentifier")},
        copies=declare(
            "redshift",
            "snapshot",
            note="a copy to another region is a snapshot of its own, listed in that region",
        ),
    ),
)
