"""A self-contained HTML report: a world map and an investigator's table, no request out.

The page carries the report once, as JSON (:mod:`cloudaudit.formats._page`), and renders the
table and the map from it in the browser: filters by status, provider, account, country,
operator jurisdiction and legal list, free-text search, a drill-down with every piece of
evidence, and a map shaded by the worst status per country with copy flows, operator
jurisdictions and the candidate countries of multi-regions. The map is drawn by d3-geo and
topojson-client over Natural Earth geometry (world-atlas), all embedded in the page
(``assets/vendor``, re-vendored by ``scripts/vendor_map_assets.py``). Summary cards and the
coverage-gap banner are plain HTML, so they show without JavaScript.
"""

from __future__ import annotations

from cloudaudit.formats._guardrails import guardrail_html
from cloudaudit.formats._html_parts import (
    COLORS,
    asset,
    cards_html,
    esc,
    finding_html,
    gaps_banner,
    styled,
)
from cloudaudit.formats._page import page_data, script_json
from cloudaudit.report import Report

__all__ = [
    "COLORS",
    "finding_html",
    "map_html",
    "render_html",
    "summary_html",
]

_LIBS = ("vendor/d3-array.min.js", "vendor/d3-geo.min.js", "vendor/topojson-client.min.js")

_LEGEND = (
    '<div class="ca-legend">'
    + "".join(
        f'<span><i style="background:{c}"></i>data here, worst {s.value}</span>'
        for s, c in COLORS.items()
    )
    + '<span><i class="hatch"></i>may be here: candidate country of a multi-region whose '
    "members are not published</span>"
    '<span><i class="flowk"></i>copy of the data (replica, backup, geo-pair), from the '
    "resource's country</span>"
    '<span><i class="opk"></i>run from another country: the operator is under a jurisdiction '
    "the policy flags (Alibaba Cloud in Virginia: run from CN)</span></div>"
)

_CREDITS = (
    '<p class="muted">Map: Natural Earth 1:110m via world-atlas 2, drawn with d3-geo and '
    "topojson-client (ISC licences, embedded). Small countries absent at this scale are dots.</p>"
)


def summary_html(report: Report) -> str:
    """The heading line and the summary cards."""
    s = report.summary
    cards = cards_html(
        {
            "violation": s.violation,
            "unknown": s.unknown,
            "exempt": s.exempt,
            "compliant": s.compliant,
            "coverage gaps": s.gaps,
        }
    )
    return (
        f'<p class="ca-meta">Policy <b>{esc(report.policy_id)}</b> v{esc(report.policy_version)}'
        f", {s.total} resources, audited {report.started_at:%Y-%m-%d %H:%M} UTC by cloudaudit "
        f"{esc(report.tool_version)}.</p>{cards}"
    )


def _scripts(report: Report, *, with_map: bool = True) -> str:
    parts = [f'<script type="application/json" id="ca-data">{script_json(page_data(report))}']
    parts[0] += "</script>"
    if with_map:
        parts.append(
            f'<script type="application/json" id="ca-world">{asset("vendor/countries-110m.json")}'
            "</script>"
        )
        parts.append(
            f'<script type="application/json" id="ca-points">'
            f"{asset('vendor/small-countries.json')}</script>"
        )
        parts.extend(f"<script>{asset(name)}</script>" for name in _LIBS)
    parts.append(f"<script>{asset('report.js')}</script>")
    return "".join(parts)


def _map_section() -> str:
    return (
        f"{_LEGEND}"
        '<div class="ca-mapbox"><svg id="ca-map" class="ca-map" viewBox="0 0 960 490" '
        'role="img" aria-label="World map of where the data lives"></svg>'
        '<div class="ca-tip" id="ca-tip"></div></div>'
        '<p class="ca-offmap" id="ca-offmap"></p><div class="ca-country" id="ca-country"></div>'
    )


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title></head><body>{body}</body></html>\n"
    )


def render_html(report: Report) -> str:
    """Return a complete, self-contained HTML document for the report."""
    title = f"cloudaudit report: {report.policy_id}"
    body = (
        f"<h1>{esc(title)}</h1>{summary_html(report)}{gaps_banner(report.coverage)}"
        f"<h2>Where the data lives</h2>{_map_section()}"
        '<h2>Findings</h2><div class="ca-controls" id="ca-controls"></div>'
        '<p class="ca-count" id="ca-count"></p>'
        '<table id="ca-table"><thead></thead><tbody></tbody></table>'
        '<button type="button" class="ca-more" id="ca-more">show more</button>'
        "<noscript><p>The map and the findings table need JavaScript; the JSON report "
        "(<code>--format json</code>) carries the same findings.</p></noscript>"
        f"{guardrail_html(report)}{_CREDITS}"
    )
    return _page(title, styled(body) + _scripts(report))


def map_html(report: Report) -> str:
    """A self-contained page with only the map (what ``Report.map()`` shows in Jupyter)."""
    title = f"cloudaudit map: {report.policy_id}"
    body = f"{summary_html(report)}{_map_section()}{_CREDITS}"
    return _page(title, styled(body) + _scripts(report))


def finding_page_html(report: Report) -> str:
    """Every finding with its evidence as static HTML (for a report without JavaScript)."""
    return styled("".join(finding_html(f) for f in report.findings))
