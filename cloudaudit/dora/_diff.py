"""Compare a filed DORA register (B_02.02) with where the data was found."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from cloudaudit.dora._mapping import DoraMapping
from cloudaudit.dora._roi import RoiTables, Unresolved, roi_tables
from cloudaudit.errors import ConfigurationError
from cloudaudit.report import Report

__all__ = ["Declared", "RegisterDiff", "parse_register", "register_diff"]

_COUNTRY = re.compile(r"^(?:eba_GA:)?([A-Z]{2})$")
# Accept both the plain-CSV codes (c0150) and the data point names (B_02.02.0150).
_ALIASES = {
    "c0010": ("c0010", "b_02.02.0010"),
    "c0150": ("c0150", "b_02.02.0150"),
    "c0160": ("c0160", "b_02.02.0160"),
}


@dataclass
class Declared:
    """What the register declares for one arrangement."""

    storage: set[str] = field(default_factory=set)
    processing: set[str] = field(default_factory=set)


@dataclass
class RegisterDiff:
    """Countries found but not declared, declared but empty, and what could not be placed."""

    undeclared: list[tuple[str, str, str]] = field(default_factory=list)  # ref, column, country
    empty: list[tuple[str, str, str]] = field(default_factory=list)  # ref, column, country
    not_in_register: list[str] = field(default_factory=list)  # arrangements found, not declared
    unresolved: list[Unresolved] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        """True when the register declares every country found and nothing is unresolved."""
        return not (self.undeclared or self.not_in_register or self.unresolved)

    def lines(self) -> list[str]:
        """The diff as short lines for a person."""
        out = [f"+ {ref} {col}: data found in {c}, not declared" for ref, col, c in self.undeclared]
        out += [
            f"+ {ref}: arrangement found in the audit, absent from the register"
            for ref in self.not_in_register
        ]
        out += [f"- {ref} {col}: declared {c}, nothing found there" for ref, col, c in self.empty]
        out += [
            f"? {u.arrangement or '(no arrangement)'} {u.resource_id}: {u.reason}"
            for u in self.unresolved
        ]
        return out or ["the register declares every country where data was found"]


def _column(header: list[str], name: str, source: str) -> int:
    lowered = [h.strip().lower() for h in header]
    for alias in _ALIASES[name]:
        if alias in lowered:
            return lowered.index(alias)
    raise ConfigurationError(
        f"{source}: not a B_02.02 table: no column {name} (or {_ALIASES[name][1].upper()}). "
        "Fix: give the b_02.02.csv file of the register (plain CSV with c0010... headers)."
    )


def parse_register(text: str, source: str) -> dict[str, Declared]:
    """Read a B_02.02 table (``c0010``... or ``B_02.02.0010``... headers) into declarations.

    Raises:
        ConfigurationError: the text is not a B_02.02 table or a country cell is malformed.
    """
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise ConfigurationError(f"{source}: the file is empty. Fix: give the b_02.02.csv file.")
    ref, rest, proc = (_column(rows[0], c, source) for c in ("c0010", "c0150", "c0160"))
    declared: dict[str, Declared] = {}
    for n, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(ref, rest, proc):
            raise ConfigurationError(f"{source}: line {n} has {len(row)} cells. Fix: complete it.")
        d = declared.setdefault(row[ref].strip(), Declared())
        for col, target in ((rest, d.storage), (proc, d.processing)):
            cell = row[col].strip()
            if not cell:
                continue
            m = _COUNTRY.match(cell)
            if m is None:
                raise ConfigurationError(
                    f"{source}: line {n}, column {rows[0][col]}: {cell!r} is not a country. "
                    "Fix: use eba_GA:XX or an ISO 3166-1 alpha-2 code."
                )
            target.add(m.group(1))
    return declared


def register_diff(
    declared: dict[str, Declared], report: Report, mapping: DoraMapping
) -> RegisterDiff:
    """Compare the register's declarations with the countries found in ``report``."""
    tables: RoiTables = roi_tables(report, mapping)
    diff = RegisterDiff(unresolved=[u for u in tables.unresolved if u.arrangement or u.provider])
    for ref, (storage, processing) in sorted(tables.found.items()):
        d = declared.get(ref)
        if d is None:
            diff.not_in_register.append(ref)
            continue
        for col, found, said in (
            ("c0150", storage, d.storage),
            ("c0160", processing, d.processing),
        ):
            diff.undeclared += [(ref, col, c) for c in sorted(found - said)]
    for ref, d in sorted(declared.items()):
        storage, processing = tables.found.get(ref, (set(), set()))
        if ref not in {a.reference for a in mapping.arrangements}:
            continue  # an arrangement this audit does not cover (another vendor, say)
        for col, found, said in (
            ("c0150", storage, d.storage),
            ("c0160", processing, d.processing),
        ):
            diff.empty += [(ref, col, c) for c in sorted(said - found)]
    return diff
