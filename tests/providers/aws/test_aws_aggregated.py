"""The AWS Config aggregator path gives the same verdicts as the direct path, over HTTP to moto.

The estate is created through the moto server; the aggregator, its source status and the
recorders are moto's (aggregator, recorders) or served from moto's backends in the documented
shape (``config_fake``). The same provider settings run once with ``inventory="direct"`` and
once with ``inventory="auto"``; the findings must be identical resource by resource, and the
aggregated run must read the covered types from ``SelectAggregateResourceConfig`` only.
"""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest

from cloudaudit import Status, audit
from cloudaudit.providers.aws import AwsProvider
from cloudaudit.providers.aws._aggregated import (
    ConfigCoverage,
    expression,
    recorded_types,
    to_aggregators,
)
from cloudaudit.providers.aws.services import dynamodb, ec2, rds, s3
from tests.providers.aws import config_fake
from tests.providers.aws.conftest import FaultMiddleware, Rule
from tests.providers.aws.estate import replicate
from tests.providers.copy_vias import wrong_vias

pytestmark = pytest.mark.http

REGIONS = ["us-east-1", "eu-west-1", "eu-central-1"]
COLLECTORS = (*s3.COLLECTORS, *ec2.COLLECTORS, *dynamodb.COLLECTORS, *rds.COLLECTORS)


def every_region() -> list[str]:
    """Every region the (moto) account has enabled: where buckets may be."""
    regions = boto3.client("ec2", region_name="us-east-1").describe_regions()["Regions"]
    return [r["RegionName"] for r in regions]


def seed(recorded: list[str] | None = None) -> None:
    """Plant the estate; recorders in ``recorded`` (default: every enabled region)."""
    s3c = boto3.client("s3", region_name="us-east-1")
    s3c.create_bucket(Bucket="us-plain")
    for name, region in (("eu-source", "eu-west-1"), ("de-replica", "eu-central-1")):
        s3c.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
        s3c.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    replicate(s3c, "eu-source", "de-replica", filtered=True)
    for region in REGIONS:
        ec2c = boto3.client("ec2", region_name=region)
        ec2c.create_volume(Size=8, AvailabilityZone=f"{region}a")
        ec2c.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1)
    boto3.client("dynamodb", region_name="us-east-1").create_table(
        TableName="orders",
        KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    config = boto3.client("config", region_name="us-east-1")
    config.put_configuration_aggregator(
        ConfigurationAggregatorName="org",
        AccountAggregationSources=[{"AccountIds": ["123456789012"], "AllAwsRegions": True}],
    )
    for region in every_region() if recorded is None else recorded:
        regional = boto3.client("config", region_name=region)
        regional.put_configuration_recorder(
            ConfigurationRecorder={
                "name": "default",
                "roleARN": "arn:aws:iam::123456789012:role/config",
                "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True},
            }
        )
        regional.put_delivery_channel(
            DeliveryChannel={"name": "default", "s3BucketName": "us-plain"}
        )
        regional.start_configuration_recorder(ConfigurationRecorderName="default")


def verdicts(
    session: boto3.Session, inventory: str
) -> dict[str, tuple[Status, tuple[tuple[str, str], ...]]]:
    """Each resource's status and copies (region, mechanism), every copy's mechanism declared."""
    provider = AwsProvider(
        session=session, regions=REGIONS, collectors=COLLECTORS, inventory=inventory
    )
    report = audit(provider, "eu-gdpr")
    assert report.coverage.gaps == ()
    assert wrong_vias(f.resource for f in report.findings) == []
    return {
        f.resource.id: (
            f.status,
            tuple(sorted((c.region or "?", c.via or "?") for c in f.resource.data_locations)),
        )
        for f in report.findings
    }


def test_both_paths_give_the_same_verdicts(
    aws_http: FaultMiddleware, recorded_session: boto3.Session
) -> None:
    seed()
    config_fake.install(aws_http, succeeded=every_region())
    direct = verdicts(recorded_session, "direct")
    aws_http.log.clear()
    aggregated = verdicts(recorded_session, "auto")
    assert aggregated == direct
    assert len(direct) == 13  # 3 buckets, 3 instances, their 3 root volumes, 3 volumes, 1 table
    seen = (("eu-central-1", "aws.s3.replication"),)
    assert direct["arn:aws:s3:::eu-source"][1] == seen  # the copy and its mechanism are seen
    ops = [op for _service, _region, op in aws_http.log]
    assert ops.count("SelectAggregateResourceConfig") >= 4  # 4 types, pages of 2 rows
    # covered: read from the aggregator, not per region nor per bucket
    assert not {"DescribeVolumes", "DescribeInstances", "ListTables", "DescribeTable"} & set(ops)
    assert not [op for op in ops if "replication" in op or "location" in op]
    # RDS items lack fields the direct path reads: RDS is never aggregated
    assert "DescribeDBInstances" in ops


def test_uncovered_regions_and_failed_sources_fall_back_to_the_direct_path(
    aws_http: FaultMiddleware, recorded_session: boto3.Session
) -> None:
    seed(recorded=["us-east-1", "eu-west-1"])  # eu-central-1 has no recorder
    config_fake.install(aws_http, succeeded=["us-east-1"], failed=["eu-west-1", "eu-central-1"])
    direct = verdicts(recorded_session, "direct")
    aws_http.log.clear()
    assert verdicts(recorded_session, "auto") == direct
    ops = [(op, region) for _service, region, op in aws_http.log]
    assert ("DescribeVolumes", "us-east-1") not in ops
    assert ("DescribeVolumes", "eu-west-1") in ops  # its source failed
    assert ("DescribeVolumes", "eu-central-1") in ops  # not recorded
    # S3 is listed account-wide: with a region not covered, it is listed directly
    assert any("replication" in op for op, _ in ops)


def test_a_bucket_outside_the_audited_regions_is_never_left_out(
    aws_http: FaultMiddleware, recorded_session: boto3.Session
) -> None:
    """ListBuckets lists every bucket whatever ``regions`` says: the aggregated path takes the
    buckets from the aggregator only if every enabled region records them, so a bucket in a
    region outside ``regions`` that no recorder records cannot go missing."""
    seed(recorded=REGIONS)
    boto3.client("s3", region_name="us-east-1").create_bucket(
        Bucket="far-away", CreateBucketConfiguration={"LocationConstraint": "ap-southeast-2"}
    )
    config_fake.install(aws_http, succeeded=REGIONS)
    direct = verdicts(recorded_session, "direct")
    assert "arn:aws:s3:::far-away" in direct
    aws_http.log.clear()
    assert verdicts(recorded_session, "auto") == direct
    ops = [(op, region) for _service, region, op in aws_http.log]
    assert ("DescribeVolumes", "us-east-1") not in ops  # regional types still aggregated
    assert ("GET /far-away?replication", "ap-southeast-2") in ops  # S3 listed directly


def test_a_refused_aggregator_read_means_the_direct_path(
    aws_http: FaultMiddleware, recorded_session: boto3.Session
) -> None:
    seed()
    config_fake.install(aws_http, succeeded=REGIONS)
    aws_http.add(Rule("AccessDeniedException", "not authorized", "config"))
    assert verdicts(recorded_session, "auto") == verdicts(recorded_session, "direct")
    assert not any(op == "SelectAggregateResourceConfig" for _s, _r, op in aws_http.log)


def test_a_failed_query_is_a_gap_not_silence(
    aws_http: FaultMiddleware, recorded_session: boto3.Session
) -> None:
    seed()
    config_fake.install(aws_http, succeeded=every_region())
    aws_http.add(
        Rule("ValidationException", "bad query", "config", None, "SelectAggregateResourceConfig")
    )
    provider = AwsProvider(session=recorded_session, regions=REGIONS, collectors=COLLECTORS)
    report = audit(provider, "eu-gdpr")
    codes = {(g.service, g.code) for g in report.coverage.gaps}
    assert ("ec2", "ValidationException") in codes and ("s3", "ValidationException") in codes


def test_recorder_settings_decide_the_types() -> None:
    everything = {"recordingGroup": {"allSupported": True}}
    only = {"recordingGroup": {"allSupported": False, "resourceTypes": ["AWS::EC2::Volume"]}}
    but = {
        "recordingGroup": {
            "allSupported": False,
            "exclusionByResourceTypes": {"resourceTypes": ["AWS::S3::Bucket"]},
            "recordingStrategy": {"useOnly": "EXCLUSION_BY_RESOURCE_TYPES"},
        }
    }
    agg = to_aggregators([{"ConfigurationAggregatorName": "a", "AccountAggregationSources": []}])
    cov = ConfigCoverage(
        agg[0],
        "1",
        {
            "a": recorded_types(everything, True),
            "b": recorded_types(only, True),
            "c": recorded_types(but, True),
            "d": recorded_types(everything, False),  # stopped: nothing is current
        },
    )
    assert cov.covers("a", "AWS::S3::Bucket") and cov.covers("c", "AWS::EC2::Volume")
    assert cov.covers("b", "AWS::EC2::Volume") and not cov.covers("b", "AWS::S3::Bucket")
    assert not cov.covers("c", "AWS::S3::Bucket")
    assert not cov.covers("d", "AWS::EC2::Volume") and not cov.covers("e", "AWS::EC2::Volume")
    org = to_aggregators(
        [
            {
                "ConfigurationAggregatorName": "o",
                "OrganizationAggregationSource": {"AllAwsRegions": True},
            }
        ]
    )[0]
    assert org.covers("any") and org.regions is None
    assert "awsRegion IN ('a', 'b')" in expression("1", "AWS::EC2::Volume", ["b", "a"])


def test_the_bundle_keeps_why_the_aggregator_was_trusted(
    aws_http: FaultMiddleware, recorded_session: boto3.Session, tmp_path: Path
) -> None:
    """The aggregator, its sources' status and every region's recorder decide what is read
    from the aggregator: what they answered is in the bundle's discovery unit."""
    seed()
    config_fake.install(aws_http, succeeded=every_region())
    provider = AwsProvider(
        session=recorded_session, regions=REGIONS, collectors=COLLECTORS, inventory="auto"
    )
    audit(provider, "eu-gdpr", evidence=tmp_path / "b")
    units = [json.loads(u.read_text()) for u in (tmp_path / "b" / "units").glob("*.json")]
    (found,) = [u["records"] for u in units if u["scope"] == "aws/*/*/discovery"]
    ops = [r["operation"] for r in found]
    assert {
        "config:DescribeConfigurationAggregators",
        "config:DescribeConfigurationAggregatorSourcesStatus",
    } <= set(ops)
    assert ops.count("config:DescribeConfigurationRecorders") >= len(REGIONS)
