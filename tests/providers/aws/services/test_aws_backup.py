from __future__ import annotations

import pytest

from cloudaudit.providers.aws.services import backup

(VAULTS,) = backup.COLLECTORS


def test_vaults_with_copy_actions(aws):
    us, eu = aws.client("backup", "us-east-1"), aws.client("backup", "eu-west-1")
    for name in ("primary", "untouched"):
        us.create_backup_vault(BackupVaultName=name)
    eu.create_backup_vault(BackupVaultName="primary")
    hk_vault = "arn:aws:backup:ap-east-1:123456789012:backup-vault:far-away"
    us.create_backup_plan(
        BackupPlan={
            "BackupPlanName": "daily",
            "Rules": [
                {
                    "RuleName": "to-hk",
                    "TargetBackupVaultName": "primary",
                    "CopyActions": [{"DestinationBackupVaultArn": hk_vault}],
                }
            ],
        }
    )

    in_us = aws.run(VAULTS, "us-east-1")
    in_eu = aws.run(VAULTS, "eu-west-1")

    primary = in_us["primary"]
    assert primary.id == "arn:aws:backup:us-east-1:123456789012:backup-vault:primary"
    assert primary.location.region == "us-east-1"
    assert aws.copies(primary) == {"ap-east-1"}
    assert aws.copies(in_us["untouched"]) == set()
    # Plans are regional: the eu-west-1 vault of the same name has no copy action.
    assert in_eu["primary"].location.region == "eu-west-1"
    assert aws.copies(in_eu["primary"]) == set()


def test_unresolvable_copy_destination_raises():
    plans = [
        {
            "Rules": [
                {
                    "TargetBackupVaultName": "primary",
                    "CopyActions": [{"DestinationBackupVaultArn": "not-an-arn"}],
                }
            ]
        }
    ]
    with pytest.raises(ValueError, match="not-an-arn"):
        backup.copy_regions(plans)
