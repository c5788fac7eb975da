"""Markdown stays under GitHub's 65,536-character comment limit, and says when it was cut."""

from __future__ import annotations

from cloudaudit import evaluate
from cloudaudit.formats import render
from cloudaudit.formats.markdown import MAX_CHARS
from cloudaudit.models import Coverage, CoverageGap
from cloudaudit.report import Report
from cloudaudit.testing import make_resource


def test_a_small_report_is_not_cut(report: Report) -> None:
    text = render(report, "markdown")
    assert "Truncated" not in text and len(text) < MAX_CHARS


def test_a_large_report_is_cut_with_a_notice_and_keeps_its_gaps() -> None:
    regions = ["ap-east-1", "cn-north-1", "xx-none-1"]
    resources = [
        make_resource("aws", regions[i % 3], name=f"bucket-{i}", id=f"arn:aws:s3:::b{i}")
        for i in range(3000)
    ]
    gap = CoverageGap(provider="aws", scope="aws/1/me-south-1/*", code="OptInRequired", message="x")
    big = evaluate(resources, "us-foreign-adversaries", coverage=Coverage(gaps=(gap,)))
    text = render(big, "markdown")
    assert len(text) <= MAX_CHARS
    assert "**Truncated** to stay under 65,536 characters" in text
    assert "aws/1/me-south-1/\\*" in text  # the gaps survive the cut
    assert text.startswith("# cloudaudit report")
    assert "| 3000 |" in text or "3000" in text  # the summary counts every resource


def _every_line_first(report: Report, max_chars: int) -> str:
    """The text with every finding's row made first, then cut as a whole (the former way)."""
    from cloudaudit.formats import markdown as md
    from cloudaudit.formats._guardrails import guardrail_markdown
    from cloudaudit.report import NOT_COMPLIANT, sorted_findings

    rows = [md._row(f) for f in sorted_findings(report) if f.status in NOT_COMPLIANT]
    findings = [*md._FINDINGS_HEAD, *rows, ""] if rows else list(md._findings(report)[0])
    head = md._summary(report)
    body = [*findings, *md._countries(report), *guardrail_markdown(report)]
    tail = md._gaps(report)
    text = "\n".join([*head, *body, *tail])
    return text if len(text) <= max_chars else md._truncated(head, body, 0, tail, max_chars)


def test_rows_past_the_limit_are_counted_not_made() -> None:
    """Rows are made until the text must be cut; the cut and its count are as before."""
    from cloudaudit.formats.markdown import render_markdown

    resources = [
        make_resource("aws", ("ap-east-1", "eu-west-1", "xx-none-1")[i % 3], name=f"b-{i}")
        for i in range(900)
    ]
    big = evaluate(resources, "us-foreign-adversaries")
    eager = big.model_copy(update={"findings": tuple(big.findings)})
    for limit in (1_500, 4_000, 20_000, 200_000, MAX_CHARS):
        text = render_markdown(big, max_chars=limit)
        assert text == render_markdown(eager, max_chars=limit) == _every_line_first(big, limit)
        assert len(text) <= limit
