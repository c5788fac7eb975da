"""A Markdown summary: counts, non-compliant findings and coverage gaps (for PRs, tickets)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import chain

from cloudaudit._text import visible
from cloudaudit.formats._guardrails import guardrail_markdown
from cloudaudit.models import Finding, Status
from cloudaudit.report import (
    NOT_COMPLIANT,
    Report,
    by_country_status,
    status_counts,
    worst_first,
)

__all__ = ["md_escape", "render_markdown"]

_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def md_escape(text: str) -> str:
    r"""Escape text for a Markdown table cell: no markup, no HTML, no line breaks.

    Control characters and bidi overrides are shown escaped (``\x1b``, ``\u202e``).
    """
    text = re.sub(r"[\r\n]+", " ", text)
    text = visible(text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = re.sub(r"[\r\n]+", " ", text)
    return _SPECIAL.sub(r"\\\1", text)


def _summary(report: Report) -> list[str]:
    s = report.summary
    return [
        f"# cloudaudit report: {md_escape(report.policy_id)} v{md_escape(report.policy_version)}",
        "",
        f"Audited {report.started_at:%Y-%m-%d %H:%M} UTC with cloudaudit {report.tool_version}.",
        "",
        "| status | resources |",
        "| --- | ---: |",
        f"| violation | {s.violation} |",
        f"| unknown | {s.unknown} |",
        f"| exempt | {s.exempt} |",
        f"| compliant | {s.compliant} |",
        f"| **total** | **{s.total}** |",
        f"| coverage gaps | {s.gaps} |",
        "",
    ]


_FINDINGS_HEAD = [
    "## Findings",
    "",
    "| status | provider | account | resource | location | reasons |",
    "| --- | --- | --- | --- | --- | --- |",
]


def _findings(report: Report) -> tuple[Iterator[str], int]:
    """The findings section's lines, each row made when reached, and how many lines it has."""
    counts = status_counts(report)
    n = sum(counts[s] for s in NOT_COMPLIANT)
    if not n:
        return iter(["No violation, unknown or exempt resource.", ""]), 2
    rows = map(_row, worst_first(report, NOT_COMPLIANT))  # each finding built when reached
    return chain(_FINDINGS_HEAD, rows, [""]), len(_FINDINGS_HEAD) + n + 1


def _row(f: Finding) -> str:
    r = f.resource
    where = r.location.zone or r.location.region or "-"
    return (
        f"| {f.status.value} | {r.provider.value} | {md_escape(r.account)} | "
        f"{md_escape(r.type)} {md_escape(r.name)} | {md_escape(where)} | "
        f"{md_escape('; '.join(f.reasons))} |"
    )


def _countries(report: Report) -> list[str]:
    out = ["## Resources by country", "", "| country | " + " | ".join(s.value for s in Status)]
    out[-1] += " |"
    out.append("| --- |" + " ---: |" * len(Status))
    for country, counts in by_country_status(report).items():
        out.append(f"| {country} | " + " | ".join(str(counts[s]) for s in Status) + " |")
    return [*out, ""]


def _gaps(report: Report) -> list[str]:
    if not report.coverage.gaps:
        return ["## Coverage", "", "Complete: nothing was left unaudited.", ""]
    out = [
        "## Coverage gaps",
        "",
        "Not audited, and never counted as compliant:",
        "",
        "| scope | code | message |",
        "| --- | --- | --- |",
    ]
    for g in report.coverage.gaps:
        out.append(f"| {md_escape(g.scope)} | {md_escape(g.code)} | {md_escape(g.message)} |")
    return [*out, ""]


MAX_CHARS = 65_536
"""GitHub's limit for a comment or issue body; longer output is cut with a notice."""


def _cut(lines: list[str], budget: int) -> tuple[list[str], int]:
    """The first lines that fit in ``budget`` characters, and how many lines were left out."""
    kept: list[str] = []
    used = 0
    for i, line in enumerate(lines):
        if used + len(line) + 1 > budget:
            return kept, len(lines) - i
        kept.append(line)
        used += len(line) + 1
    return kept, 0


def render_markdown(report: Report, *, max_chars: int = MAX_CHARS) -> str:
    """Return a Markdown summary of the report, at most ``max_chars`` characters long.

    The summary and the coverage gaps are kept; when the whole does not fit, the findings and
    countries are cut at a line and a notice says how much was left out.
    """
    head = _summary(report)
    rows, n_rows = _findings(report)
    rest = [*_countries(report), *guardrail_markdown(report)]
    tail = _gaps(report)
    # The body's lines are made until they alone pass max_chars: past that the text is cut
    # anyway, and the lines not made are only counted (a large estate's rows, built one by one).
    body: list[str] = []
    size = 0
    for line in chain(rows, rest):
        body.append(line)
        size += len(line) + 1
        if size > max_chars:
            break
    else:
        text = "\n".join([*head, *body, *tail])
        if len(text) <= max_chars:
            return text
    return _truncated(head, body, n_rows + len(rest) - len(body), tail, max_chars)


def _truncated(
    head: list[str], body: list[str], unmade: int, tail: list[str], max_chars: int
) -> str:
    """The text cut under ``max_chars``: the head, as much of ``body`` and ``tail`` as fits.

    ``body`` holds the body's first lines, enough to pass ``max_chars``; ``unmade`` counts
    the lines after them that were never made. The notice says how many lines were left out.
    """
    notice = (
        "> **Truncated** to stay under {limit:,} characters: {n} more lines of findings were "
        "left out. Every finding is in the JSON, CSV or HTML output "
        "(`--format json,csv,html --output-dir DIR`)."
    )
    reserve = len(notice) + 40
    fixed = len("\n".join(head)) + 1
    tail_text, tail_cut = _cut(tail, max(0, (max_chars - fixed - reserve) // 2))
    budget = max_chars - fixed - len("\n".join(tail_text)) - 1 - reserve
    kept, left = _cut(body, max(0, budget))
    lines = [*head, *kept, "", notice.format(limit=max_chars, n=left + unmade + tail_cut), ""]
    return "\n".join([*lines, *tail_text])
