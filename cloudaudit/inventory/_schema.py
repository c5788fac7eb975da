"""The JSON Schema of cloudaudit's own inventory JSON (published as docs/inventory.schema.json).

Built from the code's own declarations (columns, providers, kinds, the ``Resource`` model),
so that the published file cannot drift: a test compares it with :func:`inventory_schema`.
"""

from __future__ import annotations

from typing import Any

from cloudaudit.inventory._native import COLUMNS, REQUIRED
from cloudaudit.inventory._places import PREMISES
from cloudaudit.models import LocationKind, ProviderId, Resource

__all__ = ["inventory_schema"]

_TEXT = {"type": ["string", "integer"]}
_PROVIDERS = [p.value for p in ProviderId]
_KINDS = [*(k.value for k in LocationKind), PREMISES]
_COPY_TEXT = {
    "type": "string",
    "minLength": 1,
    "description": "[provider:]region, [provider:]region/zone, or [provider:]unknown",
}
_COPY_OBJECT = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "provider": {"enum": _PROVIDERS},
        "region": {"type": ["string", "null"]},
        "zone": {"type": ["string", "null"]},
        "kind": {"enum": _KINDS},
    },
}
_DESCRIPTIONS = {
    "provider": "cloud id",
    "account": "account, project, subscription or tenancy id",
    "service": "the vendor's service name",
    "type": "resource type",
    "id": "unique id per provider and account",
    "name": "display name (defaults to id)",
    "region": "the vendor's region code; for AWS S3 buckets EU, empty and null are legacy values",
    "zone": "availability zone, or the rack's id for kind premises",
    "kind": "how much of the world the location spans; premises: customer's own site",
    "copies": "other places holding copies of the data",
    "tags": "key/value tags",
}


def _flat() -> dict[str, Any]:
    props: dict[str, Any] = {c: {**_TEXT, "description": _DESCRIPTIONS[c]} for c in COLUMNS}
    props["provider"] = {"enum": _PROVIDERS, "description": _DESCRIPTIONS["provider"]}
    props["kind"] = {"enum": _KINDS, "description": _DESCRIPTIONS["kind"]}
    props["region"] = {"type": ["string", "null"], "description": _DESCRIPTIONS["region"]}
    props["copies"] = {
        "description": _DESCRIPTIONS["copies"],
        "anyOf": [
            {"type": "string"},
            {"type": "array", "items": {"anyOf": [_COPY_TEXT, _COPY_OBJECT]}},
        ],
    }
    props["tags"] = {
        "description": _DESCRIPTIONS["tags"],
        "anyOf": [
            {"type": "string"},
            {"type": "object", "additionalProperties": {"type": "string"}},
        ],
    }
    return {
        "type": "object",
        "title": "Flat resource",
        "additionalProperties": False,
        "required": list(REQUIRED),
        "not": {"required": ["location"]},
        "properties": props,
    }


def inventory_schema() -> dict[str, Any]:
    """The schema of an inventory JSON file: a list of resources or ``{"resources": [...]}``."""
    model = Resource.model_json_schema(mode="serialization", ref_template="#/$defs/{model}")
    defs = dict(model.pop("$defs", {}))
    defs["Resource"] = model
    defs["FlatResource"] = _flat()
    item = {"oneOf": [{"$ref": "#/$defs/FlatResource"}, {"$ref": "#/$defs/Resource"}]}
    resources = {"type": "array", "items": item}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "cloudaudit inventory",
        "description": "cloudaudit's own inventory JSON (docs/inventory.md). Exports of other "
        "tools are recognised by their own shapes and are not described here.",
        "oneOf": [
            resources,
            {
                "type": "object",
                "additionalProperties": False,
                "required": ["resources"],
                "properties": {"resources": resources, "schema_version": {"type": "string"}},
            },
        ],
        "$defs": defs,
    }
