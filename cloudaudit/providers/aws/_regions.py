"""Region discovery and the one-call probe of regions that are not opted in."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cloudaudit.providers._choose import unlisted as close_names
from cloudaudit.providers.aws._errors import RegionRefused, classify

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client

__all__ = ["RegionInfo", "RegionProbe", "fetch_regions", "to_regions", "unlisted"]

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


def fetch_regions(ec2: EC2Client) -> list[dict[str, Any]]:
    """Call ``ec2:DescribeRegions`` with ``AllRegions=True`` (disabled regions included)."""
    return [dict(r) for r in ec2.describe_regions(AllRegions=True)["Regions"]]


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


def unlisted(
    raw: list[dict[str, Any]], wanted: tuple[str, ...] | None
) -> dict[str, tuple[str, ...]]:
    """The ``wanted`` regions DescribeRegions does not list, each with the closest it does."""
    return close_names(wanted or (), (str(r["RegionName"]) for r in raw))


class RegionProbe:
    """Probes each not-opted-in region once (``ec2:DescribeAvailabilityZones``), up front.

    :meth:`start` issues every probe at once on its own small pool, as soon as the regions are
    known, so the answers are in before the units of those regions (scheduled last) run and no
    unit holds a fan-out slot waiting for a probe. A refusal is remembered and re-raised as
    :class:`RegionRefused` for every unit of that region.

    Args:
        max_parallel: Most probes in flight at once.
    """

    def __init__(self, max_parallel: int = 16) -> None:
        self._max_parallel = max(1, max_parallel)
        self._futures: dict[str, Future[RegionRefused | None]] = {}
        self._pool: ThreadPoolExecutor | None = None
        self.unlisted: dict[str, tuple[str, ...]] = {}
        """Regions asked for that DescribeRegions does not list, with the closest it does."""

    def start(self, regions: Sequence[str], ec2_in: Callable[[str], EC2Client]) -> None:
        """Probe ``regions`` concurrently with ``ec2_in(region)``; return at once."""
        todo = [r for r in dict.fromkeys(regions) if r not in self._futures]
        if not todo:
            return
        if self._pool is None:
            self._pool = ThreadPoolExecutor(
                max_workers=min(self._max_parallel, len(todo)),
                thread_name_prefix="cloudaudit-probe",
            )
        for region in todo:
            self._futures[region] = self._pool.submit(_probe_in, region, ec2_in)

    def refusal(self, region: str) -> RegionRefused | None:
        """The remembered refusal of ``region`` (``None`` if it answered or was not probed).

        A probe that failed otherwise (a malformed answer, a reset connection, a timeout) is
        no refusal either: the region's units meet its error in :meth:`check` and report it
        as their own gaps, and nothing else of the audit is affected. Unless DescribeRegions
        does not list the region (a misspelt name, most often): then that failure is the
        region's one gap, saying so (``UnknownRegion``).
        """
        future = self._futures.get(region)
        if future is None or not future.done():
            return None
        exc = future.exception()
        if exc is None:
            return future.result()
        close = self.unlisted.get(region)
        if close is None:
            return None
        found = classify(exc)
        detail = f"{found[0]}: {found[1]}" if found else f"{type(exc).__name__}: {exc}"
        return RegionRefused(region, "UnknownRegion", detail, unlisted=close)

    def check(self, region: str, ec2: EC2Client) -> None:
        """Wait for ``region``'s probe (probing it now if not started); raise if refused."""
        future = self._futures.get(region)
        refused = future.result() if future is not None else _probe(region, ec2)
        if future is None:
            done: Future[RegionRefused | None] = Future()
            done.set_result(refused)
            self._futures.setdefault(region, done)
        if refused is not None:
            raise refused

    def close(self) -> None:
        """Stop the probe pool (probes still running finish on their own)."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)


def _probe_in(region: str, ec2_in: Callable[[str], EC2Client]) -> RegionRefused | None:
    return _probe(region, ec2_in(region))  # built on the probe's thread, as the call


def _probe(region: str, ec2: EC2Client) -> RegionRefused | None:
    from botocore.exceptions import ClientError

    try:
        ec2.describe_availability_zones()
    except ClientError as exc:
        error = exc.response.get("Error", {})
        return RegionRefused(
            region, str(error.get("Code", "ClientError")), str(error.get("Message"))
        )
    return None
