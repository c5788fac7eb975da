"""S3 buckets: one account-wide listing, each bucket in its own region, replicas as copies.

``ListBuckets`` returns ``BucketRegion`` on current S3; when it is missing (older endpoints,
other partitions, fakes) the region comes from ``GetBucketLocation``, where ``None`` means
us-east-1 and the legacy ``EU`` means eu-west-1. Replication destinations go into
``data_locations``. The per-bucket calls are secondary (``_base.detail``): when one
fails, that bucket alone gets an *unknown* location or copy whose reason names the call and the
error code, a gap records the lookup, and every bucket is still reported.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cloudaudit.copymodel import Mechanism, MechanismKind
from cloudaudit.models import Location, LocationKind, ProviderId, Resource
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
    from mypy_boto3_s3 import S3Client

__all__ = [
    "COLLECTORS",
    "REPLICATION",
    "BucketFacts",
    "bucket_region",
    "fetch_bucket_location",
    "fetch_buckets",
    "fetch_replication",
    "list_buckets",
    "replication_destinations",
    "to_resource",
]

_LEGACY = {"EU": "eu-west-1", "": "us-east-1"}

UNKNOWN_LOCATION = Location(provider=ProviderId.AWS, region=None, kind=LocationKind.UNKNOWN)
"""A location that could not be read."""

REPLICATION = Mechanism(
    "aws.s3.replication",
    MechanismKind.REPLICATION,
    "S3 replication (CRR)",
    "GetBucketReplication Rules[].Destination.Bucket (the destination bucket's region)",
    "tests/providers/aws/test_aws_http.py::test_traps_give_the_right_verdicts_and_gaps",
)
"""The copy mechanism of a bucket (the ``via`` of its replicas)."""


@dataclass(frozen=True)
class BucketFacts:
    """What the API said about one bucket.

    Attributes:
        name: Bucket name.
        region: Its region; an :class:`Unread` (or ``None``) when GetBucketLocation failed.
        copies: Regions of replication destinations; an :class:`Unread` (or ``None``) for one
            that could not be read.
    """

    name: str
    region: str | Unread | None
    copies: tuple[str | Unread | None, ...] = ()


_REPLICATION_CALL = "s3:GetReplicationConfiguration"


def bucket_region(location_constraint: str | None) -> str:
    """Normalise a ``LocationConstraint``: ``None``/empty is us-east-1, ``EU`` is eu-west-1."""
    if location_constraint is None:
        return "us-east-1"
    return _LEGACY.get(location_constraint, location_constraint)


def fetch_buckets(s3: S3Client) -> list[Mapping[str, Any]]:
    """List every bucket with the ``ListBuckets`` paginator (``Name`` and ``BucketRegion``)."""
    out: list[Mapping[str, Any]] = []
    for page in s3.get_paginator("list_buckets").paginate():
        out.extend(page.get("Buckets", []))
    return out


def fetch_bucket_location(s3: S3Client, bucket: str) -> str | None:
    """Call ``GetBucketLocation``; return the raw ``LocationConstraint``."""
    constraint: str | None = s3.get_bucket_location(Bucket=bucket).get("LocationConstraint")
    return constraint


def fetch_replication(s3: S3Client, bucket: str) -> Mapping[str, Any] | None:
    """Call ``GetBucketReplication``; ``None`` when the bucket has no replication config."""
    from botocore.exceptions import ClientError

    try:
        config = s3.get_bucket_replication(Bucket=bucket)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ReplicationConfigurationNotFoundError":
            return None
        raise
    replication: Mapping[str, Any] = config.get("ReplicationConfiguration", {})
    return replication


def replication_destinations(config: Mapping[str, Any] | None) -> list[str]:
    """Destination bucket names of every rule (a disabled rule may have copied data before)."""
    if not config:
        return []
    names: list[str] = []
    for rule in config.get("Rules", []):
        dest = str(rule.get("Destination", {}).get("Bucket", ""))
        name = dest.rsplit(":", 1)[-1] if dest else ""
        if name and name not in names:
            names.append(name)
    return names


def to_resource(ctx: AwsContext, facts: BucketFacts) -> Resource:
    """Build the bucket :class:`Resource` (ARN ``arn:{partition}:s3:::{name}``)."""
    res = resource(
        ctx,
        service="s3",
        type="bucket",
        id=arn(ctx.partition, "s3", "", "", facts.name),
        name=facts.name,
        region=facts.region or "unknown",
        copies=via(REPLICATION, [c for c in facts.copies if c]),
    )
    update: dict[str, Any] = {}
    if facts.region is None:
        update["location"] = UNKNOWN_LOCATION
    if any(c is None for c in facts.copies):
        unknown = UNKNOWN_LOCATION.model_copy(update={"via": REPLICATION.id})
        update["data_locations"] = (*res.data_locations, unknown)
    return res.model_copy(update=update) if update else res


def _where(s3: S3Client, bucket: str, why: str = "") -> str | Unread:
    return detail(
        "s3:GetBucketLocation",
        f"bucket {bucket}{why}",
        lambda: bucket_region(fetch_bucket_location(s3, bucket)),
    )


def _facts(ctx: AwsContext, raw: Mapping[str, Any]) -> BucketFacts:
    home = ctx.client("s3")
    name = str(raw["Name"])
    region = raw.get("BucketRegion") or _where(home, name)
    if isinstance(region, Unread):
        # the replication configuration is read in the bucket's region: unknown too, and
        # said so (a copy with the location's own note would read as the same place)
        why = f"not read, the bucket's region is unknown ({region.reason})"
        return BucketFacts(name, region, (Unread(_REPLICATION_CALL, f"bucket {name}", why),))
    config = detail(
        _REPLICATION_CALL,
        f"bucket {name}",
        lambda: fetch_replication(ctx.client_in("s3", region), name),
    )
    if isinstance(config, Unread):
        return BucketFacts(name, region, (config,))
    dests = replication_destinations(config)
    return BucketFacts(name, region, tuple(_where(home, d, f" (replica of {name})") for d in dests))


def list_buckets(ctx: AwsContext) -> list[Resource]:
    """List every bucket of the account once, with its region and replica regions.

    The per-bucket calls go through ``ctx.map``: in an audit they run concurrently, within
    the audit's one bound (``FanOut.map``), so that a thousand buckets cost seconds.
    """
    buckets = fetch_buckets(ctx.client("s3"))
    facts = ctx.map(lambda b: _facts(ctx, b), buckets)
    seen: dict[str, Resource] = {}
    for f in facts:
        seen.setdefault(f.name, to_resource(ctx, f))
    return list(seen.values())


COLLECTORS: tuple[Collector, ...] = (
    Collector(
        service="s3",
        name="buckets",
        run=list_buckets,
        regional=False,
        actions=("s3:ListAllMyBuckets", "s3:GetBucketLocation", "s3:GetReplicationConfiguration"),
        answers={
            "ListBuckets": ("Buckets[]", "Buckets[].Name"),
            # AWS requires Role and at least one rule (S3 API Reference, ReplicationConfiguration)
            "GetBucketReplication": (
                "ReplicationConfiguration{}",
                "ReplicationConfiguration.Rules[]",
            ),
        },
        copies=declare(
            "s3",
            "bucket",
            REPLICATION,
        ),
    ),
)
