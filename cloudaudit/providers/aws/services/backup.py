"""AWS Backup vaults, with the regions their recovery points are copied to.

A backup plan rule writes into ``TargetBackupVaultName`` (a vault of the plan's region) and
each of its ``CopyActions`` copies those recovery points to ``DestinationBackupVaultArn``:
the destination's region is a copy of every vault a rule with copy actions targets.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from cloudaudit.copymodel import Mechanism, MechanismKind
from cloudaudit.models import Resource
from cloudaudit.providers.aws._base import (
    AwsContext,
    Collector,
    Unread,
    arn,
    declare,
    detail,
    resource,
    via,
)

if TYPE_CHECKING:
    from mypy_boto3_backup import BackupClient

__all__ = [
    "COLLECTORS",
    "COPY_ACTION",
    "collect_vaults",
    "copy_regions",
    "fetch_plan",
    "fetch_plan_ids",
    "fetch_vaults",
    "read_plans",
    "to_resource",
]

COPY_ACTION = Mechanism(
    "aws.backup.copy-action",
    MechanismKind.BACKUP,
    "backup plan copy actions",
    "GetBackupPlan Rules[].CopyActions[].DestinationBackupVaultArn",
    "tests/providers/aws/services/test_aws_backup.py::test_vaults_with_copy_actions",
)
"""Backup plan copy actions (the ``via`` of a vault's copies)."""


def fetch_vaults(client: BackupClient) -> list[Mapping[str, Any]]:
    """List every backup vault of the client's region (``ListBackupVaults``)."""
    pages = client.get_paginator("list_backup_vaults").paginate()
    return [item for page in pages for item in page.get("BackupVaultList", [])]


def fetch_plan_ids(client: BackupClient) -> list[str]:
    """The id of every backup plan of the client's region (``ListBackupPlans``)."""
    pages = client.get_paginator("list_backup_plans").paginate()
    return [p["BackupPlanId"] for page in pages for p in page.get("BackupPlansList", [])]


def fetch_plan(client: BackupClient, plan_id: str) -> Mapping[str, Any]:
    """Read one backup plan (``GetBackupPlan``)."""
    return client.get_backup_plan(BackupPlanId=plan_id)["BackupPlan"]


def read_plans(ctx: AwsContext, client: BackupClient) -> list[Mapping[str, Any]] | Unread:
    """Every backup plan of the region, read as secondary calls.

    ``ListBackupPlans``, then ``GetBackupPlan`` per plan; the first call that fails is
    returned as an :class:`Unread`.
    """
    ids = detail("backup:ListBackupPlans", f"region {ctx.region}", lambda: fetch_plan_ids(client))
    if isinstance(ids, Unread):
        return ids
    plans: list[Mapping[str, Any]] = []
    for plan_id in ids:
        plan = detail(
            "backup:GetBackupPlan", f"backup plan {plan_id}", partial(fetch_plan, client, plan_id)
        )
        if isinstance(plan, Unread):
            return plan  # a vault may be any plan's target: one unread plan is enough
        plans.append(plan)
    return plans


def _region_of(vault_arn: str) -> str:
    parts = vault_arn.split(":")
    if len(parts) < 6 or parts[0] != "arn" or not parts[3]:
        raise ValueError(f"cannot resolve the region of backup vault {vault_arn!r}")
    return parts[3]


def copy_regions(plans: Iterable[Mapping[str, Any]]) -> dict[str, list[str]]:
    """Map each target vault name to the regions its rules' copy actions write to.

    Raises:
        ValueError: A copy destination is not an ARN with a region.
    """
    out: dict[str, list[str]] = {}
    for plan in plans:
        for rule in plan.get("Rules") or ():
            for action in rule.get("CopyActions") or ():
                target = out.setdefault(rule["TargetBackupVaultName"], [])
                target.append(_region_of(action["DestinationBackupVaultArn"]))
    return out


def to_resource(
    raw: Mapping[str, Any], ctx: AwsContext, copies: Sequence[str | Unread] = ()
) -> Resource:
    """Turn one ``BackupVaultListMember`` into a :class:`Resource`."""
    name = raw["BackupVaultName"]
    default = arn(ctx.partition, "backup", ctx.region, ctx.account, f"backup-vault:{name}")
    return resource(
        ctx,
        service="backup",
        type="backup-vault",
        id=raw.get("BackupVaultArn") or default,
        name=name,
        copies=via(COPY_ACTION, copies),
    )


def collect_vaults(ctx: AwsContext) -> list[Resource]:
    """List the backup vaults of ``ctx.region`` with the regions plans copy them to.

    Reading the plans is secondary: when it fails, the vaults are still reported, each with an
    unknown copy that names the call.
    """
    client = ctx.client("backup")
    vaults = fetch_vaults(client)
    if not vaults:
        return []
    plans = read_plans(ctx, client)
    if isinstance(plans, Unread):  # every vault may be a rule's target: its copies are unknown
        return [to_resource(raw, ctx, [plans]) for raw in vaults]
    copies = copy_regions(plans)
    return [to_resource(raw, ctx, copies.get(raw["BackupVaultName"], ())) for raw in vaults]


COLLECTORS: tuple[Collector, ...] = (
    Collector(
        "backup",
        "vaults",
        collect_vaults,
        actions=("backup:ListBackupVaults", "backup:ListBackupPlans", "backup:GetBackupPlan"),
        answers={
            "ListBackupVaults": ("BackupVaultList[]",),
            "ListBackupPlans": ("BackupPlansList[]",),
            "GetBackupPlan": (
                "BackupPlan{}",
                "BackupPlan.Rules[]",
                "BackupPlan.Rules[].TargetBackupVaultName",
            ),
        },
        copies=declare(
            "backup",
            "backup-vault",
            COPY_ACTION,
        ),
    ),
)
