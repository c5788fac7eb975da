"""AWS Organizations: every account of an organization (or of some OUs), through a role.

The management (or delegated administrator) account lists the accounts; each ACTIVE account is
audited with credentials from ``sts:AssumeRole`` into a named role, by an :class:`AwsProvider`
of its own, and every account's units run through the audit's one :class:`FanOut` (one bound
for the whole organization). An account whose role cannot be assumed, or whose regions cannot
be listed, is a coverage gap for that account only; accounts that are not ACTIVE are gaps too.

For process-based or distributed executors, :meth:`AwsOrganization.plan` turns each account
into an :class:`AccountTask`: a picklable description that builds its own session where it
runs and returns plain batches.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from cloudaudit.errors import ConfigurationError
from cloudaudit.models import CoverageGap, ProviderId, Resource
from cloudaudit.providers._fanout import FanOut
from cloudaudit.providers._logmask import masking_logs
from cloudaudit.providers._protocol import Batch, Plan
from cloudaudit.providers._stream import guard_iter, interleave
from cloudaudit.providers._work import Classifier, Scope, Unit, Work, make_gap
from cloudaudit.providers.aws._clients import make_config
from cloudaudit.providers.aws._errors import classify
from cloudaudit.providers.aws._guardrails import GUARDRAIL_ACTIONS, guardrail_batches
from cloudaudit.providers.aws._partitions import home_region, partition_of
from cloudaudit.providers.aws._provider import (
    AwsProvider,
    _check_services,
    make_session,
    session_secrets,
)

__all__ = [
    "ORGANIZATION_ACTIONS",
    "AccountSpec",
    "AccountTask",
    "AwsOrganization",
    "OrgSettings",
    "fetch_accounts",
    "fetch_accounts_under",
    "load_org_policy_document",
    "to_specs",
]

_PROVIDER = ProviderId.AWS.value

ORGANIZATION_ACTIONS: tuple[str, ...] = tuple(
    sorted(
        {
            "organizations:DescribeOrganization",
            "organizations:ListAccounts",
            "organizations:ListAccountsForParent",
            "organizations:ListOrganizationalUnitsForParent",
            "sts:AssumeRole",
            "sts:GetCallerIdentity",
            *GUARDRAIL_ACTIONS,
        }
    )
)
"""What the caller (management or delegated administrator account) needs, besides the member
accounts' read-only role (``iam_policy.json``). ``sts:AssumeRole`` changes nothing: it only
issues the temporary credentials of the audit role."""


def load_org_policy_document() -> dict[str, Any]:
    """Load the packaged caller policy (``org_policy.json``, the one docs/scale.md shows)."""
    import json
    from importlib import resources

    text = resources.files("cloudaudit.providers.aws").joinpath("org_policy.json").read_text()
    doc: dict[str, Any] = json.loads(text)
    return doc


# ----------------------------------------------------------------------------- plain data
@dataclass(frozen=True)
class AccountSpec:
    """One account to audit. ``role_arn`` is ``None`` for the caller's own account."""

    account: str
    name: str = ""
    role_arn: str | None = None


@dataclass(frozen=True)
class OrgSettings:
    """What every account's audit shares (picklable: no session, client or lock).

    Attributes:
        partition: The organization's partition (``aws``, ``aws-cn``, ``aws-us-gov``...).
        regions: Regions to audit in each account (``None``: every region of the partition).
        services: AWS API names to audit (``None``: all).
        external_id: ``ExternalId`` for ``sts:AssumeRole``, if the role requires one.
        session_name: ``RoleSessionName`` (shows in the accounts' CloudTrail).
        duration: ``DurationSeconds`` of the assumed-role credentials (900 to 43,200).
        max_workers: Sizes each client's connection pool.
        endpoint_url: Endpoint for every client (a local fake); ``None`` for AWS itself.
        profile: Profile whose credentials call AssumeRole in a task (``None``: the
            worker's default credential chain).
    """

    partition: str = "aws"
    regions: tuple[str, ...] | None = None
    services: tuple[str, ...] | None = None
    external_id: str | None = None
    session_name: str = "cloudaudit"
    duration: int = 3600
    max_workers: int = 16
    endpoint_url: str | None = None
    profile: str | None = None

    @property
    def home(self) -> str:
        """The partition's home region (STS and Organizations are called there)."""
        return home_region(self.partition)


# ----------------------------------------------------------------------------- I/O
def fetch_accounts(org: Any) -> list[dict[str, Any]]:
    """Call ``organizations:ListAccounts`` (paginated)."""
    out: list[dict[str, Any]] = []
    for page in org.get_paginator("list_accounts").paginate():
        out.extend(page["Accounts"])
    return out


def fetch_children(org: Any, parent: str) -> tuple[list[dict[str, Any]], list[str]]:
    """List the accounts and the child OU ids directly under ``parent`` (paginated)."""
    accounts: list[dict[str, Any]] = []
    for page in org.get_paginator("list_accounts_for_parent").paginate(ParentId=parent):
        accounts.extend(page["Accounts"])
    ous: list[str] = []
    pager = org.get_paginator("list_organizational_units_for_parent")
    for page in pager.paginate(ParentId=parent):
        ous.extend(ou["Id"] for ou in page["OrganizationalUnits"])
    return accounts, ous


def fetch_accounts_under(
    org: Any, parents: Sequence[str], fanout: Work
) -> tuple[list[dict[str, Any]], list[CoverageGap]]:
    """List every account under ``parents`` (OUs or roots), level by level, recursively.

    Each parent is one unit of ``fanout``: an OU that cannot be listed is a gap, the others
    are still listed.
    """
    accounts: list[dict[str, Any]] = []
    gaps: list[CoverageGap] = []
    level = list(dict.fromkeys(parents))
    while level:
        found: dict[str, tuple[list[dict[str, Any]], list[str]]] = {}
        units = [
            Unit(Scope(_PROVIDER, p, None, "organizations"), _children_unit(org, p, found))
            for p in level
        ]
        gaps.extend(o.gap for o in fanout.run(units) if o.gap is not None)
        level = []
        for parent in sorted(found):
            children, ous = found[parent]
            accounts.extend(children)
            level.extend(ous)
    return accounts, gaps


def _children_unit(
    org: Any, parent: str, found: dict[str, tuple[list[dict[str, Any]], list[str]]]
) -> Any:
    def run() -> Sequence[Resource]:
        found[parent] = fetch_children(org, parent)
        return ()

    return run


def assume_role(sts: Any, role_arn: str, settings: OrgSettings) -> dict[str, str]:
    """Call ``sts:AssumeRole`` and return the temporary credentials (keep them out of logs)."""
    kwargs: dict[str, Any] = {
        "RoleArn": role_arn,
        "RoleSessionName": settings.session_name,
        "DurationSeconds": settings.duration,
    }
    if settings.external_id:
        kwargs["ExternalId"] = settings.external_id
    creds: dict[str, str] = sts.assume_role(**kwargs)["Credentials"]
    return creds


# ----------------------------------------------------------------------------- pure
def role_arn(partition: str, account: str, role: str) -> str:
    """``arn:{partition}:iam::{account}:role/{role}`` (a path such as ``ops/audit`` is kept)."""
    return f"arn:{partition}:iam::{account}:role/{role.strip('/')}"


def to_specs(
    raw: Sequence[dict[str, Any]],
    *,
    role: str,
    partition: str,
    caller: str,
    management: str | None,
    include_management: bool,
) -> tuple[list[AccountSpec], list[CoverageGap]]:
    """Turn listed accounts into specs (ACTIVE ones) and gaps (the others), sorted by id.

    The caller's own account is audited with the caller's credentials (no AssumeRole); the
    management account is skipped when ``include_management`` is false.
    """
    specs: list[AccountSpec] = []
    gaps: list[CoverageGap] = []
    by_id = {str(a["Id"]): a for a in raw}
    for acct_id in sorted(by_id):
        acct = by_id[acct_id]
        name = str(acct.get("Name", ""))
        if acct_id == management and not include_management:
            continue
        status = str(acct.get("State") or acct.get("Status") or "UNKNOWN").upper()
        if status != "ACTIVE":
            gaps.append(
                make_gap(
                    Scope(_PROVIDER, acct_id),
                    "AccountNotActive",
                    f"account {acct_id} ({name}) is {status}; it is not audited",
                )
            )
            continue
        arn = None if acct_id == caller else role_arn(partition, acct_id, role)
        specs.append(AccountSpec(acct_id, name, arn))
    return specs, gaps


# ----------------------------------------------------------------------------- sessions
@dataclass
class _Base:
    """The base session, shared by every account; client building is serialised by a lock.

    Each account's clients are built from this one botocore session with the account's own
    credentials, so service models are loaded once for the whole organization.
    """

    session: Any
    endpoint_url: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def client(
        self, service: str, region: str, config: Any, creds: dict[str, str] | None = None
    ) -> Any:
        keys: dict[str, Any] = {}
        if creds is not None:
            keys = {
                "aws_access_key_id": creds["AccessKeyId"],
                "aws_secret_access_key": creds["SecretAccessKey"],
                "aws_session_token": creds["SessionToken"],
            }
        if self.endpoint_url:
            keys["endpoint_url"] = self.endpoint_url
        with self.lock:
            return self.session.client(service, region_name=region, config=config, **keys)


@dataclass
class _AccountSession:
    """Session-like view of one account (what :class:`ClientCache` needs: ``client``)."""

    base: _Base
    region_name: str
    creds: dict[str, str] | None = field(default=None, repr=False)

    def client(self, service: str, region_name: str, config: Any = None) -> Any:
        return self.base.client(service, region_name, config, self.creds)

    @property
    def events(self) -> Any:
        """The base session's event emitter (client classes are cached per emitter)."""
        return getattr(self.base.session, "events", None)


def audit_account(
    base: _Base, spec: AccountSpec, settings: OrgSettings, fanout: Work
) -> Iterator[Batch]:
    """Open ``spec``'s account (AssumeRole unless it is the caller's) and audit it.

    Raises:
        botocore exceptions: AssumeRole or region discovery failed (a gap for the account).
    """
    creds = None
    if spec.role_arn is not None:
        sts = base.client("sts", settings.home, make_config(settings.max_workers))
        creds = assume_role(sts, spec.role_arn, settings)
        fanout.add_secrets(creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
    provider = AwsProvider(
        session=_AccountSession(base, settings.home, creds),
        regions=settings.regions,
        services=settings.services,
        partition=settings.partition,
        max_workers=settings.max_workers,
        account=spec.account,
    )
    yield from provider.collect(fanout)


def _batches(base: _Base, spec: AccountSpec, settings: OrgSettings, fanout: Work) -> Any:
    scope = Scope(_PROVIDER, spec.account)
    for item in guard_iter(fanout, scope, lambda: audit_account(base, spec, settings, fanout)):
        yield Batch.of(item)


@dataclass(frozen=True)
class AccountTask:
    """One account as a picklable task: builds its own session where it runs.

    Calling it assumes the role with the worker's credentials (``settings.profile`` or the
    default chain), audits the account with a private :class:`FanOut` of
    ``settings.max_workers``, and returns plain batches (resources, audited scopes, gaps).
    """

    spec: AccountSpec
    settings: OrgSettings

    @property
    def scope(self) -> Scope:
        """The account's scope."""
        return Scope(_PROVIDER, self.spec.account)

    def __call__(self) -> list[Batch]:
        """Audit the account; failures are gaps in the returned batches."""
        s = self.settings
        base = _worker_base(s.profile, s.home, s.endpoint_url)
        secrets = session_secrets(base.session)  # an AssumeRole error may echo them
        fanout = FanOut(max_workers=s.max_workers, classifiers=[classify], secrets=secrets)
        with fanout, masking_logs(lambda: fanout.secrets):
            return list(_batches(base, self.spec, s, fanout))


@functools.lru_cache(maxsize=4)
def _worker_base(profile: str | None, region: str, endpoint_url: str | None) -> _Base:
    """The base session of this worker process, built on its first task and then reused.

    A fresh session loads the service models again (about 0.25 s of CPU for EC2); a worker
    runs many accounts, so it keeps one base session per (profile, region, endpoint). This is
    the only process-wide state of the package, and it holds no assumed-role credentials.
    """
    return _Base(make_session(profile, region), endpoint_url)


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
        role_name: The role to assume in each account (``OrganizationAccountAccessRole``,
            or a read-only audit role deployed by StackSets).
        external_id: ``ExternalId`` the role's trust policy requires, if any.
        ous: OU (or root) ids; only accounts under them, recursively. Default: every account.
        include_management: Audit the management account too (with the caller's own
            credentials when the caller is in it).
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

    Raises:
        ProviderUnavailable: boto3 is not installed.
        ConfigurationError: no role name, or an unknown service name.
    """

    def __init__(
        self,
        session: Any = None,
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
    ) -> None:
        self._guardrails = guardrails
        if not role_name.strip():
            raise ConfigurationError("an organization audit needs a role name (--role NAME)")
        self._session = session if session is not None else make_session(profile)
        checked = _check_services(services)
        region = getattr(self._session, "region_name", None) or "us-east-1"
        self._settings = OrgSettings(
            partition=partition or partition_of(region),
            regions=tuple(regions) if regions else None,
            services=tuple(sorted(checked)) if checked else None,
            external_id=external_id,
            session_name=session_name,
            duration=duration,
            max_workers=max_workers,
            endpoint_url=endpoint_url,
            profile=profile,
        )
        self._role = role_name.strip()
        self._ous = tuple(ous or ())
        self._include_management = include_management
        self._max_accounts = max(1, max_accounts)
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

        Raises:
            botocore exceptions: the organization cannot be read (one gap for the provider).
        """
        s = self._settings
        config = make_config(s.max_workers)
        org = self._base.client("organizations", s.home, config)
        caller = str(self._base.client("sts", s.home, config).get_caller_identity()["Account"])
        management = str(org.describe_organization()["Organization"]["MasterAccountId"])
        if self._ous:
            raw, gaps = fetch_accounts_under(org, self._ous, fanout)
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

    def _guardrail_batches(self, specs: Sequence[AccountSpec], fanout: Work) -> Iterator[Batch]:
        if not self._guardrails:
            return
        s = self._settings
        config = make_config(s.max_workers)

        def client(service: str) -> Any:
            return self._base.client(service, s.home, config)

        yield from guardrail_batches(fanout, client, [a.account for a in specs], s.partition)

    def collect(self, fanout: Work) -> Iterator[Batch]:
        """Audit the accounts in this process, ``max_accounts`` at a time, on ``fanout``."""
        specs, gaps = self.discover(fanout)
        if gaps:
            yield Batch(gaps=tuple(gaps))
        yield from self._guardrail_batches(specs, fanout)
        sources = [
            functools.partial(_batches, self._base, spec, self._settings, fanout) for spec in specs
        ]
        yield from interleave(sources, max_parallel=self._max_accounts)

    def plan(self, fanout: Work) -> Plan:
        """Discover the accounts here and return one picklable :class:`AccountTask` each."""
        specs, gaps = self.discover(fanout)
        tasks = [AccountTask(spec, self._settings) for spec in specs]
        batches = [Batch(gaps=tuple(gaps))] if gaps else []
        batches.extend(self._guardrail_batches(specs, fanout))
        return Plan(tasks=tasks, batches=batches, max_in_flight=self._max_accounts)
