"""The human-readable table: summary, findings worst first, coverage gaps (rich).

The CLI prints it with colour on a terminal; :func:`cloudaudit.formats.render` gives it
without colour.
"""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table
from rich.text import Text

from cloudaudit.formats._guardrails import GUARDRAIL_COLUMNS, guardrail_rows
from cloudaudit.models import Status
from cloudaudit.report import Report, sorted_findings

__all__ = ["render_table"]

_STYLE = {
    Status.VIOLATION: "bold red",
    Status.UNKNOWN: "yellow",
    Status.EXEMPT: "cyan",
    Status.COMPLIANT: "green",
}


def render_table(
    report: Report, *, width: int = 140, color: bool = False, show_compliant: bool = True
) -> str:
    """Return a human-readable table of the report: summary, findings, coverage gaps."""
    buf = io.StringIO()
    console = Console(
        file=buf, width=width, force_terminal=color, no_color=not color, highlight=False
    )
    s = report.summary
    console.print(
        Text(
            f"cloudaudit {report.tool_version} · policy {report.policy_id} "
            f"v{report.policy_version}",
            style="bold",
        )
    )
    console.print(
        f"{s.total} resources: {s.violation} violation, {s.unknown} unknown, "
        f"{s.exempt} exempt, {s.compliant} compliant; "
        f"{s.gaps} coverage gap(s)"
    )
    table = Table(show_lines=True, expand=True)
    for col, ratio in (
        ("status", 1),
        ("provider", 1),
        ("resource", 3),
        ("location", 2),
        ("reasons", 7),
    ):
        table.add_column(col, ratio=ratio, overflow="fold")
    for f in sorted_findings(report):
        if f.status is Status.COMPLIANT and not show_compliant:
            continue
        r = f.resource
        where = r.location.zone or r.location.region or "-"
        table.add_row(
            Text(f.status.value, style=_STYLE[f.status]),
            r.provider.value,
            Text(f"{r.type} {r.name}\n{r.account}"),
            Text(where),
            Text("\n".join(f"• {x}" for x in f.reasons)),
        )
    console.print(table)
    _guardrails(console, report)
    if report.coverage.gaps:
        gaps = Table(title="Coverage gaps: not audited, never counted as compliant", expand=True)
        for col in ("scope", "code", "message"):
            gaps.add_column(col, overflow="fold")
        for g in report.coverage.gaps:
            gaps.add_row(Text(g.scope), Text(g.code), Text(g.message))
        console.print(gaps)
    else:
        console.print("Coverage: complete (no gaps).")
    return buf.getvalue()


def _guardrails(console: Console, report: Report) -> None:
    if report.guardrails is None:
        return
    section = report.guardrails
    table = Table(
        title=f"Guardrails: {len(section.guardrails)} read over {len(section.checked)} scope(s)",
        expand=True,
    )
    for col in GUARDRAIL_COLUMNS:
        table.add_column(col, overflow="fold")
    for row in guardrail_rows(report):
        table.add_row(*(Text(c) for c in row))
    console.print(table)
