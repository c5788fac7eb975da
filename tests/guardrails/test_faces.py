"""Guardrail findings in every face: demo, table, Markdown, HTML, SARIF, OCSF, CLI, diff."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cloudaudit import audit, diff
from cloudaudit.cli import main
from cloudaudit.cli._render import render_diff
from cloudaudit.demo import AWS_ACCOUNT, AZURE_SUB, demo_policy, demo_providers
from cloudaudit.formats import render
from cloudaudit.guardrails import GuardrailFindingKind, GuardrailScope
from cloudaudit.report import Report
from cloudaudit.testing import FakeProvider, make_resource

SCHEMAS = Path(__file__).parents[1] / "interfaces" / "schemas"


@pytest.fixture(scope="module")
def report() -> Report:
    return audit(list(demo_providers()), demo_policy())


def test_demo_shows_one_of_each_finding(report: Report) -> None:
    assert report.guardrails is not None
    kinds = [f.kind for f in report.guardrails.findings]
    assert kinds == list(GuardrailFindingKind)
    permits, outside, none = report.guardrails.findings
    assert permits.locations == ("ap-east-1",) and permits.jurisdictions == ("HK",)
    assert (
        "allows ap-east-1, Hong Kong (HK), which 15 CFR 791.4 counts as part of China"
        in (permits.reasons[0])
    )
    assert outside.account == AWS_ACCOUNT and outside.locations == ("ap-southeast-9",)
    assert outside.resource_id == "arn:aws:s3:::acme-new-region-bucket"
    assert none.provider == "azure" and none.scope == AZURE_SUB


def test_table_markdown_and_html_show_the_rows(report: Report) -> None:
    table = render(report, "table")
    assert "Guardrails: 1 read over 2 scope(s); 3 finding(s)" in table
    assert "resource outside its guardrail · aws · 111122223333" in table
    assert "permits a restricted location" in table and "no guardrail" in table
    md = render(report, "markdown")
    assert "## Guardrails" in md
    assert md.count("| resource outside its guardrail | aws | 111122223333 |") == 1
    html = render(report, "html")
    assert '<section id="guardrails">' in html and "acme-new-region-bucket" in html


def test_formats_without_guardrails_are_unchanged() -> None:
    plain = audit(FakeProvider([make_resource("aws", "ap-east-1")]), "us-foreign-adversaries")
    assert plain.guardrails is None
    assert "Guardrails" not in render(plain, "table")
    assert "## Guardrails" not in render(plain, "markdown")
    assert "/guardrail/" not in render(plain, "sarif")


def test_sarif_guardrail_results_have_their_own_rules_and_validate(report: Report) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    log = json.loads(render(report, "sarif"))
    schema = json.loads((SCHEMAS / "sarif-2.1.0-rtm.5.json").read_text())
    jsonschema.Draft4Validator(schema).validate(log)
    (run,) = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    mine = [r for r in run["results"] if "/guardrail/" in r["ruleId"]]
    assert [r["ruleId"] for r in mine] == [
        "us-foreign-adversaries/guardrail/permits_restricted",
        "us-foreign-adversaries/guardrail/resource_outside",
        "us-foreign-adversaries/guardrail/no_guardrail",
    ]
    for r in mine:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
        assert rules[r["ruleIndex"]]["help"]["text"]
        fid = r["partialFingerprints"]["cloudauditGuardrailFindingId/v1"]
        assert r["partialFingerprints"]["primaryLocationLineHash"] == f"{fid}:1"
        uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri.startswith("cloud/") and "/guardrail/" in uri
    assert mine[1]["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == (
        "arn:aws:s3:::acme-new-region-bucket"
    )
    assert [r["level"] for r in mine] == ["error", "error", "warning"]


def test_ocsf_guardrail_events_validate(report: Report) -> None:
    cf = pytest.importorskip("py_ocsf_models.events.findings.compliance_finding")
    events = json.loads(render(report, "ocsf"))
    mine = [e for e in events if "Guardrail" in e["finding_info"]["types"]]
    assert [e["status_code"] for e in mine] == [k.value for k in GuardrailFindingKind]
    for event in mine:
        model = cf.ComplianceFinding.model_validate(event)
        assert model.compliance.status_id == 3  # Fail, never Pass
    assert mine[0]["compliance"]["requirements"] == ["HK"]


def test_cli_guardrails_shows_them_alone(report: Report, tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    path.write_text(report.to_json())
    result = CliRunner().invoke(main, ["guardrails", str(path)])
    assert result.exit_code == 1
    assert "## Guardrails" in result.stdout and "Hong Kong (HK)" in result.stdout
    assert "## Findings" not in result.stdout
    result = CliRunner().invoke(main, ["guardrails", str(path), "--format", "json"])
    assert [f["kind"] for f in json.loads(result.stdout)["findings"]] == [
        k.value for k in GuardrailFindingKind
    ]
    plain = tmp_path / "plain.json"
    plain.write_text(audit(FakeProvider([]), "us-foreign-adversaries").to_json())
    result = CliRunner().invoke(main, ["guardrails", str(plain)])
    assert result.exit_code == 2 and "--guardrails" in result.stderr


def test_audit_commands_accept_guardrails_flag() -> None:
    for cloud in ("aws", "azure", "gcp"):
        result = CliRunner().invoke(main, ["audit", cloud, "--help"])
        assert "--guardrails" in result.stdout, cloud


def test_diff_shows_guardrail_changes(report: Report) -> None:
    before = audit(FakeProvider([]), "us-foreign-adversaries")
    d = diff(before, report)
    assert len(d.new_guardrail_findings) == 3 and d.worse
    assert d.closed_guardrail_findings == ()
    text = render_diff(d)
    assert "new guardrail findings: 3" in text
    back = diff(report, audit(FakeProvider([], guardrail_scopes=()), "us-foreign-adversaries"))
    assert back.closed_guardrail_findings == ()  # the newer audit did not read guardrails
    assert d.summary()["new_guardrail_findings"] == 3
    scope = GuardrailScope(provider="aws", kind="account", id=AWS_ACCOUNT)
    later = audit(FakeProvider([], name="aws", guardrail_scopes=[scope]), "us-foreign-adversaries")
    d2 = diff(report, later)
    assert len(d2.closed_guardrail_findings) == 3
    assert [f.kind.value for f in d2.new_guardrail_findings] == ["no_guardrail"]
    assert "closed guardrail findings: 3" in render_diff(d2)


def test_streamed_jsonl_says_it_does_not_compare_guardrails(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from cloudaudit.cli._common import run_providers

    with pytest.raises(SystemExit):
        run_providers(list(demo_providers()), demo_policy(), "jsonl", None, max_workers=2)
    out, err = capsys.readouterr()
    assert '"record": "summary"' in out and '"record": "guardrail"' not in out
    assert "guardrails were read but a streamed JSONL audit does not compare them" in err
    plain = FakeProvider([make_resource("aws", "ap-east-1")])
    with pytest.raises(SystemExit):
        run_providers([plain], demo_policy(), "jsonl", None, max_workers=2)
    assert "guardrails" not in capsys.readouterr().err
