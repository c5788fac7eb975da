from __future__ import annotations

import json

from cloudaudit.providers.aws.services import dynamodb

TABLES, BACKUPS = dynamodb.COLLECTORS


def _table(client, name):
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


def test_tables_in_two_regions(aws):
    _table(aws.client("dynamodb", "us-east-1"), "orders")
    _table(aws.client("dynamodb", "us-east-1"), "users")
    _table(aws.client("dynamodb", "ap-east-1"), "orders")

    in_us = aws.run(TABLES, "us-east-1")
    in_hk = aws.run(TABLES, "ap-east-1")

    assert set(in_us) == {"orders", "users"}
    assert in_us["orders"].id == "arn:aws:dynamodb:us-east-1:123456789012:table/orders"
    assert in_us["orders"].location.region == "us-east-1"
    assert in_us["orders"].location.zone is None
    assert in_hk["orders"].id == "arn:aws:dynamodb:ap-east-1:123456789012:table/orders"
    assert in_hk["orders"].location.region == "ap-east-1"
    assert aws.copies(in_us["orders"]) == set()


# moto silently ignores update_table(ReplicaUpdates=...) and does not implement the v1
# create_global_table / describe_global_table: the tests below check the parsing of JSON in
# the documented response shapes of DescribeTable (2019.11.21) and DescribeGlobalTable
# (2017.11.29).

DESCRIBE_TABLE_V2 = """{
  "Table": {
    "TableName": "sessions",
    "TableArn": "arn:aws:dynamodb:us-east-1:123456789012:table/sessions",
    "TableStatus": "ACTIVE",
    "GlobalTableVersion": "2019.11.21",
    "Replicas": [
      {"RegionName": "eu-west-1", "ReplicaStatus": "ACTIVE"},
      {"RegionName": "ap-east-1", "ReplicaStatus": "ACTIVE"}
    ]
  }
}"""

DESCRIBE_GLOBAL_TABLE_V1 = """{
  "GlobalTableDescription": {
    "GlobalTableName": "legacy",
    "GlobalTableArn": "arn:aws:dynamodb::123456789012:global-table/legacy",
    "GlobalTableStatus": "ACTIVE",
    "ReplicationGroup": [
      {"RegionName": "us-east-1"},
      {"RegionName": "ap-southeast-2"}
    ]
  }
}"""


def test_v2_global_table_replicas_are_copies(aws):
    raw = json.loads(DESCRIBE_TABLE_V2)["Table"]
    res = dynamodb.to_resource(raw, aws.ctx("us-east-1"))
    assert res.location.region == "us-east-1"
    assert aws.copies(res) == {"eu-west-1", "ap-east-1"}


def test_v1_global_table_replication_group_is_copies(aws):
    described = json.loads(DESCRIBE_GLOBAL_TABLE_V1)["GlobalTableDescription"]
    regions = dynamodb.replication_regions(described)
    assert regions == ["us-east-1", "ap-southeast-2"]
    table = {"TableName": "legacy", "GlobalTableVersion": dynamodb.V1}
    res = dynamodb.to_resource(table, aws.ctx("us-east-1", partition="aws"), regions)
    assert res.id == "arn:aws:dynamodb:us-east-1:123456789012:table/legacy"
    # The table's own region is not a copy of itself.
    assert aws.copies(res) == {"ap-southeast-2"}


# DescribeTable of a multi-Region strongly consistent global table, in the shape of the
# DynamoDB API Reference (TableDescription: MultiRegionConsistency, Replicas,
# GlobalTableWitnesses; botocore's dynamodb 2012-08-10 model).
DESCRIBE_TABLE_MRSC = """{
  "Table": {
    "TableName": "orders",
    "TableArn": "arn:aws:dynamodb:eu-west-1:123456789012:table/orders",
    "TableStatus": "ACTIVE",
    "MultiRegionConsistency": "STRONG",
    "Replicas": [{"RegionName": "eu-west-3", "ReplicaStatus": "ACTIVE"}],
    "GlobalTableWitnesses": [{"RegionName": "eu-west-2", "WitnessStatus": "ACTIVE"}]
  }
}"""


def test_mrsc_witness_region_is_a_copy(aws):
    raw = json.loads(DESCRIBE_TABLE_MRSC)["Table"]
    res = dynamodb.to_resource(raw, aws.ctx("eu-west-1"))
    assert aws.copies(res) == {"eu-west-3", "eu-west-2"}
    witness = next(c for c in res.data_locations if c.region == "eu-west-2")
    assert witness.via == "aws.dynamodb.global-table-witness"


def test_a_backup_outlives_its_table_and_is_data_in_its_region(aws):
    """ListBackups (BackupType=ALL): a Hong Kong table deleted after an on-demand backup
    leaves the backup, and with it the data, in Hong Kong."""
    hk = aws.client("dynamodb", "ap-east-1")
    _table(hk, "orders")
    arn = hk.create_backup(TableName="orders", BackupName="before-move")["BackupDetails"]
    hk.delete_table(TableName="orders")
    assert aws.run(TABLES, "ap-east-1") == {}
    (backup,) = aws.run(BACKUPS, "ap-east-1").values()
    assert backup.id == arn["BackupArn"] and backup.type == "backup"
    assert backup.name == "before-move (backup of table orders)"
    assert backup.location.region == "ap-east-1"
    assert aws.run(BACKUPS, "us-east-1") == {}
