import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from cloudaudit import Location, LocationKind, ProviderId, Report, Resource, Status, audit, evaluate
from cloudaudit.demo import demo_policy, demo_providers

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def demo_report() -> Report:
    return audit(list(demo_providers()), demo_policy())


def test_status_values_are_exactly_the_four() -> None:
    assert [s.value for s in Status] == ["violation", "compliant", "unknown", "exempt"]


def test_provider_ids_include_the_required_ones() -> None:
    for pid in ("aws", "gcp", "azure", "alibaba", "oci", "tencent", "huawei"):
        assert ProviderId(pid).value == pid


def test_models_are_immutable() -> None:
    loc = Location(provider=ProviderId.AWS, region="us-east-1")
    with pytest.raises(ValidationError):
        loc.region = "eu-west-1"  # type: ignore[misc]


def test_unknown_fields_are_rejected() -> None:
    with pytest.raises(ValidationError):
        Location(provider="aws", region="x", colour="red")  # type: ignore[call-arg]


def test_report_json_round_trip(demo_report: Report) -> None:
    text = demo_report.to_json()
    again = Report.from_json(text)
    assert again == demo_report
    assert again.to_json() == text


def test_report_json_field_names(demo_report: Report) -> None:
    data = json.loads(demo_report.to_json())
    assert set(data) >= {
        "findings",
        "coverage",
        "summary",
        "policy_id",
        "policy_version",
        "started_at",
        "finished_at",
        "tool_version",
    }
    f = data["findings"][0]
    assert {"status", "reasons", "resource", "id", "jurisdictions", "evidence"} <= set(f)
    assert {"provider", "account", "service", "type", "id", "name", "location"} <= set(
        f["resource"]
    )
    assert isinstance(data["coverage"]["gaps"], list)
    gap = data["coverage"]["gaps"][0]
    assert {"scope", "code", "message"} <= set(gap)
    assert set(data["summary"]) == {"total", "violation", "compliant", "unknown", "exempt", "gaps"}


def test_summary_counts_match_findings(demo_report: Report) -> None:
    s = demo_report.summary
    assert s.total == len(demo_report.findings)
    for status in Status:
        assert getattr(s, status.value) == len(demo_report.by_status(status))
    assert s.gaps == len(demo_report.coverage.gaps)
    assert not demo_report.complete


def test_finding_ids_are_stable_and_unique(demo_report: Report) -> None:
    ids = [f.id for f in demo_report.findings]
    assert len(set(ids)) == len(ids)
    again = audit(list(demo_providers()), demo_policy())
    assert [f.id for f in again.findings] == ids


def test_published_schema_matches_the_model() -> None:
    published = json.loads((ROOT / "docs" / "report.schema.json").read_text())
    assert published == Report.model_json_schema(mode="serialization"), (
        "docs/report.schema.json is stale: run python scripts/write_schema.py"
    )


def test_evaluate_is_pure_and_keeps_order() -> None:
    res = [
        Resource(
            provider="aws",
            account="1",
            service="s3",
            type="bucket",
            id=f"b{i}",
            name=f"b{i}",
            location=Location(provider="aws", region=r),
        )
        for i, r in enumerate(["eu-west-1", "ap-east-1", "us-east-1"])
    ]
    rep = evaluate(res, "us-foreign-adversaries")
    assert [f.resource.id for f in rep.findings] == ["b0", "b1", "b2"]
    assert [f.status for f in rep.findings] == [
        Status.COMPLIANT,
        Status.VIOLATION,
        Status.COMPLIANT,
    ]
    assert rep.coverage.gaps == ()


def test_location_kind_values() -> None:
    assert {k.value for k in LocationKind} == {
        "zone",
        "region",
        "multi_region",
        "dual_region",
        "global",
        "unknown",
    }
