"""The region and copy traps and gap handling, against moto over real HTTP (server mode).

Planted traps: a bucket in Hong Kong (ap-east-1), a us-east-1 bucket replicating into an
ap-east-1 bucket, an EBS snapshot copied into ap-east-1, a region that is not opted in and
refuses (me-south-1, refused by the fault middleware for every request signed for it), and
AccessDenied on EC2 DescribeVolumes in eu-west-1.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from click.testing import CliRunner

from cloudaudit import audit
from cloudaudit.cli import main
from cloudaudit.models import Status
from cloudaudit.providers.aws import AwsProvider
from cloudaudit.providers.aws.services import ec2, s3
from cloudaudit.report import Report
from tests.providers.aws.estate import create_buckets, replicate

pytestmark = pytest.mark.http

# The fault middleware lives in this folder's conftest.py. Importing it as `conftest` is
# ambiguous when several test folders have one, so reach its module through the fixture's object.
FaultMiddleware = Any


def Rule(faults: Any, *args: Any, **kwargs: Any) -> Any:
    """Build a fault rule with the Rule class of the middleware's own module."""
    rule_class = type(faults).add.__globals__["Rule"]  # the conftest module's namespace
    return rule_class(*args, **kwargs)


REGIONS = ["us-east-1", "eu-west-1", "ap-east-1", "me-south-1"]
COLLECTORS = (*s3.COLLECTORS, *ec2.COLLECTORS)


def plant_traps(faults: FaultMiddleware) -> dict[str, str]:
    """Seed the traps through the server (before any fault rule is active)."""
    us = boto3.client("s3", region_name="us-east-1")
    buckets = {"us-plain": None, "hk-bucket": "ap-east-1", "hk-replica": "ap-east-1"}
    create_buckets(us, {**buckets, "us-source": None})
    replicate(us, "us-source", "hk-replica")
    e = boto3.client("ec2", region_name="us-east-1")
    vol = e.create_volume(AvailabilityZone="us-east-1a", Size=8)["VolumeId"]
    snap = e.create_snapshot(VolumeId=vol)["SnapshotId"]
    hk = boto3.client("ec2", region_name="ap-east-1")
    copy = hk.copy_snapshot(SourceSnapshotId=snap, SourceRegion="us-east-1")["SnapshotId"]
    faults.add(
        Rule(faults, "OptInRequired", "You are not subscribed to this region.", region="me-south-1")
    )
    faults.add(
        Rule(
            faults,
            "AccessDenied",
            "explicit deny in a service control policy",
            "ec2",
            "eu-west-1",
            "DescribeVolumes",
        )
    )
    return {"snapshot": snap, "copy": copy, "volume": vol}


def by_name(report: Report) -> dict[str, Status]:
    return {f.resource.name: f.status for f in report.findings}


def test_traps_give_the_right_verdicts_and_gaps(
    aws_http: FaultMiddleware, recorded_session: boto3.Session
) -> None:
    ids = plant_traps(aws_http)
    provider = AwsProvider(session=recorded_session, regions=REGIONS, collectors=COLLECTORS)
    report = audit(provider, "us-foreign-adversaries")
    status = by_name(report)
    assert status["hk-bucket"] is Status.VIOLATION
    assert status["hk-replica"] is Status.VIOLATION
    assert status["us-source"] is Status.VIOLATION
    assert status["us-plain"] is Status.COMPLIANT
    assert status[ids["copy"]] is Status.VIOLATION
    assert status[ids["snapshot"]] is Status.COMPLIANT
    source = next(f for f in report.findings if f.resource.name == "us-source")
    assert any("ap-east-1" in reason for reason in source.reasons)
    names = [f.resource.name for f in report.findings]
    assert names.count("hk-bucket") == 1  # once, not once per region

    gaps = {(g.region, g.service): g for g in report.coverage.gaps}
    refused = gaps[("me-south-1", None)]
    assert refused.code == "OptInRequired" and "not opted in" in refused.message
    assert gaps[("eu-west-1", "ec2")].code == "AccessDenied"
    assert len(report.coverage.gaps) == 2
    audited = {(a.region, a.service) for a in report.coverage.audited}
    assert ("ap-east-1", "ec2") in audited  # not opted in, but it answered the probe
    assert (None, "s3") in audited
    assert not any(a.region == "me-south-1" for a in report.coverage.audited)


def test_throttling_after_retries_is_a_gap(
    aws_http: FaultMiddleware, recorded_session: boto3.Session
) -> None:
    aws_http.add(
        Rule(
            aws_http,
            "RequestLimitExceeded",
            "Request limit exceeded.",
            "ec2",
            "eu-west-1",
            "DescribeInstances",
            status=503,
        )
    )
    provider = AwsProvider(
        session=recorded_session, regions=["eu-west-1"], collectors=ec2.COLLECTORS
    )
    report = audit(provider, "us-foreign-adversaries")
    (gap,) = report.coverage.gaps
    assert (gap.region, gap.service, gap.code) == ("eu-west-1", "ec2", "RequestLimitExceeded")
    attempts = [c for c in aws_http.log if c[2] == "DescribeInstances"]
    assert len(attempts) == 5  # total_max_attempts: the first call and four retries


def test_denied_account_lookup_is_one_provider_wide_gap(
    aws_http: FaultMiddleware, recorded_session: boto3.Session
) -> None:
    aws_http.add(
        Rule(aws_http, "AccessDenied", "not authorized to perform sts:GetCallerIdentity", "sts")
    )
    provider = AwsProvider(session=recorded_session, regions=["us-east-1"], collectors=COLLECTORS)
    report = audit(provider, "us-foreign-adversaries")
    assert report.findings == ()
    (gap,) = report.coverage.gaps
    assert (gap.provider, gap.code, gap.region) == ("aws", "AccessDenied", None)


def test_all_regions_are_discovered_and_each_client_is_built_once(
    aws_http: FaultMiddleware, recorded_session: boto3.Session
) -> None:
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="only-bucket")
    provider = AwsProvider(session=recorded_session, collectors=COLLECTORS)
    report = audit(provider, "us-foreign-adversaries")
    regions = {a.region for a in report.coverage.audited if a.service == "ec2"}
    assert len(regions) >= 30 and "ap-east-1" in regions
    assert report.coverage.gaps == ()
    assert by_name(report) == {"only-bucket": Status.COMPLIANT}
    probes = [c for c in aws_http.log if c[2] == "DescribeAvailabilityZones"]
    opt_in = [c for c in aws_http.log if c[2] == "DescribeRegions"]
    assert len(opt_in) == 1
    assert len(probes) == len({c[1] for c in probes})  # one probe per not-opted-in region


def test_cli_end_to_end_against_the_moto_server(aws_http: FaultMiddleware) -> None:
    ids = plant_traps(aws_http)
    result = CliRunner().invoke(
        main,
        [
            "audit",
            "aws",
            "--policy",
            "us-foreign-adversaries",
            "--format",
            "json",
            "--regions",
            ",".join(REGIONS),
            "--services",
            "s3,ec2",
        ],
    )
    assert result.exit_code == 1, result.output  # violations found
    report = Report.from_json(result.stdout)
    status = by_name(report)
    assert status["hk-bucket"] is Status.VIOLATION
    assert status["us-source"] is Status.VIOLATION
    assert status[ids["copy"]] is Status.VIOLATION
    codes = {(g.region, g.code) for g in report.coverage.gaps}
    assert ("me-south-1", "OptInRequired") in codes
    assert ("eu-west-1", "AccessDenied") in codes
    assert json.loads(result.stdout)["summary"]["gaps"] == len(report.coverage.gaps)
