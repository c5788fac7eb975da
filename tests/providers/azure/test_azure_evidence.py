"""Evidence bundles from the Azure fake: Resource Graph rows recorded, linked, replayed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from azure_fake import FakeARM

from cloudaudit import audit
from cloudaudit.evidence import replay, verify_bundle

pytestmark = pytest.mark.http


def test_azure_bundle_records_links_and_replays(
    make_provider: Any, fake: FakeARM, tmp_path: Path
) -> None:
    report = audit(make_provider(), "us-foreign-adversaries", evidence=tmp_path / "b")
    assert verify_bundle(tmp_path / "b") == []
    text = "".join(u.read_text() for u in (tmp_path / "b" / "units").glob("*.json"))
    assert "resourcegraph:resources" in text
    records = {
        rec["sha256"]
        for unit in (tmp_path / "b" / "units").glob("*.json")
        for rec in json.loads(unit.read_text())["records"]
    }
    vm = next(f for f in report.findings if f.resource.name == "vm-hk")
    assert vm.resource.records and set(vm.resource.records) <= records
    assert "fake-token" not in text
    again = replay(tmp_path / "b")
    assert [f.model_dump() for f in again.findings] == [f.model_dump() for f in report.findings]
