"""Write the inventory JSON Schema to docs/inventory.schema.json."""

import json
from pathlib import Path

from cloudaudit.inventory import inventory_schema

out = Path(__file__).resolve().parents[1] / "docs" / "inventory.schema.json"
out.write_text(json.dumps(inventory_schema(), indent=2) + "\n")
print(f"wrote {out.name}")
