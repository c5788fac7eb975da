"""OSS buckets, their region and their cross-region replication destinations.

``fetch_buckets`` and ``fetch_replication`` only call the API and paginate; ``bucket_region``
and ``bucket_to_resource`` are pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cloudaudit.evidence._record import recorded
from cloudaudit.models import Location, LocationKind, ProviderId, Resource
from cloudaudit.providers._calls import calling
from cloudaudit.providers._detail import Unread
from cloudaudit.providers._paging import PageGuard
from cloudaudit.providers.alibaba._errors import oss_error_code

__all__ = [
    "Bucket",
    "BucketListing",
    "Destination",
    "bucket_region",
    "bucket_to_resource",
    "fetch_buckets",
    "fetch_replication",
]

PAGE_SIZE = 1000
NO_REPLICATION = "NoSuchReplicationConfiguration"
VIA = "alibaba.oss.replication"
"""The copy mechanism of a replication destination (:mod:`cloudaudit.copymodel`)."""


@dataclass(frozen=True)
class Bucket:
    """One bucket as ``ListBuckets`` reports it."""

    name: str
    location: str | None
    region: str | None = None


@dataclass(frozen=True)
class Destination:
    """One replication rule's destination bucket and its location (``oss-<region>``).

    Either may be missing from an answer: the copy is placed by ``location`` alone, and is
    in an unknown place when there is none.
    """

    bucket: str | None
    location: str | None


@dataclass(frozen=True)
class BucketListing:
    """The buckets of an account and the account (owner) id OSS reports."""

    owner: str | None
    buckets: Sequence[Bucket]


@recorded("oss:ListBuckets")
def fetch_buckets(client: Any) -> BucketListing:
    """List every bucket of the account (``ListBuckets``, marker pages).

    Args:
        client: An ``alibabacloud_oss_v2.Client``.
    """
    import alibabacloud_oss_v2 as oss

    owner: str | None = None
    buckets: list[Bucket] = []
    guard = PageGuard("oss:ListBuckets")
    paginator = client.list_buckets_paginator(limit=PAGE_SIZE)
    with calling("oss:ListBuckets"):
        for page in paginator.iter_page(oss.ListBucketsRequest()):
            if page.owner is not None and page.owner.id:
                owner = str(page.owner.id)
            for b in page.buckets or []:
                buckets.append(Bucket(name=str(b.name), location=b.location, region=b.region))
            # the SDK's paginator would ask for a page it already had forever; a page that
            # leaves IsTruncated out but names a NextMarker has more after it
            more = page.is_truncated if page.is_truncated is not None else bool(page.next_marker)
            guard.next((page.next_marker or "(no marker)") if more else None)
    return BucketListing(owner=owner, buckets=buckets)


@recorded("oss:GetBucketReplication")
def fetch_replication(client: Any, bucket: str) -> list[Destination]:
    """Return the destinations of a bucket's replication rules (``GetBucketReplication``).

    A bucket without replication (``NoSuchReplicationConfiguration``) has no destinations; any
    other error propagates so that the caller records a coverage gap.

    Args:
        client: An ``alibabacloud_oss_v2.Client`` for the bucket's region.
        bucket: Bucket name.
    """
    import alibabacloud_oss_v2 as oss

    try:
        result = client.get_bucket_replication(oss.GetBucketReplicationRequest(bucket=bucket))
    except oss.exceptions.OperationError as exc:
        if oss_error_code(exc) == NO_REPLICATION:
            return []
        raise
    config = result.replication_configuration
    out: list[Destination] = []
    for rule in (config.rules if config is not None else None) or []:
        dest = rule.destination  # every rule is a copy, whatever its destination says
        name = str(dest.bucket) if dest is not None and dest.bucket else None
        location = str(dest.location) if dest is not None and dest.location else None
        out.append(Destination(bucket=name, location=location))
    return out


def bucket_region(location: str | None, region: str | None = None) -> str | None:
    """Turn an OSS location (``oss-us-east-1``) into a region id (``us-east-1``).

    Args:
        location: The ``Location`` OSS reports.
        region: The ``Region`` OSS reports, when it does (preferred).
    """
    if region:
        return region
    if not location:
        return None
    return location.removeprefix("oss-")


def bucket_to_resource(
    account: str, bucket: Bucket, destinations: Sequence[Destination] | Unread = ()
) -> Resource:
    """Turn a bucket and its replication destinations into a Resource.

    A bucket whose location OSS did not report gets ``kind=unknown`` (never a guess);
    ``destinations`` is an :class:`Unread` when the replication could not be read (an unknown
    copy naming the failed call).
    """
    region = bucket_region(bucket.location, bucket.region)
    copies: list[Location] = []
    if isinstance(destinations, Unread):
        copies.append(destinations.location(ProviderId.ALIBABA, VIA))
        destinations = ()
    for d in destinations:
        dest_region = bucket_region(d.location)
        note = None
        if not dest_region:
            what = f"bucket {d.bucket}" if d.bucket else "no bucket"
            note = f"a replication rule's destination ({what}) has no Location"
        copies.append(
            Location(
                provider=ProviderId.ALIBABA,
                region=dest_region,
                kind=LocationKind.REGION if dest_region else LocationKind.UNKNOWN,
                via=VIA,
                note=note,
            )
        )
    return Resource(
        provider=ProviderId.ALIBABA,
        account=account,
        service="oss",
        type="bucket",
        id=f"acs:oss:*:{account}:{bucket.name}",
        name=bucket.name,
        location=Location(
            provider=ProviderId.ALIBABA,
            region=region,
            kind=LocationKind.REGION if region else LocationKind.UNKNOWN,
        ),
        data_locations=tuple(dict.fromkeys(copies)),
    )
