"""The engine builds findings without re-validation; they must equal validated ones."""

import pytest

from cloudaudit import Finding, evaluate
from cloudaudit.demo import demo_policy, demo_resources

# Every test here runs on the compiled loops and on the Python ones (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("loops")


def test_the_loops_fixture_switches_the_loops(loops: str) -> None:
    from cloudaudit._finding_table import build_findings, speedups

    assert speedups() is (loops == "c")
    findings = build_findings([], {})
    assert (type(findings).__module__ == "cloudaudit._speedups") is (loops == "c")


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


def test_pydantic_slots_the_fast_path_writes_are_all_there_are() -> None:
    """The engine writes ``__dict__`` and three bookkeeping slots; pydantic must have no other."""
    import copy

    from pydantic import BaseModel

    assert set(BaseModel.__slots__) == {
        "__dict__",
        "__pydantic_fields_set__",
        "__pydantic_extra__",
        "__pydantic_private__",
    }
    fast = evaluate(demo_resources(), demo_policy()).findings[0]
    assert set(fast.__dict__) == set(Finding.model_fields)
    assert fast.__pydantic_extra__ is None
    assert fast.__pydantic_private__ is None
    assert copy.deepcopy(fast) == fast
    assert fast.model_copy(update={"exemption": "x"}).exemption == "x"


def test_streaming_and_bulk_findings_are_the_same() -> None:
    from cloudaudit import audit_iter
    from cloudaudit.testing import FakeProvider

    resources = demo_resources()
    bulk = evaluate(resources, demo_policy()).findings
    streamed = tuple(audit_iter(FakeProvider(resources), demo_policy()))
    assert sorted(f.model_dump_json() for f in streamed) == sorted(
        f.model_dump_json() for f in bulk
    )


def test_one_finding_equals_the_bulk_path() -> None:
    from cloudaudit.policies import Engine

    resources = demo_resources()
    engine = Engine(demo_policy())
    assert tuple(engine.finding(r) for r in resources) == tuple(engine.findings(resources))


def test_completed_copies_equal_model_copy() -> None:
    from cloudaudit.models import Location, ProviderId
    from cloudaudit.policies._engine import _with_copies

    extra = (Location(provider=ProviderId.AWS, region=None, note="not read"),)
    for r in demo_resources():
        fast = _with_copies(r, (*r.data_locations, *extra))
        slow = r.model_copy(update={"data_locations": (*r.data_locations, *extra)})
        assert fast == slow
        assert fast.model_dump_json() == slow.model_dump_json()
        assert fast.model_fields_set == slow.model_fields_set
        assert r.data_locations != fast.data_locations  # the original is untouched
