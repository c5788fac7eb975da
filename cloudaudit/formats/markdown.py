"""A Markdown summary: counts, non-compliant findings and coverage gaps (for PRs, tickets)."""

from __future__ import annotations

import re

from cloudaudit.formats._guardrails import guardrail_markdown
from cloudaudit.models import Status
from cloudaudit.report import Report, by_country_status, sorted_findings

__all__ = ["md_escape", "render_markdown"]

_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def md_escape(text: str) -> str:
    """Escape text for a Markdown table cell: no markup, no HTML, no line breaks."""
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


def _findings(report: Report) -> list[str]:
    rows = [f for f in sorted_findings(report) if f.status is not Status.COMPLIANT]
    if not rows:
        return ["No violation, unknown or exempt resource.", ""]
    out = [
        "## Findings",
        "",
        "| status | provider | account | resource | location | reasons |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for f in rows:
        r = f.resource
        where = r.location.zone or r.location.region or "-"
        out.append(
            f"| {f.status.value} | {r.provider.value} | {md_escape(r.account)} | "
            f"{md_escape(r.type)} {md_escape(r.name)} | {md_escape(where)} | "
            f"{md_escape('; '.join(f.reasons))} |"
        )
    return [*out, ""]


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


def render_markdown(report: Report) -> str:
    """Return a Markdown summary of the report."""
    lines = [*_summary(report), *_findings(report), *_countries(report)]
    lines += [*guardrail_markdown(report), *_gaps(report)]
    return "\n".join(lines)
