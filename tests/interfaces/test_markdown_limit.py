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
