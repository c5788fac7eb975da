"""CSV: one flat row per finding, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io

from cloudaudit.models import Report

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
    """Render a cell; a value a spreadsheet would run as a formula gets a leading ``'``."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def render_csv(report: Report) -> str:
    """Return the findings as CSV with a header row (RFC 4180 quoting, CRLF line ends)."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(COLUMNS)
    for row in report.to_records():
        writer.writerow([neutralise(row.get(col)) for col in COLUMNS])
    return buf.getvalue()
