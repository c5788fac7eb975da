"""Recognising a source's shape from its first records (cloudaudit's own forms included)."""

from __future__ import annotations

from typing import Any

from cloudaudit.inventory import _aws, _azure, _gcp, _prowler, _tables
from cloudaudit.inventory._errors import InventoryError
from cloudaudit.inventory._fields import COLUMNS
from cloudaudit.inventory._shapes import Shape
from cloudaudit.inventory._stream import BadRecord, Record

__all__ = ["BAD_FIX", "NATIVE", "SHAPES", "UNREADABLE", "detect"]

SHAPES: tuple[Shape, ...] = (
    *_gcp.SHAPES,
    *_azure.SHAPES,
    *_aws.SHAPES,
    *_prowler.SHAPES,
    *_tables.SHAPES,
)
"""Every export shape, in detection order (the first that matches wins)."""

NATIVE = "cloudaudit"
"""The shape name of cloudaudit's own JSON, JSON Lines and CSV forms."""
UNREADABLE = "unreadable"
"""A source that could not be read before its first record (its shape is not known)."""
_METADATA_KEYS = frozenset({"columns", "facets", "QueryInfo"})


def _candidate(record: Record | BadRecord) -> bool:
    if isinstance(record, BadRecord):
        return False
    key = record.key
    return (
        key is None
        or key in ("data=", "ConfigurationItem=")
        or (not key.endswith("=") and key not in _METADATA_KEYS)
    )


def _native(record: Any, container: str) -> bool:
    if container == "csv":
        return isinstance(record, dict) and set(record) <= set(COLUMNS) and "provider" in record
    return isinstance(record, dict) and "provider" in record and "assetType" not in record


def _almost_native(record: Any, container: str) -> bool:
    """A CSV no export shape matched whose header is mostly cloudaudit's columns.

    It is read as cloudaudit's own, so that the validator names the extra or misspelt column
    and the fix (``header column 'colour': unknown column``), rather than "unknown shape".
    """
    if container != "csv" or not isinstance(record, dict) or "provider" not in record:
        return False
    return 2 * len(set(record) & set(COLUMNS)) > len(record)


BAD_FIX = "check the file is whole and well-formed (re-export or copy it again)"


def detect(name: str, head: list[Record | BadRecord], container: str) -> str:
    """The shape of a source from its first records: a shape name, ``cloudaudit`` or ``empty``.

    ``unreadable`` when the file could not be read (:attr:`BadRecord.ends`) before a record
    that tells its shape: that is a coverage gap, not bad input.

    Raises:
        InventoryError: No known shape matches, or the first records cannot be read.
    """
    first = next((r for r in head if _candidate(r)), None)
    if first is None:
        if any(isinstance(r, BadRecord) and r.ends for r in head):
            return UNREADABLE
        bad = next((r for r in head if isinstance(r, BadRecord)), None)
        if bad is not None:
            raise InventoryError(name, [(f"line {bad.line}", bad.message, BAD_FIX)])
        return "empty"
    assert isinstance(first, Record)
    if first.key is None and _native(first.value, container):
        return NATIVE
    for shape in SHAPES:
        if first.key in shape.keys and shape.match(first.value, first.key):
            return shape.name
    if first.key is None and _almost_native(first.value, container):
        return NATIVE
    raise InventoryError(name, [_unknown(first, container)])


def _unknown(first: Record, container: str) -> tuple[str, str, str]:
    value = first.value
    seen = sorted(value)[:12] if isinstance(value, dict) else type(value).__name__
    where = f'under "{first.key.rstrip("=")}"' if first.key else "at the top"
    known = "; ".join(f"{s.name} ({s.title}): {s.looks_for}" for s in SHAPES)
    return (
        f"line {first.line}",
        f"unknown inventory shape: the first {container} record {where} has {seen}. "
        f"Known shapes: {known}; and cloudaudit's own JSON/CSV (provider, account, service, "
        "type, id, region...)",
        "export with one of the commands in docs/inventory.md (Bring your own export)",
    )
