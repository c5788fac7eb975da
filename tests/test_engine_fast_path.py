"""The engine builds findings without re-validation; they must equal validated ones."""

from cloudaudit import Finding, evaluate
from cloudaudit.demo import demo_policy, demo_resources


def test_fast_findings_equal_validated_findings() -> None:
    report = evaluate(demo_resources(), demo_policy())
    assert report.findings
    for fast in report.findings:
        data = fast.model_dump()
        slow = Finding.model_validate(data)
        assert slow == fast
        assert slow.model_dump_json() == fast.model_dump_json()
        assert fast.model_fields_set == slow.model_fields_set
        assert fast.id == slow.id


def test_findings_are_frozen() -> None:
    report = evaluate(demo_resources(), demo_policy())
    f = report.findings[0]
    try:
        f.status = "compliant"  # type: ignore[assignment]
    except Exception as exc:
        assert "frozen" in str(exc).lower()
    else:
        raise AssertionError("finding is mutable")
