"""The native inventory forms: cloudaudit's own JSON (model or flat form) and CSV.

Two formats, documented in ``docs/inventory.md``:

* **JSON**: a list of resource objects, or ``{"resources": [...]}``. Each object is either the
  :class:`~cloudaudit.models.Resource` JSON shape (with a ``location`` object) or the flat form
  (``region``, ``zone``, ``kind``, ``copies``, ``tags`` as plain fields).
* **CSV**: one resource per row with the columns ``provider, account, service, type, id, name,
  region, zone, kind, copies, tags``; ``copies`` holds semicolon-separated regions and ``tags``
  ``key=value`` pairs separated by semicolons.

Validation is strict and complete: every problem is reported with the file, the row or index,
the field and the fix, in one :class:`InventoryError`. Nothing in the file is ever executed.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from cloudaudit.inventory._errors import InventoryError, Problem
from cloudaudit.inventory._fields import (
    COLUMNS,
    REQUIRED,
    check_duplicates,
    validate_all,
    validate_flat,
)
from cloudaudit.models import Coverage, Resource, ScopeRecord

__all__ = [
    "COLUMNS",
    "MAX_BYTES",
    "MAX_ROWS",
    "REQUIRED",
    "InventoryError",
    "inventory_coverage",
    "load_inventory",
    "parse_csv",
    "parse_json",
    "parse_json_lines",
]

MAX_BYTES = 200 * 1024 * 1024
MAX_ROWS = 1_000_000
MAX_DEPTH = 16


def load_inventory(path: str | Path) -> list[Resource]:
    """Load and strictly validate the resources of a JSON or CSV inventory file.

    The format follows the extension (``.json``, ``.csv``); other extensions are sniffed (a
    file starting with ``[`` or ``{`` is JSON).

    Args:
        path: The inventory file.

    Returns:
        The resources, in file order.

    Raises:
        InventoryError: The file is missing, too large, malformed, or a resource is invalid.
    """
    p = Path(path)
    source = str(path)
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise InventoryError(source, [("file", f"cannot read: {exc.strerror}", "")]) from None
    if size > MAX_BYTES:
        raise InventoryError(
            source,
            [("file", f"{size} bytes is over the {MAX_BYTES} byte limit", "split the file")],
        )
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InventoryError(
            source, [("file", f"cannot read: {exc}", "save it as UTF-8")]
        ) from None
    suffix = p.suffix.lower()
    if suffix == ".json" or (suffix != ".csv" and text.lstrip()[:1] in ("[", "{")):
        return parse_json(text, source)
    return parse_csv(text, source)


def inventory_coverage(source: str, resources: Iterable[Resource]) -> Coverage:
    """Coverage of an inventory audit: the file itself is the one audited scope."""
    count = sum(1 for _ in resources)
    record = ScopeRecord(
        provider="inventory", scope=f"inventory:{source}", resources=count, method="file"
    )
    return Coverage(audited=(record,))


# --- JSON ------------------------------------------------------------------------------------


def parse_json(text: str, source: str = "<json>") -> list[Resource]:
    """Parse a JSON inventory (see module docs). Raises InventoryError."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise InventoryError(
            source, [(where, f"malformed JSON: {exc.msg}", _json_fix(exc))]
        ) from None
    except RecursionError:
        raise InventoryError(source, [("file", "JSON nested too deeply", "")]) from None
    _check_depth(data, source)
    items, prefix = _items(data, source)
    return _checked(items, [f"{prefix}[{i}]" for i in range(len(items))], source)


def parse_json_lines(text: str, source: str = "<jsonl>") -> list[Resource]:
    """Parse cloudaudit's JSON objects written one per line (JSON Lines). Raises InventoryError."""
    items: list[Any] = []
    wheres: list[str] = []
    problems: list[Problem] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            items.append(json.loads(line))
        except json.JSONDecodeError as exc:
            where = f"line {number}, column {exc.colno}"
            problems.append((where, f"malformed JSON: {exc.msg}", _JSONL_FIX))
            continue
        except RecursionError:
            problems.append((f"line {number}", "JSON nested too deeply", "flatten it"))
            continue
        wheres.append(f"line {number}")
    if problems:
        raise InventoryError(source, problems)
    _check_depth(items, source)  # as deep as the same objects in one JSON list
    return _checked(items, wheres, source)


_JSONL_FIX = "write one whole JSON object per line (JSON Lines), or the file as one JSON list"


def _json_fix(exc: json.JSONDecodeError) -> str:
    if exc.msg == "Extra data":
        return (
            "the file holds more than one JSON value: put the resources in one list [...], "
            "or write one object per line (JSON Lines)"
        )
    return "fix the JSON at that line and column (a trailing comma, a missing quote or bracket?)"


def _check_depth(data: Any, source: str) -> None:
    if _depth(data) > MAX_DEPTH:
        raise InventoryError(
            source, [("file", f"JSON nested deeper than {MAX_DEPTH} levels", "flatten it")]
        )


def _checked(items: list[Any], wheres: list[str], source: str) -> list[Resource]:
    """Validate parsed resource objects whole; ``wheres`` names each in the messages."""
    if len(items) > MAX_ROWS:
        raise InventoryError(source, [("file", f"more than {MAX_ROWS} resources", "split it")])
    problems: list[Problem] = []
    resources = [r for r in validate_all(items, wheres, problems) if r is not None]
    check_duplicates(resources, problems)
    if problems:
        raise InventoryError(source, problems)
    return resources


def _items(data: Any, source: str) -> tuple[list[Any], str]:
    if isinstance(data, list):
        return data, "resources"
    if isinstance(data, dict) and set(data) <= {"resources", "schema_version"}:
        items = data.get("resources")
        if isinstance(items, list):
            return items, "resources"
    raise InventoryError(
        source,
        [
            (
                "top level",
                'expected a list of resources or an object {"resources": [...]}',
                'wrap the resources in a list, or in {"resources": [...]}',
            )
        ],
    )


def _depth(data: Any) -> int:
    """Nesting depth of parsed JSON, computed without recursion."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        if level > MAX_DEPTH:
            break
        if isinstance(node, dict):
            stack.extend((v, level + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, level + 1) for v in node)
    return deepest


# --- CSV -------------------------------------------------------------------------------------


def parse_csv(text: str, source: str = "<csv>") -> list[Resource]:
    """Parse a CSV inventory (see module docs). Raises InventoryError."""
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        raise InventoryError(source, [("line 1", f"malformed CSV: {exc}", "")]) from None
    _check_header(header, source)
    reader.fieldnames = header
    problems: list[Problem] = []
    resources: list[Resource] = []
    try:
        for row in reader:
            if reader.line_num - 1 > MAX_ROWS:
                problems.append(("file", f"more than {MAX_ROWS} rows", "split the file"))
                break
            where = f"row {reader.line_num}"
            if None in row:
                problems.append((where, "has more cells than the header", "quote commas"))
                continue
            cells = {k: v for k, v in row.items() if v is not None}
            resources.extend(validate_flat(cells, where, problems, is_csv=True))
    except csv.Error as exc:
        problems.append((f"line {reader.line_num}", f"malformed CSV: {exc}", ""))
    check_duplicates(resources, problems)
    if problems:
        raise InventoryError(source, problems)
    return resources


def _check_header(header: list[str], source: str) -> None:
    problems: list[Problem] = []
    if not header:
        problems.append(("line 1", "no header row", f"start with: {','.join(COLUMNS)}"))
    for col in header:
        if col not in COLUMNS:
            problems.append(
                (f"header column {col!r}", "unknown column", f"use only: {', '.join(COLUMNS)}")
            )
    for col in ("provider", "account", "service", "type", "id", "region"):
        if header and col not in header:
            problems.append((f"header column {col!r}", "is missing", f"add a {col} column"))
    if len(set(header)) != len(header):
        problems.append(("header", "repeats a column", "name each column once"))
    if problems:
        raise InventoryError(source, problems)
