"""Amazon EKS clusters (the ARN is built from the name: no call per cluster)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cloudaudit.models import Resource
from cloudaudit.providers.aws._base import AwsContext, Collector, arn, declare, resource

if TYPE_CHECKING:
    from mypy_boto3_eks import EKSClient

__all__ = ["COLLECTORS", "collect_clusters", "fetch_clusters", "to_resource"]


def fetch_clusters(client: EKSClient) -> list[str]:
    """List the names of every cluster of the client's region (``ListClusters``)."""
    pages = client.get_paginator("list_clusters").paginate()
    return [name for page in pages for name in page.get("clusters", [])]


def to_resource(name: str, ctx: AwsContext) -> Resource:
    """Turn one cluster name into a :class:`Resource`."""
    return resource(
        ctx,
        service="eks",
        type="cluster",
        id=arn(ctx.partition, "eks", ctx.region, ctx.account, f"cluster/{name}"),
        name=name,
    )


def collect_clusters(ctx: AwsContext) -> list[Resource]:
    """List the EKS clusters of ``ctx.region``."""
    return [to_resource(name, ctx) for name in fetch_clusters(ctx.client("eks"))]


COLLECTORS: tuple[Collector, ...] = (
    Collector(
        "eks",
        "clusters",
        collect_clusters,
        actions=("eks:ListClusters",),
        answers={"ListClusters": ("clusters[]",)},
        copies=declare("eks", "cluster", note="cluster state (etcd) stays in the cluster's region"),
    ),
)
