"""Terminal rendering: the report table, the drift summary and the audit progress bar."""

from __future__ import annotations

import io
import threading
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from cloudaudit.diff import ReportDiff
from cloudaudit.models import Finding, Report, Status
from cloudaudit.providers._fanout import Scope

__all__ = ["AuditProgress", "render_diff", "render_table"]

_STYLE = {
    Status.VIOLATION: "bold red",
    Status.UNKNOWN: "yellow",
    Status.EXEMPT: "cyan",
    Status.COMPLIANT: "green",
}
_ORDER = {Status.VIOLATION: 0, Status.UNKNOWN: 1, Status.EXEMPT: 2, Status.COMPLIANT: 3}


def _sort_key(f: Finding) -> tuple[int, str, str]:
    return (_ORDER[f.status], f.resource.provider.value, f.resource.id)


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
    for f in sorted(report.findings, key=_sort_key):
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


class AuditProgress:
    """One bar per provider; safe to call from the fan-out's worker threads.

    A provider may run several fan-outs one after the other (discovery, then regions): each
    time ``done`` starts again, the finished run's total is added to the bar's base.

    Args:
        console: Where to draw (stderr in the CLI).
    """

    def __init__(self, console: Console) -> None:
        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self._lock = threading.Lock()
        self._tasks: dict[str, tuple[TaskID, int, int, int]] = {}  # task, base, last done, total

    def __enter__(self) -> AuditProgress:
        self._progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._progress.stop()

    def __call__(self, done: int, total: int, scope: Scope) -> None:
        """Record that ``done`` of ``total`` units of ``scope.provider`` have finished."""
        with self._lock:
            name = scope.provider
            if name not in self._tasks:
                task = self._progress.add_task(name, total=total)
                self._tasks[name] = (task, 0, 0, total)
            task, base, last, last_total = self._tasks[name]
            if done <= last:  # a new fan-out run of the same provider
                base += last_total
            self._tasks[name] = (task, base, done, total)
            self._progress.update(task, completed=base + done, total=base + total)

    def snapshot(self) -> dict[str, tuple[float, float | None]]:
        """Return ``{provider: (completed, total)}`` (for tests and logs)."""
        with self._lock:
            return {t.description: (t.completed, t.total) for t in self._progress.tasks}


def _finding_line(f: Finding) -> str:
    r = f.resource
    where = r.location.zone or r.location.region or "-"
    reason = f.reasons[0] if f.reasons else ""
    return f"  {r.provider.value} {r.account} {r.type} {r.name} ({where}): {reason}"


def render_diff(d: ReportDiff) -> str:
    """Return a plain-text account of the drift between two reports."""
    lines = [
        f"drift from {d.old_started_at:%Y-%m-%d %H:%M} ({d.old_policy}) "
        f"to {d.new_started_at:%Y-%m-%d %H:%M} ({d.new_policy})"
    ]
    if d.old_policy != d.new_policy:
        lines.append("note: the two reports used different policies or policy versions")
    sections: list[tuple[str, tuple[Finding, ...]]] = [
        ("new violations", d.new_violations),
        ("newly unknown", d.newly_unknown),
        ("resolved", d.resolved),
        ("removed (no longer seen where the audit looked)", d.removed),
        ("unverified (absent, and now behind a coverage gap)", d.unverified),
    ]
    for title, items in sections:
        lines.append(f"{title}: {len(items)}")
        lines.extend(_finding_line(f) for f in items)
    for title, gaps in (("new coverage gaps", d.new_gaps), ("closed coverage gaps", d.closed_gaps)):
        lines.append(f"{title}: {len(gaps)}")
        lines.extend(f"  {g.scope}: {g.code}: {g.message}" for g in gaps)
    lines.append(f"audited scopes: {d.audited_before} -> {d.audited_after}")
    if not d.changed:
        lines.append("no change")
    return "\n".join(lines) + "\n"
