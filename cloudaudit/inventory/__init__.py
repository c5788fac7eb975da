"""Inventory import: judge resources listed in files instead of read from a cloud API.

Two families of input, both documented in ``docs/inventory.md``:

* **cloudaudit's own forms** (:func:`load_inventory`): JSON (model or flat form) and CSV,
  validated strictly; any problem is reported with file, row or index, field and fix.
* **Exports users already have** (:func:`read_resources`, :class:`ExportSource`): Cloud Asset
  search results and exports, Resource Graph results, AWS Config select results,
  configuration items and snapshot files, Resource Explorer results, Steampipe and
  CloudQuery tables, Prowler JSON-OCSF. The shape is detected from the content; files are
  streamed (JSON Lines, JSON, CSV; gzip read as is), and a record that cannot be read
  becomes a coverage gap naming its file and line.

Nothing in a file is ever executed.
"""

from __future__ import annotations

from cloudaudit.inventory._errors import InventoryError
from cloudaudit.inventory._native import (
    COLUMNS,
    MAX_BYTES,
    MAX_ROWS,
    inventory_coverage,
    load_inventory,
    parse_csv,
    parse_json,
)
from cloudaudit.inventory._schema import inventory_schema
from cloudaudit.inventory._source import SHAPES, ExportSource, plan_import, read_resources

__all__ = [
    "COLUMNS",
    "MAX_BYTES",
    "MAX_ROWS",
    "SHAPES",
    "ExportSource",
    "InventoryError",
    "inventory_coverage",
    "inventory_schema",
    "load_inventory",
    "parse_csv",
    "parse_json",
    "plan_import",
    "read_resources",
]
