"""AWS Organizations through an organization-wide AWS Config aggregator.

When the caller's account (management or delegated administrator) holds an AWS Config
aggregator whose sources are the organization (``DescribeConfigurationAggregators`` in the
partition's home region, or in ``OrgSettings.aggregator_region``), the
aggregatable resource types (``_aggregated.AGGREGATABLE``: EC2 instances and volumes, DynamoDB
tables, S3 buckets with their replication rules) are read for every account at once with
``SelectAggregateResourceConfig``: one query per type and region, 100 rows a page, instead of
one listing call per account × region × collector plus the per-bucket calls.

What the aggregator answers for is decided per account, region and type, never assumed:

* the aggregator's own source status (``DescribeConfigurationAggregatorSourcesStatus``) must
  show the region (or the account in it) last updated successfully, and the aggregator must
  include the region;
* the account's recorder in that region must be recording and record the type
  (``DescribeConfigurationRecorders`` + ``DescribeConfigurationRecorderStatus``, read through
  the audit role: an organization aggregator does not publish its sources' recorder settings);
* S3 is listed account-wide on the direct path, so the account's buckets
  (``ListBuckets``, one call) must each be in a region whose recorder records buckets, and each
  must be among the aggregator's items; otherwise S3 runs directly for that account.

Everything else (an account whose probe fails, a region or type not recorded, a query that
fails, collectors the aggregator cannot serve such as RDS, snapshots and images) runs on the
direct path for exactly that part, through the same :class:`AwsProvider` with the aggregated
parts marked as ``covered``; an account that cannot be opened at all is a gap as on the direct
path. ``collect`` probes first and queries only what some recorder records; ``plan`` (a
distributed executor) queries first and probes in each account's task (``_org_distributed``).

Response shapes: botocore's ``config`` service model (2014-11-12): ``ConfigurationAggregator``
(``OrganizationAggregationSource``), ``AggregatedSourceStatus`` (``SourceId``, ``SourceType``
``ACCOUNT``/``ORGANIZATION``, ``AwsRegion``, ``LastUpdateStatus``) and
``SelectAggregateResourceConfigResponse`` (``Results``: JSON strings, ``NextToken``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cloudaudit.models import ProviderId, Resource, ScopeRecord
from cloudaudit.providers._protocol import Batch
from cloudaudit.providers._work import Scope, Unit, Work
from cloudaudit.providers.aws._aggregated import (
    AGGREGATABLE,
    Aggregator,
    fetch_aggregators_or_none,
    fetch_recorder,
    fetch_source_status,
    recorded_types,
    select_items,
    succeeded_regions,
    to_aggregators,
)
from cloudaudit.providers.aws._base import Collector
from cloudaudit.providers.aws._errors import answer_failures
from cloudaudit.providers.aws._org_accounts import AccountSpec, OrgSettings
from cloudaudit.providers.aws._org_tasks import _AccountSession, _Base, open_account
from cloudaudit.providers.aws._regions import fetch_regions, to_regions

if TYPE_CHECKING:
    from mypy_boto3_config import ConfigServiceClient

__all__ = [
    "OrgAggregator",
    "OrgPlan",
    "Probe",
    "aggregated_account",
    "find_aggregator",
    "org_expression",
    "org_plan",
]

_PROVIDER = ProviderId.AWS.value
_S3 = "AWS::S3::Bucket"
_FIELDS = (
    "accountId, awsRegion, resourceType, resourceId, resourceName, arn, availabilityZone, "
    "configuration, supplementaryConfiguration, tags"
)


@dataclass(frozen=True)
class OrgAggregator:
    """The aggregator used for the organization and its sources' status."""

    aggregator: Aggregator
    status: tuple[Mapping[str, Any], ...]

    def regions_of(self, account: str) -> frozenset[str]:
        """Regions whose source for ``account`` last succeeded and that the aggregator keeps."""
        ok = succeeded_regions(self.status, account)
        keep = self.aggregator.regions
        return ok if keep is None else ok & keep


def find_aggregator(config: ConfigServiceClient, accounts: Iterable[str]) -> OrgAggregator | None:
    """The caller's organization aggregator (else the account aggregator covering most).

    Returns ``None`` when there is none, or when listing it or its status is refused or
    fails: the direct path then runs everywhere.
    """
    wanted = set(accounts)
    found = to_aggregators(fetch_aggregators_or_none(config))
    org = [a for a in found if a.accounts is None]
    by_reach = sorted(found, key=lambda a: -len(wanted & (a.accounts or frozenset())))
    pick = org[0] if org else next(iter(by_reach), None)
    if pick is None or (pick.accounts is not None and not wanted & pick.accounts):
        return None
    try:
        status = fetch_source_status(config, pick.name)
    except answer_failures():
        return None
    return OrgAggregator(pick, tuple(status))


def _name(item: Mapping[str, Any]) -> str:
    return str(item.get("resourceName") or item.get("resourceId"))


def org_expression(rtype: str, region: str) -> str:
    """The advanced query for every source account's items of ``rtype`` in ``region``."""
    return f"SELECT {_FIELDS} WHERE resourceType = '{rtype}' AND awsRegion IN ('{region}')"


# ----------------------------------------------------------------------------- per account
@dataclass
class Probe:
    """What one account's recorders and buckets say, read through its audit role.

    Attributes:
        session: The account's session (its role credentials), reused by the direct part.
        recorded: Region → resource types its recorder records (``recorded_types``).
        regions: The enabled regions audited in the account.
        gated: True if some audited region is not enabled (the direct path probes it).
        buckets: Bucket name → region from ``ListBuckets`` (``None`` when S3 is not selected).
    """

    session: _AccountSession
    recorded: dict[str, frozenset[str]]
    regions: tuple[str, ...]
    gated: bool = False
    buckets: dict[str, str | None] | None = None

    def covers(self, region: str, rtype: str) -> bool:
        """True if the account's recorder in ``region`` records ``rtype``."""
        types = self.recorded.get(region, frozenset())
        return f"-{rtype}" not in types and (rtype in types or "*" in types)


def probe_account(
    base: _Base,
    spec: AccountSpec,
    settings: OrgSettings,
    fanout: Work,
    agg: OrgAggregator,
    s3: bool,
) -> Probe:
    """Open the account and read its recorders where the aggregator has its data.

    Raises:
        botocore exceptions: any call failed (the account then runs on the direct path).
    """
    from cloudaudit.providers.aws.services.s3 import fetch_buckets

    session = open_account(base, spec, settings, fanout)
    config = settings.config()
    if settings.regions is None:
        infos = to_regions(fetch_regions(session.client("ec2", settings.home, config)), None)
        regions = tuple(r.name for r in infos if r.enabled)
        gated = len(regions) < len(infos)
    else:
        regions, gated = settings.regions, False
    buckets = None
    if s3:
        raw = fetch_buckets(session.client("s3", settings.home, config))
        buckets = {str(b["Name"]): b.get("BucketRegion") for b in raw}
    ok = agg.regions_of(spec.account)
    wanted = {*regions, *(r for r in (buckets or {}).values() if r)}
    look = sorted(r for r in wanted if r in ok)
    answers = fanout.map(lambda r: fetch_recorder(session.client("config", r, config)), look)
    recorded = {r: recorded_types(*a) for r, a in zip(look, answers, strict=True)}
    return Probe(session, recorded, regions, gated, buckets)


# ----------------------------------------------------------------------------- the plan
@dataclass
class OrgPlan:
    """The organization's aggregated reads and what each account still needs directly."""

    base: _Base
    settings: OrgSettings
    agg: OrgAggregator
    collectors: Sequence[Collector]
    probes: dict[str, Probe] = field(default_factory=dict)
    items: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    failed: set[tuple[str, str]] = field(default_factory=set)  # (rtype, region) not read

    @functools.cached_property
    def region_of(self) -> Callable[[str], str | None]:
        """Region of a bucket by name: from the items read, else ``GetBucketLocation``."""
        return self._bucket_regions()

    def types(self) -> list[str]:
        return sorted({AGGREGATABLE[(c.service, c.name)] for c in self._aggregatable()})

    def _aggregatable(self) -> list[Collector]:
        return [c for c in self.collectors if (c.service, c.name) in AGGREGATABLE]

    def query_units(self, wanted: Iterable[tuple[str, str]] | None = None) -> list[Unit]:
        """One unit per (type, region) given, else per one some probed account's recorder covers."""
        if wanted is None:
            got, types = self.probes.values(), self.types()
            wanted = {(t, r) for p in got for r in p.recorded for t in types if p.covers(r, t)}
        config = self.base.own("config", self.settings.aggregator_home, self.settings.config())
        units = []
        for rtype, region in sorted(wanted):
            query = org_expression(rtype, region)
            scope = Scope(_PROVIDER, None, region, rtype.split("::")[1].lower())
            units.append(Unit(scope, self._query(config, rtype, region, query), method="config"))
        return units

    def _query(
        self, config: ConfigServiceClient, rtype: str, region: str, query: str
    ) -> Callable[[], Sequence[Resource]]:
        name = self.agg.aggregator.name

        def run() -> Sequence[Resource]:
            self.failed.add((rtype, region))  # until every page is in
            rows = list(select_items(config, name, query))
            for row in rows:
                self.items.setdefault((str(row.get("accountId")), rtype), []).append(row)
            self.failed.discard((rtype, region))
            return ()

        return run

    def covered(self, account: str) -> tuple[set[object], list[tuple[Collector, str | None]]]:
        """What the aggregator answers for ``account``: direct-path keys and their parts."""
        probe = self.probes[account]
        done: set[object] = set()
        parts: list[tuple[Collector, str | None]] = []
        for c in self._aggregatable():
            rtype = AGGREGATABLE[(c.service, c.name)]
            if not c.regional:
                if self._s3_covered(account, probe):
                    done.add(c)
                    parts.append((c, None))
                continue
            for region in probe.regions:
                if probe.covers(region, rtype) and (rtype, region) not in self.failed:
                    done.add((c, region))
                    parts.append((c, region))
        return done, parts

    def _s3_covered(self, account: str, probe: Probe) -> bool:
        if probe.buckets is None:
            return False
        # ListBuckets' BucketRegion where given (botocore s3 model, ``Bucket``), else the
        # region of the bucket's own item; that region's recorder must record buckets.
        seen = {_name(i): str(i.get("awsRegion") or "") for i in self._rows(account)}
        return all(
            n in seen and probe.covers(r or seen[n], _S3) and (_S3, r or seen[n]) not in self.failed
            for n, r in probe.buckets.items()
        )

    def _rows(self, account: str, rtype: str = _S3) -> list[dict[str, Any]]:
        return self.items.get((account, rtype), [])

    def resources(self, account: str, parts: Iterable[tuple[Collector, str | None]]) -> Batch:
        """The account's aggregated resources and one audited record per covered part."""
        from cloudaudit.providers.aws._config import config_item_to_resource

        region_of = self.region_of
        out: list[Resource] = []
        audited: list[ScopeRecord] = []
        for c, region in parts:
            rows = self._rows(account, AGGREGATABLE[(c.service, c.name)])
            if c.regional:
                rows = [r for r in rows if r.get("awsRegion") == region]
            else:
                mine = self._buckets(account)
                rows = [r for r in rows if _name(r) in mine]
            found = [config_item_to_resource(r, region_of, account) for r in rows]
            out.extend(found)
            scope = Scope(_PROVIDER, account, region, c.service)
            audited.append(
                ScopeRecord(
                    provider=_PROVIDER,
                    scope=str(scope),
                    account=account,
                    region=region,
                    service=c.service,
                    resources=len(found),
                    method="config",
                )
            )
        return Batch(resources=out, audited=audited)

    def _buckets(self, account: str) -> dict[str, str | None]:
        return self.probes[account].buckets or {}

    def _bucket_regions(self) -> Callable[[str], str | None]:
        from cloudaudit.providers.aws._aggregated import _ask_location

        own = {
            _name(i): str(i.get("awsRegion"))
            for (_a, rtype), rows in self.items.items()
            if rtype == _S3
            for i in rows
            if i.get("awsRegion")
        }
        s3 = self.base.own("s3", self.settings.home, self.settings.config())
        return lambda name: own.get(name) or _ask_location(s3, name)


def org_plan(
    base: _Base,
    settings: OrgSettings,
    specs: Sequence[AccountSpec],
    collectors: Sequence[Collector],
    fanout: Work,
) -> OrgPlan | None:
    """Probe every account, then read the covered types for all of them at once.

    Returns ``None`` when no aggregatable collector is selected or no aggregator is usable.
    """
    if not any((c.service, c.name) in AGGREGATABLE for c in collectors):
        return None
    config = base.own("config", settings.aggregator_home, settings.config())
    with fanout.evidence(Scope(_PROVIDER, None, None, "aggregator")):  # what decided it
        agg = find_aggregator(config, [s.account for s in specs])
    if agg is None:
        return None
    plan = OrgPlan(base, settings, agg, collectors)
    s3 = any((c.service, c.name) == ("s3", "buckets") for c in collectors)
    probes = [
        Unit(
            Scope(_PROVIDER, spec.account, None, "config"),
            _probe_unit(plan, spec, fanout, s3),
        )
        for spec in specs
        if agg.aggregator.covers(spec.account)
    ]
    for _outcome in fanout.run(probes):
        pass  # a failed probe leaves the account to the direct path (its gap comes from there)
    for _outcome in fanout.run(plan.query_units()):
        pass  # a failed query leaves its (type, region) to the direct path
    return plan


def _probe_unit(
    plan: OrgPlan, spec: AccountSpec, fanout: Work, s3: bool
) -> Callable[[], Sequence[Resource]]:
    def run() -> Sequence[Resource]:
        probe = probe_account(plan.base, spec, plan.settings, fanout, plan.agg, s3)
        plan.probes[spec.account] = probe
        return ()

    return run


def aggregated_account(
    plan: OrgPlan, spec: AccountSpec, fanout: Work, direct: Callable[[], Iterator[Batch]]
) -> Iterator[Batch]:
    """One account's batches: the aggregated parts, then the rest on the direct path.

    ``direct`` audits the whole account directly (an account the plan did not probe).
    """
    from cloudaudit.providers.aws._provider import AwsProvider

    probe = plan.probes.get(spec.account)
    if probe is None:
        yield from direct()
        return
    done, parts = plan.covered(spec.account)
    yield plan.resources(spec.account, parts)
    s = plan.settings
    regional = [c for c in plan.collectors if c.regional]
    left = [c for c in plan.collectors if not c.regional and c not in done] + [
        (c, r) for c in regional for r in probe.regions if (c, r) not in done
    ]
    if not left and not (probe.gated and regional):
        return
    provider = AwsProvider(
        session=probe.session,
        regions=s.regions,
        collectors=plan.collectors,
        partition=s.partition,
        max_workers=s.max_workers,
        account=spec.account,
        inventory="direct",
        covered=done,
        **s.http(),
    )
    yield from provider.collect(fanout)
