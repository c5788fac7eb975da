"""Amazon EFS file systems, with the regions their data is replicated to.

One Zone file systems carry their availability zone. EFS replication copies a file system into
another region (``DescribeReplicationConfigurations``, one listing per region): each
destination region becomes a copy of the source file system. The destination file system is
also listed as a resource in its own region.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
    resource,
    via,
)

if TYPE_CHECKING:
    from mypy_boto3_efs import EFSClient

__all__ = [
    "COLLECTORS",
    "REPLICATION",
    "collect_file_systems",
    "fetch_file_systems",
    "fetch_replications",
    "replication_map",
    "to_resource",
]

REPLICATION = Mechanism(
    "aws.efs.replication",
    MechanismKind.REPLICATION,
    "EFS replication",
    "DescribeReplicationConfigurations Replications[].Destinations[].Region (a destination: "
    "SourceFileSystemRegion)",
    "tests/providers/aws/services/test_aws_storage.py::"
    "test_efs_replication_destinations_are_copies",
)
"""EFS replication (the ``via`` of a file system's replicas)."""


def fetch_file_systems(client: EFSClient) -> list[Mapping[str, Any]]:
    """List every file system of the client's region (``DescribeFileSystems``)."""
    pages = client.get_paginator("describe_file_systems").paginate()
    return [item for page in pages for item in page.get("FileSystems", [])]


def fetch_replications(client: EFSClient) -> list[Mapping[str, Any]]:
    """List the replication configurations of the region's file systems.

    Without a ``FileSystemId``, ``DescribeReplicationConfigurations`` returns every replication
    configuration of the account in the client's region.
    """
    pages = client.get_paginator("describe_replication_configurations").paginate()
    return [item for page in pages for item in page.get("Replications", [])]


def replication_map(replications: Sequence[Mapping[str, Any]]) -> dict[str, list[str]]:
    """Map each file system id to the other regions holding its data (pure).

    A source file system's destinations hold copies of it; a destination file system (listed
    with a ``FileSystemId`` under ``Destinations``) is itself a copy of the source, whose
    region (``SourceFileSystemRegion``) holds the same data, as an RDS replica's source does.
    """
    out: dict[str, list[str]] = {}

    def add(fs_id: object, region: object) -> None:
        regions = out.setdefault(str(fs_id), [])
        if region and str(region) not in regions:
            regions.append(str(region))

    for rep in replications:
        source = rep.get("SourceFileSystemId")
        for dest in rep.get("Destinations") or []:
            if source:
                add(source, dest.get("Region"))
            if dest.get("FileSystemId"):
                add(dest["FileSystemId"], rep.get("SourceFileSystemRegion"))
    return out


def to_resource(
    raw: Mapping[str, Any], ctx: AwsContext, copies: Sequence[str | Unread] = ()
) -> Resource:
    """Turn one ``FileSystemDescription`` into a :class:`Resource` (``copies``: regions)."""
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
        copies=via(REPLICATION, copies),
        tags=raw.get("Tags"),
    )


def collect_file_systems(ctx: AwsContext) -> list[Resource]:
    """List the EFS file systems of ``ctx.region`` with their replication destinations.

    When the replication configurations cannot be read, every file system is still reported,
    with an unknown copy naming the failed call (and a gap): never without the copies it may
    have, never dropped.
    """
    client = ctx.client("efs")
    systems = fetch_file_systems(client)
    if not systems:
        return []
    found = detail(
        "elasticfilesystem:DescribeReplicationConfigurations",
        f"region {ctx.region}",
        lambda: replication_map(fetch_replications(client)),
    )
    if isinstance(found, Unread):
        return [to_resource(raw, ctx, [found]) for raw in systems]
    return [to_resource(raw, ctx, found.get(raw["FileSystemId"], ())) for raw in systems]


COLLECTORS: tuple[Collector, ...] = (
    Collector(
        "efs",
        "file-systems",
        collect_file_systems,
        actions=(
            "elasticfilesystem:DescribeFileSystems",
            "elasticfilesystem:DescribeReplicationConfigurations",
        ),
        answers={
            "DescribeFileSystems": ("FileSystems[]",),
            "DescribeReplicationConfigurations": ("Replications[]",),
        },
        copies=declare(
            "efs",
            "file-system",
            REPLICATION,
        ),
    ),
)
