"""AWS Organizations through the Config aggregator on a distributed executor (``plan``).

``AwsOrganization.plan`` (Dask, process pools) with ``inventory`` ``auto`` or ``aggregated``
finds the organization's aggregator on the driver and runs its ``SelectAggregateResourceConfig``
queries there, once for the whole organization. Each account the aggregator covers becomes an
:class:`AggregatedAccountTask` carrying only that account's items; the task, where it runs,
assumes the role and reads what only the account can say (its recorders' settings and status
in each region, and ``ListBuckets``), then decides what the aggregator answers for exactly as
the in-process path does (:meth:`OrgPlan.covered`) and audits the rest directly.

The difference from the in-process path (``collect``): there, every account is probed first
and only the (type, region) pairs some recorder records are queried. The driver assumes no
role, so it cannot know the recorders before the tasks run: it queries every aggregatable type
in every region where the aggregator's source status succeeded for some account (for regional
types, within the audited regions; buckets in any such region, since S3 is listed
account-wide). That may be a few more queries; what each account takes from them is decided
by the same rules, so the verdicts are the same (``tests/scale/test_executors.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cloudaudit.errors import ConfigurationError
from cloudaudit.models import CoverageGap, ProviderId, ScopeRecord
from cloudaudit.providers._fanout import FanOut
from cloudaudit.providers._logmask import masking_logs
from cloudaudit.providers._protocol import Batch
from cloudaudit.providers._stream import guard_iter
from cloudaudit.providers._work import Scope, Unit, Work, make_gap
from cloudaudit.providers.aws._aggregated import AGGREGATABLE
from cloudaudit.providers.aws._base import Collector
from cloudaudit.providers.aws._config import config_s3_destinations
from cloudaudit.providers.aws._errors import classify
from cloudaudit.providers.aws._org_accounts import AccountSpec, OrgSettings
from cloudaudit.providers.aws._org_aggregated import (
    OrgAggregator,
    OrgPlan,
    _probe_unit,
    aggregated_account,
    find_aggregator,
)
from cloudaudit.providers.aws._org_tasks import AccountTask, _Base, _worker_base, audit_account
from cloudaudit.providers.aws._provider import session_secrets

__all__ = [
    "INVENTORY_MODES",
    "AggregatedAccountTask",
    "aggregator_record",
    "check_inventory",
    "items_read",
    "plan_tasks",
    "unavailable_gap",
]

_PROVIDER = ProviderId.AWS.value
_S3 = "AWS::S3::Bucket"

INVENTORY_MODES = ("auto", "aggregated", "direct")
"""``AwsOrganization(inventory=...)``: the aggregator where usable (else direct), the
aggregator or nothing, or always the direct path."""


def check_inventory(inventory: str, services: frozenset[str] | None) -> str:
    """Return ``inventory`` if it is a mode that can run with ``services``.

    Raises:
        ConfigurationError: an unknown mode, or ``aggregated`` with none of the services the
            aggregator answers for selected.
    """
    if inventory not in INVENTORY_MODES:
        modes = ", ".join(repr(m) for m in INVENTORY_MODES)
        raise ConfigurationError(f"inventory must be one of {modes}, not {inventory!r}")
    served = sorted({s for s, _name in AGGREGATABLE})
    if inventory == "aggregated" and services is not None and not services & set(served):
        raise ConfigurationError(
            f"inventory 'aggregated' reads {', '.join(served)} from the AWS Config aggregator, "
            f"and none of them is among the services selected ({', '.join(sorted(services))}); "
            "use inventory 'auto' or 'direct'"
        )
    return inventory


def unavailable_gap(settings: OrgSettings) -> CoverageGap:
    """The one gap of an ``inventory="aggregated"`` audit that found no usable aggregator.

    Nothing was audited, so the gap covers everything: every account and every region (the
    aggregator's region is named in the message, not in the scope).
    """
    region = settings.aggregator_home
    return make_gap(
        Scope(_PROVIDER, None, None, "config"),
        "AggregatorUnavailable",
        f"inventory 'aggregated': no usable AWS Config aggregator in {region} (none listed by "
        "config:DescribeConfigurationAggregators, none whose sources include the accounts, or "
        "the call or its source status refused); no account was audited. Name the "
        "aggregator's region (aggregator_region, --aggregator-region), or use inventory "
        "'auto' (the direct path where there is no aggregator)",
    )


def aggregator_record(agg: OrgAggregator, settings: OrgSettings, items: int) -> ScopeRecord:
    """The audited scope that says the aggregator was read (``method`` names it)."""
    region = settings.aggregator_home
    return ScopeRecord(
        provider=_PROVIDER,
        scope=str(Scope(_PROVIDER, None, region, "config")),
        region=region,
        service="config",
        resources=items,
        method=f"config-aggregator:{agg.aggregator.name}",
    )


# ----------------------------------------------------------------------------- driver
def plan_tasks(
    base: _Base,
    settings: OrgSettings,
    specs: Sequence[AccountSpec],
    collectors: Sequence[Collector],
    fanout: Work,
) -> tuple[list[Any], ScopeRecord] | None:
    """Query the aggregator once; one task per account (aggregated where it is a source).

    Returns ``None`` when no aggregatable collector is selected or no aggregator is usable.
    """
    if not any((c.service, c.name) in AGGREGATABLE for c in collectors):
        return None
    config = base.own("config", settings.aggregator_home, settings.config())
    agg = find_aggregator(config, [s.account for s in specs])
    if agg is None:
        return None
    plan = OrgPlan(base, settings, agg, collectors)
    covered = {s.account for s in specs if agg.aggregator.covers(s.account)}
    ok = frozenset().union(*(agg.regions_of(a) for a in covered))
    audited = ok if settings.regions is None else ok & set(settings.regions)
    wanted = {(t, r) for t in plan.types() for r in (ok if t == _S3 else audited)}
    for _outcome in fanout.run(plan.query_units(wanted)):
        pass  # a failed query leaves its (type, region) to the direct path, in the task
    read = frozenset(wanted - plan.failed)
    where = {n: r for n, r in _bucket_regions(plan.items).items() if r}
    rows = _by_account(plan.items)
    tasks: list[Any] = [
        AggregatedAccountTask(s, settings, agg, rows.get(s.account, {}), read, where)
        if s.account in covered
        else AccountTask(s, settings)
        for s in specs
    ]
    return tasks, aggregator_record(agg, settings, items_read(plan))


def items_read(plan: OrgPlan) -> int:
    """How many configuration items the aggregator's queries returned."""
    return sum(len(rows) for rows in plan.items.values())


def _bucket_regions(items: Mapping[tuple[str, str], list[dict[str, Any]]]) -> dict[str, str]:
    return {
        str(i.get("resourceName") or i.get("resourceId")): str(i.get("awsRegion") or "")
        for (_account, rtype), rows in items.items()
        if rtype == _S3
        for i in rows
    }


def _by_account(
    items: Mapping[tuple[str, str], list[dict[str, Any]]],
) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Account → resource type → its items."""
    out: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for (account, rtype), rows in items.items():
        out.setdefault(account, {})[rtype] = rows
    return out


# ----------------------------------------------------------------------------- worker
@dataclass(frozen=True)
class AggregatedAccountTask:
    """One account as a picklable task, with its items from the organization's aggregator.

    Attributes:
        spec: The account.
        settings: What every account's audit shares.
        agg: The aggregator and its source status.
        rows: Resource type → the account's items read on the driver.
        read: The (type, region) pairs whose query returned every page.
        regions: Region of every bucket the organization's items name, for the replication
            destinations of this account's buckets (trimmed to those in :meth:`__post_init__`).
    """

    spec: AccountSpec
    settings: OrgSettings
    agg: OrgAggregator
    rows: Mapping[str, list[dict[str, Any]]] = field(repr=False)
    read: frozenset[tuple[str, str]]
    regions: Mapping[str, str] = field(repr=False)

    def __post_init__(self) -> None:
        names = {n for i in self.rows.get(_S3, []) for n in config_s3_destinations(i) or ()}
        mine = {n: self.regions[n] for n in names if n in self.regions}
        object.__setattr__(self, "regions", mine)

    @property
    def scope(self) -> Scope:
        """The account's scope."""
        return Scope(_PROVIDER, self.spec.account)

    def __call__(self) -> list[Batch]:
        """Probe the account, take the aggregator's items it covers, audit the rest directly."""
        s = self.settings
        base = _worker_base(s.profile, s.home, s.endpoint_url)
        secrets = session_secrets(base.session)
        fanout = FanOut(max_workers=s.max_workers, classifiers=[classify], secrets=secrets)
        with fanout, masking_logs(lambda: fanout.secrets):
            produce = lambda: self._batches(base, fanout)  # noqa: E731
            return [Batch.of(i) for i in guard_iter(fanout, self.scope, produce)]

    def _batches(self, base: _Base, fanout: Work) -> Iterator[Batch]:
        from cloudaudit.providers.aws.services import all_collectors

        s = self.settings
        collectors = list(all_collectors(frozenset(s.services) if s.services else None))
        plan = _TaskPlan(base, s, self.agg, collectors, hints=dict(self.regions))
        plan.items = {(self.spec.account, t): list(rows) for t, rows in self.rows.items()}
        s3 = any((c.service, c.name) == ("s3", "buckets") for c in collectors)
        probing = _probe_unit(plan, self.spec, fanout, s3)
        unit = Unit(Scope(_PROVIDER, self.spec.account, None, "config"), probing)
        for _outcome in fanout.run([unit]):
            pass  # a failed probe leaves the account to the direct path (its gap comes there)
        probe = plan.probes.get(self.spec.account)
        if probe is not None:
            pairs = {(t, r) for t in plan.types() for r in probe.recorded}
            plan.failed = pairs - self.read  # not read on the driver: the direct path's
        yield from aggregated_account(
            plan, self.spec, fanout, lambda: audit_account(base, self.spec, s, fanout)
        )


@dataclass
class _TaskPlan(OrgPlan):
    """An :class:`OrgPlan` holding one account's items, with the driver's bucket regions."""

    hints: dict[str, str] = field(default_factory=dict)

    def _bucket_regions(self) -> Callable[[str], str | None]:
        own = super()._bucket_regions()
        return lambda name: self.hints.get(name) or own(name)
