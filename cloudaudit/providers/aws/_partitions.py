"""AWS partitions: which partition a region belongs to, and each partition's home region."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

__all__ = [
    "HOME_REGIONS",
    "REGION_NAME",
    "home_region",
    "partition_of",
    "partition_regions",
    "region_name_error",
]

REGION_NAME = re.compile(r"[a-z]{2,4}(-[a-z]+)+-\d{1,2}")
"""The shape of an AWS region name (``eu-west-1``, ``us-gov-west-1``, ``eusc-de-east-1``)."""


def region_name_error(value: object) -> str | None:
    """Why ``value`` is not an AWS region name (``None``: it has the shape of one)."""
    if isinstance(value, str) and REGION_NAME.fullmatch(value):
        return None
    return f"{value!r} is not an AWS region name (such as eu-west-1)"


HOME_REGIONS: dict[str, str] = {
    "aws": "us-east-1",
    "aws-cn": "cn-north-1",
    "aws-us-gov": "us-gov-west-1",
    "aws-eusc": "eusc-de-east-1",
}
"""Where account-wide listings (S3 ListBuckets, STS, DescribeRegions) are sent."""


@cache
def _partitions() -> tuple[dict[str, Any], ...]:
    from botocore.loaders import Loader

    data = Loader().load_data("partitions")
    return tuple(data["partitions"])


def partition_of(region: str) -> str:
    """Return the partition of ``region`` from botocore's partition data.

    Example:
        >>> partition_of("cn-north-1"), partition_of("us-gov-west-1"), partition_of("eu-west-1")
        ('aws-cn', 'aws-us-gov', 'aws')
    """
    parts = _partitions()
    for p in parts:
        if region in p.get("regions", {}):
            return str(p["id"])
    for p in parts:
        if re.match(p["regionRegex"], region):
            return str(p["id"])
    return "aws"


def home_region(partition: str) -> str:
    """Return the region used for a partition's account-wide calls."""
    if partition in HOME_REGIONS:
        return HOME_REGIONS[partition]
    for p in _partitions():
        if p["id"] == partition:
            return str(p["outputs"].get("implicitGlobalRegion") or "us-east-1")
    return "us-east-1"


def partition_regions(partition: str) -> tuple[str, ...]:
    """Return the regions botocore knows for ``partition`` (no ``*-global`` pseudo-regions)."""
    for p in _partitions():
        if p["id"] == partition:
            return tuple(r for r in p.get("regions", {}) if not r.endswith("-global"))
    return ()
