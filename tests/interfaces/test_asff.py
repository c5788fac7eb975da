"""ASFF: checked with botocore's BatchImportFindings model, imported into moto's Security Hub."""

from __future__ import annotations

import json
from typing import Any

import pytest
from iface_estate import demo_report

from cloudaudit.formats import render
from cloudaudit.formats.asff import asff_findings, product_arn
from cloudaudit.models import Status
from cloudaudit.report import Report

boto3 = pytest.importorskip("boto3")
moto = pytest.importorskip("moto")

ACCOUNT = "123456789012"
REGION = "eu-west-1"


def _validate(findings: list[dict[str, Any]]) -> str:
    """botocore's own parameter validation of a BatchImportFindings request ('' when valid)."""
    import botocore.session
    from botocore.validate import ParamValidator

    model = botocore.session.get_session().get_service_model("securityhub")
    shape = model.operation_model("BatchImportFindings").input_shape
    errors = []
    for i in range(0, len(findings), 100):  # the API takes at most 100 per call
        report = ParamValidator().validate({"Findings": findings[i : i + 100]}, shape)
        if report.has_errors():
            errors.append(report.generate_report())
    return "\n".join(errors)


def test_every_finding_and_gap_validates_against_the_botocore_model(report: Report) -> None:
    findings = json.loads(render(report, "asff"))
    assert report.guardrails is not None
    assert len(findings) == (
        len(report.findings) + len(report.coverage.gaps) + len(report.guardrails.findings)
    )
    assert _validate(findings) == ""
    for f in findings:  # documented Security Hub limits that botocore does not check
        assert len(f["Title"]) <= 256 and len(f["Description"]) <= 1024
        assert len(f["ProductFields"]) <= 50
        assert f["Resources"][0]["Partition"] in ("aws", "aws-cn", "aws-us-gov")


def test_the_model_check_is_real(report: Report) -> None:
    findings = asff_findings(report, account=ACCOUNT, region=REGION)
    del findings[0]["AwsAccountId"]
    findings[1]["Severity"] = {"Label": 7}
    problems = _validate(findings)
    assert "AwsAccountId" in problems and "Label" in problems


def test_statuses_map_to_compliance_and_never_pass_what_was_not_seen(report: Report) -> None:
    by_id = {f["Id"]: f for f in asff_findings(report, account=ACCOUNT, region=REGION)}
    expected = {"violation": "FAILED", "unknown": "WARNING", "compliant": "PASSED"}
    for f in report.findings:
        got = by_id[f"cloudaudit/{report.policy_id}/{f.id}"]
        if f.status.value in expected:
            assert got["Compliance"]["Status"] == expected[f.status.value]
        if f.status is Status.VIOLATION:
            assert got["Severity"]["Label"] == "HIGH"
    gaps = [f for f in by_id.values() if f["ProductFields"]["cloudaudit/status"] == "gap"]
    assert len(gaps) == len(report.coverage.gaps)
    assert all(g["Compliance"]["Status"] == "NOT_AVAILABLE" for g in gaps)


def test_guardrail_findings_are_failed_findings_with_stable_ids(report: Report) -> None:
    assert report.guardrails is not None and len(report.guardrails.findings) == 3
    ours = [
        f
        for f in asff_findings(report, account=ACCOUNT, region=REGION)
        if f["ProductFields"]["cloudaudit/status"].startswith("guardrail/")
    ]
    assert _validate(ours) == ""
    assert [f["ProductFields"]["cloudaudit/status"] for f in ours] == [
        f"guardrail/{g.kind.value}" for g in report.guardrails.findings
    ]
    assert all(f["Compliance"]["Status"] == "FAILED" for f in ours)
    outside = ours[1]
    assert outside["Resources"][0]["Id"] == "arn:aws:s3:::acme-new-region-bucket"
    assert outside["AwsAccountId"] == "111122223333"  # the resource's own account
    assert "ap-southeast-9" in outside["Resources"][0]["Details"]["Other"]["locations"]
    assert "Hong Kong" in ours[0]["Description"]
    # A rerun yields the same ids (Security Hub updates rather than duplicates them).
    again = asff_findings(demo_report(), account=ACCOUNT, region=REGION)
    assert {f["Id"] for f in ours} <= {f["Id"] for f in again}
    assert len({f["Id"] for f in ours}) == 3
    assert all(f["Id"].startswith(f"cloudaudit/{report.policy_id}/guardrail/") for f in ours)


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch) -> Any:
    for k, v in {"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x"}.items():
        monkeypatch.setenv(k, v)
    with moto.mock_aws():
        client = boto3.client("securityhub", region_name=REGION)
        client.enable_security_hub()
        yield client


def _import(hub: Any, findings: list[dict[str, Any]]) -> None:
    for i in range(0, len(findings), 100):
        resp = hub.batch_import_findings(Findings=findings[i : i + 100])
        assert resp["FailedCount"] == 0, resp["FailedFindings"]


def _all(hub: Any) -> list[dict[str, Any]]:
    pages = hub.get_paginator("get_findings").paginate()
    return [f for page in pages for f in page["Findings"]]


def test_findings_import_and_update_rather_than_duplicate(report: Report, hub: Any) -> None:
    first = asff_findings(report, account=ACCOUNT, region=REGION)
    assert first[0]["ProductArn"] == product_arn(ACCOUNT, REGION)
    _import(hub, first)
    assert len(_all(hub)) == len(first)
    # the next run: same resources, later time -> the same ids are updated
    later = report.model_copy(update={"started_at": report.started_at.replace(year=2030)})
    second = asff_findings(later, account=ACCOUNT, region=REGION)
    assert [f["Id"] for f in second] == [f["Id"] for f in first]
    _import(hub, second)
    stored = _all(hub)
    assert len(stored) == len(first)
    assert {f["UpdatedAt"][:4] for f in stored} == {"2030"}
