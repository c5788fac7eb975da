"""CSV: one flat row per finding, then one row per coverage gap; safe in a spreadsheet.

A coverage gap (a scope that could not be looked at) is a row whose ``status`` is ``gap``,
whose ``resource_id`` is the scope and whose ``reasons`` say why: a CSV export never drops what
the audit could not see.
"""

from __future__ import annotations

import csv
import io

from cloudaudit._text import visible
from cloudaudit.report import Report

__all__ = ["COLUMNS", "neutralise", "render_csv"]

COLUMNS = (
    "finding_id",
    "policy_id",
    "status",
    "provider",
    "account",
    "service",
    "type",
    "resource_id",
    "name",
    "region",
    "zone",
    "countries",
    "jurisdictions",
    "reasons",
)

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    r"""Render a cell; a value a spreadsheet would run as a formula gets a leading ``'``.

    Control characters and bidi overrides are shown escaped (``\x1b``, ``\u202e``).
    """
    text = visible("" if value is None else str(value))
    return "'" + text if text.startswith(_FORMULA_START) else text


def render_csv(report: Report) -> str:
    """Return the findings as CSV with a header row (RFC 4180 quoting, CRLF line ends)."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(COLUMNS)
    for row in report.to_records():
        writer.writerow([neutralise(row.get(col)) for col in COLUMNS])
    for gap in report.coverage.gaps:
        row = {
            "policy_id": report.policy_id,
            "status": "gap",
            "provider": gap.provider,
            "account": gap.account,
            "service": gap.service,
            "resource_id": gap.scope,
            "region": gap.region,
            "reasons": f"not audited ({gap.code}): {gap.message}",
        }
        writer.writerow([neutralise(row.get(col)) for col in COLUMNS])
    return buf.getvalue()
