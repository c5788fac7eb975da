"""Amazon FSx file systems and backups.

A backup is data of its own, and a backup copied to another region (``CopyBackup``) is listed
by ``DescribeBackups`` in its destination region, where it is judged as a resource of its own
(``SourceBackupRegion`` names where it came from).

A file system deployed in a single subnet (Lustre, and the ``SINGLE_AZ_*`` deployments of
Windows, ONTAP and OpenZFS) lives in that subnet's availability zone, which FSx does not
return: one ``ec2:DescribeSubnets`` call per region resolves the zones of those subnets.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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
)

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client
    from mypy_boto3_fsx import FSxClient

__all__ = [
    "COLLECTORS",
    "backup_to_resource",
    "collect_backups",
    "collect_file_systems",
    "fetch_backups",
    "fetch_file_systems",
    "fetch_subnet_zones",
    "single_subnet",
    "to_resource",
]


_SUBNETS_CALL = "ec2:DescribeSubnets"
"""The call that tells single-subnet file systems' zones (secondary: see :func:`to_resource`)."""


def fetch_file_systems(client: FSxClient) -> list[Mapping[str, Any]]:
    """List every file system of the client's region (``DescribeFileSystems``)."""
    pages = client.get_paginator("describe_file_systems").paginate()
    return [item for page in pages for item in page.get("FileSystems", [])]


def fetch_subnet_zones(ec2: EC2Client, subnet_ids: Iterable[str]) -> dict[str, str]:
    """Map subnet ids to their availability zone names (``ec2:DescribeSubnets``)."""
    ids = sorted(set(subnet_ids))
    if not ids:
        return {}
    subnets = ec2.describe_subnets(SubnetIds=ids)["Subnets"]
    return {s["SubnetId"]: s["AvailabilityZone"] for s in subnets}


def single_subnet(raw: Mapping[str, Any]) -> str | None:
    """The subnet of a single-subnet (single-AZ) file system, else ``None``."""
    subnets = raw.get("SubnetIds") or []
    return subnets[0] if len(subnets) == 1 else None


def to_resource(
    raw: Mapping[str, Any], ctx: AwsContext, zones: Mapping[str, str] | Unread
) -> Resource:
    """Turn one FSx ``FileSystem`` into a :class:`Resource`.

    Args:
        raw: The ``FileSystem`` from ``DescribeFileSystems``.
        ctx: The unit's context.
        zones: Subnet id to availability zone (:func:`fetch_subnet_zones`), or the
            :class:`Unread` of that call: a single-subnet file system's location is then
            unknown (naming the call), as it is when its subnet was not returned.
    """
    fs_id = raw["FileSystemId"]
    subnet = single_subnet(raw)
    zone = None
    where: Unread | None = None
    if subnet is not None:
        if isinstance(zones, Unread):
            where = zones
        elif subnet not in zones:
            where = Unread(_SUBNETS_CALL, f"subnet {subnet}", "NotReturned")
        else:
            zone = zones[subnet]
    tags = raw.get("Tags") or []
    name = next((t["Value"] for t in tags if t.get("Key") == "Name"), fs_id)
    return resource(
        ctx,
        service="fsx",
        type="file-system",
        id=raw.get("ResourceARN")
        or arn(ctx.partition, "fsx", ctx.region, ctx.account, f"file-system/{fs_id}"),
        name=name,
        zone=zone,
        region=where,
        tags=tags,
    )


def fetch_backups(client: FSxClient) -> list[Mapping[str, Any]]:
    """List every backup of the client's region, copies included (``DescribeBackups``)."""
    pages = client.get_paginator("describe_backups").paginate()
    return [item for page in pages for item in page.get("Backups", [])]


def backup_to_resource(raw: Mapping[str, Any], ctx: AwsContext) -> Resource:
    """Turn one FSx ``Backup`` into a :class:`Resource` of the region it is stored in."""
    backup_id = raw["BackupId"]
    tags = raw.get("Tags") or []
    name = next((t["Value"] for t in tags if t.get("Key") == "Name"), backup_id)
    return resource(
        ctx,
        service="fsx",
        type="backup",
        id=raw.get("ResourceARN")
        or arn(ctx.partition, "fsx", ctx.region, ctx.account, f"backup/{backup_id}"),
        name=name,
        tags=tags,
    )


def collect_backups(ctx: AwsContext) -> list[Resource]:
    """List the FSx backups stored in ``ctx.region`` (copies from other regions included)."""
    return [backup_to_resource(raw, ctx) for raw in fetch_backups(ctx.client("fsx"))]


def collect_file_systems(ctx: AwsContext) -> list[Resource]:
    """List the FSx file systems of ``ctx.region`` with the zones of single-AZ ones."""
    raws = fetch_file_systems(ctx.client("fsx"))
    subnets = [s for s in map(single_subnet, raws) if s]
    zones: Mapping[str, str] | Unread = {}
    if subnets:
        ec2 = ctx.client("ec2")
        where = f"region {ctx.region}"
        zones = detail(_SUBNETS_CALL, where, lambda: fetch_subnet_zones(ec2, subnets))
    return [to_resource(raw, ctx, zones) for raw in raws]


COLLECTORS: tuple[Collector, ...] = (
    Collector(
        "fsx",
        "file-systems",
        collect_file_systems,
        actions=("fsx:DescribeFileSystems", "ec2:DescribeSubnets"),
        answers={
            "DescribeFileSystems": ("FileSystems[]", "FileSystems[].FileSystemId"),
            "ec2:DescribeSubnets": (
                "Subnets[]",
                "Subnets[].SubnetId",
                "Subnets[].AvailabilityZone",
            ),
        },
        copies=declare(
            "fsx",
            "file-system",
            note="backups, including those copied to another region, are reported as FSx backups",
        ),
    ),
    Collector(
        "fsx",
        "backups",
        collect_backups,
        actions=("fsx:DescribeBackups",),
        answers={"DescribeBackups": ("Backups[]", "Backups[].BackupId")},
        copies=declare(
            "fsx",
            "backup",
            Mechanism(
                "aws.fsx.backup-copy",
                MechanismKind.BACKUP,
                "backup copied from another region (CopyBackup)",
                "DescribeBackups Backups[] in each region (a copy is listed in its destination "
                "region, SourceBackupRegion names its origin)",
                "tests/providers/aws/services/test_aws_storage.py::"
                "test_fsx_backup_copies_are_backups_in_their_region",
            ),
        ),
    ),
)
