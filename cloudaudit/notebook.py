"""Jupyter helpers behind :class:`~cloudaudit.report.Report`'s notebook methods.

pandas and matplotlib are optional (``pip install 'cloudaudit[notebook]'``): they are imported
inside the functions that need them, and a missing one raises
:class:`NotebookExtraMissing` naming the extra. What is shown (countries, order, filters) comes
from :mod:`cloudaudit.report`, like every other output.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

from cloudaudit.errors import CloudAuditError
from cloudaudit.models import Status
from cloudaudit.report import (
    STATUS_ORDER,
    Report,
    by_country_status,
    filter_report,
    finding_record,
    home_country,
    sorted_findings,
)

__all__ = ["NotebookExtraMissing", "filter_report", "plot", "repr_html", "to_dataframe"]

TOP = 10


class NotebookExtraMissing(CloudAuditError, ImportError):
    """pandas or matplotlib is not installed. The message names the extra to install."""

    def __init__(self, missing: str) -> None:
        self.missing = missing
        super().__init__(
            f"this needs the '{missing}' package. "
            "Install it with: pip install 'cloudaudit[notebook]'"
        )


def _need(module: str) -> ModuleType:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise NotebookExtraMissing(module.split(".")[0]) from exc


def to_dataframe(report: Report) -> Any:
    """One row per finding (the columns of :meth:`Report.to_records`) as a pandas DataFrame.

    ``status`` is an ordered categorical (violation < unknown < exempt < compliant).
    """
    pd = _need("pandas")
    rows = [{**finding_record(f), "country": home_country(f)} for f in report.findings]
    columns = [*(rows[0].keys() if rows else ["finding_id", "status", "country"])]
    df = pd.DataFrame(rows, columns=columns)
    order = [s.value for s in sorted(STATUS_ORDER, key=STATUS_ORDER.__getitem__)]
    df["status"] = pd.Categorical(df["status"], categories=order, ordered=True)
    return df


def plot(report: Report, ax: Any = None) -> Any:
    """Draw a horizontal stacked bar chart of resources by country and status; return the axes."""
    _need("matplotlib")
    plt = _need("matplotlib.pyplot")
    from cloudaudit.formats.html import COLORS

    data = by_country_status(report)
    if ax is None:
        _fig, ax = plt.subplots(figsize=(8, max(2.0, 0.4 * len(data) + 1)))
    countries = list(data)[::-1]
    left = [0] * len(countries)
    for status in (Status.VIOLATION, Status.UNKNOWN, Status.EXEMPT, Status.COMPLIANT):
        values = [data[c][status] for c in countries]
        ax.barh(countries, values, left=left, color=COLORS[status], label=status.value)
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.set_xlabel("resources")
    ax.set_title(f"{report.policy_id}: resources by country and status")
    ax.legend(loc="lower right")
    return ax


def repr_html(report: Report, top: int = TOP) -> str:
    """Summary cards, the chart and the ``top`` worst findings, every value escaped."""
    from cloudaudit.formats.html import chart_svg, findings_table, summary_html

    worst = [f for f in sorted_findings(report) if f.status is not Status.COMPLIANT][:top]
    more = report.summary.total - report.summary.compliant - len(worst)
    tail = f"<p>… and {more} more; see report.to_dataframe().</p>" if more > 0 else ""
    return (
        '<div class="cloudaudit-report">'
        f"{summary_html(report)}{chart_svg(report)}"
        f"{findings_table(worst, table_id='cloudaudit-top') if worst else ''}{tail}</div>"
    )
