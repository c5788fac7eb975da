"""EC2: instances and EBS volumes (with their zone), owned snapshots and owned AMIs.

A snapshot or AMI copied to another region (``CopySnapshot``, ``CopyImage``) is a new,
owned object in the destination region, so it is listed there as a resource of its own.
Instances in Local Zones (``us-east-1-bue-1a``) carry the zone, which the catalog resolves.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cloudaudit.models import Resource
from cloudaudit.providers.aws._base import (
    SEPARATE_COPY,
    AwsContext,
    Collector,
    arn,
    declare,
    on_outpost,
    page_items,
    resource,
)

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client

__all__ = [
    "COLLECTORS",
    "fetch_images",
    "fetch_instances",
    "fetch_snapshots",
    "fetch_volumes",
    "image_to_resource",
    "instance_to_resource",
    "list_images",
    "list_instances",
    "list_snapshots",
    "list_volumes",
    "on_outpost",
    "snapshot_to_resource",
    "volume_to_resource",
]


def fetch_instances(ec2: EC2Client) -> list[Mapping[str, Any]]:
    """All instances of the region (``DescribeInstances``, reservations flattened)."""
    return [
        inst
        for reservation in page_items(
            ec2.get_paginator("describe_instances").paginate(), "Reservations"
        )
        for inst in reservation.get("Instances", [])
    ]


def fetch_volumes(ec2: EC2Client) -> list[Mapping[str, Any]]:
    """All EBS volumes of the region (``DescribeVolumes``)."""
    return page_items(ec2.get_paginator("describe_volumes").paginate(), "Volumes")


def fetch_snapshots(ec2: EC2Client) -> list[Mapping[str, Any]]:
    """EBS snapshots owned by the account (``DescribeSnapshots`` with ``OwnerIds=["self"]``)."""
    return page_items(
        ec2.get_paginator("describe_snapshots").paginate(OwnerIds=["self"]), "Snapshots"
    )


def fetch_images(ec2: EC2Client) -> list[Mapping[str, Any]]:
    """AMIs owned by the account (``DescribeImages`` with ``Owners=["self"]``).

    Disabled AMIs are asked for too (``IncludeDisabled``): AWS leaves them out by default,
    and a disabled AMI still holds its data where it is.
    """
    pages = ec2.get_paginator("describe_images").paginate(Owners=["self"], IncludeDisabled=True)
    return page_items(pages, "Images")


def _name(raw: Mapping[str, Any], default: str) -> str:
    for tag in raw.get("Tags") or ():
        if tag.get("Key") == "Name" and tag.get("Value"):
            return str(tag["Value"])
    return default


def _outpost(raw: Mapping[str, Any]) -> str | None:
    """The Outpost a resource (or, for an AMI, one of its EBS snapshots) is stored on."""
    found = raw.get("OutpostArn")
    if found:
        return str(found)
    for mapping in raw.get("BlockDeviceMappings") or ():
        found = (mapping.get("Ebs") or {}).get("OutpostArn")
        if found:
            return str(found)
    return None


def instance_to_resource(ctx: AwsContext, raw: Mapping[str, Any]) -> Resource:
    """An instance, in its availability zone (or Local/Wavelength Zone, or Outpost)."""
    iid = str(raw["InstanceId"])
    res = resource(
        ctx,
        service="ec2",
        type="instance",
        id=arn(ctx.partition, "ec2", ctx.region, ctx.account, f"instance/{iid}"),
        name=_name(raw, iid),
        zone=raw.get("Placement", {}).get("AvailabilityZone") or None,
        tags=raw.get("Tags"),
    )
    return on_outpost(res, _outpost(raw))


def volume_to_resource(ctx: AwsContext, raw: Mapping[str, Any]) -> Resource:
    """An EBS volume, in its availability zone (or on an Outpost)."""
    vid = str(raw["VolumeId"])
    res = resource(
        ctx,
        service="ec2",
        type="volume",
        id=arn(ctx.partition, "ec2", ctx.region, ctx.account, f"volume/{vid}"),
        name=_name(raw, vid),
        zone=raw.get("AvailabilityZone") or None,
        tags=raw.get("Tags"),
    )
    return on_outpost(res, _outpost(raw))


def snapshot_to_resource(ctx: AwsContext, raw: Mapping[str, Any]) -> Resource:
    """An owned EBS snapshot, in the region that holds it (a copy is listed where it is).

    A snapshot stored on an Outpost (``OutpostArn``) is on the customer's premises.
    """
    sid = str(raw["SnapshotId"])
    res = resource(
        ctx,
        service="ec2",
        type="snapshot",
        id=arn(ctx.partition, "ec2", ctx.region, "", f"snapshot/{sid}"),
        name=_name(raw, sid),
        tags=raw.get("Tags"),
    )
    return on_outpost(res, _outpost(raw))


def image_to_resource(ctx: AwsContext, raw: Mapping[str, Any]) -> Resource:
    """An owned AMI, in the region that holds it (on an Outpost when its snapshots are)."""
    image_id = str(raw["ImageId"])
    res = resource(
        ctx,
        service="ec2",
        type="image",
        id=arn(ctx.partition, "ec2", ctx.region, "", f"image/{image_id}"),
        name=_name(raw, str(raw.get("Name") or image_id)),
        tags=raw.get("Tags"),
    )
    return on_outpost(res, _outpost(raw))


def list_instances(ctx: AwsContext) -> list[Resource]:
    """Instances of ``ctx.region``."""
    return [instance_to_resource(ctx, r) for r in fetch_instances(ctx.client("ec2"))]


def list_volumes(ctx: AwsContext) -> list[Resource]:
    """EBS volumes of ``ctx.region``."""
    return [volume_to_resource(ctx, r) for r in fetch_volumes(ctx.client("ec2"))]


def list_snapshots(ctx: AwsContext) -> list[Resource]:
    """Owned EBS snapshots of ``ctx.region``."""
    return [snapshot_to_resource(ctx, r) for r in fetch_snapshots(ctx.client("ec2"))]


def list_images(ctx: AwsContext) -> list[Resource]:
    """Owned AMIs of ``ctx.region``."""
    return [image_to_resource(ctx, r) for r in fetch_images(ctx.client("ec2"))]


COLLECTORS: tuple[Collector, ...] = (
    Collector(
        "ec2",
        "instances",
        list_instances,
        actions=("ec2:DescribeInstances",),
        answers={"DescribeInstances": ("Reservations[]",)},
        copies=declare("ec2", "instance", note="its volumes are reported as volumes"),
    ),
    Collector(
        "ec2",
        "volumes",
        list_volumes,
        actions=("ec2:DescribeVolumes",),
        answers={"DescribeVolumes": ("Volumes[]",)},
        copies=declare("ec2", "volume", note=SEPARATE_COPY.format(what="snapshot")),
    ),
    Collector(
        "ec2",
        "snapshots",
        list_snapshots,
        actions=("ec2:DescribeSnapshots",),
        answers={"DescribeSnapshots": ("Snapshots[]",)},
        copies=declare("ec2", "snapshot", note=SEPARATE_COPY.format(what="snapshot")),
    ),
    Collector(
        "ec2",
        "images",
        list_images,
        actions=("ec2:DescribeImages",),
        answers={"DescribeImages": ("Images[]",)},
        copies=declare("ec2", "image", note=SEPARATE_COPY.format(what="image")),
    ),
)
