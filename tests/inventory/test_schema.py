"""docs/inventory.schema.json: generated from the code, and it agrees with the loader."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from cloudaudit.inventory import InventoryError, inventory_schema, load_inventory
from cloudaudit.testing import make_resource

ROOT = Path(__file__).resolve().parents[2]
VALIDATOR = jsonschema.Draft202012Validator(inventory_schema())
FLAT = {"provider": "aws", "account": "1", "service": "s3", "type": "bucket", "id": "b"}


def test_published_schema_is_current() -> None:
    published = json.loads((ROOT / "docs" / "inventory.schema.json").read_text())
    assert published == inventory_schema(), (
        "docs/inventory.schema.json is stale: run python scripts/write_inventory_schema.py"
    )
    jsonschema.Draft202012Validator.check_schema(published)


def test_docs_json_examples_validate() -> None:
    doc = (ROOT / "docs" / "inventory.md").read_text("utf-8")
    blocks = re.findall(r"```json\n(.*?)```", doc, re.S)
    assert len(blocks) >= 3
    for block in blocks:
        VALIDATOR.validate(json.loads(block))


GOOD: list[Any] = [
    [FLAT],
    {"resources": [{**FLAT, "region": "EU", "copies": "gcp:europe-west3;unknown"}]},
    [{**FLAT, "region": None, "copies": ["us-west-2/us-west-2a", {"provider": "azure"}]}],
    [{**FLAT, "type": "instance", "zone": "op-1", "kind": "premises"}],
    [make_resource("aws", "eu-west-1", copies=["us-east-1"]).model_dump(mode="json")],
]
BAD: list[Any] = [
    [{**FLAT, "provider": "ibm"}],
    [{**FLAT, "colour": "red"}],
    [{k: v for k, v in FLAT.items() if k != "id"}],
    [{**FLAT, "kind": "continent"}],
    [{**FLAT, "copies": [{"provider": "aws", "planet": "mars"}]}],
    {"items": [FLAT]},
]


@pytest.mark.parametrize("doc", GOOD)
def test_accepted_by_schema_and_loader(doc: Any, tmp_path: Path) -> None:
    VALIDATOR.validate(doc)
    path = tmp_path / "inv.json"
    path.write_text(json.dumps(doc))
    assert load_inventory(path)


@pytest.mark.parametrize("doc", BAD)
def test_rejected_by_schema_and_loader(doc: Any, tmp_path: Path) -> None:
    assert not VALIDATOR.is_valid(doc)
    path = tmp_path / "inv.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(InventoryError):
        load_inventory(path)
