"""The location data points of the DORA register of information, derived from a report.

Templates and codes follow the EBA DORA reporting framework 4.0 (the register of information of
Commission Implementing Regulation (EU) 2024/2956): the plain-CSV table files ``b_02.02.csv``
and ``b_05.01.csv`` with column codes ``c0010``..., countries as ``eba_GA:<ISO alpha-2>``, yes/no
as ``eba_BT:x28``/``eba_BT:x29``, code types from the ``eba_qCO`` list and legal persons as
``eba_CT:x212``. One B_02.02 row per arrangement and country combination (ESA Q&A on the
register: several countries give several rows).

cloudaudit fills the location columns from what runs: 0130 (country of provision), 0140
(storage of data), 0150 (location of the data at rest) and 0160 (location of management of the
data), plus the identifiers the mapping file gives. Contract columns (dates, notice periods,
governing law, sensitivity, reliance) stay empty: they come from contracts, not from clouds.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from cloudaudit.dora._mapping import Arrangement, DoraMapping
from cloudaudit.models import Finding, Resource
from cloudaudit.report import Report

__all__ = [
    "B_02_02_COLUMNS",
    "B_05_01_COLUMNS",
    "RoiTables",
    "Unresolved",
    "csv_text",
    "finding_countries",
    "roi_tables",
    "scope_feed",
]

B_02_02_COLUMNS = tuple(f"c{n:04d}" for n in range(10, 190, 10))
B_05_01_COLUMNS = tuple(f"c{n:04d}" for n in range(10, 130, 10))
YES = "eba_BT:x28"
LEGAL_PERSON = "eba_CT:x212"
CODE_TYPES = {"LEI": "eba_qCO:qx2000", "EUID": "eba_qCO:qx2002"}


def country_code(iso: str) -> str:
    """An ISO 3166-1 alpha-2 code in the register's form (``DE`` → ``eba_GA:DE``)."""
    return f"eba_GA:{iso}"


@dataclass(frozen=True)
class Unresolved:
    """A resource whose place (or a copy's place) cannot fill the register: say so, never drop."""

    resource_id: str
    provider: str
    account: str
    arrangement: str | None
    reason: str


@dataclass
class RoiTables:
    """The derived tables and what could not be placed in them."""

    b_02_02: list[dict[str, str]] = field(default_factory=list)
    b_05_01: list[dict[str, str]] = field(default_factory=list)
    unresolved: list[Unresolved] = field(default_factory=list)
    # arrangement reference -> (storage countries, processing countries) found
    found: dict[str, tuple[set[str], set[str]]] = field(default_factory=dict)
    # arrangement reference -> (country of provision, country of storage) combinations
    pairs: dict[str, set[tuple[str, str]]] = field(default_factory=dict)

    def files(self) -> dict[str, str]:
        """The CSV files, by name: ``b_02.02.csv``, ``b_05.01.csv`` and ``unresolved.csv``."""
        return {
            "b_02.02.csv": csv_text(B_02_02_COLUMNS, self.b_02_02),
            "b_05.01.csv": csv_text(B_05_01_COLUMNS, self.b_05_01),
            "unresolved.csv": csv_text(
                ("resource_id", "provider", "account", "arrangement", "reason"),
                (
                    {
                        "resource_id": u.resource_id,
                        "provider": u.provider,
                        "account": u.account,
                        "arrangement": u.arrangement or "",
                        "reason": u.reason,
                    }
                    for u in self.unresolved
                ),
            ),
        }


def csv_text(columns: tuple[str, ...], rows: Iterable[dict[str, str]]) -> str:
    """Rows as CSV with exactly ``columns`` (missing cells empty)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in columns})
    return out.getvalue()


def finding_countries(f: Finding) -> tuple[set[str], set[str], list[str]]:
    """Countries where ``f``'s resource runs, where copies of its data rest, and problems.

    A multi-region location counts every candidate country: the data may be in any of them.
    """
    processing: set[str] = set()
    copies: set[str] = set()
    problems: list[str] = []
    for e in f.evidence:
        if e.axis == "operator":
            continue
        p = e.place
        where = ({p.country} if p.country else set()) | set(p.countries) | set(p.candidates)
        if not where:
            what = "its location" if e.axis == "location" else "a copy of its data"
            problems.append(f"{what} ({e.location.region or 'unknown'}) is in no known country")
            continue
        (processing if e.axis == "location" else copies).update(where)
    return processing, copies, problems


def _b_02_02_row(m: DoraMapping, a: Arrangement, provision: str, rest: str) -> dict[str, str]:
    return {
        "c0010": a.reference,
        "c0020": m.entity_lei,
        "c0030": a.provider_code,
        "c0040": CODE_TYPES[_code_type(m, a.provider_code)],
        "c0050": a.function,
        "c0060": a.service_type,
        "c0130": country_code(provision),
        "c0140": YES,
        "c0150": country_code(rest),
        "c0160": country_code(provision),
    }


def _code_type(m: DoraMapping, code: str) -> str:
    return next((p.code_type for p in m.providers if p.code == code), "LEI")


def _gather(report: Report, key: Callable[[Resource], str | None], tables: RoiTables) -> None:
    """Fill ``tables.found`` and the (provision, storage) pairs per key; list what is not placed.

    Data rests where the resource is (each candidate of a multi-region with itself) and where
    its copies are, managed from where the resource is.
    """
    for f in report.findings:
        r = f.resource
        ref = key(r)
        if ref is None:
            tables.unresolved.append(
                Unresolved(r.id, r.provider.value, r.account, None, "no arrangement matches")
            )
            continue
        processing, copies, problems = finding_countries(f)
        for problem in problems:
            tables.unresolved.append(Unresolved(r.id, r.provider.value, r.account, ref, problem))
        found = tables.found.setdefault(ref, (set(), set()))
        found[0].update(processing | copies)
        found[1].update(processing)
        combos = {(p, p) for p in processing} | {(p, c) for p in processing for c in copies}
        tables.pairs.setdefault(ref, set()).update(combos)
    for gap in report.coverage.gaps:
        tables.unresolved.append(
            Unresolved(gap.scope, gap.provider, gap.account or "", None, f"not audited: {gap.code}")
        )


def scope_feed(report: Report) -> RoiTables:
    """The B_02.02 location columns keyed by cloudaudit's scopes, for ``--format dora-roi``.

    Without a mapping file the register's identifiers are unknown: column 0010 holds
    ``provider/account/service`` and the identifier columns stay empty, to be keyed by
    ``cloudaudit dora-roi REPORT --mapping FILE`` (docs/dora.md).
    """
    tables = RoiTables()
    _gather(report, lambda r: f"{r.provider.value}/{r.account}/{r.service}", tables)
    for ref in sorted(tables.pairs):
        for provision, rest in sorted(tables.pairs[ref]):
            row = {"c0010": ref, "c0140": YES, "c0150": country_code(rest)}
            row["c0130"] = row["c0160"] = country_code(provision)
            tables.b_02_02.append(row)
    return tables


def roi_tables(report: Report, mapping: DoraMapping) -> RoiTables:
    """Derive B_02.02 and B_05.01 location rows from ``report`` under ``mapping``."""
    tables = RoiTables()

    def reference(r: Resource) -> str | None:
        a = mapping.arrangement_of(r)
        return a.reference if a is not None else None

    _gather(report, reference, tables)
    pairs = tables.pairs
    by_ref = {a.reference: a for a in mapping.arrangements}
    for ref in sorted(pairs):
        for provision, rest in sorted(pairs[ref]):
            tables.b_02_02.append(_b_02_02_row(mapping, by_ref[ref], provision, rest))
    for p in mapping.providers:
        if p.headquarters is None:
            tables.unresolved.append(
                Unresolved(p.code, "", "", None, "B_05.01.0080: the mapping gives no headquarters")
            )
        tables.b_05_01.append(
            {
                "c0010": p.code,
                "c0020": CODE_TYPES[p.code_type],
                "c0050": p.name,
                "c0060": p.latin_name or p.name,
                "c0070": LEGAL_PERSON,
                "c0080": country_code(p.headquarters) if p.headquarters else "",
                "c0110": p.parent_code or p.code,
                "c0120": CODE_TYPES[p.parent_code_type or p.code_type],
            }
        )
    return tables
