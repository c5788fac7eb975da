"""AWS location guardrails: SCPs and RCPs of the organization, with their attachments.

I/O (``fetch_*``, in :mod:`~cloudaudit.providers.aws._guardrail_reads`) lists the organization's
tree and its policies with their targets; the pure :func:`to_guardrails` turns them into
:class:`~cloudaudit.guardrails.Guardrail` objects using :mod:`cloudaudit.providers.aws._scp`
(``aws:RequestedRegion`` evaluated as IAM does).

Control Tower's Region deny control is an SCP that Control Tower attaches to registered OUs
(named ``aws-guardrails-...``, statement ``GRREGIONDENY``); it is read like any other SCP and
labelled ``control_tower``. Control Tower's governed regions are an allowed list of their own
(kind ``control_tower_governed``, enforcement ``audit``: governing a region denies nothing by
itself) over the accounts of the OUs Control Tower has registered, known by its
``aws-guardrails-...`` SCPs. Reading needs the management account or a delegated administrator
of Organizations; a member account is refused, which is a coverage gap, never "no guardrail".
An account that belongs to no organization has no SCP at all: it is checked, with none.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from cloudaudit._guardrail_model import Guardrail, GuardrailScope, LocationRule
from cloudaudit.models import CoverageGap, ProviderId
from cloudaudit.providers._protocol import Batch
from cloudaudit.providers._stream import guard_iter
from cloudaudit.providers._work import Scope, Work, make_gap
from cloudaudit.providers.aws._guardrail_reads import (
    OrgTree,
    fetch_governed_regions,
    fetch_org_tree,
    fetch_policies,
)
from cloudaudit.providers.aws._scp import (
    RegionStatement,
    allows_everything,
    region_free_allows,
    region_statements,
)

if TYPE_CHECKING:
    from mypy_boto3_organizations import OrganizationsClient
    from mypy_boto3_organizations.literals import PolicyTypeType

    from cloudaudit.providers.aws._client_types import ServiceClient

__all__ = [
    "GUARDRAIL_ACTIONS",
    "OrgTree",
    "fetch_governed_regions",
    "fetch_org_tree",
    "fetch_policies",
    "governed_regions_guardrail",
    "guardrail_batches",
    "read_guardrails",
    "to_guardrails",
    "with_governed_regions",
]

_PROVIDER = ProviderId.AWS.value
GUARDRAIL_ACTIONS: tuple[str, ...] = (
    "controltower:GetLandingZone",
    "controltower:ListLandingZones",
    "organizations:DescribePolicy",
    "organizations:ListAccountsForParent",
    "organizations:ListOrganizationalUnitsForParent",
    "organizations:ListPolicies",
    "organizations:ListRoots",
    "organizations:ListTargetsForPolicy",
)
"""What reading the guardrails needs from the management or delegated administrator account."""

POLICY_TYPES: dict[PolicyTypeType, str] = {
    "SERVICE_CONTROL_POLICY": "scp",
    "RESOURCE_CONTROL_POLICY": "rcp",
}
_TARGET_KINDS = {"ROOT": "root", "ORGANIZATIONAL_UNIT": "ou", "ACCOUNT": "account"}


def with_governed_regions(
    guardrails: Sequence[Guardrail], governed: tuple[str, ...] | None
) -> list[Guardrail]:
    """Note Control Tower's governed regions on its Region deny guardrails (pure).

    Control Tower denies outside the governed regions only where its Region deny control is
    on; a governed list that differs from the control's allowed list is named.
    """
    if governed is None:
        return list(guardrails)
    out = []
    for g in guardrails:
        if g.kind != "control_tower":
            out.append(g)
            continue
        notes = [f"Control Tower governs {', '.join(governed) or 'no region'}"]
        allowed = set(g.rule.allow or ())
        if allowed != set(governed):
            differ = sorted(allowed ^ set(governed))
            notes.append(
                "its Region deny list differs from the governed regions in " + ", ".join(differ)
            )
        out.append(g.model_copy(update={"notes": (*g.notes, *notes)}))
    return out


def governed_regions_guardrail(
    governed: tuple[str, ...],
    policies: Sequence[dict[str, Any]],
    tree: OrgTree,
    accounts: Sequence[str],
    partition: str,
) -> Guardrail | None:
    """Control Tower's governed regions as an allowed list (pure).

    It applies to the accounts under the targets of Control Tower's own SCPs (named
    ``aws-guardrails-...``, attached to every registered OU); ``None`` when there are none,
    since which accounts Control Tower governs is then unknown.
    """
    wanted = set(accounts)
    enrolled: set[str] = set()
    for policy in policies:
        if str(policy["Summary"].get("Name", "")).startswith("aws-guardrails-"):
            for target in policy["Targets"]:
                enrolled.update(_applies(_target_scope(target, tree), tree, wanted))
    if not enrolled:
        return None
    return Guardrail(
        provider=_PROVIDER,
        kind="control_tower_governed",
        id="governedRegions",
        name="governedRegions",
        attached_to=GuardrailScope(provider=_PROVIDER, kind="landing_zone", id="Control Tower"),
        applies_to=tuple(sorted(enrolled)),
        rule=LocationRule(allow=governed),
        partition=partition,
        enforcement="audit",
        source="controltower:GetLandingZone manifest.governedRegions",
        notes=(
            "applies to the accounts of the OUs that carry Control Tower's aws-guardrails SCPs",
        ),
    )


def _target_scope(target: dict[str, Any], tree: OrgTree) -> GuardrailScope:
    tid = str(target["TargetId"])
    kind = _TARGET_KINDS.get(str(target.get("Type", "")), "target")
    return GuardrailScope(
        provider=_PROVIDER,
        kind=kind,
        id=tid,
        name=str(target.get("Name") or tree.names.get(tid) or tid),
        account=tid if kind == "account" else None,
    )


def _applies(target: GuardrailScope, tree: OrgTree, accounts: set[str]) -> tuple[str, ...]:
    under = {target.id} if target.kind == "account" else tree.under.get(target.id, set())
    return tuple(sorted(under & accounts))


def _kind(policy_type: str, name: str, st: RegionStatement) -> str:
    if name.startswith("aws-guardrails-") and st.sid.upper() == "GRREGIONDENY":
        return "control_tower"
    return next((kind for t, kind in POLICY_TYPES.items() if t == policy_type), "scp")


def _deny_guardrails(
    policy: dict[str, Any], doc: dict[str, Any], tree: OrgTree, accounts: set[str], partition: str
) -> list[Guardrail]:
    summary = policy["Summary"]
    denies = [s for s in region_statements(doc) if s.effect == "Deny"]
    out = []
    for st in denies:
        pid = str(summary["Id"]) if len(denies) == 1 else f"{summary['Id']}#{st.sid}"
        for target in policy["Targets"]:
            scope = _target_scope(target, tree)
            out.append(
                Guardrail(
                    provider=_PROVIDER,
                    kind=_kind(policy["Type"], str(summary.get("Name", "")), st),
                    id=pid,
                    name=str(summary.get("Name") or pid),
                    attached_to=scope,
                    applies_to=_applies(scope, tree, accounts),
                    rule=st.rule,
                    partition=partition,
                    actions=st.actions,
                    exempt_actions=st.exempt_actions,
                    exempt_principals=st.exempt_principals,
                    resources=st.resources,
                    exempt_resources=st.exempt_resources,
                    source=f"organizations:DescribePolicy {summary['Id']} ({policy['Type']})",
                    notes=st.notes,
                )
            )
    return out


def _region_free(
    items: Sequence[tuple[dict[str, Any], dict[str, Any]]],
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(restricted actions, exempt actions, notes) from the Allows not limited to regions.

    Their actions are allowed in every region, so an allow-list at the target does not
    restrict them: an ``Action`` list is exempt; a ``NotAction`` list leaves only its own
    actions restricted (those common to every such list; none left exempts ``*``).
    """
    exempt: list[str] = []
    restricted: set[str] | None = None
    notes = []
    for policy, doc in items:
        for ra in region_free_allows(doc):
            shown = (
                ("every action but " + ", ".join(ra.not_actions))
                if ra.not_actions
                else (", ".join(ra.actions))
            )
            notes.append(
                f"statement {ra.sid} of {policy['Summary']['Id']} allows {shown} in every "
                "region: the region allow-list does not restrict them"
            )
            if ra.not_actions:
                mine = set(ra.not_actions)
                restricted = mine if restricted is None else restricted & mine
            else:
                exempt.extend(ra.actions)
    actions = tuple(sorted(restricted or ()))
    if restricted is not None and not restricted:
        exempt.append("*")
    return actions, tuple(dict.fromkeys(exempt)), tuple(notes)


def _allow_guardrails(
    parsed: Sequence[tuple[dict[str, Any], dict[str, Any]]],
    tree: OrgTree,
    accounts: set[str],
    partition: str,
) -> list[Guardrail]:
    """SCP allow-forms: where every Allow at a target is region-conditional.

    An SCP must allow an action at every level of the tree, so at such a target only the
    regions of those Allow statements are allowed.
    """
    by_target: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = {}
    for policy, doc in parsed:
        if policy["Type"] != "SERVICE_CONTROL_POLICY":
            continue
        for target in policy["Targets"]:
            by_target.setdefault(str(target["TargetId"]), []).append((policy, doc))
    out = []
    for tid, items in sorted(by_target.items()):
        if any(allows_everything(doc) for _, doc in items):
            continue
        allows = [
            (policy, st)
            for policy, doc in items
            for st in region_statements(doc)
            if st.effect == "Allow"
        ]
        if not allows:
            continue
        target = next(t for t in items[0][0]["Targets"] if str(t["TargetId"]) == tid)
        scope = _target_scope(target, tree)
        ids = sorted({str(p["Summary"]["Id"]) for p, _ in allows})
        actions, exempt, free_notes = _region_free(items)
        patterns = tuple(dict.fromkeys(p for _, st in allows for p in st.rule.allow or ()))
        out.append(
            Guardrail(
                provider=_PROVIDER,
                kind="scp",
                id="+".join(ids),
                name=" + ".join(sorted({str(p["Summary"].get("Name", "")) for p, _ in allows})),
                attached_to=scope,
                applies_to=_applies(scope, tree, accounts),
                rule=LocationRule(
                    allow=patterns,
                    case_sensitive=all(st.rule.case_sensitive for _, st in allows),
                ),
                partition=partition,
                actions=actions,
                exempt_actions=exempt,
                source="organizations:DescribePolicy " + ", ".join(ids) + " (Allow statements)",
                notes=tuple(n for _, st in allows for n in st.notes) + free_notes,
            )
        )
    return out


def to_guardrails(
    policies: Iterable[dict[str, Any]], tree: OrgTree, accounts: Iterable[str], partition: str
) -> tuple[list[Guardrail], list[CoverageGap]]:
    """Turn fetched SCPs/RCPs into guardrails (pure); an unreadable document is a gap.

    Args:
        policies: What :func:`fetch_policies` returned (any types).
        tree: The organization's tree.
        accounts: The accounts being audited (``applies_to`` is limited to them).
        partition: The organization's partition (``aws``, ``aws-cn``, ...).
    """
    wanted = set(accounts)
    parsed: list[tuple[dict[str, Any], dict[str, Any]]] = []
    gaps: list[CoverageGap] = []
    for policy in policies:
        pid = str(policy["Summary"]["Id"])
        try:
            doc = json.loads(policy["Content"])
            if not isinstance(doc, dict):
                raise ValueError("the document is not a JSON object")
        except ValueError as exc:
            scope = Scope(_PROVIDER, None, None, "guardrails")
            gaps.append(make_gap(scope, "MalformedPolicy", f"policy {pid} cannot be read: {exc}"))
            continue
        parsed.append((policy, doc))
    out: list[Guardrail] = []
    for policy, doc in parsed:
        out.extend(_deny_guardrails(policy, doc, tree, wanted, partition))
    out.extend(_allow_guardrails(parsed, tree, wanted, partition))
    return out, gaps


def checked_scopes(accounts: Iterable[str]) -> tuple[GuardrailScope, ...]:
    """The accounts whose guardrails were read."""
    return tuple(
        GuardrailScope(provider=_PROVIDER, kind="account", id=a, account=a)
        for a in sorted(accounts)
    )


def read_guardrails(
    org: OrganizationsClient,
    accounts: Sequence[str],
    partition: str,
    governed: tuple[str, ...] | None = None,
) -> Batch:
    """Read SCPs and RCPs and return them as one batch (raises on an API error)."""
    tree = fetch_org_tree(org)
    policies = []
    for policy_type in POLICY_TYPES:
        policies.extend(fetch_policies(org, policy_type))
    found, gaps = to_guardrails(policies, tree, accounts, partition)
    guardrails = with_governed_regions(found, governed)
    if governed is not None:
        zone = governed_regions_guardrail(governed, policies, tree, accounts, partition)
        guardrails += [zone] if zone is not None else []
    return Batch(gaps=gaps, guardrails=guardrails, guardrail_scopes=checked_scopes(accounts))


def guardrail_batches(
    fanout: Work,
    client: ServiceClient,
    accounts: Sequence[str],
    partition: str,
) -> Iterator[Batch]:
    """Read the guardrails for ``accounts``; a failure is one gap (service ``guardrails``).

    ``client(service)`` builds the ``organizations`` and ``controltower`` clients. An account
    outside any organization (``AWSOrganizationsNotInUseException``) is checked and has no
    guardrail; a refused call (a member account) is a gap naming the call. Control Tower's
    governed regions are read apart: when they cannot be, that is a gap of its own and the
    SCPs are still read.
    """
    only = accounts[0] if len(accounts) == 1 else None
    scope = Scope(_PROVIDER, only, None, "guardrails")
    governed: list[tuple[str, ...] | None] = []

    def landing_zone() -> list[Batch]:
        governed.append(fetch_governed_regions(client("controltower")))
        return []

    def produce() -> list[Batch]:
        org = client("organizations")
        zone = governed[0] if governed else None
        try:
            return [read_guardrails(org, accounts, partition, zone)]
        except org.exceptions.AWSOrganizationsNotInUseException:
            return [Batch(guardrail_scopes=checked_scopes(accounts))]

    for run in (landing_zone, produce):
        for item in guard_iter(fanout, scope, run):
            yield Batch.of(item)
