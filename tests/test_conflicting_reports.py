"""A resource reported again in another region, or with other copies, is a coverage gap.

The dedupe set judges a resource reported twice once (the first report). When the second
report puts it in another region (a stale export beside a fresh one, an aggregator behind a
deleted and re-created bucket), or lists other copies of its data (replication turned on
between two exports), which report is right is in doubt: the audit keeps the first finding
and adds a ``conflicting-reports`` gap, so it is not complete, never a silent drop. A report
that is only more or less precise about the resource's own place (a zone of the same region,
a place that is unknown or global) is no conflict. Both dedupe loops, the C one and the
Python one, are checked alike.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import cloudaudit
from cloudaudit import Location, LocationKind, ProviderId, Resource
from cloudaudit._dedupe import CONFLICTING_REPORTS, Conflict, Seen, _unseen
from cloudaudit._finding_table import speedups_module
from cloudaudit.cli import main
from cloudaudit.testing import FakeProvider

AWS = ProviderId.AWS
EU = Location(provider=AWS, region="eu-west-1")
HK = Location(provider=AWS, region="ap-east-1")

Loop = Callable[[Sequence[Resource], Seen, "list[Conflict] | None"], Sequence[Resource]]


def _loops() -> list[Any]:
    module = speedups_module()
    compiled = [pytest.param(module.unseen, id="c")] if module is not None else []
    return [*compiled, pytest.param(_unseen, id="python")]


def _r(
    location: Location, id_: str = "data", account: str = "1", copies: Sequence[Location] = ()
) -> Resource:
    return Resource(
        provider=AWS,
        account=account,
        service="s3",
        type="bucket",
        id=id_,
        name=id_,
        location=location,
        data_locations=tuple(copies),
    )


@pytest.mark.parametrize("loop", _loops())
def test_a_second_report_in_another_region_is_a_conflict(loop: Loop) -> None:
    seen: Seen = {}
    conflicts: list[Conflict] = []
    first, again, other = _r(EU), _r(HK), _r(HK, id_="other")
    assert list(loop([first, other], seen, conflicts)) == [first, other]
    got = loop([again, _r(EU), other], seen, conflicts)
    assert list(got) == [] and conflicts == [(again, "region")]  # the EU repeat is none


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
    conflicts: list[Conflict] = []
    loop([_r(EU)], seen, conflicts)
    assert list(loop([_r(later)], seen, conflicts)) == [] and conflicts == []
    loop([_r(later, id_="x")], seen, conflicts)  # the other way round
    assert list(loop([_r(EU, id_="x")], seen, conflicts)) == [] and conflicts == []


@pytest.mark.parametrize("loop", _loops())
def test_another_site_or_a_zone_of_another_region_is_a_conflict(loop: Loop) -> None:
    seen: Seen = {}
    conflicts: list[Conflict] = []
    outpost = Location(provider=AWS, region="eu-west-1", site="arn:aws:outposts:op-1")
    zone = Location(provider=AWS, region="ap-east-1", zone="ap-east-1a", kind=LocationKind.ZONE)
    loop([_r(EU), _r(EU, id_="z")], seen, conflicts)
    loop([_r(outpost), _r(zone, id_="z")], seen, conflicts)
    got = [(c.id, c.location, why) for c, why in conflicts]
    assert got == [("data", outpost, "region"), ("z", zone, "region")]
    loop([_r(HK)], seen, None)  # not asked for: not collected, no error


def _copy(region: str, **kw: Any) -> Location:
    return Location(provider=AWS, region=region, via="aws.s3.replication", **kw)


LONDON, TOKYO = _copy("eu-west-2"), _copy("ap-northeast-1")


@pytest.mark.parametrize("loop", _loops())
@pytest.mark.parametrize(
    ("before", "after"),
    [
        ((), (TOKYO,)),  # replication turned on between two reports
        ((TOKYO,), ()),  # or off
        ((LONDON,), (TOKYO,)),
        ((LONDON,), (LONDON, TOKYO)),
        ((LONDON,), (Location(provider=AWS, kind=LocationKind.UNKNOWN, note="AccessDenied"),)),
        ((LONDON,), (_copy("eu-west-2", site="arn:aws:outposts:op-1"),)),
    ],
)
def test_other_copies_are_a_conflict(
    loop: Loop, before: tuple[Location, ...], after: tuple[Location, ...]
) -> None:
    seen: Seen = {}
    conflicts: list[Conflict] = []
    loop([_r(EU, copies=before), _r(EU, id_="x", copies=after)], seen, conflicts)
    later = _r(EU, copies=after)
    assert list(loop([later, _r(EU, id_="x", copies=before)], seen, conflicts)) == []
    assert [(c.id, why) for c, why in conflicts] == [("data", "copies"), ("x", "copies")]
    assert conflicts[0][0] is later


@pytest.mark.parametrize("loop", _loops())
def test_the_same_copies_told_otherwise_are_no_conflict(loop: Loop) -> None:
    seen: Seen = {}
    conflicts: list[Conflict] = []
    zone = _copy("ap-northeast-1", zone="ap-northeast-1a", kind=LocationKind.ZONE)
    other_way = (  # another order, a repeat, a zone of the same region, another mechanism
        Location(provider=AWS, region="ap-northeast-1", via="aws.s3.batch-replication"),
        LONDON,
        zone,
    )
    many = tuple(_copy(f"r-{i}") for i in range(40))  # more than the C loop's local room
    loop([_r(EU, copies=(LONDON, TOKYO)), _r(EU, id_="m", copies=many)], seen, conflicts)
    again = [_r(EU, copies=other_way), _r(EU, id_="m", copies=tuple(reversed(many)))]
    assert list(loop(again, seen, conflicts)) == [] and conflicts == []
    # a place conflict is told as one, whatever the copies
    loop([_r(HK, copies=(TOKYO,))], seen, conflicts)
    assert [why for _, why in conflicts] == ["region"]


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


def test_two_exports_that_disagree_on_copies_are_not_audited_in_full(tmp_path: Path) -> None:
    header = "provider,account,service,type,id,region,copies\n"
    row = "aws,111122223333,s3,bucket,data,eu-west-1,"
    (tmp_path / "a.csv").write_text(header + row + "\n")
    (tmp_path / "b.csv").write_text(header + row + "ap-east-1\n")  # a Hong Kong replica
    args = ["audit", "inventory", str(tmp_path / "a.csv"), str(tmp_path / "b.csv")]
    args += ["--format", "json", "--policy", "us-foreign-adversaries"]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output  # the first report is judged: compliant...
    report = cloudaudit.Report.from_json(res.stdout)
    (gap,) = report.coverage.gaps  # ...but the audit is not complete, and says why
    assert (gap.code, gap.scope) == (CONFLICTING_REPORTS, f"inventory:{tmp_path / 'b.csv'}")
    assert "copies of its data in ap-east-1" in gap.message and "where its data is" in gap.message
    assert not report.complete and "other copies" in res.stderr


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
