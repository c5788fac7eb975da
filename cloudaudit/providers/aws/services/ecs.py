"""Amazon ECS clusters (``ListClusters`` returns their ARNs)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cloudaudit.models import Resource
from cloudaudit.providers.aws._base import AwsContext, Collector, declare, resource

if TYPE_CHECKING:
    from mypy_boto3_ecs import ECSClient

__all__ = ["COLLECTORS", "collect_clusters", "fetch_clusters", "to_resource"]


def fetch_clusters(client: ECSClient) -> list[str]:
    """List the ARNs of every cluster of the client's region (``ListClusters``)."""
    pages = client.get_paginator("list_clusters").paginate()
    return [cluster for page in pages for cluster in page.get("clusterArns", [])]


def to_resource(cluster_arn: str, ctx: AwsContext) -> Resource:
    """Turn one cluster ARN into a :class:`Resource` of the ARN's region."""
    parts = cluster_arn.split(":")
    region = parts[3] if len(parts) > 5 and parts[3] else ctx.region
    return resource(
        ctx,
        service="ecs",
        type="cluster",
        id=cluster_arn,
        name=cluster_arn.rsplit("/", 1)[-1],
        region=region,
    )


def collect_clusters(ctx: AwsContext) -> list[Resource]:
    """List the ECS clusters of ``ctx.region``."""
    return [to_resource(cluster, ctx) for cluster in fetch_clusters(ctx.client("ecs"))]


COLLECTORS: tuple[Collector, ...] = (
    Collector(
        "ecs",
        "clusters",
        collect_clusters,
        actions=("ecs:ListClusters",),
        answers={"ListClusters": ("clusterArns[]",)},
        copies=declare("ecs", "cluster", note="a cluster holds no data of its own"),
    ),
)
