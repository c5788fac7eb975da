"""Alibaba Cloud: how the data of each reported resource type can exist elsewhere."""

from __future__ import annotations

from cloudaudit.copymodel._types import Declaration, Mechanism
from cloudaudit.copymodel._types import MechanismKind as K
from cloudaudit.models import ProviderId

__all__ = ["ALIBABA"]


def _d(service: str, type_: str, *mechanisms: Mechanism, note: str = "") -> Declaration:
    return Declaration(ProviderId.ALIBABA, service, type_, tuple(mechanisms), note)


_SEPARATE = "a cross-region copy is a new {what} listed in its destination region"

ALIBABA: tuple[Declaration, ...] = (
    _d(
        "oss",
        "bucket",
        Mechanism(
            "alibaba.oss.replication",
            K.REPLICATION,
            "cross-region replication",
            "GetBucketReplication ReplicationConfiguration.Rule[].Destination.Location",
            "tests/providers/alibaba/test_alibaba_provider.py::"
            "test_locations_zones_and_replication",
        ),
    ),
    _d("ecs", "instance", note="its disks are reported as disks"),
    _d("ecs", "disk", note=_SEPARATE.format(what="snapshot")),
    _d("ecs", "snapshot", note=_SEPARATE.format(what="snapshot")),
    _d("ecs", "image", note=_SEPARATE.format(what="image")),
    _d(
        "rds",
        "db_instance",
        Mechanism(
            "alibaba.rds.cross-region-backup",
            K.BACKUP,
            "cross-region backups",
            "DescribeInstanceCrossBackupPolicy BackupEnabled, CrossBackupRegion",
            "tests/providers/alibaba/test_alibaba_provider.py::"
            "test_rds_cross_region_backup_is_a_copy",
        ),
    ),
)
"""The Alibaba Cloud declarations, one per reported (service, type)."""
