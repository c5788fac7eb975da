"""AWS Backup vaults, with the regions their recovery points are copied to.

A backup plan rule writes into ``TargetBackupVaultName`` (a vault of the plan's region) and
each of its ``CopyActions`` copies those recovery points to ``DestinationBackupVaultArn``:
the destination's region is a copy of every vault a rule with copy actions targets.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from cloudaudit.copymodel import Mechanism, MechanismKind
from cloudaudit.models import Resource
from cloudaudit.providers.aws._base import AwsContext, Collector, arn, declare, resource, via

if TYPE_CHECKING:
    from mypy_boto3_backup import BackupClient

__all__ = [
    "COLLECTORS",
    "COPY_ACTION",
    "collect_vaults",
    "copy_regions",
    "fetch_plans",
    "fetch_vaults",
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


def fetch_plans(client: BackupClient) -> list[Mapping[str, Any]]:
    """Read every backup plan of the client's region (``ListBackupPlans``, ``GetBackupPlan``)."""
    pages = client.get_paginator("list_backup_plans").paginate()
    ids = [p["BackupPlanId"] for page in pages for p in page.get("BackupPlansList", [])]
    return [client.get_backup_plan(BackupPlanId=plan_id)["BackupPlan"] for plan_id in ids]


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


def to_resource(raw: Mapping[str, Any], ctx: AwsContext, copies: Sequence[str] = ()) -> Resource:
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
    """List the backup vaults of ``ctx.region`` with the regions plans copy them to."""
    client = ctx.client("backup")
    vaults = fetch_vaults(client)
    if not vaults:
        return []
    copies = copy_regions(fetch_plans(client))
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
            "GetBackupPlan": ("BackupPlan{}",),
        },
        copies=declare(
            "backup",
            "backup-vault",
            COPY_ACTION,
        ),
    ),
)
