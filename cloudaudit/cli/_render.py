"""Terminal rendering: the drift summary and the audit progress bar.

The report table is a format like the others: :mod:`cloudaudit.formats.table`.
"""

from __future__ import annotations

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

from cloudaudit.diff import ReportDiff
from cloudaudit.models import Finding
from cloudaudit.providers import Scope

__all__ = ["AuditProgress", "render_diff"]


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
    for title, found in (
        ("new guardrail findings", d.new_guardrail_findings),
        ("closed guardrail findings", d.closed_guardrail_findings),
    ):
        if found:
            lines.append(f"{title}: {len(found)}")
            lines.extend(f"  {f.kind.value} {f.scope}: {f.reasons[0]}" for f in found)
    if not d.changed:
        lines.append("no change")
    return "\n".join(lines) + "\n"
