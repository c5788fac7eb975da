"""Evidence bundles from the GCP fake: Cloud Asset answers recorded, linked, replayed."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from gcp_fake import FakeGcp

from cloudaudit import audit
from cloudaudit.evidence import replay, verify_bundle
from cloudaudit.providers.gcp import GcpProvider

pytestmark = pytest.mark.http


def test_gcp_bundle_records_links_and_replays(
    fake: FakeGcp, provider: Callable[..., GcpProvider], tmp_path: Path
) -> None:
    report = audit(provider(fake), "us-foreign-adversaries", evidence=tmp_path / "b")
    assert verify_bundle(tmp_path / "b") == []
    records = {
        rec["sha256"]: rec
        for unit in (tmp_path / "b" / "units").glob("*.json")
        for rec in json.loads(unit.read_text())["records"]
    }
    assert any(r["operation"] == "cloudasset:searchAllResources" for r in records.values())
    hk = next(f for f in report.findings if f.resource.name == "hk-bucket")
    assert hk.resource.records and all(h in records for h in hk.resource.records)
    again = replay(tmp_path / "b")
    assert [f.model_dump() for f in again.findings] == [f.model_dump() for f in report.findings]
    assert again.coverage == report.coverage
