"""``--format dora-roi``: the DORA register's B_02.02 location columns, keyed by scope.

One CSV in the EBA plain-CSV layout of table B_02.02 (columns ``c0010``...). Without a mapping
file the register's identifiers are unknown, so column 0010 holds ``provider/account/service``
and the identifier columns stay empty; ``cloudaudit dora-roi REPORT --mapping FILE`` keys the
same rows by your arrangements and adds B_05.01 (docs/dora.md).

What could not be placed is never left out: a resource whose place (or a copy's) is in no known
country, and a scope that could not be audited, each get a row whose location columns are empty
(with 0140 "yes"), so a register validator stops exactly where the audit could not see.
"""

from __future__ import annotations

from cloudaudit.dora import B_02_02_COLUMNS, scope_feed
from cloudaudit.dora._roi import YES, csv_text
from cloudaudit.report import Report

__all__ = ["render_dora_roi"]


def render_dora_roi(report: Report) -> str:
    """Render the B_02.02 location feed of ``report`` as CSV."""
    tables = scope_feed(report)
    rows = list(tables.b_02_02)
    seen: set[str] = set()
    for u in tables.unresolved:
        ref = u.arrangement or u.resource_id
        if ref not in seen:
            seen.add(ref)
            rows.append({"c0010": ref, "c0140": YES})
    return csv_text(B_02_02_COLUMNS, rows)
