"""JSON Lines: one flat JSON object per finding (the rows of :meth:`Report.to_records`)."""

from __future__ import annotations

import json

from cloudaudit.models import Report

__all__ = ["render_jsonl"]


def render_jsonl(report: Report) -> str:
    """Return one JSON object per line, one line per finding.

    Each row also carries the report's ``started_at`` so that lines from several audits can be
    appended to one file or shipped to a SIEM and still be told apart.
    """
    started = report.started_at.isoformat()
    lines = [
        json.dumps({**row, "audited_at": started}, ensure_ascii=False, sort_keys=False)
        for row in report.to_records()
    ]
    return "".join(line + "\n" for line in lines)
