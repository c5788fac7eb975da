"""Region discovery and the one-call probe of regions that are not opted in."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from cloudaudit.providers.aws._errors import RegionRefused

__all__ = ["RegionInfo", "RegionProbe", "fetch_regions", "to_regions"]

ENABLED_STATUSES = frozenset({"opt-in-not-required", "opted-in"})


@dataclass(frozen=True)
class RegionInfo:
    """One region of the partition and whether the account has it enabled."""

    name: str
    opt_in_status: str

    @property
    def enabled(self) -> bool:
        """True for ``opt-in-not-required`` and ``opted-in`` regions."""
        return self.opt_in_status in ENABLED_STATUSES


def fetch_regions(ec2: Any) -> list[dict[str, Any]]:
    """Call ``ec2:DescribeRegions`` with ``AllRegions=True`` (disabled regions included)."""
    regions: list[dict[str, Any]] = ec2.describe_regions(AllRegions=True)["Regions"]
    return regions


def to_regions(raw: list[dict[str, Any]], wanted: tuple[str, ...] | None) -> list[RegionInfo]:
    """Turn a DescribeRegions response into :class:`RegionInfo`, keeping ``wanted`` ones.

    A wanted region that DescribeRegions does not list is kept with status ``unknown`` so
    that it is probed and, if it refuses, reported as a gap rather than dropped.
    """
    found = {
        r["RegionName"]: RegionInfo(r["RegionName"], r.get("OptInStatus", "opt-in-not-required"))
        for r in raw
    }
    if wanted is None:
        return sorted(found.values(), key=lambda r: r.name)
    return [found.get(name, RegionInfo(name, "unknown")) for name in dict.fromkeys(wanted)]


class RegionProbe:
    """Probes each not-opted-in region once (``ec2:DescribeAvailabilityZones``), shared by threads.

    The first unit of a region makes the call; the others wait for its answer. A refusal is
    remembered and re-raised as :class:`RegionRefused` for every unit of that region.
    """

    def __init__(self) -> None:
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self._answers: dict[str, RegionRefused | None] = {}

    def refusal(self, region: str) -> RegionRefused | None:
        """The remembered refusal of ``region`` (``None`` if it answered or was not probed)."""
        return self._answers.get(region)

    def check(self, region: str, ec2: Any) -> None:
        """Probe ``region`` with its EC2 client once; raise :class:`RegionRefused` if refused."""
        with self._guard:
            lock = self._locks.setdefault(region, threading.Lock())
        with lock:
            if region not in self._answers:
                self._answers[region] = _probe(region, ec2)
        refused = self._answers[region]
        if refused is not None:
            raise refused


def _probe(region: str, ec2: Any) -> RegionRefused | None:
    from botocore.exceptions import ClientError

    try:
        ec2.describe_availability_zones()
    except ClientError as exc:
        error = exc.response.get("Error", {})
        return RegionRefused(
            region, str(error.get("Code", "ClientError")), str(error.get("Message"))
        )
    return None
