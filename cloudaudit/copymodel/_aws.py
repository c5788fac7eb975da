"""AWS: how the data of each reported resource type can exist elsewhere."""

from __future__ import annotations

from cloudaudit.copymodel._types import Declaration, Mechanism
from cloudaudit.copymodel._types import MechanismKind as K
from cloudaudit.models import ProviderId

__all__ = ["AWS"]

_T = "tests/providers/aws/services/"
_AWS = ProviderId.AWS


def _d(service: str, type_: str, *mechanisms: Mechanism, note: str = "") -> Declaration:
    return Declaration(_AWS, service, type_, tuple(mechanisms), note)


_SEPARATE_COPY = (
    "a copy to another region is a new {what} listed in that region, judged there as a "
    "resource of its own"
)

AWS: tuple[Declaration, ...] = (
    _d(
        "s3",
        "bucket",
        Mechanism(
            "aws.s3.replication",
            K.REPLICATION,
            "S3 replication (CRR)",
            "GetBucketReplication Rules[].Destination.Bucket (the destination bucket's region)",
            "tests/providers/aws/test_aws_http.py::test_traps_give_the_right_verdicts_and_gaps",
        ),
    ),
    _d("ec2", "instance", note="its volumes are reported as volumes"),
    _d("ec2", "volume", note=_SEPARATE_COPY.format(what="snapshot")),
    _d("ec2", "snapshot", note=_SEPARATE_COPY.format(what="snapshot")),
    _d("ec2", "image", note=_SEPARATE_COPY.format(what="image")),
    _d(
        "rds",
        "db-instance",
        Mechanism(
            "aws.rds.read-replica",
            K.REPLICA,
            "cross-region read replicas",
            "DescribeDBInstances ReadReplicaDBInstanceIdentifiers[] / "
            "ReadReplicaSourceDBInstanceIdentifier (ARNs)",
            _T + "test_aws_rds.py::test_instances_carry_zone_arn_and_cross_region_replicas",
        ),
        Mechanism(
            "aws.rds.automated-backup-replication",
            K.BACKUP,
            "automated backups replicated to another region",
            "DescribeDBInstances DBInstanceAutomatedBackupsReplications[]."
            "DBInstanceAutomatedBackupsArn",
            _T + "test_aws_rds.py::test_automated_backup_replication_is_a_copy",
        ),
    ),
    _d(
        "rds",
        "db-cluster",
        Mechanism(
            "aws.rds.aurora-replica",
            K.REPLICA,
            "Aurora cross-region replicas",
            "DescribeDBClusters ReadReplicaIdentifiers[] / ReplicationSourceIdentifier",
            _T + "test_aws_rds.py::test_cluster_aurora_replica_arns",
        ),
        Mechanism(
            "aws.rds.global-database",
            K.REPLICATION,
            "Aurora global database members",
            "DescribeGlobalClusters GlobalClusterMembers[].DBClusterArn",
            _T + "test_aws_rds.py::test_clusters_include_global_database_members",
        ),
    ),
    _d("rds", "db-snapshot", note=_SEPARATE_COPY.format(what="snapshot")),
    _d("rds", "db-cluster-snapshot", note=_SEPARATE_COPY.format(what="snapshot")),
    _d(
        "dynamodb",
        "table",
        Mechanism(
            "aws.dynamodb.global-table",
            K.REPLICATION,
            "global table replicas (2019.11.21)",
            "DescribeTable Table.Replicas[].RegionName",
            _T + "test_aws_dynamodb.py::test_v2_global_table_replicas_are_copies",
        ),
        Mechanism(
            "aws.dynamodb.global-table-v1",
            K.REPLICATION,
            "global table replication group (2017.11.29)",
            "DescribeGlobalTable GlobalTableDescription.ReplicationGroup[].RegionName",
            _T + "test_aws_dynamodb.py::test_v1_global_table_replication_group_is_copies",
        ),
    ),
    _d("lambda", "function", note="code and configuration stay in the function's region"),
    _d(
        "efs",
        "file-system",
        Mechanism(
            "aws.efs.replication",
            K.REPLICATION,
            "EFS replication",
            "DescribeReplicationConfigurations Replications[].Destinations[].Region",
            _T + "test_aws_storage.py::test_efs_replication_destinations_are_copies",
        ),
    ),
    _d(
        "fsx",
        "file-system",
        note="backups, including those copied to another region, are reported as FSx backups",
    ),
    _d(
        "fsx",
        "backup",
        Mechanism(
            "aws.fsx.backup-copy",
            K.BACKUP,
            "backup copied from another region (CopyBackup)",
            "DescribeBackups Backups[] in each region (a copy is listed in its destination "
            "region, SourceBackupRegion names its origin)",
            _T + "test_aws_storage.py::test_fsx_backup_copies_are_backups_in_their_region",
        ),
    ),
    _d(
        "ecr",
        "repository",
        Mechanism(
            "aws.ecr.replication",
            K.REPLICATION,
            "registry replication rules",
            "DescribeRegistry replicationConfiguration.rules[].destinations[].region",
            _T + "test_aws_ecr.py::test_replica_regions_from_documented_describe_registry",
        ),
    ),
    _d(
        "redshift",
        "cluster",
        Mechanism(
            "aws.redshift.snapshot-copy",
            K.SNAPSHOT,
            "cross-region snapshot copy",
            "DescribeClusters ClusterSnapshotCopyStatus.DestinationRegion",
            _T + "test_aws_compute.py::test_redshift_clusters_zone_and_snapshot_copy",
        ),
    ),
    _d(
        "elasticache",
        "cache-cluster",
        Mechanism(
            "aws.elasticache.global-datastore",
            K.REPLICATION,
            "Global Datastore members",
            "DescribeGlobalReplicationGroups GlobalReplicationGroups[].Members[]."
            "ReplicationGroupRegion",
            _T + "test_aws_compute.py::test_elasticache_global_datastore_members_are_copies",
        ),
    ),
    _d(
        "opensearch",
        "domain",
        Mechanism(
            "aws.opensearch.cross-cluster-replication",
            K.REPLICATION,
            "cross-cluster replication to follower domains",
            "not read",
            "tests/test_copymodel.py::test_unread_mechanism_is_an_unknown_copy_naming_it",
        ),
    ),
    _d("eks", "cluster", note="cluster state (etcd) stays in the cluster's region"),
    _d("ecs", "cluster", note="a cluster holds no data of its own"),
    _d(
        "backup",
        "backup-vault",
        Mechanism(
            "aws.backup.copy-action",
            K.BACKUP,
            "backup plan copy actions",
            "GetBackupPlan Rules[].CopyActions[].DestinationBackupVaultArn",
            _T + "test_aws_backup.py::test_vaults_with_copy_actions",
        ),
    ),
    _d("glacier", "vault", note="archives stay in the vault's region"),
    _d("kinesis", "stream", note="records stay in the stream's region"),
    _d("sqs", "queue", note="messages stay in the queue's region"),
    _d("sns", "topic", note="messages are delivered, not stored, outside the topic's region"),
    _d(
        "secretsmanager",
        "secret",
        Mechanism(
            "aws.secretsmanager.replica",
            K.REPLICA,
            "replica secrets",
            "DescribeSecret ReplicationStatus[].Region",
            _T + "test_aws_secrets_kms.py::test_secret_from_documented_describe_secret",
        ),
    ),
    _d(
        "kms",
        "key",
        Mechanism(
            "aws.kms.multi-region-replica",
            K.REPLICA,
            "multi-Region key replicas",
            "DescribeKey KeyMetadata.MultiRegionConfiguration.ReplicaKeys[].Region",
            _T + "test_aws_secrets_kms.py::test_customer_keys_with_multi_region_replicas",
        ),
    ),
    _d(
        "cloudfront",
        "distribution",
        Mechanism(
            "aws.cloudfront.edge-cache",
            K.EDGE_CACHE,
            "edge caches of the distribution's price class",
            "ListDistributions DistributionList.Items[].PriceClass",
            "tests/providers/aws/services/test_aws_cloudfront.py::"
            "test_price_class_edge_caches_are_copies",
        ),
    ),
)
"""The AWS declarations, one per (service, type) the AWS collectors report."""
