"""AWS Config aggregator as the inventory fast path: one query for a whole account's estate.

An AWS Config aggregator already holds a configuration item for every recorded resource of its
source accounts and regions, supplementary configuration included (S3 replication rules), so
``SelectAggregateResourceConfig`` replaces a listing call per region × service plus the
per-bucket calls. It is used only where it can answer for certain:

* the aggregator's own source status (``DescribeConfigurationAggregatorSourcesStatus``) says
  the (account, region) last updated successfully;
* the account's recorder in that region is recording and records the resource type
  (``DescribeConfigurationRecorders`` + ``DescribeConfigurationRecorderStatus``);
* the configuration item carries every field the direct collector reads (``AGGREGATABLE``:
  EC2 instances and volumes, DynamoDB tables with their replicas, S3 buckets with their
  replication rules). RDS items lack the automated-backup replications the direct path reads,
  so RDS stays on the direct path: no copy field is given up for speed.

Everything else (an uncovered region, an unrecorded type, a collector the aggregator cannot
serve) runs on the direct path; nothing is left out. Item → Resource is the shared transform
of :mod:`cloudaudit.providers.aws._config`.

Response shapes: botocore's ``config`` service model (2014-11-12) and the API reference
examples of ``DescribeConfigurationAggregators``, ``DescribeConfigurationAggregatorSourcesStatus``
and ``SelectAggregateResourceConfig`` (rows are JSON strings, 100 per page at most).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cloudaudit.models import Resource
from cloudaudit.providers._work import Scope, Unit
from cloudaudit.providers.aws._errors import answer_failures

if TYPE_CHECKING:
    from mypy_boto3_config import ConfigServiceClient
    from mypy_boto3_s3 import S3Client

    from cloudaudit.providers.aws._base import Collector, Mapper

__all__ = [
    "AGGREGATABLE",
    "CONFIG_ACTIONS",
    "Aggregator",
    "ConfigCoverage",
    "aggregated_units",
    "collect_type",
    "discover",
    "expression",
    "fetch_aggregators",
    "fetch_aggregators_or_none",
    "fetch_recorder",
    "fetch_source_status",
    "recorded_types",
    "select_items",
    "succeeded_regions",
    "to_aggregators",
]

AGGREGATABLE: dict[tuple[str, str], str] = {
    ("ec2", "instances"): "AWS::EC2::Instance",
    ("ec2", "volumes"): "AWS::EC2::Volume",
    ("dynamodb", "tables"): "AWS::DynamoDB::Table",
    ("s3", "buckets"): "AWS::S3::Bucket",
}
"""Collector (service, name) → the Config resource type whose items carry all it reads."""

CONFIG_ACTIONS: tuple[str, ...] = (
    "config:DescribeConfigurationAggregators",
    "config:DescribeConfigurationAggregatorSourcesStatus",
    "config:DescribeConfigurationRecorders",
    "config:DescribeConfigurationRecorderStatus",
    "config:SelectAggregateResourceConfig",
)
"""The read-only calls of the aggregated path (in the provider's IAM policy)."""

ALL_TYPES = frozenset({"*"})
"""``recorded_types`` of a recorder that records every supported type."""

_FIELDS = (
    "accountId, awsRegion, resourceType, resourceId, resourceName, arn, availabilityZone, "
    "configuration, supplementaryConfiguration, tags"
)


@dataclass(frozen=True)
class Aggregator:
    """One configuration aggregator and what it aggregates.

    Attributes:
        name: ``ConfigurationAggregatorName``.
        accounts: Source account ids; ``None`` for an organization aggregator (every account).
        regions: Source regions; ``None`` when it aggregates all regions.
    """

    name: str
    accounts: frozenset[str] | None
    regions: frozenset[str] | None

    def covers(self, account: str) -> bool:
        """True if the aggregator has ``account`` among its sources."""
        return self.accounts is None or account in self.accounts


def _pages(call: Callable[..., Any], key: str, **kwargs: Any) -> list[dict[str, Any]]:
    """Every ``key`` item of a ``NextToken``-paged Config call."""
    out: list[dict[str, Any]] = []
    while True:
        page = call(**kwargs)
        out.extend(page.get(key, []))
        if not page.get("NextToken"):
            return out
        kwargs["NextToken"] = page["NextToken"]


def fetch_aggregators(config: ConfigServiceClient) -> list[dict[str, Any]]:
    """Every aggregator of the caller's account in the client's region (paginated)."""
    return _pages(config.describe_configuration_aggregators, "ConfigurationAggregators")


def to_aggregators(raw: Iterable[Mapping[str, Any]]) -> list[Aggregator]:
    """Turn ``DescribeConfigurationAggregators`` entries into :class:`Aggregator`."""
    out = []
    for entry in raw:
        org = entry.get("OrganizationAggregationSource")
        if org:
            regions = None if org.get("AllAwsRegions") else frozenset(org.get("AwsRegions") or ())
            out.append(Aggregator(entry["ConfigurationAggregatorName"], None, regions))
            continue
        accounts: set[str] = set()
        regions_set: set[str] | None = set()
        for src in entry.get("AccountAggregationSources") or ():
            accounts.update(src.get("AccountIds") or ())
            if src.get("AllAwsRegions"):
                regions_set = None
            elif regions_set is not None:
                regions_set.update(src.get("AwsRegions") or ())
        regions = None if regions_set is None else frozenset(regions_set)
        out.append(Aggregator(entry["ConfigurationAggregatorName"], frozenset(accounts), regions))
    return out


def fetch_source_status(config: ConfigServiceClient, name: str) -> list[dict[str, Any]]:
    """``DescribeConfigurationAggregatorSourcesStatus`` of ``name``, every page."""
    return _pages(
        config.describe_configuration_aggregator_sources_status,
        "AggregatedSourceStatusList",
        ConfigurationAggregatorName=name,
    )


def succeeded_regions(status: Iterable[Mapping[str, Any]], account: str) -> frozenset[str]:
    """Regions whose source for ``account`` (or for the organization) last succeeded."""
    return frozenset(
        s["AwsRegion"]
        for s in status
        if s.get("LastUpdateStatus") == "SUCCEEDED"
        and (s.get("SourceType") == "ORGANIZATION" or s.get("SourceId") == account)
    )


def fetch_recorder(config: ConfigServiceClient) -> tuple[Mapping[str, Any] | None, bool]:
    """The region's configuration recorder (the first) and whether it is recording."""
    recorders = config.describe_configuration_recorders().get("ConfigurationRecorders", [])
    if not recorders:
        return None, False
    name = recorders[0]["name"]
    statuses = config.describe_configuration_recorder_status(ConfigurationRecorderNames=[name]).get(
        "ConfigurationRecordersStatus", []
    )
    return recorders[0], bool(statuses and statuses[0].get("recording"))


def recorded_types(recorder: Mapping[str, Any] | None, recording: bool) -> frozenset[str]:
    """Resource types a recorder records (``ALL_TYPES`` for all supported; empty if stopped)."""
    if recorder is None or not recording:
        return frozenset()
    group = recorder.get("recordingGroup") or {}
    strategy = (group.get("recordingStrategy") or {}).get("useOnly")
    excluded = frozenset((group.get("exclusionByResourceTypes") or {}).get("resourceTypes") or ())
    if strategy == "EXCLUSION_BY_RESOURCE_TYPES":
        return frozenset({f"-{t}" for t in excluded} | ALL_TYPES)
    if group.get("allSupported", strategy == "ALL_SUPPORTED_RESOURCE_TYPES"):
        return ALL_TYPES
    return frozenset(group.get("resourceTypes") or ())


@dataclass(frozen=True)
class ConfigCoverage:
    """Where the aggregator answers for one account: (region, resource type) pairs.

    Attributes:
        aggregator: The aggregator used.
        account: The audited account.
        recorded: Region → :func:`recorded_types` of that region's recorder, for the regions
            whose source status succeeded.
    """

    aggregator: Aggregator
    account: str
    recorded: Mapping[str, frozenset[str]]

    def covers(self, region: str, rtype: str) -> bool:
        """True if ``rtype`` in ``region`` is recorded and aggregated for the account."""
        types = self.recorded.get(region, frozenset())
        if f"-{rtype}" in types:
            return False
        return rtype in types or "*" in types

    def covers_all(self, regions: Iterable[str], rtype: str) -> bool:
        """True if ``rtype`` is covered in every one of ``regions``."""
        return all(self.covers(r, rtype) for r in regions)


def expression(account: str, rtype: str, regions: Iterable[str] | None = None) -> str:
    """The advanced query for one account's items of one type (optionally some regions)."""
    where = f"resourceType = '{rtype}' AND accountId = '{account}'"
    wanted = sorted(set(regions)) if regions is not None else None
    if wanted:
        where += " AND awsRegion IN (" + ", ".join(f"'{r}'" for r in wanted) + ")"
    return f"SELECT {_FIELDS} WHERE {where}"


def select_items(
    config: ConfigServiceClient, aggregator: str, query: str
) -> Iterator[dict[str, Any]]:
    """Run ``SelectAggregateResourceConfig``, 100 rows a page; yield each row as a dict."""
    kwargs: dict[str, Any] = {
        "Expression": query,
        "ConfigurationAggregatorName": aggregator,
        "Limit": 100,
    }
    while True:
        page = config.select_aggregate_resource_config(**kwargs)
        for row in page.get("Results", []):
            item = json.loads(row) if isinstance(row, str) else row
            if not isinstance(item, dict):
                raise ValueError(
                    f"SelectAggregateResourceConfig returned a non-object row: {row!r}"
                )
            yield item
        if not page.get("NextToken"):
            return
        kwargs["NextToken"] = page["NextToken"]


def fetch_aggregators_or_none(config: ConfigServiceClient) -> list[dict[str, Any]]:
    """Like :func:`fetch_aggregators`, but ``[]`` when the call is refused or fails.

    Called alongside the provider's start-up calls: finding no usable aggregator only means
    the direct path runs everywhere.
    """
    try:
        return fetch_aggregators(config)
    except answer_failures():
        return []


def discover(
    raw_aggregators: Iterable[Mapping[str, Any]],
    config_in: Callable[[str], ConfigServiceClient],
    home: str,
    account: str,
    regions: Iterable[str],
    everywhere: Iterable[str] = (),
    map_: Mapper | None = None,
) -> ConfigCoverage | None:
    """Pick an aggregator covering ``account`` and read where it can answer for it.

    Returns ``None`` (the direct path then runs everywhere) when no aggregator covers the
    account, or when a status or recorder read is refused or fails: the aggregated path is an
    optimisation, never a reason to audit less.

    Args:
        raw_aggregators: ``DescribeConfigurationAggregators`` entries of the home region.
        config_in: ``config_in(region)`` returns the Config client of that region.
        home: The region of the aggregators.
        account: The audited account.
        regions: The regions being audited (enabled ones).
        everywhere: Every region the account has enabled, whose recorders decide whether
            the account-wide S3 listing can come from the aggregator (see
            :func:`aggregated_units`).
        map_: Runs the per-region recorder reads (the audit's ``map``: concurrent within its
            bound, in the caller's evidence context); default one after the other.
    """
    from cloudaudit.providers.aws._base import serial_map

    found = [a for a in to_aggregators(raw_aggregators) if a.covers(account)]
    if not found:
        return None
    agg = found[0]
    try:
        ok = succeeded_regions(fetch_source_status(config_in(home), agg.name), account)
        looked = dict.fromkeys([*regions, *everywhere])
        wanted = [r for r in looked if r in ok and (agg.regions is None or r in agg.regions)]
        answers = (map_ or serial_map)(lambda r: fetch_recorder(config_in(r)), wanted)
    except answer_failures():
        return None
    recorded = {r: recorded_types(*a) for r, a in zip(wanted, answers, strict=True)}
    return ConfigCoverage(agg, account, recorded)


def collect_type(
    config: ConfigServiceClient,
    coverage: ConfigCoverage,
    rtype: str,
    regions: Iterable[str] | None,
    s3: S3Client | None = None,
) -> list[Resource]:
    """List one account's resources of ``rtype`` from the aggregator (the given regions).

    S3 replication destinations are named by ARN without a region: a destination among the
    account's own buckets takes its region from its own item; any other is asked with
    ``GetBucketLocation`` through ``s3`` (as the direct path does), and is an unknown copy if
    that fails.

    Raises:
        botocore exceptions: the query failed (the fan-out makes it a gap for this type).
        ValueError: a row names no resource type or id.
    """
    from cloudaudit.providers.aws._config import config_item_to_resource

    query = expression(coverage.account, rtype, regions)
    items = list(select_items(config, coverage.aggregator.name, query))
    own = {
        str(i.get("resourceName") or i.get("resourceId")): str(i.get("awsRegion"))
        for i in items
        if i.get("resourceType") == "AWS::S3::Bucket" and i.get("awsRegion")
    }

    def region_of(name: str) -> str | None:
        return own.get(name) or (_ask_location(s3, name) if s3 is not None else None)

    return [config_item_to_resource(i, region_of, coverage.account) for i in items]


def _ask_location(s3: S3Client, name: str) -> str | None:
    from cloudaudit.providers.aws.services.s3 import bucket_region, fetch_bucket_location

    try:
        return bucket_region(fetch_bucket_location(s3, name))
    except answer_failures():
        return None


def aggregated_units(
    coverage: ConfigCoverage,
    collectors: Iterable[Collector],
    enabled: list[str],
    config: ConfigServiceClient,
    s3: Callable[[], S3Client],
    everywhere: Sequence[str] | None = None,
) -> Iterator[tuple[Unit, list[object]]]:
    """One unit per aggregatable collector the aggregator covers somewhere.

    Yields ``(unit, covered)`` where ``covered`` lists what the unit replaces on the direct
    path: ``(collector, region)`` pairs for a regional collector, the collector itself for an
    account-wide one. S3 is aggregated only if every region the account has enabled records
    buckets: ``ListBuckets`` on the direct path lists them all, whatever regions are audited,
    so a bucket in a region outside ``--regions`` must not go missing on this path.

    Args:
        coverage: Where the aggregator answers.
        collectors: The selected collectors.
        enabled: The enabled regions being audited.
        config: The Config client of the aggregator's region.
        s3: Returns the home S3 client (for destination buckets of other accounts).
        everywhere: Every region the account has enabled (default: ``enabled``).
    """
    for c in collectors:
        rtype = AGGREGATABLE.get((c.service, c.name))
        if rtype is None:
            continue
        covered = [r for r in enabled if coverage.covers(r, rtype)]
        if not c.regional and not coverage.covers_all(everywhere or enabled, rtype):
            continue
        if not covered:
            continue
        regions = covered if c.regional else None
        client = s3() if c.service == "s3" else None
        run = functools.partial(collect_type, config, coverage, rtype, regions, client)
        scope = Scope("aws", coverage.account, None, c.service)
        yield Unit(scope, run, method="config"), ([(c, r) for r in covered] if c.regional else [c])
