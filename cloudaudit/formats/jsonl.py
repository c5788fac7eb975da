"""JSON Lines: one flat JSON object per finding (:func:`~cloudaudit.report.finding_record`).

:func:`render_jsonl` renders a finished report. :func:`write_jsonl` streams: it writes each
finding as soon as it is decided (from :func:`~cloudaudit.audit_iter`), so that an estate of
any size is written without holding its findings, then one final summary line.

When the audit read guardrails, :func:`render_jsonl` writes one ``{"record": "guardrail", ...}``
line per guardrail finding (:func:`guardrail_row`) before the summary line. A streamed audit
cannot: comparing guardrails with the estate needs every resource, which streaming does not
keep, so :func:`write_jsonl` writes no guardrail lines; render a saved JSON report
(``cloudaudit render REPORT.json --format jsonl``) to get them.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, TextIO

from cloudaudit._guardrail_model import GuardrailFinding
from cloudaudit.formats._stream import batches, rendered
from cloudaudit.models import Coverage, Finding, Status
from cloudaudit.report import Report, Summary, finding_record

__all__ = [
    "finding_row",
    "guardrail_row",
    "render_jsonl",
    "summary_row",
    "write_jsonl",
    "write_jsonl_report",
]


def render_jsonl(report: Report) -> str:
    """Return one JSON object per line: one per finding, one per guardrail finding, a summary.

    Each row also carries the report's ``started_at`` so that lines from several audits can be
    appended to one file or shipped to a SIEM and still be told apart. The last line is the
    same ``{"record": "summary", ...}`` line a streamed audit ends with (:func:`summary_row`):
    the counts and every coverage gap, so no reader mistakes what was not seen for nothing.
    The text is what :func:`write_jsonl_report` writes.
    """
    return rendered(write_jsonl_report, report)


def write_jsonl_report(report: Report, stream: TextIO) -> None:
    """Write :func:`render_jsonl`'s text a batch of findings at a time, never the whole text."""
    started = report.started_at.isoformat()
    for batch in batches(report.findings):
        stream.write(
            "".join(json.dumps(finding_row(f, started), ensure_ascii=False) + "\n" for f in batch)
        )
    if report.guardrails is not None:
        for rows in batches(report.guardrails.findings):
            stream.write(
                "".join(
                    json.dumps(guardrail_row(f, started), ensure_ascii=False) + "\n" for f in rows
                )
            )
    summary = summary_row(report.summary, report.coverage, started)
    stream.write(json.dumps(summary, ensure_ascii=False) + "\n")


def finding_row(finding: Finding, audited_at: str) -> dict[str, Any]:
    """The JSONL row of one finding: exactly the row :func:`render_jsonl` writes for it."""
    return {**finding_record(finding), "audited_at": audited_at}


def guardrail_row(finding: GuardrailFinding, audited_at: str) -> dict[str, Any]:
    """The JSONL row of a guardrail finding, told apart by ``"record": "guardrail"``."""
    return {"record": "guardrail", "audited_at": audited_at, **finding.model_dump(mode="json")}


def summary_row(summary: Summary, coverage: Coverage | None, audited_at: str) -> dict[str, Any]:
    """The final line of a streamed file: counts, and the coverage gaps in full.

    It is told apart from finding rows by ``"record": "summary"`` (finding rows have no
    ``record`` key). ``coverage`` is ``None`` when the audit stopped before its end, which
    the line says with ``"complete": false`` and ``"coverage": null``.
    """
    cov: dict[str, Any] | None = None
    if coverage is not None:
        cov = {
            "audited": len(coverage.audited),
            "gaps": [g.model_dump(mode="json") for g in coverage.gaps],
        }
    return {
        "record": "summary",
        "audited_at": audited_at,
        **summary.model_dump(mode="json"),
        "complete": coverage is not None and not coverage.gaps,
        "coverage": cov,
    }


def write_jsonl(
    findings: Iterable[Finding],
    stream: TextIO,
    *,
    coverage_sink: Sequence[Coverage] | None = None,
    started_at: datetime | None = None,
    flush: bool = True,
) -> Summary:
    """Write each finding as one line as soon as it arrives, then one summary line.

    Memory stays flat: nothing but counts is kept. Pass the ``coverage_sink`` list given to
    :func:`~cloudaudit.audit_iter`; it is read once ``findings`` is exhausted.

    Example:
        >>> import io
        >>> from cloudaudit import audit_iter
        >>> from cloudaudit.testing import FakeProvider, make_resource
        >>> sink, out = [], io.StringIO()
        >>> findings = audit_iter(FakeProvider([make_resource("aws", "ap-east-1")]),
        ...                       "us-foreign-adversaries", coverage_sink=sink)
        >>> write_jsonl(findings, out, coverage_sink=sink).violation
        1

    Args:
        findings: Findings, typically from :func:`~cloudaudit.audit_iter`.
        stream: A text stream (stdout, a file).
        coverage_sink: The list :func:`~cloudaudit.audit_iter` appends the coverage to.
        started_at: Stamped on every row as ``audited_at``; defaults to now.
        flush: Flush after every line (a reader tailing the file sees findings at once).

    Returns:
        The counts, gaps included.
    """
    audited_at = (started_at or datetime.now(UTC)).isoformat()
    counts: Counter[Status] = Counter()
    for f in findings:
        counts[f.status] += 1
        stream.write(json.dumps(finding_row(f, audited_at), ensure_ascii=False) + "\n")
        if flush:
            stream.flush()
    coverage = coverage_sink[-1] if coverage_sink else None
    summary = Summary.of_counts(counts, len(coverage.gaps) if coverage is not None else 0)
    stream.write(json.dumps(summary_row(summary, coverage, audited_at), ensure_ascii=False) + "\n")
    stream.flush()
    return summary
