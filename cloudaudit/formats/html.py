"""A self-contained HTML report: no CDN, no external request, works offline.

Inline CSS, an inline SVG bar chart of resources by country and status, and a findings table
sortable by a few lines of inline JavaScript. Every value that comes from a cloud (names, tags,
ids, reasons, gap messages) is escaped with :func:`html.escape`.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from cloudaudit.models import Finding, Status
from cloudaudit.report import (
    STATUS_ORDER,
    Report,
    by_country_status,
    countries_of,
    home_country,
    sorted_findings,
)

__all__ = ["COLORS", "chart_svg", "findings_table", "render_html", "summary_html"]

COLORS = {
    Status.VIOLATION: "#c62828",
    Status.UNKNOWN: "#f9a825",
    Status.EXEMPT: "#0277bd",
    Status.COMPLIANT: "#2e7d32",
}
_STACK = (Status.VIOLATION, Status.UNKNOWN, Status.EXEMPT, Status.COMPLIANT)

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em;color:#222}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}
table{border-collapse:collapse;width:100%;font-size:.9em}
th,td{border:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f3f3f3;cursor:pointer;user-select:none}
th.sorted-asc::after{content:" \\25B2"}th.sorted-desc::after{content:" \\25BC"}
.status{font-weight:600}.violation{color:#c62828}.unknown{color:#a07000}
.exempt{color:#0277bd}.compliant{color:#2e7d32}
.cards{display:flex;gap:1em;flex-wrap:wrap}
.card{border:1px solid #ddd;border-radius:6px;padding:.6em 1em;min-width:7em}
.card b{display:block;font-size:1.5em}
code{font-size:.85em;word-break:break-all}
"""

_JS = """
document.querySelectorAll("table.sortable").forEach(function(table){
  table.querySelectorAll("th").forEach(function(th, col){
    th.addEventListener("click", function(){
      var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
      var asc = !th.classList.contains("sorted-asc");
      table.querySelectorAll("th").forEach(function(h){h.classList.remove("sorted-asc","sorted-desc")});
      th.classList.add(asc ? "sorted-asc" : "sorted-desc");
      rows.sort(function(a, b){
        var x = a.cells[col].getAttribute("data-sort") || a.cells[col].textContent;
        var y = b.cells[col].getAttribute("data-sort") || b.cells[col].textContent;
        return (asc ? 1 : -1) * x.localeCompare(y, undefined, {numeric: true});
      });
      rows.forEach(function(r){body.appendChild(r)});
    });
  });
});
"""

_e = html.escape


def chart_svg(report: Report, *, bar_width: int = 520) -> str:
    """An inline SVG horizontal stacked bar chart: resources by home country and status."""
    data = by_country_status(report)
    if not data:
        return "<p>No resources.</p>"
    row_h, label_w, top = 22, 110, 24
    most = max(sum(c.values()) for c in data.values())
    height = top + row_h * len(data) + 8
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{label_w + bar_width + 60}" '
        f'height="{height}" aria-label="Resources by country and status">'
    ]
    for i, status in enumerate(_STACK):
        lx = label_w + i * 110
        parts.append(
            f'<rect x="{lx}" y="4" width="12" height="12" fill="{COLORS[status]}"/>'
            f'<text x="{lx + 16}" y="14" font-size="12">{status.value}</text>'
        )
    for i, (country, counts) in enumerate(data.items()):
        y = top + i * row_h
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 14}" font-size="12" text-anchor="end">'
            f"{_e(country)}</text>"
        )
        x = float(label_w)
        for status in _STACK:
            n = counts[status]
            if not n:
                continue
            w = bar_width * n / most
            parts.append(
                f'<rect class="bar" data-country="{_e(country)}" data-status="{status.value}" '
                f'x="{x:.1f}" y="{y}" width="{w:.1f}" height="{row_h - 6}" '
                f'fill="{COLORS[status]}"><title>{_e(country)}: {n} {status.value}</title></rect>'
            )
            x += w
        total = sum(counts.values())
        parts.append(f'<text x="{x + 4:.1f}" y="{y + 14}" font-size="12">{total}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _row(f: Finding) -> str:
    r = f.resource
    where = r.location.zone or r.location.region or "-"
    tags = ", ".join(f"{k}={v}" for k, v in sorted(r.tags.items()))
    reasons = "".join(f"<li>{_e(x)}</li>" for x in f.reasons)
    return (
        f'<tr data-finding="{_e(f.id)}">'
        f'<td class="status {f.status.value}" data-sort="{STATUS_ORDER[f.status]}">'
        f"{f.status.value}</td>"
        f"<td>{_e(r.provider.value)}</td><td>{_e(r.account)}</td>"
        f"<td>{_e(r.type)} <b>{_e(r.name)}</b><br><code>{_e(r.id)}</code>"
        f"{'<br>tags: ' + _e(tags) if tags else ''}</td>"
        f"<td>{_e(where)}</td><td>{_e(home_country(f))}</td>"
        f"<td>{_e(', '.join(countries_of(f)))}</td>"
        f"<td><ul>{reasons}</ul></td></tr>"
    )


def findings_table(findings: Iterable[Finding], *, table_id: str = "findings") -> str:
    """An HTML table of findings (class ``sortable``), every cell escaped."""
    head = "".join(
        f"<th>{h}</th>"
        for h in (
            "status",
            "provider",
            "account",
            "resource",
            "location",
            "country",
            "all countries",
            "reasons",
        )
    )
    rows = "".join(_row(f) for f in findings)
    return (
        f'<table id="{_e(table_id)}" class="sortable"><thead><tr>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


def summary_html(report: Report) -> str:
    """Summary cards: counts by status and coverage gaps."""
    s = report.summary
    cards = [
        ("violation", s.violation),
        ("unknown", s.unknown),
        ("exempt", s.exempt),
        ("compliant", s.compliant),
        ("coverage gaps", s.gaps),
    ]
    body = "".join(f'<div class="card {name}"><b>{n}</b>{name}</div>' for name, n in cards)
    return (
        f"<p>Policy <b>{_e(report.policy_id)}</b> v{_e(report.policy_version)}, "
        f"{s.total} resources, audited {report.started_at:%Y-%m-%d %H:%M} UTC "
        f"by cloudaudit {_e(report.tool_version)}.</p>"
        f'<div class="cards">{body}</div>'
    )


def _gaps_html(report: Report) -> str:
    if not report.coverage.gaps:
        return "<p>Coverage complete: nothing was left unaudited.</p>"
    rows = "".join(
        f"<tr><td>{_e(g.scope)}</td><td>{_e(g.code)}</td><td>{_e(g.message)}</td></tr>"
        for g in report.coverage.gaps
    )
    return (
        "<p>Not audited, and never counted as compliant:</p>"
        '<table id="gaps" class="sortable"><thead><tr><th>scope</th><th>code</th>'
        f"<th>message</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def render_html(report: Report) -> str:
    """Return a complete, self-contained HTML document for the report."""
    title = f"cloudaudit report: {report.policy_id}"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{_e(title)}</h1>{summary_html(report)}"
        f"<h2>Resources by country and status</h2>{chart_svg(report)}"
        f"<h2>Findings</h2>{findings_table(sorted_findings(report))}"
        f"<h2>Coverage gaps</h2>{_gaps_html(report)}"
        f"<script>{_JS}</script></body></html>\n"
    )
