"""Static HTML parts shared by the report page and the notebook views.

Summary cards, the coverage-gap banner and one finding with all its evidence, rendered on the
server side (no script needed) with one stylesheet (``assets/report.css``, every rule scoped
under ``.ca``). Every value from a cloud is escaped, and invisible or control characters
(bidi overrides, zero-width spaces, C0/C1 controls) are shown as ``U+XXXX``.
"""

from __future__ import annotations

import html
from functools import cache
from importlib import resources

from cloudaudit._text import INVISIBLE
from cloudaudit.catalog import country_name
from cloudaudit.models import Coverage, CoverageGap, Evidence, Finding, Place, Status
from cloudaudit.policies import load_lists
from cloudaudit.report import cited_lists

__all__ = [
    "COLORS",
    "asset",
    "cards_html",
    "citations",
    "esc",
    "finding_html",
    "gaps_banner",
    "place_text",
    "styled",
]

COLORS = {
    Status.VIOLATION: "#c62828",
    Status.UNKNOWN: "#f9a825",
    Status.EXEMPT: "#0277bd",
    Status.COMPLIANT: "#2e7d32",
}

_INVISIBLE = INVISIBLE


@cache
def asset(name: str) -> str:
    """Text of a packaged asset (``report.css``, ``vendor/d3-geo.min.js``...).

    Raises:
        ValueError: when the text could close the ``<script>`` or ``<style>`` element it is
            embedded in (a re-vendored file must not).
    """
    path = resources.files("cloudaudit.formats").joinpath("assets", *name.split("/"))
    text = path.read_text("utf-8")
    low = text.lower()
    if "</script" in low or "</style" in low or "<!--" in low:
        raise ValueError(f"asset {name} contains markup that would end its element")
    return text


def esc(value: object) -> str:
    """Escape for HTML text and attributes; show invisible and control characters."""
    text = html.escape("" if value is None else str(value))
    return _INVISIBLE.sub(
        lambda m: (
            f'<span class="ctl" title="invisible or control character">'
            f"U+{ord(m.group()):04X}</span>"
        ),
        text,
    )


def styled(body: str) -> str:
    """Wrap ``body`` in the ``.ca`` container with its stylesheet."""
    return f'<div class="ca"><style>{asset("report.css")}</style>{body}</div>'


def badge(status: Status) -> str:
    """A coloured status label."""
    return f'<span class="st {status.value}">{status.value}</span>'


def cards_html(counts: dict[str, int]) -> str:
    """Summary cards: one per status plus coverage gaps."""
    return (
        '<div class="ca-cards">'
        + "".join(
            f'<div class="ca-card {name.split()[-1]}"><b>{n}</b><span>{name}</span></div>'
            for name, n in counts.items()
        )
        + "</div>"
    )


def gaps_banner(coverage: Coverage, *, limit: int = 20) -> str:
    """The banner at the top: what the audit could not look at, or that nothing was missed."""
    gaps: tuple[CoverageGap, ...] = coverage.gaps
    if not gaps and not coverage.audited:
        return (
            '<div class="ca-banner" role="alert" id="ca-gaps"><b>Nothing was audited</b>: '
            "the report records no audited scope, so it shows nothing about any cloud.</div>"
        )
    if not gaps:
        return '<div class="ca-ok">Coverage complete: nothing was left unaudited.</div>'
    items = "".join(
        f"<li><code>{esc(g.scope)}</code> <b>{esc(g.code)}</b>: {esc(g.message)}</li>"
        for g in gaps[:limit]
    )
    more = f"<li>… and {len(gaps) - limit} more</li>" if len(gaps) > limit else ""
    return (
        f'<div class="ca-banner" role="alert" id="ca-gaps"><b>{len(gaps)} coverage '
        f"gap{'s' if len(gaps) != 1 else ''}</b>: these scopes were not audited. Nothing in "
        f"them is counted as compliant.<ul>{items}{more}</ul></div>"
    )


def place_text(p: Place) -> str:
    """What the catalog says of a place, in words."""
    bits = []
    if p.country:
        bits.append(f"{country_name(p.country)} ({p.country})")
    if p.countries and p.countries != (p.country,):
        bits.append("members: " + ", ".join(p.countries))
    if p.candidates:
        bits.append("may span (members not published): " + ", ".join(p.candidates))
    if not (p.country or p.countries or p.candidates):
        bits.append("no country known")
    bits.extend(x for x in (p.subdivision, p.city) if x)
    return "; ".join(bits)


def _evidence_row(e: Evidence) -> str:
    p = e.place
    operator = "unknown"
    if p.operator:
        under = p.operator_country
        operator = p.operator + (f" – under {country_name(under)} ({under})" if under else "")
    source = (p.source or "") + ("" if p.verified else " (not verified)")
    where = str(e.location) + (f" – {e.location.note}" if e.location.note else "")
    return (
        f"<tr><td>{e.axis}</td><td>{esc(where)}</td><td>{esc(place_text(p))}</td>"
        f"<td>{esc(operator)}</td><td>{badge(e.status)}</td><td>{esc(', '.join(e.matched))}</td>"
        f"<td>{esc(source)}</td></tr>"
    )


def citations(f: Finding) -> tuple[str, ...]:
    """``citation (title)`` of each legal list the finding rests on."""
    lists = load_lists()
    return tuple(f"{lists[i].citation} ({lists[i].title})" for i in cited_lists(f))


def finding_html(f: Finding) -> str:
    """One finding with every piece of evidence: axis, place, operator, citation, exemption."""
    r = f.resource
    cites = citations(f)
    tags = ", ".join(f"{k}={v}" for k, v in sorted(r.tags.items())) or "none"
    copies = ", ".join(str(c) for c in r.data_locations) or "none reported"
    facts = [
        ("resource id", f"<code>{esc(r.id)}</code>"),
        ("type", esc(f"{r.provider.value} {r.service} {r.type}")),
        ("account", esc(r.account)),
        ("location", esc(f"{r.location} ({r.location.kind.value})")),
        ("copies", esc(copies)),
        ("tags", esc(tags)),
        ("status", badge(f.status)),
    ]
    if f.exemption:
        facts.append(("exemption", esc(f.exemption)))
    if cites:
        facts.append(("legal basis", esc("; ".join(cites))))
    if f.jurisdictions:
        facts.append(("matched", esc(", ".join(f.jurisdictions))))
    dl = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts)
    reasons = "".join(f"<li>{esc(x)}</li>" for x in f.reasons)
    head = "".join(
        f"<th>{h}</th>"
        for h in ("axis", "location", "place", "operator", "verdict", "matched", "catalog source")
    )
    rows = "".join(_evidence_row(e) for e in f.evidence)
    return (
        f'<div class="ca-finding" data-finding="{esc(f.id)}">'
        f"<div>{badge(f.status)} <span class='muted'>{esc(r.type)}</span> <b>{esc(r.name)}</b>"
        f'</div><dl class="ev">{dl}</dl><ul class="rs">{reasons}</ul>'
        f'<table class="evt"><tr>{head}</tr>{rows}</table></div>'
    )
