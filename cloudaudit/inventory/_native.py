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
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from cloudaudit.inventory._errors import InventoryError, Problem
from cloudaudit.inventory._places import PREMISES, is_s3_bucket, parse_copies, s3_region
from cloudaudit.models import Coverage, Location, LocationKind, ProviderId, Resource, ScopeRecord

__all__ = [
    "COLUMNS",
    "MAX_BYTES",
    "MAX_ROWS",
    "InventoryError",
    "inventory_coverage",
    "load_inventory",
    "parse_csv",
    "parse_json",
]

MAX_BYTES = 200 * 1024 * 1024
MAX_ROWS = 1_000_000
MAX_DEPTH = 16
COLUMNS = (
    "provider",
    "account",
    "service",
    "type",
    "id",
    "name",
    "region",
    "zone",
    "kind",
    "copies",
    "tags",
)
REQUIRED = ("provider", "account", "service", "type", "id")
_PROVIDERS = ", ".join(p.value for p in ProviderId)
_KINDS = ", ".join(k.value for k in LocationKind)


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
        raise InventoryError(source, [(where, f"malformed JSON: {exc.msg}", "")]) from None
    except RecursionError:
        raise InventoryError(source, [("file", "JSON nested too deeply", "")]) from None
    if _depth(data) > MAX_DEPTH:
        raise InventoryError(
            source, [("file", f"JSON nested deeper than {MAX_DEPTH} levels", "flatten it")]
        )
    items, prefix = _items(data, source)
    if len(items) > MAX_ROWS:
        raise InventoryError(source, [("file", f"more than {MAX_ROWS} resources", "split it")])
    problems: list[Problem] = []
    resources = [r for r in _validate_all(items, prefix, problems) if r is not None]
    _check_duplicates(resources, problems)
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


def _validate_all(items: list[Any], prefix: str, problems: list[Problem]) -> Iterator[Resource]:
    for index, item in enumerate(items):
        where = f"{prefix}[{index}]"
        if not isinstance(item, dict):
            problems.append((where, "is not an object", "write one JSON object per resource"))
            continue
        if "location" in item:
            yield from _model_form(item, where, problems)
        else:
            yield from _flat(item, where, problems, is_csv=False)


def _model_form(item: dict[str, Any], where: str, problems: list[Problem]) -> Iterator[Resource]:
    provider = item.get("provider")
    if not _provider_ok(provider, f"{where}.provider", problems):
        return
    item = {"name": item.get("id"), **item}
    try:
        yield Resource.model_validate(item)
    except ValidationError as exc:
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"])
            problems.append((f"{where}.{field}", err["msg"], _fix_for(field)))


def _fix_for(field: str) -> str:
    last = field.rsplit(".", 1)[-1]
    if last == "provider":
        return f"use one of: {_PROVIDERS}"
    if last == "kind":
        return f"use one of: {_KINDS}"
    if last in REQUIRED or last == "location":
        return f"give a non-empty {last}"
    return "see docs/inventory.md for the schema"


# --- the flat form (CSV rows and flat JSON objects) -----------------------------------------


def _flat(
    item: Mapping[str, Any], where: str, problems: list[Problem], *, is_csv: bool
) -> Iterator[Resource]:
    def at(field: str) -> str:
        return f"{where}, field '{field}'" if is_csv else f"{where}.{field}"

    before = len(problems)
    unknown = sorted(set(item) - set(COLUMNS))
    for field in unknown:
        problems.append((at(field), "unknown field", f"use only: {', '.join(COLUMNS)}"))
    values = {
        k: _text(item.get(k), at(k), problems) for k in COLUMNS if k not in ("copies", "tags")
    }
    for field in REQUIRED:
        if not values.get(field):
            problems.append((at(field), "is missing or empty", f"give the resource's {field}"))
    provider = values.get("provider")
    if provider and not _provider_ok(provider, at("provider"), problems):
        return
    if is_s3_bucket(provider, values.get("service"), values.get("type")):
        values["region"] = s3_region(values.get("region"))  # legacy EU, empty, null
    kind = _kind(values.get("kind"), values.get("zone"), at("kind"), problems)
    located = kind in (LocationKind.REGION, LocationKind.ZONE)
    if located and not values.get("region") and not values.get("zone"):
        problems.append(
            (at("region"), "is empty", "give the region, or set kind to unknown or global")
        )
    pid = ProviderId(provider) if provider else ProviderId.OTHER
    copies = parse_copies(item.get("copies"), pid, at("copies"), problems)
    tags = _tags(item.get("tags"), at("tags"), problems)
    if len(problems) > before or provider is None or kind is None:
        return
    yield Resource(
        provider=pid,
        account=values["account"] or "",
        service=values["service"] or "",
        type=values["type"] or "",
        id=values["id"] or "",
        name=values.get("name") or values["id"] or "",
        location=Location(
            provider=pid, region=values.get("region"), zone=values.get("zone"), kind=kind
        ),
        data_locations=tuple(copies),
        tags=tags,
    )


def _text(value: Any, where: str, problems: list[Problem]) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        problems.append((where, f"must be a string, got {type(value).__name__}", "quote it"))
        return None
    text = str(value).strip()
    return text or None


def _provider_ok(provider: Any, where: str, problems: list[Problem]) -> bool:
    if isinstance(provider, str) and provider in ProviderId._value2member_map_:
        return True
    problems.append((where, f"unknown provider {provider!r}", f"use one of: {_PROVIDERS}"))
    return False


def _kind(
    value: str | None, zone: str | None, where: str, problems: list[Problem]
) -> LocationKind | None:
    if not value:
        return LocationKind.ZONE if zone else LocationKind.REGION
    if value == PREMISES:
        return LocationKind.UNKNOWN
    if value in LocationKind._value2member_map_:
        return LocationKind(value)
    problems.append((where, f"unknown kind {value!r}", f"use one of: {_KINDS}, {PREMISES}"))
    return None


def _tags(value: Any, where: str, problems: list[Problem]) -> dict[str, str]:
    if value is None or value == "":
        return {}
    if isinstance(value, dict):
        if all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            return dict(value)
        problems.append((where, "keys and values must be strings", 'write {"team": "data"}'))
        return {}
    if not isinstance(value, str):
        problems.append((where, "must be key=value pairs", "write team=data;env=prod"))
        return {}
    tags: dict[str, str] = {}
    for pair in value.split(";"):
        key, sep, val = pair.partition("=")
        if not sep or not key.strip():
            problems.append((where, f"{pair!r} is not key=value", "write team=data;env=prod"))
            continue
        tags[key.strip()] = val.strip()
    return tags


def _check_duplicates(resources: list[Resource], problems: list[Problem]) -> None:
    seen: dict[tuple[str, str, str], int] = {}
    for index, r in enumerate(resources):
        key = (r.provider.value, r.account, r.id)
        if key in seen:
            problems.append(
                (
                    f"resource id {r.id!r}",
                    f"appears more than once (entries {seen[key] + 1} and {index + 1})",
                    "keep one entry per provider, account and id",
                )
            )
        else:
            seen[key] = index


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
            resources.extend(_flat(cells, where, problems, is_csv=True))
    except csv.Error as exc:
        problems.append((f"line {reader.line_num}", f"malformed CSV: {exc}", ""))
    _check_duplicates(resources, problems)
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
