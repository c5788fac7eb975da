"""AWS Organizations: the accounts to audit, and what every account's audit shares.

Plain data (:class:`AccountSpec`, :class:`OrgSettings`: picklable, no session), the listing
calls of Organizations (every account, or those under some OUs, level by level) and the pure
turn of listed accounts into specs (ACTIVE ones) and gaps (the others).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cloudaudit.models import CoverageGap, ProviderId, Resource
from cloudaudit.providers._work import EXCLUDED, Scope, Unit, Work, container_gap, make_gap
from cloudaudit.providers.aws._clients import make_config
from cloudaudit.providers.aws._guardrails import GUARDRAIL_ACTIONS
from cloudaudit.providers.aws._partitions import home_region

if TYPE_CHECKING:
    from botocore.config import Config
    from mypy_boto3_organizations import OrganizationsClient

__all__ = [
    "ORGANIZATION_ACTIONS",
    "AccountSpec",
    "OrgSettings",
    "excluded_outside",
    "fetch_accounts",
    "fetch_accounts_under",
    "fetch_children",
    "load_org_policy_document",
    "role_arn",
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
            "config:DescribeConfigurationAggregators",
            "config:DescribeConfigurationAggregatorSourcesStatus",
            "config:SelectAggregateResourceConfig",
            "s3:GetBucketLocation",
            *GUARDRAIL_ACTIONS,
        }
    )
)
"""What the caller (management or delegated administrator account) needs, besides the member
accounts' read-only role (``iam_policy.json``). ``sts:AssumeRole`` changes nothing: it only
issues the temporary credentials of the audit role. The ``config`` reads find and query the
organization's AWS Config aggregator (``inventory="auto"``); ``s3:GetBucketLocation`` places a
replication destination bucket outside the organization."""


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
        inventory: The organization's inventory mode (``auto``, ``aggregated`` or
            ``direct``); an account audited directly gets ``direct`` or else ``auto``.
        aggregator_region: Region of the organization's AWS Config aggregator (``None``:
            the partition's home region).
        connect_timeout: Seconds to wait for a TCP connection, per attempt, every client.
        read_timeout: Seconds to wait for an answer, per attempt, every client.
        max_attempts: HTTP attempts per call, the first one included, every client.
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
    inventory: str = "auto"
    aggregator_region: str | None = None
    connect_timeout: float = 5.0
    read_timeout: float = 20.0
    max_attempts: int = 5

    def http(self) -> dict[str, Any]:
        """The per-call bounds, as keyword arguments of ``make_config`` and ``AwsProvider``."""
        return {
            "connect_timeout": self.connect_timeout,
            "read_timeout": self.read_timeout,
            "max_attempts": self.max_attempts,
        }

    def config(self, max_workers: int | None = None) -> Config:
        """The botocore ``Config`` of the organization's own clients (STS, Organizations...)."""
        return make_config(self.max_workers if max_workers is None else max_workers, **self.http())

    @property
    def aggregator_home(self) -> str:
        """Where the organization's AWS Config aggregator is looked for and queried."""
        return self.aggregator_region or self.home

    @property
    def home(self) -> str:
        """The partition's home region (STS and Organizations are called there)."""
        return home_region(self.partition)


# ----------------------------------------------------------------------------- I/O
def fetch_accounts(org: OrganizationsClient) -> list[dict[str, Any]]:
    """Call ``organizations:ListAccounts`` (paginated)."""
    out: list[dict[str, Any]] = []
    for page in org.get_paginator("list_accounts").paginate():
        out.extend(dict(a) for a in page["Accounts"])
    return out


def fetch_children(org: OrganizationsClient, parent: str) -> tuple[list[dict[str, Any]], list[str]]:
    """List the accounts and the child OU ids directly under ``parent`` (paginated)."""
    accounts: list[dict[str, Any]] = []
    for page in org.get_paginator("list_accounts_for_parent").paginate(ParentId=parent):
        accounts.extend(dict(a) for a in page["Accounts"])
    ous: list[str] = []
    pager = org.get_paginator("list_organizational_units_for_parent")
    for ou_page in pager.paginate(ParentId=parent):
        ous.extend(ou["Id"] for ou in ou_page["OrganizationalUnits"])
    return accounts, ous


def fetch_accounts_under(
    org: OrganizationsClient, parents: Sequence[str], fanout: Work
) -> tuple[list[dict[str, Any]], list[CoverageGap]]:
    """List every account under ``parents`` (OUs or roots), level by level, recursively.

    Each parent is one unit of ``fanout``: an OU that cannot be listed is a gap, the others
    are still listed. The accounts under such an OU are unknown, so its gap names no account
    (it covers every account of the organization, :func:`container_gap`) and names the OU in
    its ``target`` and message.
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
        for outcome in fanout.run(units):
            if outcome.gap is not None:
                gaps.append(_ou_gap(outcome.gap, str(outcome.scope.account)))
        level = []
        for parent in sorted(found):
            children, ous = found[parent]
            accounts.extend(children)
            level.extend(ous)
    return accounts, gaps


def _ou_gap(gap: CoverageGap, parent: str) -> CoverageGap:
    kind = "root" if parent.startswith("r-") else "OU"
    note = (
        f"{kind} {parent} could not be listed, so no account under it (whichever they are) "
        "was audited"
    )
    return container_gap(gap, f"{kind} {parent}", note)


def _children_unit(
    org: OrganizationsClient, parent: str, found: dict[str, tuple[list[dict[str, Any]], list[str]]]
) -> Callable[[], Sequence[Resource]]:
    def run() -> Sequence[Resource]:
        found[parent] = fetch_children(org, parent)
        return ()

    return run


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
    management account is left out when ``include_management`` is false, with an
    :data:`EXCLUDED` gap that says so (it was asked for, but the report does not cover it).
    """
    specs: list[AccountSpec] = []
    gaps: list[CoverageGap] = []
    by_id = {str(a["Id"]): a for a in raw}
    for acct_id in sorted(by_id):
        acct = by_id[acct_id]
        name = str(acct.get("Name", ""))
        if acct_id == management and not include_management:
            gaps.append(
                make_gap(
                    Scope(_PROVIDER, acct_id),
                    EXCLUDED,
                    f"account {acct_id} ({name}) is the organization's management account, "
                    "excluded by --exclude-management-account (include_management=False); "
                    "it is not audited",
                )
            )
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


def excluded_outside(
    everyone: Sequence[dict[str, Any]],
    under: Sequence[dict[str, Any]],
    ous: Sequence[str],
    failed: Sequence[CoverageGap] = (),
) -> list[CoverageGap]:
    """The gaps of the accounts of the organization not found under ``ous``.

    When every OU was listed, each such account is an :data:`EXCLUDED` gap (left out by
    ``--ou``). When some OU could not be listed (``failed``, its gaps), an account not found
    may be under it: the accounts are named in those gaps instead (which cover every
    account), and none is called excluded.

    Args:
        everyone: Every account of the organization (``ListAccounts``).
        under: The accounts listed under the OUs (``ListAccountsForParent``, recursively).
        ous: The OU (or root) ids the audit was limited to (``--ou``).
        failed: The gaps of the OUs that could not be listed.

    Returns:
        ``failed`` (named accounts added to their messages) and the exclusions.
    """
    inside = {str(a["Id"]) for a in under}
    named = ", ".join(ous)
    rest = sorted(
        (str(a["Id"]), str(a.get("Name", ""))) for a in everyone if str(a["Id"]) not in inside
    )
    if failed:
        shown = ", ".join(f"{i} ({n})" for i, n in rest[:20]) + (" ..." if len(rest) > 20 else "")
        note = f"; not found under the OUs listed (under it, or outside --ou): {shown or 'none'}"
        return [g.model_copy(update={"message": g.message + note}) for g in failed]
    return [
        make_gap(
            Scope(_PROVIDER, acct_id),
            EXCLUDED,
            f"account {acct_id} ({name}) is not under the OUs the audit was limited to "
            f"(--ou / ous: {named}); it is not audited",
        )
        for acct_id, name in rest
    ]
