"""Amazon ElastiCache clusters (each node group member carries its preferred zone)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cloudaudit.models import Resource
from cloudaudit.providers.aws._base import AwsContext, Collector, arn, resource

__all__ = ["COLLECTORS", "collect_clusters", "fetch_clusters", "to_resource"]

_MULTIPLE = "Multiple"
"""``PreferredAvailabilityZone`` of a Memcached cluster spread over several zones."""


def fetch_clusters(client: Any) -> list[dict[str, Any]]:
    """List every cache cluster of the client's region (``DescribeCacheClusters``)."""
    pages = client.get_paginator("describe_cache_clusters").paginate()
    return [item for page in pages for item in page.get("CacheClusters", [])]


def to_resource(raw: Mapping[str, Any], ctx: AwsContext) -> Resource:
    """Turn one ``CacheCluster`` into a :class:`Resource` (zonal when it has one zone)."""
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
    )


def collect_clusters(ctx: AwsContext) -> list[Resource]:
    """List the ElastiCache clusters of ``ctx.region``."""
    return [to_resource(raw, ctx) for raw in fetch_clusters(ctx.client("elasticache"))]


COLLECTORS: tuple[Collector, ...] = (
    Collector(
        "elasticache",
        "clusters",
        collect_clusters,
        actions=("elasticache:DescribeCacheClusters",),
    ),
)
