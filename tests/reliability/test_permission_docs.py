"""The shipped permission documents are valid, read-only, and shown verbatim in the docs."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs" / "providers"
DOCUMENTS = [
    ("gcp", "permissions.json"),
    ("azure", "role.json"),
    ("alibaba", "ram_policy.json"),
]


def shipped(provider: str, name: str) -> object:
    text = resources.files(f"cloudaudit.providers.{provider}").joinpath(name).read_text()
    return json.loads(text)


@pytest.mark.parametrize(("provider", "name"), DOCUMENTS)
def test_the_provider_doc_shows_the_shipped_document(provider: str, name: str) -> None:
    blocks = re.findall(r"```json\n(.*?)\n```", (DOCS / f"{provider}.md").read_text(), re.S)
    assert shipped(provider, name) in [json.loads(b) for b in blocks], (
        f"docs/providers/{provider}.md does not show {name}"
    )


def test_every_listed_permission_is_a_read() -> None:
    gcp = shipped("gcp", "permissions.json")
    assert isinstance(gcp, dict)
    for m in gcp["methods"]:
        assert m["http"].startswith("GET "), m
        assert m["permission"].rsplit(".", 1)[1].startswith(("get", "list", "search")), m
        assert m["role"] in gcp["roles"], m
    azure = shipped("azure", "role.json")
    assert isinstance(azure, dict)
    assert all(a.endswith("/read") for a in azure["Actions"])
    assert not azure["DataActions"]
    ram = shipped("alibaba", "ram_policy.json")
    assert isinstance(ram, dict)
    for st in ram["Statement"]:
        assert st["Effect"] == "Allow"
        assert all(a.split(":")[1].startswith(("Describe", "List", "Get")) for a in st["Action"])
