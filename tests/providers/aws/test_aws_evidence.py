"""Evidence bundles recorded from the AWS fake (moto over real HTTP), verified and replayed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from click.testing import CliRunner

from cloudaudit import audit
from cloudaudit.cli import main
from cloudaudit.errors import ConfigurationError
from cloudaudit.evidence import read_bundle, replay, verify_bundle
from cloudaudit.models import Status
from cloudaudit.providers.aws import AwsProvider
from cloudaudit.providers.aws.services import ec2, s3
from cloudaudit.report import Report
from tests.providers.aws.estate import create_buckets, replicate

pytestmark = pytest.mark.http

CANARY_SECRET = "EvidenceCanarySecretKey0123456789abcdEF"
REGIONS = ["us-east-1", "eu-west-1", "ap-east-1"]


def _estate(faults: Any) -> None:
    """A bucket in Hong Kong, a US bucket replicating into it, and a denied EC2 region."""
    us = boto3.client("s3", region_name="us-east-1")
    create_buckets(us, {"hk-bucket": "ap-east-1", "us-source": None, "us-plain": None})
    replicate(us, "us-source", "hk-bucket")
    boto3.client("ec2", region_name="us-east-1").create_volume(
        AvailabilityZone="us-east-1a", Size=8
    )
    rule_class = type(faults).add.__globals__["Rule"]
    faults.add(
        rule_class("AccessDenied", "denied by an SCP", "ec2", "eu-west-1", "DescribeVolumes")
    )


def _run(tmp: Path, faults: Any, monkeypatch: pytest.MonkeyPatch) -> tuple[Report, Path]:
    _estate(faults)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", CANARY_SECRET)
    provider = AwsProvider(
        session=boto3.Session(), regions=REGIONS, collectors=(*s3.COLLECTORS, *ec2.COLLECTORS)
    )
    bundle = tmp / "bundle"
    return audit(provider, "us-foreign-adversaries", evidence=bundle), bundle


def _same(a: Report, b: Report) -> None:
    """Field by field, timestamps aside."""
    assert [f.model_dump() for f in a.findings] == [f.model_dump() for f in b.findings]
    assert a.coverage == b.coverage
    assert a.summary == b.summary
    assert (a.policy_id, a.policy_version) == (b.policy_id, b.policy_version)


def test_a_bundle_replays_to_the_same_report_and_to_another_verdict(
    aws_http: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report, bundle = _run(tmp_path, aws_http, monkeypatch)
    assert report.summary.violation >= 2 and report.coverage.gaps
    assert verify_bundle(bundle) == []
    _same(report, replay(bundle))

    eu = replay(bundle, "eu-gdpr")
    plain = {f.resource.name: f.status for f in report.findings}
    plain_eu = {f.resource.name: f.status for f in eu.findings}
    assert plain["us-plain"] is Status.COMPLIANT and plain_eu["us-plain"] is Status.VIOLATION
    assert eu.coverage == report.coverage


def test_every_finding_names_the_records_it_came_from(
    aws_http: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report, bundle = _run(tmp_path, aws_http, monkeypatch)
    records: dict[str, dict[str, Any]] = {}
    for unit in (bundle / "units").glob("*.json"):
        for rec in json.loads(unit.read_text())["records"]:
            records[rec["sha256"]] = rec
    operations = {rec["operation"] for rec in records.values()}
    assert {"s3:ListBuckets", "s3:GetBucketReplication", "ec2:DescribeVolumes"} <= operations
    for f in report.findings:
        assert f.resource.records, f.resource.id
        texts = [json.dumps(records[h]["data"]) for h in f.resource.records]
        assert any(f.resource.name in t for t in texts)
    source = next(f for f in report.findings if f.resource.name == "us-source")
    ops = {records[h]["operation"] for h in source.resource.records}
    assert "s3:GetBucketReplication" in ops  # the copy's evidence, not only the listing
    manifest = json.loads((bundle / "manifest.json").read_text())
    assert manifest["policy"]["id"] == "us-foreign-adversaries"
    assert manifest["catalog"]["aws"]["reviewed"] and manifest["tool_version"]
    everything = "".join(p.read_text() for p in bundle.rglob("*") if p.is_file())
    assert CANARY_SECRET not in everything


def test_a_tampered_bundle_fails_verify(
    aws_http: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _report, bundle = _run(tmp_path, aws_http, monkeypatch)
    runner = CliRunner()
    assert runner.invoke(main, ["verify", str(bundle)]).exit_code == 0
    unit = next(u for u in (bundle / "units").glob("*.json") if "hk-bucket" in u.read_text())
    unit.write_text(unit.read_text().replace("hk-bucket", "eu-bucket"))
    problems = verify_bundle(bundle)
    assert any(unit.name in p for p in problems)
    res = runner.invoke(main, ["verify", str(bundle)])
    assert res.exit_code == 1 and unit.name in res.output


def test_cli_replays_and_judges_as_of(
    aws_http: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original, bundle = _run(tmp_path, aws_http, monkeypatch)
    runner = CliRunner()
    res = runner.invoke(main, ["replay", str(bundle), "--format", "json"])
    assert res.exit_code == 1  # violations, as the original
    _same(original, Report.from_json(res.stdout))
    assert len(read_bundle(bundle).resources) == len(original.findings)
    res = runner.invoke(main, ["replay", str(bundle), "--policy", "eu-gdpr", "--format", "json"])
    assert Report.from_json(res.stdout).policy_id == "eu-gdpr"
    res = runner.invoke(main, ["replay", str(tmp_path), "--format", "json"])
    assert res.exit_code == 2 and "not a valid evidence bundle" in res.output


def test_bad_folder_is_refused_before_any_call_and_an_interrupted_audit_leaves_nothing(
    aws_http: Any, tmp_path: Path
) -> None:
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "x").write_text("x")
    provider = AwsProvider(session=boto3.Session(), regions=["us-east-1"], collectors=s3.COLLECTORS)
    with pytest.raises(ConfigurationError, match="not empty"):
        audit(provider, "eea-only", evidence=taken)
    assert not aws_http.log
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="one")
    from cloudaudit import audit_iter

    it = audit_iter(provider, "eea-only", evidence=tmp_path / "partial")
    next(it)
    it.close()
    assert not (tmp_path / "partial").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["taken"]


def test_the_bundle_keeps_what_discovery_read(
    aws_http: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The account and the regions the report covers are evidence too: who was asked, and
    which regions the account had (with their opt-in status) when the audit chose them."""
    report, bundle = _run(tmp_path, aws_http, monkeypatch)
    units = [json.loads(u.read_text()) for u in (bundle / "units").glob("*.json")]
    (found,) = [u["records"] for u in units if u["scope"] == "aws/*/*/discovery"]
    by_op = {r["operation"]: r["data"]["response"] for r in found}
    # and whether an AWS Config aggregator could have served the inventory (none here)
    aggregators = "config:DescribeConfigurationAggregators"
    assert set(by_op) == {"sts:GetCallerIdentity", "ec2:DescribeRegions", aggregators}
    assert by_op[aggregators]["ConfigurationAggregators"] == []
    account = {s.account for s in report.coverage.audited}
    assert account == {by_op["sts:GetCallerIdentity"]["Account"]}
    regions = {r["RegionName"]: r["OptInStatus"] for r in by_op["ec2:DescribeRegions"]["Regions"]}
    assert set(REGIONS) <= set(regions)
    discovery = {r["sha256"] for r in found}
    assert not [f.resource.id for f in report.findings if discovery & set(f.resource.records)]
    assert verify_bundle(bundle) == []
    everything = "".join(p.read_text() for p in bundle.rglob("*") if p.is_file())
    assert CANARY_SECRET not in everything
