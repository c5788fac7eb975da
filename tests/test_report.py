"""Report views: one definition of a finding's countries, order, records, counts and failure."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable

import pytest

from cloudaudit import audit
from cloudaudit.demo import demo_policy, demo_providers
from cloudaudit.formats import render
from cloudaudit.models import LocationKind, Status
from cloudaudit.report import (
    STATUS_ORDER,
    Report,
    Summary,
    countries_of,
    fails,
    finding_record,
    sorted_findings,
)
from cloudaudit.testing import FakeProvider, make_resource

ASIA = ("HK", "ID", "IN", "JP", "KR", "SG", "TH", "TW")


def _asia_report() -> Report:
    """A GCP ``ASIA`` multi-region bucket (members unpublished, so only candidates are known)."""
    bucket = make_resource("gcp", "ASIA", name="asia-bucket", kind=LocationKind.MULTI_REGION)
    eu = make_resource("gcp", "europe-west3", name="eu-bucket", copies=["asia-east1"])
    return audit(FakeProvider([bucket, eu], name="gcp"), "eea-only")


def _demo_report() -> Report:
    return audit(list(demo_providers()), demo_policy())


def _csv(report: Report) -> dict[str, tuple[str, ...]]:
    rows = csv.DictReader(io.StringIO(render(report, "csv")))
    return {
        r["finding_id"]: _split(r["countries"])
        for r in rows
        if r["service"] != "guardrails" and r["status"] != "gap"
    }


def _jsonl(report: Report) -> dict[str, tuple[str, ...]]:
    rows = [json.loads(line) for line in render(report, "jsonl").splitlines()]
    return {r["finding_id"]: _split(r["countries"]) for r in rows if "record" not in r}


def _split(cell: str) -> tuple[str, ...]:
    return tuple(c for c in cell.split(";") if c)


def _sarif(report: Report) -> dict[str, tuple[str, ...]]:
    (run,) = json.loads(render(report, "sarif"))["runs"]
    return {
        r["partialFingerprints"]["cloudauditFindingId/v1"]: tuple(r["properties"]["countries"])
        for r in run["results"]
        # gaps and guardrail findings are results too, with no finding id
        if "cloudauditFindingId/v1" in r["partialFingerprints"]
    }


def _ocsf(report: Report) -> dict[str, tuple[str, ...]]:
    events = [e for e in json.loads(render(report, "ocsf")) if "finding_info" in e]
    out = {}
    for e in events:
        (res,) = e["resources"]
        if "countries" in res.get("data", {}):
            out[e["finding_info"]["uid"]] = tuple(res["data"]["countries"])
    return out


_HTML_DATA = re.compile(r'<script type="application/json" id="ca-data">(.*?)</script>', re.S)


def _html(report: Report) -> dict[str, tuple[str, ...]]:
    """The countries the page's data gives each row (rows come worst first, as sorted)."""
    data = json.loads(_HTML_DATA.search(render(report, "html")).group(1))
    strings, out = data["strings"], {}
    for f, row in zip(sorted_findings(report), data["rows"], strict=True):
        assert row[0] == f.resource.name
        out[f.id] = tuple(c for c in strings[data["verdicts"][row[3]][10]].split(",") if c)
    return out


@pytest.mark.parametrize("make", [_asia_report, _demo_report], ids=["gcp-asia", "demo"])
def test_every_output_gives_every_finding_the_same_countries(make: Callable[[], Report]) -> None:
    report = make()
    expected = {f.id: countries_of(f) for f in report.findings}
    shown = [f.id for f in report.findings if f.status is not Status.COMPLIANT]
    outputs = {
        "to_records": {r["finding_id"]: _split(r["countries"]) for r in report.to_records()},
        "csv": _csv(report),
        "jsonl": _jsonl(report),
        "html": _html(report),
        "ocsf": _ocsf(report),
    }
    for name, got in outputs.items():
        assert got == expected, name
    sarif = _sarif(report)  # SARIF lists what needs attention: no compliant results
    assert sarif == {fid: expected[fid] for fid in shown}
    pd = pytest.importorskip("pandas")
    df = report.to_dataframe()
    assert isinstance(df, pd.DataFrame)
    assert dict(zip(df["finding_id"], map(tuple, df["countries"]), strict=True)) == expected


def test_a_multi_region_with_unpublished_members_lists_its_candidate_countries() -> None:
    report = _asia_report()
    (asia,) = [f for f in report.findings if f.resource.name == "asia-bucket"]
    assert countries_of(asia) == ASIA
    assert finding_record(asia)["countries"] == ";".join(ASIA)
    assert [f.resource.name for f in report.by_country("jp").findings] == ["asia-bucket"]
    (eu,) = [f for f in report.findings if f.resource.name == "eu-bucket"]
    assert countries_of(eu) == ("DE", "TW")  # its copy counts too


def test_summary_counts_a_report_and_a_stream_alike() -> None:
    report = _demo_report()
    assert report.summary == Summary.of(report.findings, gaps=len(report.coverage.gaps))
    counts = {s: len(report.by_status(s)) for s in Status}
    assert Summary.of_counts(counts, report.summary.gaps) == report.summary
    assert report.summary.total == len(report.findings) > 0


def test_sorted_findings_is_worst_first() -> None:
    ordered = sorted_findings(_demo_report())
    ranks = [STATUS_ORDER[f.status] for f in ordered]
    assert ranks == sorted(ranks)
    assert ranks[0] == 0


@pytest.mark.parametrize(
    ("summary", "fail_on", "expected"),
    [
        (Summary(violation=1), (), True),
        (Summary(violation=1), ("never",), False),
        (Summary(unknown=1), ("violation",), False),
        (Summary(unknown=1), ("unknown",), True),
        (Summary(gaps=1), ("violation", "unknown"), False),
        (Summary(gaps=1), ("gap",), True),
        (Summary(compliant=3), ("violation", "unknown", "gap"), False),
    ],
)
def test_fails(summary: Summary, fail_on: tuple[str, ...], expected: bool) -> None:
    assert fails(summary, fail_on) is expected
