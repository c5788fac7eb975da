"""CSV: one flat row per finding, then one row per coverage gap; safe in a spreadsheet.

Two dialects share the columns. ``csv`` is for machines: every value verbatim (an account id
``012345678901`` stays those twelve characters; read it with ``csv`` or
``pandas.read_csv(path, dtype=str)``). ``csv-excel`` is for spreadsheets, which read a cell of
digits as a number (a 12-digit AWS account id shows as ``1.23457E+11``, a 16-digit Alibaba
Cloud account id loses its last digit, a leading zero vanishes): there, a cell that a
spreadsheet would turn into a number or a date is written as the text formula ``="…"``, which
Excel, LibreOffice and Google Sheets show as the text itself. Only cells made of digits and
``.:/-+eE`` are wrapped; they cannot carry a formula of their own.

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
import re
from collections.abc import Callable
from typing import TextIO

from cloudaudit._text import visible
from cloudaudit.formats._stream import batches, rendered
from cloudaudit.report import Report, finding_record

__all__ = [
    "COLUMNS",
    "as_spreadsheet_text",
    "neutralise",
    "render_csv",
    "render_csv_excel",
    "write_csv",
    "write_csv_excel",
]

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
# a cell a spreadsheet would read as a number, a date or a time rather than as text
_NUMBER_LIKE = re.compile(r"[0-9][0-9.:/+eE-]*")


def neutralise(value: object) -> str:
    r"""Render a cell; a value a spreadsheet would run as a formula gets a leading ``'``.

    Control characters and bidi overrides are shown escaped (``\x1b``, ``\u202e``).
    """
    text = visible("" if value is None else str(value))
    return "'" + text if text.startswith(_FORMULA_START) else text


def as_spreadsheet_text(value: object) -> str:
    """Render a cell for a spreadsheet: ``="…"`` around a value it would read as a number.

    Example:
        >>> as_spreadsheet_text("012345678901")
        '="012345678901"'
        >>> as_spreadsheet_text("eu-west-1")
        'eu-west-1'
    """
    text = neutralise(value)
    return f'="{text}"' if _NUMBER_LIKE.fullmatch(text) else text


def render_csv(report: Report) -> str:
    """Return the findings as CSV with a header row (RFC 4180 quoting, CRLF line ends)."""
    return rendered(write_csv, report)


def render_csv_excel(report: Report) -> str:
    """Return :func:`render_csv`'s rows with number-like cells kept as text in spreadsheets."""
    return rendered(write_csv_excel, report)


def write_csv(report: Report, stream: TextIO) -> None:
    """Write :func:`render_csv`'s text a batch of findings at a time, never the whole text."""
    _write(report, stream, neutralise)


def write_csv_excel(report: Report, stream: TextIO) -> None:
    """Write :func:`render_csv_excel`'s text a batch of findings at a time."""
    _write(report, stream, as_spreadsheet_text)


def _write(report: Report, stream: TextIO, cell: Callable[[object], str]) -> None:
    lines = _Lines()
    writer = csv.writer(lines)

    def flush() -> None:
        stream.write("".join(lines))
        lines.clear()

    writer.writerow(COLUMNS)
    for batch in batches(report.findings):
        for f in batch:
            row = finding_record(f)
            writer.writerow([cell(row.get(col)) for col in COLUMNS])
        flush()
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
        writer.writerow([cell(row.get(col)) for col in COLUMNS])
    for row in _guardrail_rows(report):
        writer.writerow([cell(row.get(col)) for col in COLUMNS])
    flush()


class _Lines(list[str]):
    """The lines the CSV writer wrote since the last flush (a list: appending is cheap)."""

    def write(self, line: str) -> None:
        """Keep one line."""
        self.append(line)


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
