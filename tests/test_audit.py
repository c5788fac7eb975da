import threading

import pytest

from cloudaudit import FanOut, Scope, Status, Unit, audit, audit_iter
from cloudaudit.models import Coverage
from cloudaudit.providers import redact
from cloudaudit.testing import FakeProvider, make_resource


def test_failing_provider_becomes_a_gap_not_a_pass() -> None:
    ok = FakeProvider([make_resource("aws", "eu-west-1", name="a")], name="aws")
    broken = FakeProvider(
        [make_resource("gcp", "europe-west3", name="b")],
        name="gcp",
        fail_with=PermissionError("denied: caller lacks storage.buckets.list"),
    )
    report = audit([ok, broken], "us-foreign-adversaries")
    assert [f.resource.name for f in report.findings] == ["a"]
    (gap,) = report.coverage.gaps
    assert gap.provider == "gcp" and gap.code == "PermissionError" and "denied" in gap.message
    assert report.summary.gaps == 1 and not report.complete


def test_provider_whose_collect_raises_is_a_gap() -> None:
    class Exploding(FakeProvider):
        def collect(self, fanout):  # type: ignore[no-untyped-def]
            raise RuntimeError("no credentials found")
            yield  # pragma: no cover

    report = audit([Exploding(name="azure")], "eu-gdpr")
    assert report.findings == ()
    assert report.coverage.gaps[0].scope.startswith("azure") and report.summary.gaps == 1


def test_duplicates_are_judged_once_and_sorted() -> None:
    r1 = make_resource("aws", "ap-east-1", name="z", id="arn:z")
    r2 = make_resource("aws", "eu-west-1", name="a", id="arn:a")
    report = audit([FakeProvider([r1, r2, r1], name="aws")], "us-foreign-adversaries")
    assert [f.resource.id for f in report.findings] == ["arn:a", "arn:z"]


def test_a_repeat_keeps_the_first_report_of_its_key_as_audit_iter_does() -> None:
    """Equal provider, account and id is one resource, whatever the repeat says: the first
    report of it is judged, in the bulk audit (which sorts) as in the stream (which does not)."""
    first = make_resource("aws", "eu-west-1", name="first", id="arn:x", account="111111111111")
    later = make_resource("aws", "ap-east-1", name="later", id="arn:x", account="111111111111")
    other = make_resource("aws", "ap-east-1", name="other", id="arn:x", account="222222222222")
    for reported, judged in (
        ([later, other, first, later, other, first], ["later", "other"]),
        ([first, later, other, first], ["first", "other"]),
        ([other, first, later], ["first", "other"]),
    ):
        report = audit([FakeProvider(reported)], "eu-gdpr")
        assert [f.resource.name for f in report.findings] == judged
        streamed = audit_iter([FakeProvider(reported)], "eu-gdpr")
        assert sorted(f.resource.name for f in streamed) == judged


def test_fanout_bounds_concurrency_and_reports_progress() -> None:
    lock = threading.Lock()
    active = peak = 0
    seen: list[int] = []

    def work() -> list[object]:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        threading.Event().wait(0.01)
        with lock:
            active -= 1
        return []

    fan = FanOut(max_workers=3, progress=lambda done, total, scope: seen.append(done))
    units = [Unit(Scope("aws", "1", f"r{i}", "s3"), work) for i in range(12)]  # type: ignore[arg-type]
    outcomes = list(fan.run(units))
    assert len(outcomes) == 12 and all(o.gap is None for o in outcomes)
    assert peak <= 3 and sorted(seen) == list(range(1, 13))


def test_fanout_uses_classifiers_and_redacts() -> None:
    class ApiError(Exception):
        code = "AccessDenied"

    def classify(exc: BaseException) -> tuple[str, str] | None:
        return (exc.code, str(exc)) if isinstance(exc, ApiError) else None

    def fail() -> list[object]:
        raise ApiError("denied for AKIAABCDEFGHIJKLMNOP with secret=hunter2hunter2")

    fan = FanOut(classifiers=[classify], secrets=("hunter2hunter2",))
    (outcome,) = fan.run([Unit(Scope("aws", "1", "eu-west-1", "rds"), fail)])  # type: ignore[arg-type]
    assert outcome.gap is not None and outcome.gap.code == "AccessDenied"
    assert "AKIA" not in outcome.gap.message and "hunter2" not in outcome.gap.message
    assert outcome.gap.region == "eu-west-1" and outcome.gap.service == "rds"


def test_cancel_turns_remaining_units_into_gaps() -> None:
    fan = FanOut(max_workers=1)
    fan.cancel.set()
    (outcome,) = fan.run([Unit(Scope("aws"), list)])
    assert outcome.gap is not None and outcome.gap.code == "Cancelled"


def test_audit_iter_streams_and_reports_coverage() -> None:
    sink: list[Coverage] = []
    provider = FakeProvider(
        [make_resource("aws", "ap-east-1")], gaps=[("x", "Throttling", "m")], name="aws"
    )
    findings = list(audit_iter(provider, "us-foreign-adversaries", coverage_sink=sink))
    assert [f.status for f in findings] == [Status.VIOLATION]
    assert len(sink) == 1 and sink[0].gaps[0].code == "Throttling"
    assert sink[0].audited[0].resources == 1


@pytest.mark.parametrize(
    "text",
    [
        "Authorization: AWS4-HMAC-SHA256 Credential=AKIAXX/..",
        "token=abc.def.ghi&x=1",
        "X-Amz-Signature=deadbeef",
    ],
)
def test_redact_patterns(text: str) -> None:
    out = redact(text)
    assert "abc.def" not in out and "deadbeef" not in out and "AKIAXX/" not in out


def test_get_provider_by_name() -> None:
    from cloudaudit import ConfigurationError
    from cloudaudit.providers import get_provider, provider_names

    assert {"aws", "gcp", "azure", "alibaba"} <= set(provider_names())
    with pytest.raises(ConfigurationError, match="unknown provider"):
        get_provider("nocloud")


def test_a_passed_deadline_turns_every_unit_into_a_cancelled_gap() -> None:
    import time

    from cloudaudit.providers import CANCELLED

    provider = FakeProvider([make_resource("aws", "ap-east-1")], name="aws")
    report = audit(provider, "us-foreign-adversaries", deadline=time.monotonic() - 1)
    assert report.findings == ()
    (gap,) = report.coverage.gaps
    assert gap.code == CANCELLED and gap.provider == "aws"
    later = audit(provider, "us-foreign-adversaries", deadline=time.monotonic() + 60)
    assert later.summary.violation == 1 and later.complete


def test_an_object_lacking_a_provider_member_is_refused_by_name() -> None:
    class NoSecrets:
        name = "aws"

        def classifiers(self) -> tuple[()]:
            return ()

        def collect(self, work: object) -> list[object]:
            return []

    with pytest.raises(TypeError, match="lacks secrets"):
        audit(NoSecrets(), "eea-only")  # type: ignore[arg-type]


def test_audit_keeps_its_findings_as_a_table_the_stream_would_have_built() -> None:
    """audit() judges like audit_iter() and sorts like it did, but builds findings when read:
    an organization's report holds its resources and one record number each, not a million
    finding objects (about 1.2 KB each)."""
    import tracemalloc

    from cloudaudit._finding_table import FindingTable

    regions = ("eu-west-1", "ap-east-1", "us-east-1", "cn-north-1", "me-south-1")
    resources = [
        make_resource(
            "aws",
            regions[i % len(regions)],
            name=f"bucket-{i}",
            account=f"{i % 7:012d}",
            copies=["ap-east-1"] if i % 3 == 0 else [],
        )
        for i in range(20_000)
    ]
    twice = [*resources[::-1], *resources[:100]]  # reported out of order, 100 of them twice
    policy = "us-foreign-adversaries"
    tracemalloc.start()
    try:
        report = audit([FakeProvider(twice)], policy)
        _, table_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        streamed = list(audit_iter([FakeProvider(twice)], policy))
        _, stream_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(report.findings, FindingTable)
    streamed.sort(key=lambda f: (f.resource.provider.value, f.resource.account, f.resource.id))
    assert report.findings == tuple(streamed)
    assert len(streamed) == 20_000
    assert report.summary.violation == sum(f.status is Status.VIOLATION for f in streamed)
    assert table_peak < stream_peak / 2, (table_peak, stream_peak)


def test_units_of_one_scope_cut_short_give_one_gap_that_counts_them() -> None:
    """EC2 instances and volumes of one region share a scope: two identical gaps read as a
    duplicate, so the deadline gives one that says how many units were still running."""
    import threading

    from cloudaudit.providers._stop import StopClock, _cut_short

    clock = StopClock(threading.Event(), deadline=0.0)
    assert clock.stopped()
    ec2 = Scope("aws", "1", "eu-west-1", "ec2")
    s3 = Scope("aws", "1", None, "s3")
    gaps = _cut_short("aws", [], [ec2, ec2, s3], clock)
    by_scope = {g.scope: g.message for g in gaps}
    assert len(gaps) == 3  # ec2 once, s3 once, and the provider's own
    assert by_scope["aws/1/eu-west-1/ec2"].startswith("2 units still running")
    assert by_scope["aws/1/*/s3"].startswith("still running")
