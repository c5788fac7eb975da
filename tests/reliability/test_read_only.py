"""The suite-wide read-only recorder sees cloudaudit's AWS calls and would catch a write."""

from typing import Any

from readonly_proof import not_allowed


def test_recorder_sees_the_calls_of_the_fault_matrix(aws_read_only_proof: Any) -> None:
    import boto3
    from moto import mock_aws

    from cloudaudit import audit
    from cloudaudit.providers.aws import AwsProvider
    from cloudaudit.providers.aws.services import s3

    with mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(
            Bucket="seeded-bucket"
        )  # test seeding
        session = boto3.Session(region_name="us-east-1")
        audit(
            AwsProvider(session=session, regions=["us-east-1"], collectors=s3.COLLECTORS),
            "eea-only",
        )
    assert ("s3", "ListBuckets") in aws_read_only_proof
    assert ("s3", "CreateBucket") not in aws_read_only_proof  # seeding is not cloudaudit's


def test_a_write_or_an_unlisted_read_is_refused() -> None:
    assert not_allowed({("s3", "ListBuckets")}) == []
    assert not_allowed({("s3", "PutBucketPolicy")}) == ["s3:PutBucketPolicy"]
    assert not_allowed({("ec2", "DescribeSecurityGroups")}) == ["ec2:DescribeSecurityGroups"]
