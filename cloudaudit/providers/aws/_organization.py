"""AWS Organizations: every account of an organization (or of some OUs), through a role.

The management (or delegated administrator) account lists the accounts; each ACTIVE account is
audited with credentials from ``sts:AssumeRole`` into a named role, by an :class:`AwsProvider`
of its own, and every account's units run through the audit's one :class:`FanOut` (one bound
for the whole organization). An account whose role cannot be assumed, or whose regions cannot
be listed, is a coverage gap for that account only; accounts that are not ACTIVE are gaps too.

For process-based or distributed executors, :meth:`AwsOrganization.plan` turns each account
into an :class:`AccountTask`: a picklable description that builds its own session where it
runs and returns plain batches.

The accounts, settings and listing calls are in :mod:`._org_accounts`; one account's audit
(sessions, AssumeRole, the picklable task) in :mod:`._org_tasks`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from cloudaudit.models import CoverageGap, ProviderId, Resource
from cloudaudit.providers._choose import chosen
from cloudaudit.providers._protocol import Batch, Plan
from cloudaudit.providers._stop import Waiting, phase, waiting
from cloudaudit.providers._stream import guard_iter, interleave
from cloudaudit.providers._work import EXCLUDED, Classifier, Scope, Unit, Work
from cloudaudit.providers.aws._base import Collector
from cloudaudit.providers.aws._choices import check_services, checked_regions
from cloudaudit.providers.aws._errors import classify
from cloudaudit.providers.aws._guardrails import guardrail_batches
from cloudaudit.providers.aws._org_accounts import (
    ORGANIZATION_ACTIONS,
    AccountSpec,
    OrgSettings,
    excluded_outside,
    fetch_accounts,
    fetch_accounts_under,
    load_org_policy_document,
    to_specs,
)
from cloudaudit.providers.aws._org_aggregated import OrgPlan, aggregated_account, org_plan
from cloudaudit.providers.aws._org_checks import (
    check_bool,
    check_duration,
    check_external_id,
    check_http,
    check_int,
    check_parents,
    check_region,
    check_role,
    check_session_name,
)
from cloudaudit.providers.aws._org_distributed import (
    AggregatedAccountTask,
    aggregator_record,
    check_inventory,
    items_read,
    plan_tasks,
    unavailable_gap,
)
from cloudaudit.providers.aws._org_tasks import (
    AccountTask,
    _Base,
    account_batches,
    assume_role,
    audit_account,
)
from cloudaudit.providers.aws._partitions import partition_of
from cloudaudit.providers.aws._provider import make_session, session_secrets
from cloudaudit.providers.aws.services import all_collectors

if TYPE_CHECKING:
    import boto3
    from botocore.client import BaseClient
    from mypy_boto3_organizations import OrganizationsClient

    from cloudaudit.providers.aws._client_types import ServiceClient

__all__ = [
    "ORGANIZATION_ACTIONS",
    "AccountSpec",
    "AccountTask",
    "AggregatedAccountTask",
    "AwsOrganization",
    "OrgSettings",
    "assume_role",
    "fetch_accounts",
    "fetch_accounts_under",
    "load_org_policy_document",
    "to_specs",
]

_PROVIDER = ProviderId.AWS.value


# ----------------------------------------------------------------------------- provider
@dataclass(frozen=True)
class _Discovery:
    specs: list[AccountSpec]
    gaps: list[CoverageGap]


class AwsOrganization:
    """Audits every ACTIVE account of an AWS organization (or of some OUs) through a role.

    Run it from the management account or a delegated administrator of Organizations.

    Args:
        session: A ``boto3.Session`` that can list the organization's accounts and assume
            ``role_name`` in them; defaults to the standard credential chain.
        role_name: The name of the role to assume in each account, with its IAM path if it
            has one (``OrganizationAccountAccessRole``, or a read-only audit role deployed by
            StackSets); not an ARN (each account's role has its own).
        external_id: ``ExternalId`` the role's trust policy requires, if any.
        ous: OU (or root) ids; only accounts under them, recursively (each account outside
            is an ``Excluded`` gap). Default: every account.
        include_management: Audit the management account too (with the caller's own
            credentials when the caller is in it). When false, it is an ``Excluded`` gap.
        regions: Regions to audit in each account. Default: every region of the partition.
        services: AWS API names to audit. Default: all.
        partition: Default: the partition of the session's region.
        max_accounts: Most accounts in flight at once (their units share the audit's
            ``max_workers`` bound; on a distributed executor, most tasks submitted at once).
        max_workers: Sizes each client's connection pool, and each task's own bound.
        session_name: ``RoleSessionName``.
        duration: ``DurationSeconds`` of the assumed-role credentials. An account's audit
            must finish within it (calls after expiry fail and become gaps, never silence).
        profile: Profile a distributed task uses to call AssumeRole (default: the worker's
            default credential chain).
        endpoint_url: Endpoint for every client (a local fake); ``None`` for AWS itself.
        guardrails: Also read the organization's SCPs and RCPs that restrict regions, with
            their attachments, and compare them with the accounts audited.
        inventory: ``"auto"`` (default): when the caller's account holds an AWS Config
            aggregator of the organization, read EC2 instances and volumes, DynamoDB tables
            and S3 buckets from it for every account where its source status and the
            account's recorders show it records them, and everything else directly
            (``_org_aggregated``; :meth:`plan` too, ``_org_distributed``); without a usable
            aggregator, every account directly. ``"aggregated"``: the same, but without a
            usable aggregator nothing is audited (one ``AggregatorUnavailable`` gap).
            ``"direct"``: always assume the role and call each service.
        aggregator_region: Region of that aggregator (default: the partition's home region,
            ``us-east-1`` for ``aws``); aggregators are regional.
        **http: ``connect_timeout``, ``read_timeout``, ``max_attempts``: the per-call bounds
            of every client, the member accounts' included (defaults as ``AwsProvider``).

    Raises:
        ProviderUnavailable: boto3 is not installed.
        ConfigurationError: no role name, or one that is not an IAM role name (or is an
            ARN); a session name, external id or duration ``sts:AssumeRole`` would refuse; a
            value of the wrong type (a string for a boolean or an integer); an unknown
            service name or inventory mode; an OU id that is not one; or
            ``inventory="aggregated"`` with no service the aggregator can answer for.
    """

    def __init__(
        self,
        session: boto3.Session | None = None,
        role_name: str = "",
        *,
        external_id: str | None = None,
        ous: Sequence[str] | None = None,
        include_management: bool = True,
        regions: Sequence[str] | None = None,
        services: Sequence[str] | None = None,
        partition: str | None = None,
        max_accounts: int = 8,
        max_workers: int = 16,
        session_name: str = "cloudaudit",
        duration: int = 3600,
        profile: str | None = None,
        endpoint_url: str | None = None,
        guardrails: bool = False,
        inventory: str = "auto",
        aggregator_region: str | None = None,
        **http: Any,
    ) -> None:
        self._role = check_role(role_name)  # every argument checked before any call
        self._guardrails = check_bool(guardrails, "guardrails (--guardrails)")
        self._include_management = check_bool(
            include_management,
            "include_management (--include-management-account/--exclude-management-account)",
        )
        self._max_accounts = check_int(
            max_accounts, "max_accounts (--max-accounts-in-flight)", "accounts, e.g. 8"
        )
        self._ous = check_parents(chosen(ous, "ous", "OU or root id") or ())
        checked = check_services(services)
        self._inventory = check_inventory(inventory, checked)
        settings = {
            "regions": checked_regions(regions),
            "services": tuple(sorted(checked)) if checked else None,
            "external_id": check_external_id(external_id),
            "session_name": check_session_name(session_name),
            "duration": check_duration(duration),
            "max_workers": check_int(max_workers, "max_workers (--max-workers)", "calls, e.g. 16"),
            "aggregator_region": check_region(aggregator_region, "aggregator_region"),
            **check_http(http),
        }
        self._session = session if session is not None else make_session(profile)
        region = getattr(self._session, "region_name", None) or "us-east-1"
        self._settings = OrgSettings(
            partition=partition or partition_of(region),
            endpoint_url=endpoint_url,
            profile=profile,
            inventory=inventory,
            **settings,
        )
        self._base = _Base(self._session, endpoint_url)

    @property
    def name(self) -> str:
        """The provider id, ``aws``."""
        return _PROVIDER

    @property
    def settings(self) -> OrgSettings:
        """What every account's audit shares."""
        return self._settings

    def classifiers(self) -> Sequence[Classifier]:
        """The botocore exception classifier."""
        return (classify,)

    def secrets(self) -> Sequence[str]:
        """The base session's credentials (each account's role credentials are added later)."""
        return session_secrets(self._base.session)

    def discover(self, fanout: Work) -> tuple[list[AccountSpec], list[CoverageGap]]:
        """List the accounts to audit and the gaps of those that cannot be.

        What it reads (the caller, the organization, its accounts or OUs) is the evidence
        of its own unit, ``aws/*/*/organizations``, in an audit that keeps evidence.

        Raises:
            botocore exceptions: the organization cannot be read (one gap for the provider).
        """
        with fanout.evidence(Scope(_PROVIDER, None, None, "organizations")):
            return self._discover(fanout)

    def _discover(self, fanout: Work) -> tuple[list[AccountSpec], list[CoverageGap]]:
        s = self._settings
        config = s.config()
        org = self._base.own("organizations", s.home, config)
        caller = str(self._base.own("sts", s.home, config).get_caller_identity()["Account"])
        management = str(org.describe_organization()["Organization"]["MasterAccountId"])
        if self._ous:
            raw, failed = fetch_accounts_under(org, self._ous, fanout)
            gaps = self._outside(org, raw, failed, fanout)
        else:
            raw, gaps = fetch_accounts(org), []
        specs, skipped = to_specs(
            raw,
            role=self._role,
            partition=s.partition,
            caller=caller,
            management=management,
            include_management=self._include_management,
        )
        return specs, gaps + skipped

    def _outside(
        self,
        org: OrganizationsClient,
        under: list[dict[str, Any]],
        failed: list[CoverageGap],
        fanout: Work,
    ) -> list[CoverageGap]:
        """With ``ous``: the OUs' gaps, and the accounts outside them (``ListAccounts``).

        Each account outside is an ``Excluded`` gap (:func:`excluded_outside`). When they
        cannot be listed, one ``Excluded`` gap without an account says so (it covers every
        account: which ones were left out is unknown).
        """
        everyone: list[dict[str, Any]] = []

        def list_all() -> Sequence[Resource]:
            everyone.extend(fetch_accounts(org))
            return ()

        scope = Scope(_PROVIDER, None, None, "organizations")
        (outcome,) = fanout.run([Unit(scope, list_all)])
        if outcome.gap is None:
            return excluded_outside(everyone, under, self._ous, failed)
        note = (
            f"the accounts outside the OUs the audit was limited to (--ou / ous: "
            f"{', '.join(self._ous)}) could not be listed ({outcome.gap.code}: "
            f"{outcome.gap.message}); they are not audited"
        )
        update = {"code": EXCLUDED, "message": note, "target": "accounts outside --ou"}
        return [*failed, outcome.gap.model_copy(update=update)]

    def _guardrail_batches(self, specs: Sequence[AccountSpec], fanout: Work) -> Iterator[Batch]:
        if not self._guardrails:
            return
        s = self._settings
        config = s.config()

        def client(service: str) -> BaseClient:
            return self._base.client(service, s.home, config)

        typed = cast("ServiceClient", client)  # boto3 builds the client class of the name
        yield from guardrail_batches(fanout, typed, [a.account for a in specs], s.partition)

    def collect(self, fanout: Work) -> Iterator[Batch]:
        """Audit the accounts in this process, ``max_accounts`` at a time, on ``fanout``."""
        with phase("organizations and sts (account discovery)"):
            specs, gaps = self.discover(fanout)
        if gaps:
            yield Batch(gaps=tuple(gaps))
        # an account not begun when the audit stops is a Cancelled gap of its own (_stop)
        with waiting(Scope(_PROVIDER, spec.account) for spec in specs) as pending:
            yield from self._guardrail_batches(specs, fanout)
            plan = None
            if self._inventory != "direct":
                plan = org_plan(self._base, self._settings, specs, self._collectors(), fanout)
                if plan is None and self._inventory == "aggregated":
                    yield Batch(gaps=(unavailable_gap(self._settings),))
                    return
            if plan is not None:
                record = aggregator_record(plan.agg, self._settings, items_read(plan))
                yield Batch(audited=[record])
            sources = [self._account(pending, plan, spec, fanout) for spec in specs]
            yield from interleave(sources, max_parallel=self._max_accounts)

    def _account(
        self, pending: Waiting, plan: OrgPlan | None, spec: AccountSpec, fanout: Work
    ) -> Callable[[], Iterator[Batch]]:
        """One account's batches (direct, or through ``plan``), marked started as it begins."""

        def run() -> Iterator[Batch]:
            stopped = pending.begin(Scope(_PROVIDER, spec.account))
            if stopped is not None:  # the audit stopped before this account's turn
                yield Batch(gaps=(stopped,))
            elif plan is None:
                yield from account_batches(self._base, spec, self._settings, fanout)
            else:
                yield from self._aggregated(plan, spec, fanout)

        return run

    def _aggregated(self, plan: OrgPlan, spec: AccountSpec, fanout: Work) -> Iterator[Batch]:
        def direct() -> Iterator[Batch]:
            return audit_account(self._base, spec, self._settings, fanout)

        scope = Scope(_PROVIDER, spec.account)
        batches = lambda: aggregated_account(plan, spec, fanout, direct)  # noqa: E731
        for item in guard_iter(fanout, scope, batches):
            yield Batch.of(item)

    def _collectors(self) -> list[Collector]:
        services = self._settings.services
        return list(all_collectors(frozenset(services) if services else None))

    def plan(self, fanout: Work) -> Plan:
        """Discover the accounts here and return one picklable task each.

        With ``inventory`` ``auto`` or ``aggregated`` and a usable aggregator, its queries run
        here, once, and each account it covers is an :class:`AggregatedAccountTask` carrying
        that account's items (``_org_distributed``); every other account is an
        :class:`AccountTask` (the direct path).
        """
        specs, gaps = self.discover(fanout)
        batches = [Batch(gaps=tuple(gaps))] if gaps else []
        batches.extend(self._guardrail_batches(specs, fanout))
        tasks: list[Any] = [AccountTask(spec, self._settings) for spec in specs]
        if self._inventory != "direct":
            found = plan_tasks(self._base, self._settings, specs, self._collectors(), fanout)
            if found is None and self._inventory == "aggregated":
                batches.append(Batch(gaps=(unavailable_gap(self._settings),)))
                tasks = []
            elif found is not None:
                tasks, record = found
                batches.append(Batch(audited=[record]))
        return Plan(tasks=tasks, batches=batches, max_in_flight=self._max_accounts)
