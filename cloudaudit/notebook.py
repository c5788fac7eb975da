"""Jupyter helpers behind :class:`~cloudaudit.report.Report`'s notebook methods.

pandas and matplotlib are optional (``pip install 'cloudaudit[notebook]'``): they are imported
inside the functions that need them, and a missing one raises
:class:`NotebookExtraMissing` naming the extra. The HTML views share the report page's look
(:mod:`cloudaudit.formats._html_parts`); what they show (countries, operators, order, filters)
comes from :mod:`cloudaudit.report`, like every other output.
"""

from __future__ import annotations

import html
import importlib
from itertools import islice
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

from cloudaudit.errors import CloudAuditError
from cloudaudit.models import Finding, Status
from cloudaudit.report import (
    NOT_COMPLIANT,
    STATUS_ORDER,
    Report,
    countries_of,
    finding_record,
    home_country,
    location_place,
    operator_jurisdictions,
    operators_of,
    worst_first,
)

__all__ = [
    "GROUPINGS",
    "MapView",
    "NotebookExtraMissing",
    "finding_repr_html",
    "group_key",
    "plot",
    "repr_html",
    "to_dataframe",
]

TOP = 10
GROUPINGS = ("country", "jurisdiction", "operator")
"""What :func:`plot` can group by: the country of the resource's location, the jurisdiction
of that location's operator, or the operator itself."""


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


def _row(f: Finding) -> dict[str, Any]:
    r = f.resource
    place = location_place(f)
    return {
        **finding_record(f),
        "country": home_country(f),
        "city": place.city if place else None,
        "operator": place.operator if place else None,
        "operator_jurisdiction": place.operator_country if place else None,
        "countries": list(countries_of(f)),
        "copies": [str(c) for c in r.data_locations],
        "copy_mechanisms": [c.via for c in r.data_locations],
        "operators": list(operators_of(f)),
        "operator_jurisdictions": list(operator_jurisdictions(f)),
        "jurisdictions": list(f.jurisdictions),
        "tags": dict(r.tags),
        "reasons": list(f.reasons),
        "exemption": f.exemption,
    }


def to_dataframe(report: Report) -> Any:
    """One row per finding as a pandas DataFrame.

    The flat columns of :meth:`Report.to_records`, plus ``country`` (of the resource's own
    location), ``city``, ``operator`` and ``operator_jurisdiction`` (of that location), and as
    real lists or dicts rather than joined strings: ``countries`` (every country on any
    axis), ``copies`` (locations of copies), ``copy_mechanisms`` (the id of the mechanism
    that put each copy there, ``aws.s3.replication``, in the order of ``copies``; ``None``
    when a copy names none), ``operators``, ``operator_jurisdictions`` (on any
    axis), ``jurisdictions`` (what the policy matched), ``tags`` and ``reasons``. ``status`` is
    an ordered categorical, worst first.
    """
    pd = _need("pandas")
    rows = [_row(f) for f in report.findings]
    columns = list(rows[0]) if rows else list(_EMPTY_COLUMNS)
    df = pd.DataFrame(rows, columns=columns)
    order = [s.value for s in sorted(STATUS_ORDER, key=STATUS_ORDER.__getitem__)]
    df["status"] = pd.Categorical(df["status"], categories=order, ordered=True)
    return df


_EMPTY_COLUMNS = ("finding_id", "status", "country", "operator", "operator_jurisdiction")


def group_key(finding: Finding, by: str) -> str:
    """The group of ``finding`` for :func:`plot`: a country, a jurisdiction or an operator."""
    if by == "country":
        return home_country(finding)
    place = location_place(finding)
    if by == "jurisdiction":
        return (place.operator_country if place else None) or "unknown"
    if by == "operator":
        return (place.operator if place else None) or "unknown"
    raise ValueError(f"by must be one of {', '.join(GROUPINGS)}, not {by!r}")


def plot(
    report: Report,
    ax: Any = None,
    by: Literal["country", "jurisdiction", "operator"] = "country",
) -> Any:
    """Draw a horizontal stacked bar chart of resources by ``by`` and status; return the axes.

    Args:
        report: The report.
        ax: Matplotlib axes to draw on; a new figure when None.
        by: ``country`` (of the resource's location), ``jurisdiction`` (of the operator of
            that location: Alibaba Cloud in Frankfurt counts under CN) or ``operator``.
    """
    from cloudaudit.formats._html_parts import COLORS

    counts: dict[str, dict[Status, int]] = {}
    for f in report.findings:
        group = counts.setdefault(group_key(f, by), dict.fromkeys(STATUS_ORDER, 0))
        group[f.status] += 1
    _need("matplotlib")
    plt = _need("matplotlib.pyplot")
    ticker = _need("matplotlib.ticker")
    groups = sorted(counts, key=lambda g: (sum(counts[g].values()), g))
    if ax is None:
        _fig, ax = plt.subplots(figsize=(8, max(2.0, 0.4 * len(groups) + 1)))
    left = [0] * len(groups)
    for status in sorted(STATUS_ORDER, key=STATUS_ORDER.__getitem__):
        values = [counts[g][status] for g in groups]
        ax.barh(groups, values, left=left, color=COLORS[status], label=status.value)
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))
    ax.set_xlabel("resources")
    noun = {"country": "country", "jurisdiction": "operator jurisdiction", "operator": "operator"}
    ax.set_title(f"{report.policy_id}: resources by {noun[by]} and status")
    ax.legend(loc="lower right")
    return ax


def finding_repr_html(finding: Finding) -> str:
    """A finding with every piece of evidence, in the report's look."""
    from cloudaudit.formats._html_parts import finding_html, styled

    return styled(finding_html(finding))


def repr_html(report: Report, top: int = TOP) -> str:
    """Summary cards, the coverage-gap banner and the ``top`` worst findings.

    Each finding opens on its evidence; every value is escaped.
    """
    from cloudaudit.formats._html_parts import badge, esc, finding_html, gaps_banner, styled
    from cloudaudit.formats.html import summary_html

    worst = list(islice(worst_first(report, NOT_COMPLIANT), top))  # only these are built
    items = "".join(
        f"<details><summary>{badge(f.status)} <span class='muted'>{esc(f.resource.type)}"
        f"</span> <b>{esc(f.resource.name)}</b> – {esc(f.resource.location)}, "
        f"{esc(home_country(f))}</summary>{finding_html(f)}</details>"
        for f in worst
    )
    more = report.summary.total - report.summary.compliant - len(worst)
    tail = f"<p class='muted'>… and {more} more; see report.to_dataframe().</p>" if more > 0 else ""
    heading = "<h2>Worst findings</h2>" if worst else ""
    hint = "<p class='muted'>report.map() draws where the data lives.</p>"
    body = f"{summary_html(report)}{gaps_banner(report.coverage)}{heading}{items}{tail}"
    return styled(f'<div class="cloudaudit-report">{body}{hint}</div>')


class MapView:
    """The interactive world map of a report, for Jupyter (what :meth:`Report.map` returns).

    Shown in a notebook, it is a sandboxed ``<iframe>`` holding the self-contained map page
    (geometry and scripts embedded: it needs no network and no notebook extension).

    Args:
        report: The report to draw.
        height: Height of the frame in pixels.
    """

    def __init__(self, report: Report, height: int = 720) -> None:
        from cloudaudit.formats.html import map_html

        self.html = map_html(report)
        self.height = height

    def _repr_html_(self) -> str:
        doc = html.escape(self.html, quote=True)
        return (
            f'<iframe srcdoc="{doc}" sandbox="allow-scripts" title="cloudaudit map" '
            f'style="width:100%;height:{self.height}px;border:0"></iframe>'
        )

    def save(self, path: str | Path) -> Path:
        """Write the map page to ``path`` and return the path."""
        out = Path(path)
        out.write_text(self.html, "utf-8")
        return out
