"""The AWS provider: every region of a partition, every selected collector, concurrently."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from cloudaudit.errors import ConfigurationError
from cloudaudit.models import CoverageGap, ProviderId, Resource
from cloudaudit.providers._extras import require, require_extra
from cloudaudit.providers._logmask import masking_logs
from cloudaudit.providers._protocol import Batch
from cloudaudit.providers._stop import phase
from cloudaudit.providers._work import Classifier, Outcome, Scope, Unit, Work, make_gap
from cloudaudit.providers.aws import _answers as answers
from cloudaudit.providers.aws._aggregated import (
    AGGREGATABLE,
    ConfigCoverage,
    aggregated_units,
    discover,
    fetch_aggregators_or_none,
)
from cloudaudit.providers.aws._base import AwsContext, Collector, Mapper
from cloudaudit.providers.aws._choices import SERVICE_NAMES, check_services, checked_regions
from cloudaudit.providers.aws._clients import ClientCache, Countdown, make_config
from cloudaudit.providers.aws._errors import classify
from cloudaudit.providers.aws._guardrails import guardrail_batches
from cloudaudit.providers.aws._partitions import (
    home_region,
    partition_of,
    partition_regions,
)
from cloudaudit.providers.aws._regions import (
    RegionInfo,
    RegionProbe,
    fetch_regions,
    to_regions,
    unlisted,
)
from cloudaudit.providers.aws.services import all_collectors

if TYPE_CHECKING:
    import boto3
    from mypy_boto3_config import ConfigServiceClient
    from mypy_boto3_s3 import S3Client

    from cloudaudit.providers.aws._client_types import ClientSession

__all__ = ["SERVICE_NAMES", "AwsProvider", "make_session"]

_PROVIDER = ProviderId.AWS.value


def make_session(profile: str | None = None, region: str | None = None) -> boto3.Session:
    """Build a ``boto3.Session`` from the standard credential chain (optionally a profile).

    Raises:
        ProviderUnavailable: boto3 is not installed.
        ConfigurationError: the profile does not exist, or an AWS config file does not parse.
    """
    sdk = require("boto3", "aws")
    exceptions = require("botocore.exceptions", "aws")
    try:
        session: boto3.Session = sdk.Session(profile_name=profile, region_name=region)
        return session
    except exceptions.ProfileNotFound as exc:
        raise ConfigurationError(f"AWS profile {profile!r} is not in the AWS config files") from exc
    except exceptions.ConfigParseError as exc:
        path = exc.kwargs.get("path", "(unknown)")
        raise ConfigurationError(
            f"the AWS config or credentials file {path} does not parse: fix its syntax (sections "
            "such as [default] or [profile NAME], then key = value lines), or point "
            "AWS_CONFIG_FILE or AWS_SHARED_CREDENTIALS_FILE at a valid file"
        ) from None


class AwsProvider:
    """Lists the storage and compute resources of one AWS account, in every region.

    Args:
        session: A ``boto3.Session``; defaults to one from the standard chain (profiles,
            environment including ``AWS_ENDPOINT_URL``, SSO, instance and task roles).
        regions: Regions to audit; defaults to every region of the partition.
        services: AWS API names to audit (``s3``, ``ec2``, ``rds``...); defaults to all.
        partition: ``aws``, ``aws-cn``, ``aws-us-gov`` or ``aws-eusc``; defaults to the
            partition of the session's region.
        max_workers: Sizes each client's connection pool (match the fan-out's bound).
        account: The account id, if known (skips ``sts:GetCallerIdentity``).
        collectors: The collectors to run; defaults to those of ``services``.
        max_attempts: Total HTTP attempts per call (retries included).
        connect_timeout: Seconds to wait for a TCP connection to an endpoint.
        read_timeout: Seconds to wait for an answer; a silent region costs at most about
            ``max_attempts * read_timeout`` per unit before it becomes a gap.
        guardrails: Also read the organization's SCPs and RCPs that restrict regions (the
            account must be the management account or a delegated administrator).
        inventory: ``"auto"`` (default) reads EC2 instances and volumes, DynamoDB tables and
            S3 buckets from an AWS Config aggregator covering the account where its source
            status and recorders show it records them, and everything else directly;
            ``"direct"`` always calls each service (see ``_aggregated``).
        covered: What was already read elsewhere and is not read again: ``(collector,
            region)`` pairs and account-wide collectors (an organization's aggregator,
            ``_org_aggregated``).

    Raises:
        ProviderUnavailable: boto3 is not installed.
        ConfigurationError: an unknown service name or inventory mode.
    """

    def __init__(
        self,
        session: ClientSession | None = None,
        regions: Sequence[str] | None = None,
        services: Iterable[str] | None = None,
        partition: str | None = None,
        max_workers: int = 64,
        account: str | None = None,
        collectors: Sequence[Collector] | None = None,
        *,
        max_attempts: int = 5,
        connect_timeout: float = 5.0,
        read_timeout: float = 20.0,
        guardrails: bool = False,
        inventory: str = "auto",
        covered: Iterable[object] = (),
    ) -> None:
        require_extra(_PROVIDER)
        if inventory not in ("auto", "direct"):
            raise ConfigurationError(f"inventory must be 'auto' or 'direct', not {inventory!r}")
        self._inventory = inventory
        self._covered = frozenset(covered)
        self._guardrails = guardrails
        self._session = session if session is not None else make_session()
        self._regions = checked_regions(regions)
        self._services = check_services(services)
        self._partition = partition
        self._max_workers = max_workers
        self._account = account
        self._collectors = tuple(collectors) if collectors is not None else None
        self._http = {
            "max_attempts": max_attempts,
            "connect_timeout": connect_timeout,
            "read_timeout": read_timeout,
        }

    @property
    def name(self) -> str:
        """The provider id, ``aws``."""
        return _PROVIDER

    def classifiers(self) -> Sequence[Classifier]:
        """The botocore exception classifier."""
        return (classify,)

    def secrets(self) -> Sequence[str]:
        """The session's access key id, secret key and session token.

        They are masked in gap messages and in the SDK's DEBUG logs (which show the signed
        ``Authorization`` header with the access key id).
        """
        return session_secrets(self._session)

    def _selected(self) -> list[Collector]:
        if self._collectors is None:
            return list(all_collectors(self._services))
        return [c for c in self._collectors if not self._services or c.service in self._services]

    def _home(self) -> tuple[str, str]:
        """Return ``(partition, home region)``."""
        session_region = getattr(self._session, "region_name", None)
        partition = self._partition or partition_of(session_region or "us-east-1")
        return partition, home_region(partition)

    def collect(self, fanout: Work) -> Iterator[Batch]:
        """Discover the account and regions, then run every region × collector unit.

        Raises:
            botocore exceptions: when the account or the region list cannot be read (the
                audit turns this into one gap covering the whole provider).
        """
        secrets = tuple(self.secrets())
        with masking_logs(lambda: secrets):  # also when collect runs outside an audit
            yield from self._collect(fanout)

    def _collect(self, fanout: Work) -> Iterator[Batch]:
        collectors = self._selected()
        partition, home = self._home()
        cache = ClientCache(
            self._session,
            make_config(
                self._max_workers,
                max_attempts=int(self._http["max_attempts"]),
                connect_timeout=self._http["connect_timeout"],
                read_timeout=self._http["read_timeout"],
            ),
            functools.partial(answers.install, needs=answers.needs_of(collectors)),
        )
        # what discovery reads (the account, the regions and their opt-in status, the Config
        # aggregators and their sources' status) is evidence of its own
        with fanout.evidence(Scope(_PROVIDER, self._account, None, "discovery")):
            plan, foreign = self._plan(fanout, cache, partition, collectors)
        account = plan.account
        if foreign:
            yield Batch(gaps=[_foreign_gap(account, r, partition) for r in foreign])
        if self._guardrails:
            yield from guardrail_batches(fanout, cache.for_region(home), [account], partition)
        try:
            units = plan.units(collectors)
            for outcome in fanout.run(units):
                yield from plan.batch(outcome, fanout)
        finally:
            plan.probe.close()

    def _plan(
        self, fanout: Work, cache: ClientCache, partition: str, collectors: Sequence[Collector]
    ) -> tuple[_Plan, list[str]]:
        """Discovery: the plan of the units, and the regions asked for of another partition."""
        home = home_region(partition)
        with phase("sts:GetCallerIdentity and ec2:DescribeRegions (discovery)"):
            account, raw, aggregators = self._start(fanout, cache, partition, collectors)
        regions, foreign = self._discover(raw, partition)
        plan = _Plan(cache, account, partition, home, regions, fanout.map)
        plan.probe.unlisted = unlisted(raw, self._regions)
        plan.covered = self._covered
        if aggregators:
            enabled = [r.name for r in regions if r.enabled]
            plan.everywhere = [
                r.name
                for r in to_regions(raw, None)
                if r.enabled and partition_of(r.name) == partition
            ]
            plan.coverage = discover(
                aggregators, plan.config_in, home, account, enabled, plan.everywhere, fanout.map
            )
        return plan, foreign

    def _start(
        self,
        fanout: Work,
        cache: ClientCache,
        partition: str,
        collectors: Sequence[Collector],
    ) -> tuple[str, list[dict[str, Any]], list[dict[str, Any]]]:
        """Account id, regions and Config aggregators: independent calls, asked together.

        ``sts:GetCallerIdentity`` (skipped when the account is given), ``ec2:DescribeRegions``
        and, only when an aggregatable collector is selected and ``inventory="auto"``,
        ``config:DescribeConfigurationAggregators`` overlap within the audit's one bound
        (``fanout.map``: with ``max_workers=1`` they run one after the other); the account's
        error comes first when several fail (the gap names the first call a caller would make).
        Until the last of them has answered, the clients the units will need are built in the
        order the units use them (no call is made): the home-region client of every other
        selected service, then each regional service's client in each region expected
        (``regions`` if given, else the partition's regions botocore knows, in name order).
        CPU the units would spend anyway, moved into the wait for the first answers; what is
        not built by then, the units build.
        """
        home = home_region(partition)
        config = self._inventory == "auto" and any(
            (c.service, c.name) in AGGREGATABLE for c in collectors
        )
        calls: list[Callable[[], Any]] = []
        if not self._account:
            calls.append(lambda: cache.get("sts", home).get_caller_identity()["Account"])
        calls.append(lambda: fetch_regions(cache.get("ec2", home)))
        if config:
            calls.append(lambda: fetch_aggregators_or_none(cache.get("config", home)))
        answered = Countdown(len(calls))
        others = [c.service for c in collectors if c.service not in ("sts", "ec2", "config")]
        regional = [c.service for c in collectors if c.regional]
        expected = self._regions or sorted(partition_regions(partition))
        ahead = [(s, home) for s in dict.fromkeys(others)]
        ahead += [(s, r) for r in expected for s in dict.fromkeys(regional)]
        todo: list[Callable[[], Any]] = [answered.wrap(call) for call in calls]
        todo.append(functools.partial(cache.warm, ahead, answered.done))
        results = fanout.map(lambda call: call(), todo)
        account = self._account or str(results.pop(0))
        raw = results.pop(0)
        return account, raw, (results.pop(0) if config else [])

    def _discover(
        self, raw: list[dict[str, Any]], partition: str
    ) -> tuple[list[RegionInfo], list[str]]:
        infos = to_regions(raw, self._regions)
        inside = [r for r in infos if partition_of(r.name) == partition]
        # Only regions the caller asked for are reported: DescribeRegions lists its own
        # partition, and fakes that list other partitions' regions must not create gaps.
        foreign = [r.name for r in infos if partition_of(r.name) != partition and self._regions]
        return inside, foreign


class _Plan:
    """The units of one collect run and the shared state they use."""

    def __init__(
        self,
        cache: ClientCache,
        account: str,
        partition: str,
        home: str,
        regions: list[RegionInfo],
        mapper: Mapper,
    ) -> None:
        self.cache = cache
        self.mapper = mapper
        self.account = account
        self.partition = partition
        self.home = home
        self.regions = regions
        self.names = tuple(r.name for r in regions)
        self.probe = RegionProbe()
        self.coverage: ConfigCoverage | None = None
        self.everywhere: list[str] = []  # every region the account has enabled
        self.covered: frozenset[object] = frozenset()
        self.reported: set[str] = set()

    def context(self, region: str) -> AwsContext:
        return AwsContext(
            account=self.account,
            partition=self.partition,
            region=region,
            client=self.cache.for_region(region),
            regions=self.names,
            map=self.mapper,
            client_in=self.cache.get,
        )

    def config_in(self, region: str) -> ConfigServiceClient:
        return self.cache.get("config", region)

    def s3_home(self) -> S3Client:
        return self.cache.get("s3", self.home)

    def units(self, collectors: Sequence[Collector]) -> list[Unit]:
        out: list[Unit] = []
        done: set[object] = set(self.covered)
        if self.coverage is not None:
            enabled = [r.name for r in self.regions if r.enabled]
            for unit, covered in aggregated_units(
                self.coverage,
                collectors,
                enabled,
                self.config_in(self.home),
                self.s3_home,
                self.everywhere or None,
            ):
                out.append(unit)
                done.update(covered)
        for c in collectors:
            if not c.regional and c not in done:
                scope = Scope(_PROVIDER, self.account, None, c.service)
                out.append(Unit(scope, _runner(c, self.context(self.home))))
        gated = [r for r in self.regions if not r.enabled]
        if gated and any(c.regional for c in collectors):
            self.probe.start([r.name for r in gated], lambda region: self.cache.get("ec2", region))
        # Regions that need their probe's answer run last: by then the answers are in.
        for info in [r for r in self.regions if r.enabled] + gated:
            for c in collectors:
                if c.regional and (c, info.name) not in done:
                    scope = Scope(_PROVIDER, self.account, info.name, c.service)
                    run = _runner(c, self.context(info.name), None if info.enabled else self.probe)
                    out.append(Unit(scope, run))
        return out

    def batch(self, outcome: Outcome, fanout: Work) -> Iterator[Batch]:
        region = outcome.scope.region
        refused = self.probe.refusal(region) if region else None
        if outcome.gap is None or refused is None:
            yield Batch.from_outcome(outcome)
            return
        if region in self.reported:
            return
        assert region is not None
        self.reported.add(region)
        yield Batch(gaps=(fanout.gap(Scope(_PROVIDER, self.account, region), refused),))


def session_secrets(session: object) -> tuple[str, ...]:
    """The access key id, secret key and session token of a boto3 session, if any."""
    from botocore.exceptions import BotoCoreError

    get = getattr(session, "get_credentials", None)
    try:
        creds = get() if callable(get) else None
        frozen = creds.get_frozen_credentials() if creds is not None else None
    except BotoCoreError:  # no usable credentials: the audit's first call reports it
        return ()
    if frozen is None:
        return ()
    return tuple(s for s in (frozen.access_key, frozen.secret_key, frozen.token) if s)


def _runner(
    collector: Collector, ctx: AwsContext, probe: RegionProbe | None = None
) -> Callable[[], list[Resource]]:
    def run() -> list[Resource]:
        if probe is not None:
            probe.check(ctx.region, ctx.client("ec2"))
        return collector.run(ctx)

    return run


def _foreign_gap(account: str, region: str, partition: str) -> CoverageGap:
    return make_gap(
        Scope(_PROVIDER, account, region),
        "OtherPartition",
        f"region {region} is not in partition {partition}; audit it with credentials "
        f"of partition {partition_of(region)} (--partition {partition_of(region)})",
    )
