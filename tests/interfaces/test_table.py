"""The terminal table: fits the width, never breaks a status word, says country and operator."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from cloudaudit import evaluate
from cloudaudit.cli import _outputs, main
from cloudaudit.formats.table import TableOptions, render_table
from cloudaudit.report import Report
from cloudaudit.testing import make_resource

STATUS = re.compile(r"^(violation|unknown|exempt|compliant) ")
ANSI = "\x1b["


@pytest.mark.parametrize("width", [60, 80, 120, 200])
def test_every_line_fits_and_status_words_stay_whole(report: Report, width: int) -> None:
    text = render_table(report, TableOptions(width=width))
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= width
    rows = [line for line in lines if STATUS.match(line)]
    assert len(rows) == report.summary.total  # the demo is small: every finding has a row
    assert not re.search(r"\bviolati(?!on)|\bcomplia(?!nt)", text)


def test_country_and_operator_jurisdiction_columns(report: Report) -> None:
    text = render_table(report, TableOptions(width=80))
    header = next(line for line in text.splitlines() if line.startswith("status"))
    assert header.split()[:5] == ["status", "cloud", "country", "operator", "region"]
    fra = next(line for line in text.splitlines() if "acme-fra-oss" in line)
    assert fra.split()[:5] == ["violation", "alibaba", "DE", "CN", "eu-central-1"]


def test_only_hides_the_other_statuses() -> None:
    demo = Report.from_json(CliRunner().invoke(main, ["demo", "--format", "json"]).stdout)
    result = CliRunner().invoke(main, ["demo", "--only", "violation,unknown"])
    rows = [line.split()[0] for line in result.stdout.splitlines() if STATUS.match(line)]
    assert set(rows) == {"violation", "unknown"}
    assert len(rows) == demo.summary.violation + demo.summary.unknown


def test_bad_only_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["demo", "--only", "violations"])
    assert result.exit_code == 2 and "'violations'" in result.stderr


def test_colour_only_on_a_terminal_and_never_with_no_color(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    plain = CliRunner().invoke(main, ["demo"]).stdout
    assert ANSI not in plain  # not a terminal
    monkeypatch.setattr(_outputs, "stdout_is_terminal", lambda: True)
    # color=True: click.echo keeps ANSI codes, as it does on a real terminal
    assert ANSI in CliRunner().invoke(main, ["demo"], color=True).stdout
    assert ANSI not in CliRunner().invoke(main, ["demo", "--no-color"], color=True).stdout
    monkeypatch.setenv("NO_COLOR", "1")
    assert ANSI not in CliRunner().invoke(main, ["demo"], color=True).stdout


def test_a_large_report_prints_a_summary_and_the_worst_findings() -> None:
    regions = ["eu-west-1", "ap-east-1", "us-east-1", "xx-none-1", "cn-north-1"]
    resources = [
        make_resource("aws", regions[i % 5], name=f"b{i}", id=f"arn:aws:s3:::b{i}")
        for i in range(20_000)
    ]
    big = evaluate(resources, "us-foreign-adversaries")
    text = render_table(big, TableOptions(width=100))
    lines = text.splitlines()
    assert len(lines) < 300 and len(text) < 40_000  # not 20,000 rows
    rows = [line.split()[0] for line in lines if STATUS.match(line)]
    assert len(rows) == 50 and set(rows) == {"violation"}  # worst first
    assert "Countries (resource's own location)" in text
    assert "HK 4000/0/0/0" in text and "CN 4000/0/0/0" in text
    more = big.summary.violation + big.summary.unknown - 50
    assert f"... and {more} more findings" in text
    assert f"({big.summary.compliant} compliant resources not listed" in text
