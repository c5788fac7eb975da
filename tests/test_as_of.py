"""--as-of: legal lists and exemptions judged as they stood on a date."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

import cloudaudit
from cloudaudit.cli import main
from cloudaudit.models import Status
from cloudaudit.policies import load_lists
from cloudaudit.report import Report
from cloudaudit.testing import FakeProvider, make_resource


def _status(region: str, policy: str, on: date | None, provider: str = "aws") -> Status:
    report = cloudaudit.audit([FakeProvider([make_resource(provider, region)])], policy, today=on)
    return report.findings[0].status


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2025, 12, 31), Status.VIOLATION),
        (date(2026, 1, 28), Status.COMPLIANT),
        (None, Status.COMPLIANT),
    ],
)
def test_brazil_adequacy_counts_from_its_decision(on: date | None, expected: Status) -> None:
    assert _status("sa-east-1", "eu-gdpr", on) is expected


def test_a_member_removed_from_a_list_counts_only_before_its_end() -> None:
    ofac = load_lists()["us-ofac-embargoed"]
    syria = next(m for m in ofac.members if m.short == "Syria")
    assert syria.until == date(2025, 7, 1)
    assert syria in ofac.members_on(date(2025, 6, 30))
    assert syria not in ofac.members_on(date(2025, 7, 1))
    today = cloudaudit.load_policy("ofac-embargoed").rules
    assert "SY" not in today.countries


def test_a_list_not_yet_in_force_restricts_nothing() -> None:
    dsp = load_lists()["us-dsp-countries-of-concern"]
    assert dsp.members_on(date(2025, 4, 7)) == ()
    assert dsp.members_on(date(2025, 4, 8))
    assert _status("ap-east-1", "us-data-security-program", date(2025, 4, 7)) is Status.COMPLIANT
    assert _status("ap-east-1", "us-data-security-program", date(2025, 4, 8)) is Status.VIOLATION


def test_cli_as_of_and_evidence_on_an_audit(tmp_path: Path) -> None:
    """`audit ... --as-of` judges by that date; `--evidence` writes a bundle that replays."""
    inv = tmp_path / "inv.json"
    inv.write_text(
        json.dumps(
            [
                {
                    "provider": "aws",
                    "account": "111122223333",
                    "service": "s3",
                    "type": "bucket",
                    "id": "sp-data",
                    "region": "sa-east-1",
                }
            ]
        )
    )
    runner = CliRunner()
    base = ["audit", "inventory", str(inv), "--policy", "eu-gdpr", "--format", "json"]
    before = runner.invoke(main, [*base, "--as-of", "2025-12-31"])
    assert before.exit_code == 1, before.output
    assert Report.from_json(before.stdout).findings[0].status is Status.VIOLATION
    bundle = tmp_path / "ev"
    now = runner.invoke(main, [*base, "--evidence", str(bundle)])
    assert now.exit_code == 0, now.output
    assert Report.from_json(now.stdout).findings[0].status is Status.COMPLIANT
    assert runner.invoke(main, ["verify", str(bundle)]).exit_code == 0
    old = runner.invoke(main, ["replay", str(bundle), "--as-of", "2025-12-31", "--format", "json"])
    assert Report.from_json(old.stdout).findings[0].status is Status.VIOLATION
    bad = runner.invoke(main, [*base, "--as-of", "31/12/2025"])
    assert bad.exit_code == 2 and "--as-of" in bad.output


def test_reports_record_the_dated_sources_they_used() -> None:
    on = date(2025, 6, 30)
    report = cloudaudit.audit(
        [FakeProvider([make_resource("aws", "ap-east-1"), make_resource("aws", "eu-west-1")])],
        "ofac-embargoed",
        today=on,
    )
    assert report.sources is not None and report.sources.as_of == on
    regions = {(e.provider, e.region): e for e in report.sources.catalog}
    hk = regions[("aws", "ap-east-1")]
    assert hk.country == "HK" and hk.reviewed and hk.source and hk.verified
    (ofac,) = report.sources.lists
    assert ofac.id == "us-ofac-embargoed" and ofac.reviewed and ofac.citation
    assert ofac.members_on_as_of == 6  # Syria still on the list that day
    later = cloudaudit.evaluate(report.findings[0:1][0:0], "ofac-embargoed")
    assert later.sources is not None and later.sources.lists[0].members_on_as_of == 5
    assert Report.from_json(report.to_json()).sources == report.sources
