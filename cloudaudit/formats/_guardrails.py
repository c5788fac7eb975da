"""Guardrail rows shared by the table, Markdown and HTML formats (one place, small hooks).

Every format shows the same columns for a guardrail finding: what kind of disagreement it is,
the cloud, the scope, the guardrail, the locations concerned and the reason.
"""

from __future__ import annotations

import html
import textwrap

from cloudaudit._guardrail_model import GuardrailFinding, GuardrailFindingKind
from cloudaudit.report import Report

__all__ = [
    "GUARDRAIL_COLUMNS",
    "KIND_TEXT",
    "guardrail_html",
    "guardrail_markdown",
    "guardrail_rows",
    "guardrail_text",
]

KIND_TEXT = {
    GuardrailFindingKind.PERMITS_RESTRICTED: "permits a restricted location",
    GuardrailFindingKind.RESOURCE_OUTSIDE: "resource outside its guardrail",
    GuardrailFindingKind.NO_GUARDRAIL: "no guardrail",
}
GUARDRAIL_COLUMNS = ("finding", "provider", "scope", "guardrail", "locations", "reason")


def _row(f: GuardrailFinding) -> tuple[str, ...]:
    return (
        KIND_TEXT[f.kind],
        f.provider,
        f.scope,
        f.guardrail or "-",
        ", ".join(f.locations) or "-",
        " | ".join(f.reasons),
    )


def guardrail_rows(report: Report) -> list[tuple[str, ...]]:
    """One row per guardrail finding (empty when the report read no guardrails)."""
    if report.guardrails is None:
        return []
    return [_row(f) for f in report.guardrails.findings]


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def guardrail_markdown(report: Report) -> list[str]:
    """The ``## Guardrails`` section's lines (none when guardrails were not read)."""
    section = report.guardrails
    if section is None:
        return []
    lines = [
        "## Guardrails",
        "",
        f"{len(section.guardrails)} location guardrail(s) read over {len(section.checked)} "
        f"scope(s); {len(section.findings)} finding(s).",
        "",
    ]
    if section.findings:
        lines.append("| " + " | ".join(c.capitalize() for c in GUARDRAIL_COLUMNS) + " |")
        lines.append("|" + "---|" * len(GUARDRAIL_COLUMNS))
        lines.extend(
            "| " + " | ".join(_md(c) for c in row) + " |" for row in guardrail_rows(report)
        )
        lines.append("")
    return lines


def guardrail_html(report: Report) -> str:
    """The guardrails section as an HTML fragment (empty when guardrails were not read)."""
    section = report.guardrails
    if section is None:
        return ""
    head = "".join(f"<th>{html.escape(c)}</th>" for c in GUARDRAIL_COLUMNS)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
        for row in guardrail_rows(report)
    )
    return (
        '<section id="guardrails"><h2>Guardrails</h2>'
        f"<p>{len(section.guardrails)} location guardrail(s) read over "
        f"{len(section.checked)} scope(s); {len(section.findings)} finding(s).</p>"
        f'<table class="guardrails"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
        "</section>"
    )


def guardrail_text(report: Report, width: int) -> list[str]:
    """The guardrails section as wrapped plain-text lines (none when guardrails were not read)."""
    section = report.guardrails
    if section is None:
        return []
    lines = [
        f"Guardrails: {len(section.guardrails)} read over {len(section.checked)} scope(s); "
        f"{len(section.findings)} finding(s)"[:width]
    ]
    for f in section.findings:
        head = " · ".join(c for c in _row(f)[:5] if c != "-")
        lines += textwrap.wrap(head, width=width, initial_indent="  - ", subsequent_indent="    ")
        for reason in f.reasons:
            lines += textwrap.wrap(
                reason,
                width=width,
                initial_indent="    ",
                subsequent_indent="    ",
                break_on_hyphens=False,
            )
    return [*lines, ""]
