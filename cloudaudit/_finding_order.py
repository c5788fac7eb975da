"""The order of a report's findings, worst first (Core; re-exported by :mod:`cloudaudit.report`).

:func:`sorted_findings` returns every finding in that order, as a list. :func:`worst_first`
gives the same findings in the same order, keeping only some statuses if asked, each built
when it is reached: a report that keeps its findings as a
:class:`~cloudaudit._finding_table.FindingTable` (every ``evaluate`` and ``audit`` report) is
ordered by its record numbers and resources, without building a million findings to sort them,
so a view that shows the first rows (the terminal table, a notebook's worst findings) builds
those rows alone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Iterator
from typing import Protocol

from cloudaudit._finding_table import FindingTable
from cloudaudit.models import Finding, Status

__all__ = ["NOT_COMPLIANT", "STATUS_ORDER", "sorted_findings", "status_counts", "worst_first"]


class Report(Protocol):
    """What these views read of a :class:`~cloudaudit.report.Report`: its findings."""

    @property
    def findings(self) -> Iterable[Finding]: ...


STATUS_ORDER: dict[Status, int] = {
    Status.VIOLATION: 0,
    Status.UNKNOWN: 1,
    Status.EXEMPT: 2,
    Status.COMPLIANT: 3,
}
"""Worst first: the order of every findings list and of the DataFrame's ``status`` category."""

NOT_COMPLIANT: frozenset[Status] = frozenset(STATUS_ORDER) - {Status.COMPLIANT}
"""The statuses a finding needs attention for (the views that fold compliant rows away)."""


def _items(findings: Report | Iterable[Finding]) -> Iterable[Finding]:
    """A report's findings, or the findings given (a report is known by its ``findings``)."""
    inner: Iterable[Finding] | None = getattr(findings, "findings", None)
    return findings if inner is None else inner  # type: ignore[return-value]


def _key(f: Finding) -> tuple[int, str, str]:
    return (STATUS_ORDER[f.status], f.resource.provider.value, f.resource.id)


def sorted_findings(findings: Report | Iterable[Finding]) -> list[Finding]:
    """Findings ordered worst first, then by provider and resource id."""
    items = _items(findings)
    return sorted(items, key=_key)


def worst_first(
    findings: Report | Iterable[Finding], statuses: Collection[Status] | None = None
) -> Iterator[Finding]:
    """The findings of :func:`sorted_findings`, in its order, each built when reached.

    Args:
        findings: A report, or findings.
        statuses: Keep only the findings of these statuses (``None``: every one).
    """
    items = _items(findings)
    if isinstance(items, FindingTable):
        return items.ordered(STATUS_ORDER, statuses)
    ordered = sorted_findings(items)
    return iter(ordered if statuses is None else [f for f in ordered if f.status in statuses])


def status_counts(findings: Report | Iterable[Finding]) -> Counter[Status]:
    """The findings counted by status (a :class:`FindingTable`'s without building them)."""
    items = _items(findings)
    if isinstance(items, FindingTable):
        return items.counts()
    return Counter(f.status for f in items)
