"""An organization audited through its AWS Config aggregator gives the direct path's verdicts.

The organization lives in a moto server over real HTTP. Members' buckets, volumes, instances
and recorders are created through the API with each member's assumed-role credentials; the
management account holds an organization aggregator (moto's). moto does not serve
``DescribeConfigurationAggregatorSourcesStatus`` nor ``SelectAggregateResourceConfig``: the
gate answers them from moto's backends in the shapes of botocore's ``config`` model
(``AggregatedSourceStatus``: ``SourceId``, ``SourceType``, ``AwsRegion``,
``LastUpdateStatus``; ``SelectAggregateResourceConfigResponse``: ``Results`` as JSON strings,
``NextToken``), see ``tests/providers/aws/config_fake.py``.

The estate mixes every case: an account the aggregator fully covers, one without a recorder in
a region, one whose recorder excludes S3 buckets, one whose source failed in a region, one
whose role cannot be assumed, and a replication rule to another member's bucket.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest

from cloudaudit import Report, Status, audit
from cloudaudit.evidence import replay, verify_bundle
from cloudaudit.providers.aws import AwsOrganization
from tests.providers.aws import config_fake
from tests.providers.aws.estate import replicate
from tests.scale.conftest import MANAGEMENT, ROLE, Org

pytestmark = pytest.mark.http

REGIONS = ("eu-west-1", "eu-central-1", "us-east-1")


def member(account: str, service: str, region: str) -> Any:
    """A client in ``account`` through the audit role (as a member's own admin would act)."""
    if account == MANAGEMENT:
        return boto3.client(service, region_name=region)
    arn = f"arn:aws:iam::{account}:role/{ROLE}"
    creds = boto3.client("sts", region_name="us-east-1").assume_role(
        RoleArn=arn, RoleSessionName="seed"
    )["Credentials"]
    return boto3.client(
        service,
        region_name=region,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )


def record(account: str, region: str, group: dict[str, Any]) -> None:
    config = member(account, "config", region)
    config.put_configuration_recorder(
        ConfigurationRecorder={
            "name": "default",
            "roleARN": f"arn:aws:iam::{account}:role/config",
            "recordingGroup": group,
        }
    )
    config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "logs"})
    config.start_configuration_recorder(ConfigurationRecorderName="default")


ALL = {"allSupported": True, "includeGlobalResourceTypes": True}
NO_S3 = {
    "allSupported": False,
    "exclusionByResourceTypes": {"resourceTypes": ["AWS::S3::Bucket"]},
    "recordingStrategy": {"useOnly": "EXCLUSION_BY_RESOURCE_TYPES"},
}


def seed(org: Org, where: str = "us-east-1") -> dict[str, Any]:
    """The mixed estate; returns the source status rows the aggregator reports."""
    a, b, c, d = org.members[:4]
    for i, acct in enumerate([a, b, c]):
        s3 = member(acct, "s3", "us-east-1")
        for region in ("eu-west-1", "eu-central-1"):
            name = f"x{i}-{region}"
            s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        for region in REGIONS:
            ec2 = member(acct, "ec2", region)
            ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1)
    # a's EU bucket replicates to b's bucket in Frankfurt: the copy is seen on both paths
    replicate(member(a, "s3", "us-east-1"), "x0-eu-west-1", "x1-eu-central-1", a, filtered=True)
    for region in REGIONS:
        record(a, region, ALL)
        record(c, region, NO_S3)
        record(MANAGEMENT, region, ALL)
        if region != "eu-central-1":
            record(b, region, ALL)  # b records nothing in Frankfurt
    boto3.client("config", region_name=where).put_configuration_aggregator(
        ConfigurationAggregatorName="organization",
        OrganizationAggregationSource={
            "RoleArn": f"arn:aws:iam::{MANAGEMENT}:role/aggregator",
            "AllAwsRegions": True,
        },
    )
    org.gate.denied.add(d)  # its role cannot be assumed: a gap on both paths
    rows = [
        {
            "SourceId": acct,
            "SourceType": "ACCOUNT",
            "AwsRegion": region,
            "LastUpdateStatus": "FAILED" if (acct, region) == (c, "us-east-1") else "SUCCEEDED",
            "LastUpdateTime": 1764633600.0,
        }
        for acct in [a, b, c, MANAGEMENT]
        for region in REGIONS
    ]
    return {"AggregatedSourceStatusList": rows}


def run(inventory: str, aggregator_region: str | None = None) -> Report:
    provider = AwsOrganization(
        boto3.Session(region_name="us-east-1"),
        ROLE,
        regions=REGIONS,
        services=["s3", "ec2"],
        inventory=inventory,
        aggregator_region=aggregator_region,
    )
    return audit(provider, "eu-gdpr")


def verdicts(report: Report) -> dict[str, tuple[Status, tuple[str, ...]]]:
    return {
        f.resource.id: (f.status, tuple(sorted(c.region or "?" for c in f.resource.data_locations)))
        for f in report.findings
    }


def methods(report: Report) -> dict[tuple[str | None, str | None, str | None], set[str]]:
    out: dict[tuple[str | None, str | None, str | None], set[str]] = {}
    for r in report.coverage.audited:
        out.setdefault((r.account, r.region, r.service), set()).add(r.method)
    return out


def test_same_verdicts_and_each_part_read_where_it_is_covered(
    org_factory: Callable[..., Org],
) -> None:
    org = org_factory(4)
    a, b, c, d = org.members
    status = seed(org)
    org.gate.targets["DescribeConfigurationAggregatorSourcesStatus"] = lambda _b: (200, status)
    org.gate.targets["SelectAggregateResourceConfig"] = config_fake.select

    org.gate.ops.clear()
    direct = run("direct")
    assert not [op for op in org.gate.ops if "Aggregat" in op]  # direct: no Config call
    org.gate.ops.clear()
    aggregated = run("auto")

    assert verdicts(aggregated) == verdicts(direct)
    assert len(verdicts(direct)) > 20
    copies = verdicts(direct)["arn:aws:s3:::x0-eu-west-1"][1]
    assert copies == ("eu-central-1",)  # replica in another member: seen on both paths
    gaps = sorted((g.account, g.code) for g in aggregated.coverage.gaps)
    assert gaps == sorted((g.account, g.code) for g in direct.coverage.gaps)
    assert (d, "AccessDenied") in gaps

    how = methods(aggregated)
    assert how[(a, "eu-central-1", "ec2")] == {"config", "api"}  # instances+volumes / snapshots
    assert how[(a, None, "s3")] == {"config"}  # every bucket in a recorded region
    assert how[(b, "eu-central-1", "ec2")] == {"api"}  # no recorder there
    assert how[(b, None, "s3")] == {"api"}  # a bucket in that region
    assert how[(c, None, "s3")] == {"api"}  # its recorder excludes buckets
    assert how[(c, "us-east-1", "ec2")] == {"api"}  # its source failed there
    assert how[(c, "eu-west-1", "ec2")] == {"config", "api"}
    assert org.gate.ops.count("SelectAggregateResourceConfig") >= 3
    assert all("api" in m for m in methods(direct).values())


def test_no_aggregator_or_a_refused_one_means_the_direct_path(
    org_factory: Callable[..., Org],
) -> None:
    org = org_factory(2)
    seed_volumes = run("auto")  # no aggregator in the organization
    assert "DescribeConfigurationAggregators" in org.gate.ops
    assert "DescribeConfigurationAggregatorSourcesStatus" not in org.gate.ops
    assert {m for ms in methods(seed_volumes).values() for m in ms} == {"api"}
    boto3.client("config", region_name="us-east-1").put_configuration_aggregator(
        ConfigurationAggregatorName="organization",
        OrganizationAggregationSource={"RoleArn": "arn:aws:iam::1:role/a", "AllAwsRegions": True},
    )
    org.gate.denied_targets.add("DescribeConfigurationAggregatorSourcesStatus")
    refused = run("auto")
    assert verdicts(refused) == verdicts(seed_volumes)
    assert not refused.coverage.gaps
    assert "SelectAggregateResourceConfig" not in org.gate.ops
    # an answer it cannot use (a JSON string, not the document: the answer checks refuse it)
    org.gate.denied_targets.clear()
    org.gate.targets["DescribeConfigurationAggregatorSourcesStatus"] = lambda _b: (200, "<html>")
    org.gate.ops.clear()
    unusable = run("auto")
    assert "DescribeConfigurationAggregatorSourcesStatus" in org.gate.ops
    assert verdicts(unusable) == verdicts(seed_volumes)
    assert not unusable.coverage.gaps
    assert "SelectAggregateResourceConfig" not in org.gate.ops


def test_an_aggregator_outside_the_home_region_is_used_when_named(
    org_factory: Callable[..., Org],
) -> None:
    org = org_factory(4)
    status = seed(org, where="eu-west-1")  # aggregators are regional
    org.gate.targets["DescribeConfigurationAggregatorSourcesStatus"] = lambda _b: (200, status)
    org.gate.targets["SelectAggregateResourceConfig"] = config_fake.select
    org.gate.ops.clear()
    home = run("auto")  # looks in us-east-1 only: every account on the direct path
    assert "SelectAggregateResourceConfig" not in org.gate.ops
    org.gate.ops.clear()
    named = run("auto", aggregator_region="eu-west-1")
    assert org.gate.ops.count("SelectAggregateResourceConfig") >= 3
    assert verdicts(named) == verdicts(home)
    assert any("config" in m for m in methods(named).values())


def test_the_bundle_keeps_the_aggregator_and_what_it_answered(
    org_factory: Callable[..., Org], tmp_path: Path
) -> None:
    org = org_factory(4)
    status = seed(org)
    org.gate.targets["DescribeConfigurationAggregatorSourcesStatus"] = lambda _b: (200, status)
    org.gate.targets["SelectAggregateResourceConfig"] = config_fake.select
    provider = AwsOrganization(
        boto3.Session(region_name="us-east-1"), ROLE, regions=REGIONS, services=["s3", "ec2"]
    )
    report = audit(provider, "eu-gdpr", evidence=tmp_path / "b")
    units: dict[str, set[str]] = {}
    for path in (tmp_path / "b" / "units").glob("*.json"):
        body = json.loads(path.read_text())
        units.setdefault(body["scope"], set()).update(r["operation"] for r in body["records"])
    assert "config:DescribeConfigurationAggregators" in units["aws/*/*/aggregator"]
    assert "organizations:ListAccounts" in units["aws/*/*/organizations"]
    read = set().union(*units.values())
    assert {"config:SelectAggregateResourceConfig", "config:DescribeConfigurationRecorders"} <= read
    via_config = [f for f in report.findings if f.resource.id.startswith("arn:aws:ec2")]
    assert via_config and all(f.resource.records for f in via_config)
    assert verify_bundle(tmp_path / "b") == []
    again = replay(tmp_path / "b")
    assert [f.model_dump() for f in again.findings] == [f.model_dump() for f in report.findings]
