"""Every copy the AWS provider reports names the declared mechanism that put it there.

One estate, created through the moto server over HTTP, holds a copy of every mechanism moto
can make (S3 replication, an RDS cross-region read replica, an Aurora global database, KMS
multi-Region and Secrets Manager replicas, ECR registry replication, Redshift snapshot copy,
AWS Backup copy actions, CloudFront edge caches) and, answered by the server's middleware in
the documented shapes where moto has no such call, DynamoDB global tables of both versions
and EFS replication. The whole provider audits it twice: as it is, and with every detail
call that tells where a copy is refused (each copy then unknown, naming the failed call).
Every ``data_locations`` entry of every resource must carry a ``via`` that the copy model
declares for the resource's type (``tests/providers/copy_vias.py``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from cloudaudit import audit
from cloudaudit.models import LocationKind, Resource
from cloudaudit.providers.aws import CONFIG_TYPES, AwsProvider, config_item_to_resource
from tests.providers.aws.conftest import FaultMiddleware, Rule
from tests.providers.aws.estate import create_buckets, replicate
from tests.providers.aws.services.test_aws_cloudfront import _config as distribution
from tests.providers.aws.services.test_aws_dynamodb import (
    DESCRIBE_GLOBAL_TABLE_V1,
    DESCRIBE_TABLE_V2,
)
from tests.providers.aws.services.test_aws_storage import REPLICATIONS
from tests.providers.copy_vias import vias, wrong_vias

pytestmark = pytest.mark.http

REGIONS = ["us-east-1", "eu-west-1", "ap-east-1"]
PASSWORD = "not-a-secret-1"
DENIED = {"__type": "AccessDeniedException", "message": "denied"}

READ = {
    "aws.s3.replication",
    "aws.rds.read-replica",
    "aws.rds.global-database",
    "aws.dynamodb.global-table",
    "aws.dynamodb.global-table-v1",
    "aws.efs.replication",
    "aws.kms.multi-region-replica",
    "aws.secretsmanager.replica",
    "aws.ecr.replication",
    "aws.redshift.snapshot-copy",
    "aws.backup.copy-action",
    "aws.cloudfront.edge-cache",
}
"""The mechanisms of the copies this estate holds."""

UNREAD = {
    "aws.s3.replication": "s3:GetBucketReplication (IAM action s3:GetReplicationConfiguration)",
    "aws.dynamodb.global-table": "dynamodb:DescribeTable",
    "aws.dynamodb.global-table-v1": "dynamodb:DescribeGlobalTable",
    "aws.efs.replication": (
        "efs:DescribeReplicationConfigurations"
        " (IAM action elasticfilesystem:DescribeReplicationConfigurations)"
    ),
    "aws.kms.multi-region-replica": "kms:DescribeKey",
    "aws.secretsmanager.replica": "secretsmanager:DescribeSecret",
    "aws.ecr.replication": "ecr:DescribeRegistry",
}
"""The mechanism of each refused detail call, and the call its unknown copy names (the API
operation, and its IAM action when that is named otherwise, as unit gaps name their call)."""


def _storage(us: Callable[[str], Any], hk: Callable[[str], Any]) -> None:
    s3 = us("s3")
    create_buckets(s3, {"us-source": None, "hk-replica": "ap-east-1"})
    replicate(s3, "us-source", "hk-replica")
    us("efs").create_file_system(CreationToken="src", Tags=[{"Key": "Name", "Value": "src"}])
    rules = [{"destinations": [{"region": "ap-east-1", "registryId": "123456789012"}]}]
    us("ecr").put_replication_configuration(replicationConfiguration={"rules": rules})
    us("ecr").create_repository(repositoryName="prod/api")
    us("backup").create_backup_vault(BackupVaultName="primary")
    hk_vault = "arn:aws:backup:ap-east-1:123456789012:backup-vault:far-away"
    rule = {
        "RuleName": "to-hk",
        "TargetBackupVaultName": "primary",
        "CopyActions": [{"DestinationBackupVaultArn": hk_vault}],
    }
    us("backup").create_backup_plan(BackupPlan={"BackupPlanName": "daily", "Rules": [rule]})
    us("cloudfront").create_distribution(DistributionConfig=distribution("a", "PriceClass_200"))


def _databases(us: Callable[[str], Any], hk: Callable[[str], Any]) -> None:
    db = {"DBInstanceClass": "db.t3.micro", "Engine": "postgres", "AllocatedStorage": 20}
    source = us("rds").create_db_instance(
        DBInstanceIdentifier="orders", MasterUsername="admin1", MasterUserPassword=PASSWORD, **db
    )["DBInstance"]
    hk("rds").create_db_instance_read_replica(
        DBInstanceIdentifier="orders-hk", SourceDBInstanceIdentifier=source["DBInstanceArn"]
    )
    us("rds").create_global_cluster(GlobalClusterIdentifier="global", Engine="aurora-postgresql")
    for client, ident in ((us("rds"), "aurora-us"), (hk("rds"), "aurora-hk")):
        client.create_db_cluster(
            DBClusterIdentifier=ident,
            Engine="aurora-postgresql",
            MasterUsername="admin1",
            MasterUserPassword=PASSWORD,
            GlobalClusterIdentifier="global",
        )
    key = us("kms").create_key(MultiRegion=True, Description="multi")["KeyMetadata"]
    us("kms").replicate_key(KeyId=key["KeyId"], ReplicaRegion="ap-east-1")
    us("secretsmanager").create_secret(
        Name="db-password", SecretString="placeholder", AddReplicaRegions=[{"Region": "ap-east-1"}]
    )
    us("redshift").create_cluster(
        ClusterIdentifier="warehouse",
        NodeType="dc2.large",
        MasterUsername="admin1",
        MasterUserPassword="Password123",
    )
    us("redshift").enable_snapshot_copy(
        ClusterIdentifier="warehouse", DestinationRegion="ap-east-1"
    )


def _answer_what_moto_lacks(faults: FaultMiddleware, refuse: bool) -> None:
    """DynamoDB global tables and EFS replication, in the documented response shapes.

    moto ignores ``ReplicaUpdates`` and lacks ``DescribeGlobalTable`` and
    ``DescribeReplicationConfigurations`` (the shapes and their sources are those of the
    service tests, ``services/test_aws_dynamodb.py`` and ``services/test_aws_storage.py``).
    """
    v2 = json.loads(DESCRIBE_TABLE_V2)
    v1 = {"Table": {"TableName": "legacy", "GlobalTableVersion": "2017.11.29"}}
    tables = {"sessions": v2, "legacy": v1}
    names = {"us-east-1": list(tables)}
    faults.answer_operation("ListTables", lambda r, _b: (200, {"TableNames": names.get(r, [])}))
    faults.answer_operation("DescribeTable", lambda _r, b: (200, tables[b["TableName"]]))
    faults.answer_operation(
        "DescribeGlobalTable", lambda _r, _b: (200, json.loads(DESCRIBE_GLOBAL_TABLE_V1))
    )
    fs_ids = [f["FileSystemId"] for f in boto3.client("efs").describe_file_systems()["FileSystems"]]
    dest = {"Status": "ENABLED", "FileSystemId": "fs-0dest", "Region": "ap-east-1"}
    found = [{"SourceFileSystemId": fs_ids[0], "Destinations": [dest]}]

    def replications(region: str) -> tuple[int, object]:
        if refuse:
            return 403, DENIED
        return 200, {"Replications": found if region == "us-east-1" else []}

    faults.answer(REPLICATIONS, replications)


def _refuse_detail_calls(faults: FaultMiddleware) -> None:
    faults.add(Rule("AccessDenied", "denied", "s3", None, "GET /us-source?replication"))
    faults.add(Rule("AccessDeniedException", "denied", "dynamodb", None, "DescribeTable", times=1))
    faults.add(Rule("AccessDeniedException", "denied", "dynamodb", None, "DescribeGlobalTable"))
    for service, op in (
        ("ecr", "DescribeRegistry"),
        ("kms", "DescribeKey"),
        ("secretsmanager", "DescribeSecret"),
    ):
        faults.add(Rule("AccessDeniedException", "denied", service, "us-east-1", op))


def _audit(session: boto3.Session) -> list[Resource]:
    provider = AwsProvider(session=session, regions=REGIONS)
    return [f.resource for f in audit(provider, "eu-gdpr").findings]


@pytest.mark.parametrize("refused", [False, True], ids=["read", "refused"])
def test_every_copy_names_a_declared_mechanism(
    aws_http: FaultMiddleware, recorded_session: boto3.Session, refused: bool
) -> None:
    def us(service: str) -> Any:
        return boto3.client(service, region_name="us-east-1")

    def hk(service: str) -> Any:
        return boto3.client(service, region_name="ap-east-1")

    _storage(us, hk)
    _databases(us, hk)
    _answer_what_moto_lacks(aws_http, refused)
    if refused:
        _refuse_detail_calls(aws_http)
    resources = _audit(recorded_session)
    assert wrong_vias(resources) == []
    if not refused:
        assert vias(resources) >= READ
        return
    unknown = {
        (loc.via, loc.note.split(" on ")[0])
        for r in resources
        for loc in r.data_locations
        if loc.kind is LocationKind.UNKNOWN and loc.note and " failed: " in loc.note
    }
    assert set(UNREAD.items()) <= unknown, sorted(unknown)


def test_every_copy_of_a_configuration_item_names_a_declared_mechanism() -> None:
    """AWS Config items (aggregator rows, snapshot files): the same mechanisms as the collectors.

    An item of every mapped type without its configuration (each copy it may have unknown),
    and items whose configuration names copies (field names of the Config resource schema).
    """
    bare = [{"resourceType": t, "resourceId": "x", "awsRegion": "us-east-1"} for t in CONFIG_TYPES]
    replication = {
        "rules": [{"destinationConfig": {"bucketARN": f"arn:aws:s3:::{n}"}} for n in "ab"]
    }
    supplementary = {"BucketReplicationConfiguration": json.dumps(replication)}
    hk_arn = "arn:aws:rds:ap-east-1:123456789012:db:orders-hk"
    configured: list[dict[str, Any]] = [
        {"resourceType": "AWS::S3::Bucket", "supplementaryConfiguration": supplementary},
        {
            "resourceType": "AWS::DynamoDB::Table",
            "configuration": {"replicas": [{}, {"regionName": "ap-east-1"}]},
        },
        {
            "resourceType": "AWS::RDS::DBInstance",
            "configuration": {"readReplicaDBInstanceIdentifiers": [hk_arn]},
        },
        {
            "resourceType": "AWS::RDS::DBCluster",
            "configuration": {"readReplicaIdentifiers": [hk_arn]},
        },
    ]
    items = bare + [{**i, "resourceId": "y", "awsRegion": "us-east-1"} for i in configured]
    regions = {"a": "ap-east-1"}  # bucket b: region unknown
    resources = [config_item_to_resource(i, regions.get) for i in items]
    assert wrong_vias(resources) == []
    assert vias(resources) >= {
        "aws.s3.replication",
        "aws.dynamodb.global-table",
        "aws.rds.read-replica",
        "aws.rds.aurora-replica",
        "aws.efs.replication",
        "aws.kms.multi-region-replica",
    }


@pytest.mark.parametrize("rtype", sorted(CONFIG_TYPES))
def test_a_configuration_item_leaves_no_mechanism_its_collector_reads_silently_absent(
    rtype: str,
) -> None:
    """Every mechanism the direct path reads for the type is either read from the item or an
    unknown copy naming it: a configured item that shows no copy (a plain table, a plain
    instance) is no evidence that copies by the mechanisms it does not carry are absent.
    """
    from cloudaudit.copymodel import declaration
    from cloudaudit.providers.aws._config import CARRIED

    item = {
        "resourceType": rtype,
        "resourceId": "x",
        "awsRegion": "us-east-1",
        "configuration": {},
        "supplementaryConfiguration": {},
    }
    resource = config_item_to_resource(item)
    decl = declaration("aws", resource.service, resource.type)
    read = {m.id for m in decl.mechanisms if m.read} if decl else set()
    unknown = {c.via for c in resource.data_locations if c.kind is LocationKind.UNKNOWN}
    assert read - CARRIED.get(rtype, frozenset()) <= unknown


def test_a_legacy_global_table_item_has_an_unknown_copy_by_its_replication_group() -> None:
    """A version 2017.11.29 table's replicas are not in the item: unknown, named; a table
    whose item names version 2019.11.21 (or none: not a global table) gets no such copy."""

    def copies(version: str | None) -> set[tuple[str | None, str | None]]:
        config: dict[str, Any] = {"replicas": []}
        if version:
            config["globalTableVersion"] = version
        item = {
            "resourceType": "AWS::DynamoDB::Table",
            "resourceId": "orders",
            "awsRegion": "eu-west-1",
            "configuration": json.dumps(config),
        }
        return {(c.via, c.region) for c in config_item_to_resource(item).data_locations}

    assert copies("2017.11.29") == {("aws.dynamodb.global-table-v1", None)}
    assert copies("2019.11.21") == set()
    assert copies(None) == set()


def test_a_strongly_consistent_table_item_carries_its_witness_region() -> None:
    """The witness is in the same DescribeTable shape as the replicas (camelCase in Config):
    read as the direct path reads it, with the same mechanism."""
    config = {
        "multiRegionConsistency": "STRONG",
        "replicas": [{"regionName": "eu-west-3"}],
        "globalTableWitnesses": [{"regionName": "eu-west-2"}],
    }
    item = {
        "resourceType": "AWS::DynamoDB::Table",
        "resourceId": "orders",
        "awsRegion": "eu-west-1",
        "configuration": json.dumps(config),
    }
    copies = {(c.via, c.region) for c in config_item_to_resource(item).data_locations}
    assert copies == {
        ("aws.dynamodb.global-table", "eu-west-3"),
        ("aws.dynamodb.global-table-witness", "eu-west-2"),
    }


def test_an_s3_item_without_its_region_is_not_placed_in_us_east_1() -> None:
    """A SelectResourceConfig result that does not select awsRegion, or a snapshot item whose
    awsRegion is null: Config's S3 configuration holds name, owner and creationDate, no
    locationConstraint, so nothing says where the bucket is (AWS Config developer guide,
    AWS::S3::Bucket). A locationConstraint the item does carry keeps its meaning (null:
    us-east-1)."""
    item: dict[str, Any] = {
        "resourceType": "AWS::S3::Bucket",
        "resourceId": "cn-bucket",
        "awsRegion": None,
        "configuration": json.dumps({"name": "cn-bucket", "owner": {"id": "abc"}}),
        "supplementaryConfiguration": {},
    }
    assert config_item_to_resource(item).location.kind is LocationKind.UNKNOWN
    item["configuration"] = json.dumps({"name": "cn-bucket", "locationConstraint": None})
    assert config_item_to_resource(item).location.region == "us-east-1"
