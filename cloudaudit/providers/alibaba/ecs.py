"""ECS: regions, instances, disks, snapshots and owned images.

``fetch_*`` functions only call the API and paginate; ``*_to_resource`` functions are pure and
turn one API item (the JSON shape of the ECS API, as returned by ``body.to_map()``) into a
:class:`~cloudaudit.models.Resource`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from cloudaudit.evidence._record import recorded
from cloudaudit.models import Location, LocationKind, ProviderId, Resource
from cloudaudit.providers._paging import PageGuard, page_digest
from cloudaudit.providers.alibaba._clients import body_of, count_of

__all__ = [
    "disk_to_resource",
    "fetch_disks",
    "fetch_images",
    "fetch_instances",
    "fetch_regions",
    "fetch_snapshots",
    "image_to_resource",
    "instance_to_resource",
    "snapshot_to_resource",
]

PAGE_SIZE = 100
Item = Mapping[str, Any]


def _models() -> Any:
    from alibabacloud_ecs20140526 import models

    return models


@recorded("ecs:DescribeRegions")
def fetch_regions(client: Any) -> list[str]:
    """Return the region ids ECS reports for the account (``DescribeRegions``).

    Args:
        client: An ``alibabacloud_ecs20140526.client.Client``.
    """
    response = client.describe_regions(_models().DescribeRegionsRequest())
    needs = ("Regions{}", "Regions.Region[]", "Regions.Region[].RegionId")
    body = body_of(response, "ecs:DescribeRegions", needs)  # a region without its id: malformed
    return [str(r["RegionId"]) for r in body["Regions"]["Region"]]


def _by_token(call: Callable[[str | None], Any], container: str, member: str) -> Iterator[Item]:
    """Follow ``NextToken`` pages: ``call(token)`` returns one page's response.

    Every page must hold ``container.member`` as a list (an empty list is an answer, a
    missing one is a ``MalformedResponse``).

    Raises:
        PaginationLoop: The API sent a token it had already sent (it would never end).
        PageCapReached: The listing went past the page cap.
        MalformedResponse: A page without the list.
    """
    token: str | None = None
    operation = f"ecs:Describe{container}"
    guard = PageGuard(operation)
    while True:
        body = body_of(call(token), operation, (f"{container}{{}}", f"{container}.{member}[]"))
        yield from body[container][member]
        token = body.get("NextToken") or None
        if not guard.next(token):
            return


@recorded("ecs:DescribeInstances")
def fetch_instances(client: Any, region: str) -> list[Item]:
    """List every ECS instance of ``region`` (``DescribeInstances``, NextToken pages)."""
    m = _models()

    def call(token: str | None) -> Any:
        req = m.DescribeInstancesRequest(region_id=region, max_results=PAGE_SIZE, next_token=token)
        return client.describe_instances(req)

    return list(_by_token(call, "Instances", "Instance"))


@recorded("ecs:DescribeDisks")
def fetch_disks(client: Any, region: str) -> list[Item]:
    """List every block storage disk of ``region`` (``DescribeDisks``, NextToken pages)."""
    m = _models()

    def call(token: str | None) -> Any:
        req = m.DescribeDisksRequest(region_id=region, max_results=PAGE_SIZE, next_token=token)
        return client.describe_disks(req)

    return list(_by_token(call, "Disks", "Disk"))


@recorded("ecs:DescribeSnapshots")
def fetch_snapshots(client: Any, region: str) -> list[Item]:
    """List every snapshot of ``region`` (``DescribeSnapshots``, NextToken pages)."""
    m = _models()

    def call(token: str | None) -> Any:
        req = m.DescribeSnapshotsRequest(region_id=region, max_results=PAGE_SIZE, next_token=token)
        return client.describe_snapshots(req)

    return list(_by_token(call, "Snapshots", "Snapshot"))


@recorded("ecs:DescribeImages")
def fetch_images(client: Any, region: str) -> list[Item]:
    """List the account's own images in ``region`` (``ImageOwnerAlias=self``, page numbers)."""
    m = _models()
    out: list[Item] = []
    page = 1
    guard = PageGuard(f"ecs:DescribeImages {region}")
    while True:
        req = m.DescribeImagesRequest(
            region_id=region, image_owner_alias="self", page_number=page, page_size=PAGE_SIZE
        )
        needs = ("Images{}", "Images.Image[]", "TotalCount")
        body = body_of(client.describe_images(req), "ecs:DescribeImages", needs)
        items = body["Images"]["Image"]
        guard.next(page_digest(items))  # a page served twice is a loop
        out.extend(items)
        total = count_of(body, "TotalCount", "ecs:DescribeImages")
        if not items or len(out) >= total:
            return out
        page += 1


def _tags(item: Item) -> dict[str, str]:
    tags = item.get("Tags", {}).get("Tag", []) or []
    return {str(t.get("TagKey", "")): str(t.get("TagValue", "")) for t in tags if t.get("TagKey")}


def _arn(account: str, region: str, kind: str, rid: str) -> str:
    return f"acs:ecs:{region}:{account}:{kind}/{rid}"


def _located(
    account: str, region: str, item: Item, *, kind: str, id_key: str, name_key: str
) -> Resource:
    rid = str(item[id_key])
    zone = item.get("ZoneId") or None
    return Resource(
        provider=ProviderId.ALIBABA,
        account=account,
        service="ecs",
        type=kind,
        id=_arn(account, region, kind, rid),
        name=str(item.get(name_key) or rid),
        location=Location(
            provider=ProviderId.ALIBABA,
            region=str(item.get("RegionId") or region),
            zone=str(zone) if zone else None,
            kind=LocationKind.ZONE if zone else LocationKind.REGION,
        ),
        tags=_tags(item),
    )


def instance_to_resource(account: str, region: str, item: Item) -> Resource:
    """Turn one ``DescribeInstances`` item into a zonal Resource."""
    return _located(
        account, region, item, kind="instance", id_key="InstanceId", name_key="InstanceName"
    )


def disk_to_resource(account: str, region: str, item: Item) -> Resource:
    """Turn one ``DescribeDisks`` item into a zonal Resource."""
    return _located(account, region, item, kind="disk", id_key="DiskId", name_key="DiskName")


def snapshot_to_resource(account: str, region: str, item: Item) -> Resource:
    """Turn one ``DescribeSnapshots`` item into a regional Resource."""
    item = {k: v for k, v in item.items() if k != "ZoneId"}
    return _located(
        account, region, item, kind="snapshot", id_key="SnapshotId", name_key="SnapshotName"
    )


def image_to_resource(account: str, region: str, item: Item) -> Resource:
    """Turn one ``DescribeImages`` item into a regional Resource."""
    return _located(account, region, item, kind="image", id_key="ImageId", name_key="ImageName")
