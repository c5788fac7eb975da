"""Every field of an AWS answer that can name where a copy is, or an Outpost, was reviewed.

The copy model declares the mechanisms each collector reads. When AWS adds a way to copy data
(a DynamoDB witness region, Secrets Manager cross-account replicas), botocore's model gains a
field, and nothing in cloudaudit would notice: the copy would go unread while every verdict
still passed. This test walks the output shapes of every operation a collector calls (from
botocore's own models, as installed) and lists

* the fields that can name another place of the data: a region, an ARN or an identifier
  under a name that speaks of replicas, copies, destinations, sources, primaries or global
  members;
* the fields that put a resource on an AWS Outpost (the customer's premises).

Each must be in :data:`PLACES` or :data:`OUTPOSTS` with what the code does with it. A field
botocore adds fails this test until someone reads it into the copy model (or the location),
or writes down why it is not a copy.
"""

from __future__ import annotations

import re
from typing import Any

import botocore.session
import pytest

from cloudaudit.providers.aws._iam import iam_action
from cloudaudit.providers.aws.services import all_collectors

READ = "read"
SAME = "the same place as a field read beside it"
OWN = "the resource's own id (its region is the resource's)"
FROM = "provenance: the resource was copied or restored from it, which is listed where it is"
ROLE = "an IAM role, not a place of data"

PLACES: dict[str, str] = {
    "backup:GetBackupPlan BackupPlan.Rules[].CopyActions[].DestinationBackupVaultArn": READ,
    "dynamodb:DescribeGlobalTable GlobalTableDescription.GlobalTableArn": OWN,
    "dynamodb:DescribeGlobalTable GlobalTableDescription.ReplicationGroup[].RegionName": READ,
    "dynamodb:DescribeGlobalTable GlobalTableDescription.ReplicationGroup[].ReplicaArn": SAME,
    "dynamodb:DescribeTable Table.GlobalSecondaryIndexes[].IndexArn": OWN,
    "dynamodb:DescribeTable Table.GlobalTableWitnesses[].RegionName": READ,
    "dynamodb:DescribeTable Table.Replicas[].RegionName": READ,
    "dynamodb:DescribeTable Table.Replicas[].ReplicaArn": SAME,
    "dynamodb:DescribeTable Table.RestoreSummary.SourceBackupArn": FROM,
    "dynamodb:DescribeTable Table.RestoreSummary.SourceTableArn": FROM,
    "ec2:DescribeImages Images[].ImageWatermarks[].SourceImageRegion": FROM,
    "ec2:DescribeImages Images[].SourceImageRegion": FROM,
    "ec2:DescribeInstances Reservations[].Instances[].CapacityReservationSpecification"
    ".CapacityReservationTarget.CapacityReservationResourceGroupArn": "a capacity grouping",
    "ec2:DescribeInstances Reservations[].Instances[].Placement.HostResourceGroupArn": (
        "a host grouping"
    ),
    "ecr:DescribeRegistry replicationConfiguration.rules[].destinations[].region": READ,
    "efs:DescribeReplicationConfigurations Replications[].Destinations[].Region": READ,
    "efs:DescribeReplicationConfigurations Replications[].Destinations[].RoleArn": ROLE,
    "efs:DescribeReplicationConfigurations Replications[].OriginalSourceFileSystemArn": FROM,
    "efs:DescribeReplicationConfigurations Replications[].SourceFileSystemArn": SAME,
    "efs:DescribeReplicationConfigurations Replications[].SourceFileSystemRegion": READ,
    "elasticache:DescribeGlobalReplicationGroups GlobalReplicationGroups[].ARN": OWN,
    "elasticache:DescribeGlobalReplicationGroups GlobalReplicationGroups[].Members[]"
    ".ReplicationGroupRegion": READ,
    "elasticache:DescribeReplicationGroups ReplicationGroups[].ARN": OWN,
    "fsx:DescribeBackups Backups[].DirectoryInformation.ResourceARN": "a directory service",
    "fsx:DescribeBackups Backups[].FileSystem.AdministrativeActions[].TargetSnapshotValues"
    ".ResourceARN": OWN,
    "fsx:DescribeBackups Backups[].FileSystem.AdministrativeActions[].TargetVolumeValues"
    ".OpenZFSConfiguration.SourceSnapshotARN": FROM,
    "fsx:DescribeBackups Backups[].FileSystem.AdministrativeActions[].TargetVolumeValues"
    ".ResourceARN": OWN,
    "fsx:DescribeBackups Backups[].FileSystem.ResourceARN": OWN,
    "fsx:DescribeBackups Backups[].ResourceARN": OWN,
    "fsx:DescribeBackups Backups[].SourceBackupRegion": FROM,
    "fsx:DescribeBackups Backups[].Volume.AdministrativeActions[].TargetFileSystemValues"
    ".ResourceARN": OWN,
    "fsx:DescribeBackups Backups[].Volume.AdministrativeActions[].TargetSnapshotValues"
    ".ResourceARN": OWN,
    "fsx:DescribeBackups Backups[].Volume.OpenZFSConfiguration.SourceSnapshotARN": FROM,
    "fsx:DescribeBackups Backups[].Volume.ResourceARN": OWN,
    "fsx:DescribeFileSystems FileSystems[].AdministrativeActions[].TargetSnapshotValues"
    ".ResourceARN": OWN,
    "fsx:DescribeFileSystems FileSystems[].AdministrativeActions[].TargetVolumeValues"
    ".OpenZFSConfiguration.SourceSnapshotARN": FROM,
    "fsx:DescribeFileSystems FileSystems[].AdministrativeActions[].TargetVolumeValues"
    ".ResourceARN": OWN,
    "fsx:DescribeFileSystems FileSystems[].ResourceARN": OWN,
    "kms:DescribeKey KeyMetadata.MultiRegionConfiguration.PrimaryKey.Arn": SAME,
    "kms:DescribeKey KeyMetadata.MultiRegionConfiguration.PrimaryKey.Region": READ,
    "kms:DescribeKey KeyMetadata.MultiRegionConfiguration.ReplicaKeys[].Arn": SAME,
    "kms:DescribeKey KeyMetadata.MultiRegionConfiguration.ReplicaKeys[].Region": READ,
    "rds:DescribeDBClusterSnapshots DBClusterSnapshots[].SourceDBClusterSnapshotArn": FROM,
    "rds:DescribeDBClusters DBClusters[].GlobalClusterIdentifier": READ,
    "rds:DescribeDBClusters DBClusters[].ReadReplicaIdentifiers": READ,
    "rds:DescribeDBClusters DBClusters[].ReplicationSourceIdentifier": READ,
    "rds:DescribeDBInstanceAutomatedBackups DBInstanceAutomatedBackups[]"
    ".DBInstanceAutomatedBackupsReplications[].DBInstanceAutomatedBackupsArn": READ,
    "rds:DescribeDBInstances DBInstances[].DBInstanceAutomatedBackupsReplications[]"
    ".DBInstanceAutomatedBackupsArn": READ,
    "rds:DescribeDBInstances DBInstances[].EnhancedMonitoringResourceArn": (
        "operating-system metrics in CloudWatch Logs of the same region, not the data"
    ),
    "rds:DescribeDBInstances DBInstances[].ReadReplicaDBClusterIdentifiers": READ,
    "rds:DescribeDBInstances DBInstances[].ReadReplicaDBInstanceIdentifiers": READ,
    "rds:DescribeDBInstances DBInstances[].ReadReplicaSourceDBClusterIdentifier": READ,
    "rds:DescribeDBInstances DBInstances[].ReadReplicaSourceDBInstanceIdentifier": READ,
    "rds:DescribeDBSnapshots DBSnapshots[].SourceDBSnapshotIdentifier": FROM,
    "rds:DescribeDBSnapshots DBSnapshots[].SourceRegion": FROM,
    "rds:DescribeGlobalClusters GlobalClusters[].FailoverState.FromDbClusterArn": SAME,
    "rds:DescribeGlobalClusters GlobalClusters[].FailoverState.ToDbClusterArn": SAME,
    "rds:DescribeGlobalClusters GlobalClusters[].GlobalClusterArn": OWN,
    "rds:DescribeGlobalClusters GlobalClusters[].GlobalClusterIdentifier": READ,
    "rds:DescribeGlobalClusters GlobalClusters[].GlobalClusterMembers[].DBClusterArn": READ,
    "redshift:DescribeClusters Clusters[].ClusterSnapshotCopyStatus.DestinationRegion": READ,
    "redshift:DescribeClusterSnapshots Snapshots[].SourceRegion": FROM,
    "secretsmanager:DescribeSecret CrossAccountPrimary.PrimarySecretARN": READ,
    "secretsmanager:DescribeSecret CrossAccountReplicas[].ReplicaSecretARN": READ,
    "secretsmanager:DescribeSecret CrossAccountReplicas[].ReplicationRoleARN": ROLE,
    "secretsmanager:DescribeSecret PrimaryRegion": READ,
    "secretsmanager:DescribeSecret ReplicationStatus[].Region": READ,
    "secretsmanager:ListSecrets SecretList[].PrimaryRegion": "read from DescribeSecret",
}
"""Fields that can name another place of the data, and what the code does with each."""

OUTPOSTS: dict[str, str] = {
    "ec2:DescribeImages Images[].BlockDeviceMappings[].Ebs.OutpostArn": READ,
    "ec2:DescribeInstances Reservations[].Instances[].OutpostArn": READ,
    "ec2:DescribeSnapshots Snapshots[].OutpostArn": READ,
    "ec2:DescribeSubnets Subnets[].OutpostArn": "FSx runs in no Outpost subnet",
    "ec2:DescribeVolumes Volumes[].OutpostArn": READ,
    "elasticache:DescribeCacheClusters CacheClusters[].CacheNodes[].CustomerOutpostArn": READ,
    "elasticache:DescribeCacheClusters CacheClusters[].PreferredOutpostArn": READ,
    "elasticache:DescribeSnapshots Snapshots[].PreferredOutpostArn": READ,
    "elasticache:DescribeSnapshots Snapshots[].NodeSnapshots[].NodeGroupConfiguration"
    ".PrimaryOutpostArn": READ,
    "elasticache:DescribeSnapshots Snapshots[].NodeSnapshots[].NodeGroupConfiguration"
    ".ReplicaOutpostArns": READ,
    "elasticache:DescribeReplicationGroups ReplicationGroups[].MemberClustersOutpostArns": (
        "the member clusters' own: read on each cluster"
    ),
    "elasticache:DescribeReplicationGroups ReplicationGroups[].NodeGroups[].NodeGroupMembers[]"
    ".PreferredOutpostArn": "a node's: read on its cluster",
    "rds:DescribeDBInstances DBInstances[].DBSubnetGroup.Subnets[].SubnetOutpost": READ,
}
"""Fields that place a resource on an AWS Outpost, and what the code does with each."""

_SESSION = botocore.session.get_session()
_LEAF = re.compile(r"(Region|RegionName|region|Arn|ARN|Identifiers?)$")
_COPY = re.compile(
    r"replica|replicat|witness|cop(y|ies)|destination|source|primary|global|crossaccount", re.I
)
_OUTPOST = re.compile(r"outpost", re.I)


def _walk(shape: Any, path: str, seen: frozenset[str], out: dict[str, set[str]]) -> None:
    if shape is None or len(path.split(".")) > 8:
        return
    if shape.type_name == "list":
        _walk(shape.member, path + "[]", seen, out)
    elif shape.type_name == "map":
        _walk(shape.value, path + "{*}", seen, out)
    elif shape.type_name == "structure" and shape.name not in seen:
        for name, member in shape.members.items():
            here = f"{path}.{name}" if path else name
            if _OUTPOST.search(name):
                out["outposts"].add(here)
            elif (
                member.type_name in ("string", "list") and _LEAF.search(name) and _COPY.search(here)
            ):
                out["places"].add(here)
            _walk(member, here, seen | {shape.name}, out)


def _fields() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {"places": set(), "outposts": set()}
    for collector in all_collectors():
        for action in collector.actions:
            prefix = action.split(":")[0]
            model = _SESSION.get_service_model(
                {"es": "opensearch", "elasticfilesystem": "efs"}.get(prefix, prefix)
            )
            for op in model.operation_names:
                if iam_action(model.signing_name, op) == action:
                    found: dict[str, set[str]] = {"places": set(), "outposts": set()}
                    _walk(model.operation_model(op).output_shape, "", frozenset(), found)
                    for kind, paths in found.items():
                        out[kind].update(f"{model.service_name}:{op} {p}" for p in paths)
    return out


FIELDS = _fields()


@pytest.mark.parametrize(("kind", "reviewed"), [("places", PLACES), ("outposts", OUTPOSTS)])
def test_every_field_that_can_name_a_place_was_reviewed(
    kind: str, reviewed: dict[str, str]
) -> None:
    new = sorted(FIELDS[kind] - set(reviewed))
    assert not new, (
        f"botocore's models name fields no one has reviewed ({kind}): {new}. Read each into "
        "the copy model (or the location) with a test, or add it with the reason it is not one."
    )


def test_the_review_lists_only_fields_that_exist() -> None:
    # a field botocore dropped, or a typo, would keep a review that guards nothing
    gone = sorted((set(PLACES) - FIELDS["places"]) | (set(OUTPOSTS) - FIELDS["outposts"]))
    assert not gone, gone
    assert len(FIELDS["places"]) >= 60 and len(FIELDS["outposts"]) >= 10
