"""cloudaudit.diff: drift between two real audits."""

from __future__ import annotations

from cloudaudit import audit
from cloudaudit.diff import diff
from cloudaudit.models import CoverageGap
from cloudaudit.testing import FakeProvider, make_resource

POLICY = "us-foreign-adversaries"
ACCT = "000000000000"


def _gap(region: str) -> CoverageGap:
    return CoverageGap(
        provider="aws",
        scope=f"aws/{ACCT}/{region}/s3",
        code="AccessDenied",
        message="denied",
        account=ACCT,
        region=region,
        service="s3",
    )


def test_new_resolved_removed_unverified_unknown_and_gaps() -> None:
    old = audit(
        FakeProvider(
            [
                make_resource("aws", "ap-east-1", name="fixed"),  # violation, becomes compliant
                make_resource("aws", "ap-east-1", name="deleted"),  # violation, then gone
                make_resource("aws", "cn-north-1", name="hidden"),  # violation, then behind a gap
                make_resource("aws", "eu-west-1", name="steady"),
            ],
            gaps=[_gap("me-south-1")],
            name="aws",
        ),
        POLICY,
    )
    # "fixed" keeps its id but now lives in eu-west-1
    fixed = make_resource("aws", "eu-west-1", name="fixed", id="aws:000000000000:s3:bucket/fixed")
    new = audit(
        FakeProvider(
            [
                fixed,
                make_resource("aws", "eu-west-1", name="steady"),
                make_resource("aws", "ap-east-1", name="new-hk"),
                make_resource("aws", "xx-nowhere-1", name="mystery"),
            ],
            gaps=[_gap("cn-north-1")],
            name="aws",
        ),
        POLICY,
    )
    d = diff(old, new)
    names = lambda fs: sorted(f.resource.name for f in fs)  # noqa: E731
    assert names(d.new_violations) == ["new-hk"]
    assert names(d.resolved) == ["fixed"]
    assert names(d.removed) == ["deleted"]
    assert names(d.unverified) == ["hidden"]  # could not look is never resolved
    assert names(d.newly_unknown) == ["mystery"]
    assert [g.region for g in d.new_gaps] == ["cn-north-1"]
    assert [g.region for g in d.closed_gaps] == ["me-south-1"]
    assert d.coverage_dropped and d.worse and d.changed
    assert d.summary()["new_violations"] == 1


def test_same_report_has_no_drift() -> None:
    r = audit(FakeProvider([make_resource("aws", "ap-east-1")]), POLICY)
    d = diff(r, r)
    assert not d.changed
    assert not d.coverage_dropped


def test_fewer_audited_scopes_is_a_coverage_drop() -> None:
    two = audit([FakeProvider(name="aws"), FakeProvider(name="gcp")], POLICY)
    one = audit([FakeProvider(name="aws")], POLICY)
    d = diff(two, one)
    assert d.audited_before == 2 and d.audited_after == 1
    assert d.coverage_dropped and not d.new_gaps


def _inventory_gap() -> CoverageGap:
    return CoverageGap(
        provider="inventory",
        scope="inventory:estate.jsonl",
        code="unreadable-record",
        message="estate.jsonl:2: not JSON (column 2: Expecting property name)",
    )


def test_an_inventory_gap_makes_a_vanished_violation_unverified() -> None:
    """An import's gaps are of provider ``inventory``: they may hide a resource of any cloud."""
    hk = make_resource("gcp", "asia-east2", name="hk-bucket")
    old = audit(FakeProvider([hk, make_resource("gcp", "europe-west3")], name="inventory"), POLICY)
    new = audit(
        FakeProvider([make_resource("gcp", "europe-west3")], gaps=[_inventory_gap()]), POLICY
    )
    d = diff(old, new)
    assert [f.resource.name for f in d.unverified] == ["hk-bucket"]
    assert not d.removed


def test_a_vanished_unknown_is_reported_not_silent() -> None:
    mystery = make_resource("aws", "xx-nowhere-1", name="mystery")
    steady = make_resource("aws", "eu-west-1", name="steady")
    old = audit(FakeProvider([mystery, steady], name="aws"), POLICY)
    gone = diff(old, audit(FakeProvider([steady], name="aws"), POLICY))
    assert [f.resource.name for f in gone.removed] == ["mystery"] and gone.changed
    hidden = audit(FakeProvider([steady], gaps=[_gap("xx-nowhere-1")], name="aws"), POLICY)
    assert [f.resource.name for f in diff(old, hidden).unverified] == ["mystery"]


def test_gaps_of_two_ous_are_two_gaps_and_each_hides_every_account() -> None:
    """An OU gap names no account (its accounts are unknown) and its OU in ``target``."""

    def ou_gap(ou: str) -> CoverageGap:
        return CoverageGap(
            provider="aws",
            scope="aws/*/*/organizations",
            code="TooManyRequestsException",
            message=f"OU {ou} could not be listed",
            service="organizations",
            target=f"OU {ou}",
        )

    hidden = make_resource("aws", "ap-east-1", name="hidden", account="111111111111")
    old = audit(FakeProvider([hidden], gaps=[ou_gap("ou-a")], name="aws"), POLICY)
    new = audit(FakeProvider([], gaps=[ou_gap("ou-a"), ou_gap("ou-b")], name="aws"), POLICY)
    drift = diff(old, new)
    assert [g.target for g in drift.new_gaps] == ["OU ou-b"]
    assert [f.resource.name for f in drift.unverified] == ["hidden"] and drift.removed == ()
    view = new.by_account("111111111111")
    assert [g.target for g in view.coverage.gaps] == ["OU ou-a", "OU ou-b"]
    assert not view.complete


def test_the_notification_names_what_was_not_verified_and_what_is_gone() -> None:
    """A platform team reads the SNS text, not the diff file: a violation hidden by a new gap
    must not vanish from it, nor one whose resource is gone."""
    from cloudaudit._lambda_notify import compose

    old = audit(
        FakeProvider(
            [
                make_resource("aws", "ap-east-1", name="deleted"),
                make_resource("aws", "cn-north-1", name="hidden"),
            ],
            name="aws",
        ),
        POLICY,
    )
    new = audit(
        FakeProvider(
            [make_resource("aws", "ap-east-1", name="new-hk")],
            gaps=[_gap("cn-north-1")],
            name="aws",
        ),
        POLICY,
    )
    d = diff(old, new)
    notice = compose(new, d, d.summary(), {"report": "s3://b/r.json", "diff": "s3://b/d.json"})
    text = notice.text
    assert "Not verified this time" in text and "bucket/hidden" in text
    assert "No longer seen where this run looked" in text and "bucket/deleted" in text
