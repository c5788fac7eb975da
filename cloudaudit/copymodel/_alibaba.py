"""Alibaba Cloud: how the data of each reported resource type can exist elsewhere."""

from __future__ import annotations

from cloudaudit.copymodel._types import Declaration, Mechanism
from cloudaudit.copymodel._types import MechanismKind as K
from cloudaudit.models import ProviderId

__all__ = ["ALIBABA"]


def _d(service: str, type_: str, *mechanisms: Mechanism, note: str = "") -> Declaration:
    return Declaration(ProviderId.ALIBABA, service, type_, tuple(mechanisms), note)


_SEPARATE = "a cross-region copy is a new {what} listed in its destination region"
_REGION = "the region from the same listing, else DescribeDBInstanceAttribute RegionId"
_LINKS = "tests/providers/alibaba/test_alibaba_rds_links.py"
_RDS_LINKS = (
    (
        "read-only-instance",
        K.REPLICA,
        "read-only instances",
        "ReadOnlyDBInstanceIds",
        "test_read_only_instances_in_the_region_are_copies_without_a_call",
    ),
    (
        "disaster-recovery-instance",
        K.REPLICA,
        "a disaster-recovery instance",
        "GuardDBInstanceId",
        "test_a_disaster_recovery_instance_in_another_region_is_looked_up",
    ),
    (
        "temporary-instance",
        K.BACKUP,
        "a temporary instance",
        "TempDBInstanceId",
        "test_a_temporary_instance_is_a_copy",
    ),
    (
        "primary-instance",
        K.REPLICA,
        "the primary of a read-only or disaster-recovery instance",
        "MasterInstanceId",
        "test_a_disaster_recovery_instance_in_another_region_is_looked_up",
    ),
)

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
        *(
            Mechanism(
                f"alibaba.rds.{ident}",
                kind,
                title,
                f"DescribeDBInstances {field}; {_REGION}",
                f"{_LINKS}::{test}",
            )
            for ident, kind, title, field, test in _RDS_LINKS
        ),
    ),
)
"""The Alibaba Cloud declarations, one per reported (service, type)."""
