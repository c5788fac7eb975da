"""Amazon Redshift provisioned clusters, with their cross-region snapshot copy region."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cloudaudit.copymodel import Mechanism, MechanismKind
from cloudaudit.models import Resource
from cloudaudit.providers.aws._base import AwsContext, Collector, arn, declare, resource, via

if TYPE_CHECKING:
    from mypy_boto3_redshift import RedshiftClient

__all__ = ["COLLECTORS", "SNAPSHOT_COPY", "collect_clusters", "fetch_clusters", "to_resource"]

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
)
