from __future__ import annotations

import json

from cloudaudit.models import LocationKind
from cloudaudit.providers.aws.services import kms, secretsmanager

(SECRETS,) = secretsmanager.COLLECTORS
(KEYS,) = kms.COLLECTORS


def test_secrets_with_replica_regions(aws):
    us, eu = aws.client("secretsmanager", "us-east-1"), aws.client("secretsmanager", "eu-west-1")
    us.create_secret(
        Name="db-password",
        SecretString="placeholder",
        AddReplicaRegions=[{"Region": "ap-east-1"}],
        Tags=[{"Key": "team", "Value": "data"}],
    )
    us.create_secret(Name="local-only", SecretString="placeholder")
    eu.create_secret(Name="eu-only", SecretString="placeholder")

    in_us = aws.run(SECRETS, "us-east-1")
    in_eu = aws.run(SECRETS, "eu-west-1")
    in_hk = aws.run(SECRETS, "ap-east-1")

    primary = in_us["db-password"]
    assert primary.id.startswith(
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-password-"
    )
    assert primary.location.region == "us-east-1"
    assert primary.tags == {"team": "data"}
    assert aws.copies(primary) == {"ap-east-1"}
    assert aws.copies(in_us["local-only"]) == set()
    assert in_eu["eu-only"].location.region == "eu-west-1"
    # The replica is a secret of its own region whose primary holds the same value.
    replica = in_hk["db-password"]
    assert replica.location.region == "ap-east-1"
    assert replica.id.startswith("arn:aws:secretsmanager:ap-east-1:")
    assert aws.copies(replica) == {"us-east-1"}


def test_secret_from_documented_describe_secret(aws):
    raw = json.loads(
        """{
        "ARN": "arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:api-AbCdEf",
        "Name": "api",
        "PrimaryRegion": "us-gov-west-1",
        "ReplicationStatus": [{"Region": "us-gov-east-1", "Status": "InSync"}]
    }"""
    )
    res = secretsmanager.to_resource(raw, aws.ctx("us-gov-west-1", partition="aws-us-gov"))
    assert res.location.region == "us-gov-west-1"
    assert aws.copies(res) == {"us-gov-east-1"}


def test_customer_keys_with_multi_region_replicas(aws):
    us, eu = aws.client("kms", "us-east-1"), aws.client("kms", "eu-west-1")
    multi = us.create_key(MultiRegion=True, Description="multi")["KeyMetadata"]
    us.replicate_key(KeyId=multi["KeyId"], ReplicaRegion="ap-east-1")
    single = us.create_key(Description="single")["KeyMetadata"]
    us.create_alias(AliasName="alias/orders", TargetKeyId=single["KeyId"])
    eu_key = eu.create_key(Description="eu")["KeyMetadata"]

    in_us = aws.run(KEYS, "us-east-1")
    in_eu = aws.run(KEYS, "eu-west-1")
    in_hk = aws.run(KEYS, "ap-east-1")

    primary = in_us[multi["KeyId"]]
    assert primary.id == multi["Arn"]
    assert primary.id.startswith("arn:aws:kms:us-east-1:123456789012:key/mrk-")
    assert aws.copies(primary) == {"ap-east-1"}
    named = in_us["alias/orders"]
    assert named.id == single["Arn"]
    assert aws.copies(named) == set()
    assert set(in_eu) == {eu_key["KeyId"]}
    assert in_eu[eu_key["KeyId"]].location.region == "eu-west-1"
    replica = in_hk[multi["KeyId"]]
    assert replica.id.startswith("arn:aws:kms:ap-east-1:")
    assert aws.copies(replica) == {"us-east-1"}


def test_replica_key_metadata_names_primary_and_siblings(aws):
    single_region = {"KeyId": "k1", "Arn": "arn:aws:kms:us-east-1:123456789012:key/k1"}
    assert kms.replica_regions(single_region) == []
    meta = json.loads(
        """{
        "KeyId": "mrk-1234abcd12ab34cd56ef1234567890ab",
        "Arn": "arn:aws:kms:eu-west-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab",
        "KeyManager": "CUSTOMER",
        "MultiRegion": true,
        "MultiRegionConfiguration": {
            "MultiRegionKeyType": "REPLICA",
            "PrimaryKey": {"Arn": "arn:aws:kms:us-east-1:123456789012:key/mrk-1234",
                           "Region": "us-east-1"},
            "ReplicaKeys": [
                {"Arn": "arn:aws:kms:eu-west-1:123456789012:key/mrk-1234", "Region": "eu-west-1"},
                {"Arn": "arn:aws:kms:ap-east-1:123456789012:key/mrk-1234", "Region": "ap-east-1"}
            ]
        }
    }"""
    )
    res = kms.to_resource(meta, aws.ctx("eu-west-1"), {})
    assert aws.copies(res) == {"us-east-1", "ap-east-1"}


def test_only_aws_managed_keys_are_left_out():
    # moto creates no AWS-managed keys: the filter is checked on documented KeyMetadata. A key
    # whose KeyManager is missing or a value AWS may add is kept, never dropped on a guess.
    metas = [
        {"KeyId": "a", "KeyManager": "AWS", "Description": "Default key for S3"},
        {"KeyId": "b", "KeyManager": "CUSTOMER"},
        {"KeyId": "c"},
        {"KeyId": "d", "KeyManager": "PARTNER"},
    ]
    assert [m["KeyId"] for m in kms.customer_managed(metas)] == ["b", "c", "d"]


# DescribeSecret of a primary with a cross-account replica, and of that replica, in the shape
# of the Secrets Manager API Reference (DescribeSecret: CrossAccountReplicas,
# CrossAccountPrimary, botocore's secretsmanager 2017-10-17 model).
CROSS_ACCOUNT_PRIMARY = """{
    "ARN": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders-AbCdEf",
    "Name": "orders",
    "PrimaryRegion": "eu-west-1",
    "CrossAccountReplicas": [{
        "ReplicaSecretARN": "arn:aws:secretsmanager:ap-east-1:210987654321:secret:orders-GhIjKl",
        "ReplicationStatus": "InSync"
    }]
}"""
CROSS_ACCOUNT_REPLICA = """{
    "ARN": "arn:aws:secretsmanager:ap-east-1:210987654321:secret:orders-GhIjKl",
    "Name": "orders",
    "PrimaryRegion": "ap-east-1",
    "CrossAccountPrimary": {
        "PrimarySecretARN": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders-AbCdEf",
        "ReplicationStatus": "InSync"
    }
}"""


def test_cross_account_replicas_are_copies(aws):
    primary = secretsmanager.to_resource(json.loads(CROSS_ACCOUNT_PRIMARY), aws.ctx("eu-west-1"))
    assert aws.copies(primary) == {"ap-east-1"}
    (copy,) = primary.data_locations
    assert copy.via == "aws.secretsmanager.cross-account-replica"
    replica = secretsmanager.to_resource(json.loads(CROSS_ACCOUNT_REPLICA), aws.ctx("ap-east-1"))
    assert aws.copies(replica) == {"eu-west-1"}
    # an ARN without a region: an unknown copy naming the call, not a dropped one
    raw = json.loads(CROSS_ACCOUNT_PRIMARY)
    raw["CrossAccountReplicas"][0]["ReplicaSecretARN"] = "orders-GhIjKl"
    (copy,) = secretsmanager.to_resource(raw, aws.ctx("eu-west-1")).data_locations
    assert copy.kind is LocationKind.UNKNOWN
    assert copy.note is not None and "secretsmanager:DescribeSecret" in copy.note
