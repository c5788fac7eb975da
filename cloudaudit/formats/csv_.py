"""CSV: one flat row per finding, then one row per coverage gap; safe in a spreadsheet.

A coverage gap (a scope that could not be looked at) is a row whose ``status`` is ``gap``,
whose ``resource_id`` is the scope and whose ``reasons`` say why: a CSV export never drops what
the audit could not see. When the audit read guardrails, each guardrail finding follows as a
row whose ``status`` is ``guardrail-<kind>`` (``guardrail-permits_restricted``,
``guardrail-resource_outside``, ``guardrail-no_guardrail``), whose ``resource_id`` is the
resource or the scope, whose ``region`` lists the locations concerned and whose ``reasons``
name the guardrail. The header is the same with or without them.
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
    for row in _guardrail_rows(report):
        writer.writerow([neutralise(row.get(col)) for col in COLUMNS])
    return buf.getvalue()


def _guardrail_rows(report: Report) -> list[dict[str, str | None]]:
    if report.guardrails is None:
        return []
    rows: list[dict[str, str | None]] = []
    for f in report.guardrails.findings:
        label = f.guardrail_label or f.guardrail
        reasons = " | ".join(f.reasons)
        rows.append(
            {
                "finding_id": f.id,
                "policy_id": report.policy_id,
                "status": f"guardrail-{f.kind.value}",
                "provider": f.provider,
                "account": f.account,
                "service": "guardrails",
                "resource_id": f.resource_id or f.scope,
                "region": ";".join(f.locations),
                "jurisdictions": ";".join(f.jurisdictions),
                "reasons": f"{label}: {reasons}" if label else reasons,
            }
        )
    return rows
