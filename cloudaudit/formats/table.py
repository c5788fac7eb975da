"""The terminal table, for people: fits the width, worst first, country and operator shown.

One line per finding (status, cloud, country, operator jurisdiction, region, resource), its
reasons wrapped beneath; the status word is never broken. A large report prints its summary,
the countries, and the worst findings first rather than every row (``--format csv`` or
``html`` list them all). Colour only when asked (the CLI asks on a terminal, unless
``NO_COLOR`` is set or ``--no-color`` is given).
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from itertools import islice

from cloudaudit._text import visible
from cloudaudit.formats._guardrails import guardrail_text
from cloudaudit.models import Finding, Status
from cloudaudit.report import (
    NOT_COMPLIANT,
    Report,
    by_country_status,
    home_country,
    operator_jurisdictions,
    status_counts,
    worst_first,
)

__all__ = ["DEFAULT_WIDTH", "TableOptions", "render_table"]

DEFAULT_WIDTH = 100
MIN_WIDTH = 60
_ANSI = {
    Status.VIOLATION: "\x1b[1;31m",
    Status.UNKNOWN: "\x1b[33m",
    Status.EXEMPT: "\x1b[36m",
    Status.COMPLIANT: "\x1b[32m",
}
_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
# fixed columns: status, cloud, country, operator, region (the resource takes the rest)
_FIXED = (("status", 9), ("cloud", 7), ("country", 7), ("operator", 8), ("region", 16))


@dataclass(frozen=True)
class TableOptions:
    """How the table is laid out.

    Attributes:
        width: Characters per line (``None``: the ``COLUMNS`` variable, else 100).
        color: ANSI colours on the status words and headings.
        only: Statuses to list (``None``: all, but compliant rows only in small reports).
        max_rows: The most findings listed; the rest are counted.
        max_gaps: The most coverage gaps listed; the rest are counted.
    """

    width: int | None = None
    color: bool = False
    only: tuple[str, ...] | None = None
    max_rows: int = 50
    max_gaps: int = 25


def _width(width: int | None) -> int:
    if width is None:
        try:
            width = int(os.environ.get("COLUMNS", "") or DEFAULT_WIDTH)
        except ValueError:
            width = DEFAULT_WIDTH
    return max(MIN_WIDTH, width)


def _cell(text: str, size: int) -> str:
    return (text if len(text) <= size else text[: size - 1] + "…").ljust(size)


def _paint(text: str, code: str, color: bool) -> str:
    return f"{code}{text}{_RESET}" if color else text


def _operator(f: Finding) -> str:
    found = operator_jurisdictions(f)
    return ",".join(found) if found else "?"


def _country(f: Finding) -> str:
    home = home_country(f)
    return {"multi-region": "multi", "unknown": "?"}.get(home, home)


def _row(f: Finding, width: int, color: bool) -> list[str]:
    r = f.resource
    where = visible(r.location.zone or r.location.region or "-")
    cells = [f.status.value, r.provider.value, _country(f), _operator(f), where]
    head = " ".join(_cell(c, size) for c, (_n, size) in zip(cells, _FIXED, strict=True))
    rest = width - len(head) - 1
    resource = visible(f"{r.type} {r.name} ({r.account})")
    line = f"{head} {_cell(resource, rest).rstrip()}"
    status = f.status.value
    line = _paint(status, _ANSI[f.status], color) + line[len(status) :]
    lines = [line]
    for reason in f.reasons:
        lines += textwrap.wrap(
            visible(reason),
            width=width,
            initial_indent="    - ",
            subsequent_indent="      ",
            break_on_hyphens=False,
        )
    return lines


def _header(width: int, color: bool) -> list[str]:
    names = [_cell(n, size) for n, size in _FIXED]
    head = " ".join(names) + " resource"
    return [_paint(head[:width], _BOLD, color), "-" * width]


def _countries(report: Report, width: int) -> list[str]:
    counts = by_country_status(report)
    if not counts:
        return []
    lines = ["Countries (resource's own location): violation/unknown/exempt/compliant"]
    parts = [
        f"{country} {c[Status.VIOLATION]}/{c[Status.UNKNOWN]}/{c[Status.EXEMPT]}/"
        f"{c[Status.COMPLIANT]}"
        for country, c in list(counts.items())[:24]
    ]
    lines += textwrap.wrap("  ".join(parts), width=width, initial_indent="  ",
                           subsequent_indent="  ")  # fmt: skip
    if len(counts) > 24:
        lines.append(f"  ... and {len(counts) - 24} more countries")
    return [*lines, ""]


def _chosen(report: Report, opts: TableOptions) -> tuple[Iterator[Finding], int]:
    """The findings to list, worst first and each built when reached, and how many there are."""
    wanted: Collection[Status] | None
    if opts.only is not None:
        only = set(opts.only)
        wanted = {s for s in Status if s.value in only}
    elif report.summary.total <= opts.max_rows:
        wanted = None
    else:
        wanted = NOT_COMPLIANT
    counts = status_counts(report)
    total = sum(n for s, n in counts.items() if wanted is None or s in wanted)
    return worst_first(report, wanted), total


def _gaps(report: Report, width: int, opts: TableOptions) -> list[str]:
    gaps = report.coverage.gaps
    if not gaps:
        return ["Coverage: complete (no gaps)."]
    title = f"Coverage gaps ({len(gaps)}): not audited, never counted as compliant"[:width]
    lines = [_paint(title, _ANSI[Status.UNKNOWN], opts.color)]
    for g in gaps[: opts.max_gaps]:
        lines += textwrap.wrap(
            visible(f"{g.scope}: {g.code}: {g.message}"),
            width=width,
            initial_indent="  - ",
            subsequent_indent="    ",
            break_on_hyphens=False,
        )
    if len(gaps) > opts.max_gaps:
        lines.append(f"  ... and {len(gaps) - opts.max_gaps} more gaps (all in --format json)")
    return lines


def render_table(report: Report, options: TableOptions | None = None) -> str:
    """Return the report as text for a terminal (see :class:`TableOptions`)."""
    opts = options or TableOptions()
    width = _width(opts.width)
    s = report.summary
    out = [
        _paint(
            f"cloudaudit {report.tool_version} · policy {report.policy_id} "
            f"v{report.policy_version}",
            _BOLD,
            opts.color,
        ),
        *textwrap.wrap(
            f"{s.total} resources: {s.violation} violation, {s.unknown} unknown, {s.exempt} "
            f"exempt, {s.compliant} compliant; {s.gaps} coverage gap(s)",
            width=width,
        ),
        "",
    ]
    large = s.total > opts.max_rows
    if large:
        out += _countries(report, width)
    chosen, total = _chosen(report, opts)
    rows: list[str] = []
    for f in islice(chosen, opts.max_rows):  # only the rows shown are built
        rows += _row(f, width, opts.color)
    more = total - min(total, opts.max_rows)
    if rows:
        out += _header(width, opts.color) + rows
    if more:
        out += textwrap.wrap(
            f"... and {more} more findings (worst first above; every row in --format csv or html)",
            width=width,
        )
    hidden = s.compliant if opts.only is None and large else 0
    if hidden:
        out += textwrap.wrap(
            f"({hidden} compliant resources not listed; --only compliant lists them)",
            width=width,
        )
    out.append("")
    out += guardrail_text(report, width)
    out += _gaps(report, width, opts)
    return "\n".join(out) + "\n"
