"""AWS guardrails, the I/O: the organization's tree, its policies and Control Tower's regions.

Each ``fetch_*`` only calls the API and paginates (a refused or failed call raises); the pure
transforms that turn what they return into guardrails are in
:mod:`cloudaudit.providers.aws._guardrails`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_controltower import ControlTowerClient
    from mypy_boto3_organizations import OrganizationsClient
    from mypy_boto3_organizations.literals import PolicyTypeType

__all__ = ["OrgTree", "fetch_governed_regions", "fetch_org_tree", "fetch_policies"]


@dataclass
class OrgTree:
    """Which accounts sit under each root and OU (and the targets' names)."""

    under: dict[str, set[str]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)


def fetch_org_tree(org: OrganizationsClient) -> OrgTree:
    """Walk the roots and OUs and record every account under each of them.

    Calls ``ListRoots``, ``ListOrganizationalUnitsForParent`` and ``ListAccountsForParent``.
    """
    tree = OrgTree()
    parents: dict[str, str | None] = {}
    level: list[str] = []
    for page in org.get_paginator("list_roots").paginate():
        for root in page["Roots"]:
            level.append(root["Id"])
            parents[root["Id"]] = None
            tree.names[root["Id"]] = root.get("Name", "Root")
    while level:
        nxt: list[str] = []
        for parent in level:
            tree.under.setdefault(parent, set())
            accounts = org.get_paginator("list_accounts_for_parent")
            for acct_page in accounts.paginate(ParentId=parent):
                for acct in acct_page["Accounts"]:
                    tree.names[acct["Id"]] = acct.get("Name", acct["Id"])
                    _add_up(tree, parents, parent, acct["Id"])
            pager = org.get_paginator("list_organizational_units_for_parent")
            for ou_page in pager.paginate(ParentId=parent):
                for ou in ou_page["OrganizationalUnits"]:
                    parents[ou["Id"]] = parent
                    tree.names[ou["Id"]] = ou.get("Name", ou["Id"])
                    nxt.append(ou["Id"])
        level = nxt
    return tree


def _add_up(tree: OrgTree, parents: dict[str, str | None], parent: str, account: str) -> None:
    node: str | None = parent
    while node is not None:
        tree.under.setdefault(node, set()).add(account)
        node = parents.get(node)


def fetch_policies(org: OrganizationsClient, policy_type: PolicyTypeType) -> list[dict[str, Any]]:
    """``ListPolicies`` of one type, then ``DescribePolicy`` and ``ListTargetsForPolicy`` each.

    Returns:
        One dict per policy: ``Summary``, ``Content`` (the JSON text) and ``Targets``.
    """
    out: list[dict[str, Any]] = []
    for page in org.get_paginator("list_policies").paginate(Filter=policy_type):
        for summary in page["Policies"]:
            pid = summary["Id"]
            content = org.describe_policy(PolicyId=pid)["Policy"]["Content"]
            targets: list[Mapping[str, Any]] = []
            for tpage in org.get_paginator("list_targets_for_policy").paginate(PolicyId=pid):
                targets.extend(tpage["Targets"])
            out.append(
                {"Type": policy_type, "Summary": summary, "Content": content, "Targets": targets}
            )
    return out


def fetch_governed_regions(ct: ControlTowerClient) -> tuple[str, ...] | None:
    """Control Tower's governed regions (``ListLandingZones``, ``GetLandingZone``).

    Returns:
        The landing zone manifest's ``governedRegions``, or ``None`` without a landing zone.
    """
    zones: list[Mapping[str, Any]] = []
    for page in ct.get_paginator("list_landing_zones").paginate():
        zones.extend(page.get("landingZones") or ())
    if not zones:
        return None
    zone = ct.get_landing_zone(landingZoneIdentifier=zones[0]["arn"])["landingZone"]
    manifest = zone.get("manifest") or {}
    return tuple(str(r) for r in manifest.get("governedRegions") or ())
