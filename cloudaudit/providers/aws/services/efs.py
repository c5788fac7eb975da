"""Amazon EFS file systems (One Zone file systems carry their availability zone)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cloudaudit.models import Resource
from cloudaudit.providers.aws._base import AwsContext, Collector, arn, resource

__all__ = ["COLLECTORS", "collect_file_systems", "fetch_file_systems", "to_resource"]


def fetch_file_systems(client: Any) -> list[dict[str, Any]]:
    """List every file system of the client's region (``DescribeFileSystems``)."""
    pages = client.get_paginator("describe_file_systems").paginate()
    return [item for page in pages for item in page.get("FileSystems", [])]


def to_resource(raw: Mapping[str, Any], ctx: AwsContext) -> Resource:
    """Turn one ``FileSystemDescription`` into a :class:`Resource`."""
    fs_id = raw["FileSystemId"]
    default = arn(
        ctx.partition, "elasticfilesystem", ctx.region, ctx.account, f"file-system/{fs_id}"
    )
    return resource(
        ctx,
        service="efs",
        type="file-system",
        id=raw.get("FileSystemArn") or default,
        name=raw.get("Name") or fs_id,
        zone=raw.get("AvailabilityZoneName"),
        tags=raw.get("Tags"),
    )


def collect_file_systems(ctx: AwsContext) -> list[Resource]:
    """List the EFS file systems of ``ctx.region``."""
    return [to_resource(raw, ctx) for raw in fetch_file_systems(ctx.client("efs"))]


COLLECTORS: tuple[Collector, ...] = (
    Collector(
        "efs",
        "file-systems",
        collect_file_systems,
        actions=("elasticfilesystem:DescribeFileSystems",),
    ),
)
