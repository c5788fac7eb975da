"""A resource reported again in another region is a coverage gap, never a silent drop.

The dedupe set judges a resource reported twice once (the first report). When the second
report puts it in another region (a stale export beside a fresh one, an aggregator behind a
deleted and re-created bucket), which report is right is in doubt: the audit keeps the first
finding and adds a ``conflicting-reports`` gap, so it is not complete. A report that is only
more or less precise (a zone of the same region, a place that is unknown or global) is no
conflict. Both dedupe loops, the C one and the Python one, are checked alike.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import cloudaudit
from cloudaudit import Location, LocationKind, ProviderId, Resource
from cloudaudit._dedupe import CONFLICTING_REPORTS, Seen, _unseen
from cloudaudit._finding_table import speedups_module
from cloudaudit.cli import main
from cloudaudit.testing import FakeProvider

AWS = ProviderId.AWS
EU = Location(provider=AWS, region="eu-west-1")
HK = Location(provider=AWS, region="ap-east-1")

Loop = Callable[[Sequence[Resource], Seen, "list[Resource] | None"], Sequence[Resource]]


def _loops() -> list[Any]:
    module = speedups_module()
    compiled = [pytest.param(module.unseen, id="c")] if module is not None else []
    return [*compiled, pytest.param(_unseen, id="python")]


def _r(location: Location, id_: str = "data", account: str = "1") -> Resource:
    return Resource(
        provider=AWS,
        account=account,
        service="s3",
        type="bucket",
        id=id_,
        name=id_,
        location=location,
    )


@pytest.mark.parametrize("loop", _loops())
def test_a_second_report_in_another_region_is_a_conflict(loop: Loop) -> None:
    seen: Seen = {}
    conflicts: list[Resource] = []
    first, again, other = _r(EU), _r(HK), _r(HK, id_="other")
    assert list(loop([first, other], seen, conflicts)) == [first, other]
    got = loop([again, _r(EU), other], seen, conflicts)
    assert list(got) == [] and conflicts == [again]  # the repeat in EU and `other` are no conflict


@pytest.mark.parametrize("loop", _loops())
@pytest.mark.parametrize(
    "later",
    [
        Location(provider=AWS, region="eu-west-1", zone="eu-west-1a", kind=LocationKind.ZONE),
        Location(provider=AWS, region="eu-west-1"),  # equal, another object
        Location(provider=AWS, region="eu-west-1", note="read twice"),
        Location(provider=AWS, kind=LocationKind.UNKNOWN, note="AccessDenied"),
        Location(provider=AWS, region="global", kind=LocationKind.GLOBAL),
        Location(provider=AWS, region="ap-east-1", kind=LocationKind.MULTI_REGION),
    ],
)
def test_a_more_or_less_precise_report_is_no_conflict(loop: Loop, later: Location) -> None:
    seen: Seen = {}
    conflicts: list[Resource] = []
    loop([_r(EU)], seen, conflicts)
    assert list(loop([_r(later)], seen, conflicts)) == [] and conflicts == []
    loop([_r(later, id_="x")], seen, conflicts)  # the other way round
    assert list(loop([_r(EU, id_="x")], seen, conflicts)) == [] and conflicts == []


@pytest.mark.parametrize("loop", _loops())
def test_another_site_or_a_zone_of_another_region_is_a_conflict(loop: Loop) -> None:
    seen: Seen = {}
    conflicts: list[Resource] = []
    outpost = Location(provider=AWS, region="eu-west-1", site="arn:aws:outposts:op-1")
    zone = Location(provider=AWS, region="ap-east-1", zone="ap-east-1a", kind=LocationKind.ZONE)
    loop([_r(EU), _r(EU, id_="z")], seen, conflicts)
    loop([_r(outpost), _r(zone, id_="z")], seen, conflicts)
    assert [(c.id, c.location) for c in conflicts] == [("data", outpost), ("z", zone)]
    loop([_r(HK)], seen, None)  # not asked for: not collected, no error


def test_the_audit_keeps_the_first_finding_and_is_not_complete() -> None:
    report = cloudaudit.audit(FakeProvider([_r(EU), _r(HK)]), "us-foreign-adversaries")
    (finding,) = report.findings
    assert finding.resource.location.region == "eu-west-1"
    (gap,) = report.coverage.gaps
    assert gap.code == CONFLICTING_REPORTS and gap.region == "ap-east-1" and gap.account == "1"
    assert "data" in gap.message and "in doubt" in gap.message
    assert not report.coverage.complete


def test_two_exports_that_disagree_are_not_audited_in_full(tmp_path: Path) -> None:
    header = "provider,account,service,type,id,region\n"
    (tmp_path / "a.csv").write_text(header + "aws,111122223333,s3,bucket,data,eu-west-1\n")
    (tmp_path / "b.csv").write_text(header + "aws,111122223333,s3,bucket,data,ap-east-1\n")
    for fmt in ("json", "jsonl"):
        args = ["audit", "inventory", str(tmp_path / "a.csv"), str(tmp_path / "b.csv")]
        res = CliRunner().invoke(main, [*args, "--format", fmt, "--fail-on", "gap"])
        assert res.exit_code == 1, res.output
        assert CONFLICTING_REPORTS in res.stdout


def test_the_gap_names_the_reporting_unit_only_when_it_is_one_scope() -> None:
    from cloudaudit._dedupe import conflict_gap
    from cloudaudit.models import ScopeRecord

    one = ScopeRecord(provider="inventory", scope="inventory:b.csv", resources=1, method="file")
    two = ScopeRecord(provider="inventory", scope="inventory:c.csv", resources=1, method="file")
    assert (conflict_gap(_r(HK), [one]).provider, conflict_gap(_r(HK), [one]).scope) == (
        "inventory",
        "inventory:b.csv",
    )
    both = conflict_gap(_r(HK), [one, two])
    assert (both.provider, both.scope) == ("inventory", "aws/1/ap-east-1/s3")
    assert conflict_gap(_r(HK)).scope == "aws/1/ap-east-1/s3"
