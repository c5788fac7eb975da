"""EC2: instances and EBS volumes (with their zone), owned snapshots and owned AMIs.

A snapshot or AMI copied to another region (``CopySnapshot``, ``CopyImage``) is a new,
owned object in the destination region, so it is listed there as a resource of its own.
Instances in Local Zones (``us-east-1-bue-1a``) carry the zone, which the catalog resolves.

A snapshot deleted, or an AMI deregistered, under a Recycle Bin retention rule is kept in its
region until the rule's retention ends (up to a year), and neither ``DescribeSnapshots`` nor
``DescribeImages`` lists it: ``ListSnapshotsInRecycleBin`` and ``ListImagesInRecycleBin`` do.
Those are listed too, as snapshots and AMIs of their region (named as in the Recycle Bin), so
a region whose other data is gone still shows the data it keeps.
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
    "fetch_recycled_images",
    "fetch_recycled_snapshots",
    "fetch_snapshots",
    "fetch_volumes",
    "image_to_resource",
    "instance_to_resource",
    "list_images",
    "list_instances",
    "list_recycled_images",
    "list_recycled_snapshots",
    "list_snapshots",
    "list_volumes",
    "on_outpost",
    "recycled_image_to_resource",
    "recycled_snapshot_to_resource",
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


def fetch_recycled_snapshots(ec2: EC2Client) -> list[Mapping[str, Any]]:
    """Snapshots in the region's Recycle Bin (``ListSnapshotsInRecycleBin``)."""
    pages = ec2.get_paginator("list_snapshots_in_recycle_bin").paginate()
    return page_items(pages, "Snapshots")


def fetch_recycled_images(ec2: EC2Client) -> list[Mapping[str, Any]]:
    """AMIs in the region's Recycle Bin (``ListImagesInRecycleBin``)."""
    return page_items(ec2.get_paginator("list_images_in_recycle_bin").paginate(), "Images")


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


def _in_bin(name: str, raw: Mapping[str, Any]) -> str:
    """``name``, saying it is in the Recycle Bin and until when."""
    until = raw.get("RecycleBinExitTime")
    day = f" until {until:%Y-%m-%d}" if hasattr(until, "strftime") else ""
    return f"{name} (in the Recycle Bin{day})"


def recycled_snapshot_to_resource(ctx: AwsContext, raw: Mapping[str, Any]) -> Resource:
    """A snapshot in the Recycle Bin: its data is still in the region until it leaves."""
    sid = str(raw["SnapshotId"])
    return resource(
        ctx,
        service="ec2",
        type="snapshot",
        id=arn(ctx.partition, "ec2", ctx.region, "", f"snapshot/{sid}"),
        name=_in_bin(sid, raw),
    )


def recycled_image_to_resource(ctx: AwsContext, raw: Mapping[str, Any]) -> Resource:
    """An AMI in the Recycle Bin: its snapshots are still in the region until it leaves."""
    image_id = str(raw["ImageId"])
    return resource(
        ctx,
        service="ec2",
        type="image",
        id=arn(ctx.partition, "ec2", ctx.region, "", f"image/{image_id}"),
        name=_in_bin(str(raw.get("Name") or image_id), raw),
    )


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


def list_recycled_snapshots(ctx: AwsContext) -> list[Resource]:
    """Snapshots in the Recycle Bin of ``ctx.region``."""
    raw = fetch_recycled_snapshots(ctx.client("ec2"))
    return [recycled_snapshot_to_resource(ctx, r) for r in raw]


def list_recycled_images(ctx: AwsContext) -> list[Resource]:
    """AMIs in the Recycle Bin of ``ctx.region``."""
    return [recycled_image_to_resource(ctx, r) for r in fetch_recycled_images(ctx.client("ec2"))]


SNAPSHOT_COPIES = declare("ec2", "snapshot", note=SEPARATE_COPY.format(what="snapshot"))
"""Snapshots' copies, listed or in the Recycle Bin: each copy is a snapshot of its own."""
IMAGE_COPIES = declare("ec2", "image", note=SEPARATE_COPY.format(what="image"))
"""AMIs' copies, listed or in the Recycle Bin: each copy is an AMI of its own."""

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
        copies=SNAPSHOT_COPIES,
    ),
    Collector(
        "ec2",
        "images",
        list_images,
        actions=("ec2:DescribeImages",),
        answers={"DescribeImages": ("Images[]",)},
        copies=IMAGE_COPIES,
    ),
    # The Recycle Bin's snapshots and AMIs are of the types above, with the same declaration:
    # a listing of their own, so that a refusal there costs nothing listed above.
    Collector(
        "ec2",
        "recycle-bin-snapshots",
        list_recycled_snapshots,
        actions=("ec2:ListSnapshotsInRecycleBin",),
        answers={"ListSnapshotsInRecycleBin": ("Snapshots[]",)},
        copies=SNAPSHOT_COPIES,
    ),
    Collector(
        "ec2",
        "recycle-bin-images",
        list_recycled_images,
        actions=("ec2:ListImagesInRecycleBin",),
        answers={"ListImagesInRecycleBin": ("Images[]",)},
        copies=IMAGE_COPIES,
    ),
)
