"""Every format produced from one real audit, then checked: schema, parse back or render."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from iface_estate import EVIL_NAME, FORMULA_NAME

from cloudaudit.formats import FORMATS, render, write_report
from cloudaudit.formats.csv_ import COLUMNS, neutralise
from cloudaudit.models import Status
from cloudaudit.report import Report

SCHEMAS = Path(__file__).parent / "schemas"


def test_every_format_renders_text(report: Report) -> None:
    for fmt in FORMATS:
        out = render(report, fmt)
        assert isinstance(out, str)
        assert out.strip(), fmt
        buf = io.StringIO()
        write_report(report, fmt, buf)
        if fmt not in ("json", "sarif", "ocsf", "html", "markdown", "jsonl"):
            continue
        # deterministic formats (no clock at render time) give the same text twice
        assert buf.getvalue() == out


def test_unknown_format_is_a_configuration_error(report: Report) -> None:
    from cloudaudit.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="unknown format"):
        render(report, "pdf")


# --- SARIF -----------------------------------------------------------------------------------


def test_sarif_validates_against_the_official_schema(report: Report) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((SCHEMAS / "sarif-2.1.0-rtm.5.json").read_text())
    log = json.loads(render(report, "sarif"))
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def test_sarif_has_what_github_code_scanning_needs(report: Report) -> None:
    log = json.loads(render(report, "sarif"))
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-2.1.0.json")
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "cloudaudit"
    rule_ids = [r["id"] for r in driver["rules"]]
    assert all(r["help"]["text"] and r["properties"]["security-severity"] for r in driver["rules"])
    results = run["results"]
    non_compliant = [f for f in report.findings if f.status is not Status.COMPLIANT]
    gap_results = [r for r in results if r["ruleId"].endswith("/coverage-gap")]
    guardrail = report.guardrails.findings if report.guardrails else ()
    assert len(results) == len(non_compliant) + len(gap_results) + len(guardrail)
    assert len(gap_results) == len(report.coverage.gaps)
    fingerprints = [r["partialFingerprints"]["primaryLocationLineHash"] for r in results]
    assert len(set(fingerprints)) == len(results)
    by_fp = {r["partialFingerprints"]["primaryLocationLineHash"]: r for r in results}
    for f in non_compliant:
        res = by_fp[f"{f.id}:1"]
        assert res["ruleId"] in rule_ids
        assert driver["rules"][res["ruleIndex"]]["id"] == res["ruleId"]
        assert res["message"]["text"]
        (loc,) = res["locations"]
        assert loc["logicalLocations"][0]["fullyQualifiedName"] == f.resource.id
        assert loc["physicalLocation"]["artifactLocation"]["uri"].startswith("cloud/")
        expected = {"violation": "error", "unknown": "warning", "exempt": "note"}
        assert res["level"] == expected[f.status.value]
    exempt = [r for r in results if r["level"] == "note"]
    assert exempt
    assert all(r["suppressions"][0]["kind"] == "external" for r in exempt)
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert len(notes) == len(report.coverage.gaps) == 2
    assert any("AccessDenied" in n["message"]["text"] for n in notes)
    # a run with gaps did not execute successfully: code scanning shows it on the tool status
    assert run["invocations"][0]["executionSuccessful"] is False


def test_sarif_schema_check_catches_a_broken_log(report: Report) -> None:
    """The schema check is real: a result without a message fails it."""
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((SCHEMAS / "sarif-2.1.0-rtm.5.json").read_text())
    log = json.loads(render(report, "sarif"))
    del log["runs"][0]["results"][0]["message"]
    assert list(jsonschema.Draft4Validator(schema).iter_errors(log))


# --- OCSF ------------------------------------------------------------------------------------


def test_ocsf_events_validate_with_py_ocsf_models(report: Report) -> None:
    cf = pytest.importorskip("py_ocsf_models.events.findings.compliance_finding")
    events = json.loads(render(report, "ocsf"))
    assert report.coverage.gaps, "the demo estate has coverage gaps"
    guardrail = report.guardrails.findings if report.guardrails else ()
    assert len(events) == len(report.findings) + len(report.coverage.gaps) + len(guardrail)
    gap_events = [e for e in events if e["status_code"] == "gap"]
    assert [e["resources"][0]["uid"] for e in gap_events] == [g.scope for g in report.coverage.gaps]
    assert all(e["compliance"]["status_id"] == 2 for e in gap_events)  # Warning, never Pass
    for event in events:
        model = cf.ComplianceFinding.model_validate(event)
        assert model.class_uid == 2003
        assert int(model.type_uid) == 200301
        assert model.finding_info.uid
    by_uid = {e["finding_info"]["uid"]: e for e in events}
    for f in report.findings:
        e = by_uid[f.id]
        expected = {"compliant": 1, "unknown": 2, "violation": 3, "exempt": 3}[f.status.value]
        assert e["compliance"]["status_id"] == expected, f.status
        assert e["resources"][0]["uid"] == f.resource.id
        assert e["cloud"]["provider"] == f.resource.provider.value
        assert e["compliance"]["standards"] == [report.policy_id]


def test_ocsf_rejects_what_the_model_rejects(report: Report) -> None:
    """The model validation is real: an event without finding_info does not validate."""
    cf = pytest.importorskip("py_ocsf_models.events.findings.compliance_finding")
    from pydantic import ValidationError

    event = json.loads(render(report, "ocsf"))[0]
    del event["finding_info"]
    with pytest.raises(ValidationError):
        cf.ComplianceFinding.model_validate(event)


# --- CSV and JSONL ---------------------------------------------------------------------------


def test_csv_parses_back_one_row_per_finding(report: Report) -> None:
    all_rows = list(csv.DictReader(io.StringIO(render(report, "csv"))))
    rows = [r for r in all_rows if r["status"] != "gap" and r["service"] != "guardrails"]
    gaps = [r for r in all_rows if r["status"] == "gap"]
    assert len(rows) == len(report.findings)
    assert [g["resource_id"] for g in gaps] == [g.scope for g in report.coverage.gaps]
    assert all(g["reasons"].startswith("not audited (") for g in gaps)
    assert tuple(all_rows[0]) == COLUMNS
    records = {r["finding_id"]: r for r in report.to_records()}
    for row in rows:
        rec = records[row["finding_id"]]
        assert row["status"] == rec["status"]
        assert row["resource_id"] == rec["resource_id"]
    evil = [r for r in rows if r["resource_id"] == "arn:aws:s3:::evil-bucket"]
    assert evil[0]["name"] == EVIL_NAME
    formula = [r for r in rows if r["resource_id"] == "arn:aws:s3:::f"]
    assert formula[0]["name"] == "'" + FORMULA_NAME


def test_csv_guardrail_rows_follow_the_gaps_under_the_same_header(report: Report) -> None:
    assert report.guardrails is not None
    text = render(report, "csv")
    assert text.splitlines()[0] == ",".join(COLUMNS)
    all_rows = list(csv.DictReader(io.StringIO(text)))
    n = len(report.guardrails.findings)
    assert n == 3
    assert all(r["status"] == "gap" for r in all_rows[-n - len(report.coverage.gaps) : -n])
    tail = all_rows[-n:]
    assert [r["status"] for r in tail] == [
        f"guardrail-{f.kind.value}" for f in report.guardrails.findings
    ]
    assert [r["finding_id"] for r in tail] == [f.id for f in report.guardrails.findings]
    permits, outside, none = tail
    assert permits["region"] == "ap-east-1" and permits["jurisdictions"] == "HK"
    assert "Hong Kong" in permits["reasons"] and "SCP" in permits["reasons"]
    assert outside["resource_id"] == "arn:aws:s3:::acme-new-region-bucket"
    assert outside["account"] == "111122223333" and outside["region"] == "ap-southeast-9"
    assert none["provider"] == "azure" and none["reasons"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd", "'+cmd"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=x", "\\x09=x"),  # a control character is shown escaped: no formula either
        ("\r=x", "\\x0d=x"),
        ("safe=1", "safe=1"),
        (None, ""),
        (3, "3"),
    ],
)
def test_csv_neutralises_formulas(value: object, expected: str) -> None:
    assert neutralise(value) == expected


def test_jsonl_parses_back_one_object_per_finding(report: Report) -> None:
    *lines, last = render(report, "jsonl").splitlines()
    lines = [line for line in lines if '"record": "guardrail"' not in line]
    assert len(lines) == len(report.findings)
    summary = json.loads(last)  # the same summary line a streamed audit ends with
    assert summary["record"] == "summary" and summary["total"] == report.summary.total
    assert [g["code"] for g in summary["coverage"]["gaps"]] == [
        g.code for g in report.coverage.gaps
    ]
    assert summary["complete"] is False
    rows = [json.loads(line) for line in lines]
    assert {r["finding_id"] for r in rows} == {f.id for f in report.findings}
    assert all(set(COLUMNS) <= set(r) for r in rows)
    assert all(not isinstance(v, (dict, list)) for r in rows for v in r.values())


def test_jsonl_guardrail_records_come_before_the_summary(report: Report) -> None:
    assert report.guardrails is not None
    rows = [json.loads(line) for line in render(report, "jsonl").splitlines()]
    n = len(report.guardrails.findings)
    assert [r.get("record") for r in rows[-n - 1 :]] == ["guardrail"] * n + ["summary"]
    assert not any(r.get("record") for r in rows[: -n - 1])  # findings first
    guard = rows[-n - 1 : -1]
    assert [g["id"] for g in guard] == [f.id for f in report.guardrails.findings]
    assert [g["kind"] for g in guard] == [f.kind.value for f in report.guardrails.findings]
    assert guard[1]["resource_id"] == "arn:aws:s3:::acme-new-region-bucket"
    assert (
        guard[0]["locations"] == ["ap-east-1"] and guard[0]["audited_at"] == rows[-1]["audited_at"]
    )


def test_json_round_trips(report: Report) -> None:
    assert Report.from_json(render(report, "json")) == report


# --- Markdown --------------------------------------------------------------------------------


def test_markdown_summary(report: Report) -> None:
    md = render(report, "markdown")
    s = report.summary
    assert f"| violation | {s.violation} |" in md
    assert f"| coverage gaps | {s.gaps} |" in md
    assert "AccessDenied" in md
    assert "<script>" not in md
    table = [ln for ln in md.splitlines() if ln.startswith("| violation |") and ln.count("|") > 3]
    assert len(table) == s.violation
    # every findings row has exactly 6 cells: pipes in values are escaped
    for line in table:
        assert line.replace("\\|", "").count("|") == 7


# --- HTML ------------------------------------------------------------------------------------
