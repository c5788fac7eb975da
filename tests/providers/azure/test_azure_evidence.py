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


def _scope_records(bundle: Path, scope: str) -> dict[str, Any]:
    units = [json.loads(u.read_text()) for u in (bundle / "units").glob("*.json")]
    (records,) = [u["records"] for u in units if u["scope"] == scope]
    return {r["operation"]: r["data"]["response"] for r in records}


def test_the_bundle_keeps_the_subscriptions_the_audit_found(
    make_provider: Any, tmp_path: Path
) -> None:
    """Which subscriptions the caller could see, and what a management group holds (those
    the caller cannot read included): the scope of the report, as Azure answered it."""
    report = audit(make_provider(management_group="mg-eu"), "eu-gdpr", evidence=tmp_path / "b")
    by_op = _scope_records(tmp_path / "b", "azure/*/*/subscriptions")
    assert set(by_op) == {"arm:subscriptions.list", "arm:managementGroups.descendants"}
    visible = {s["subscriptionId"] for s in by_op["arm:subscriptions.list"]}
    under = {d["name"] for d in by_op["arm:managementGroups.descendants"]}
    hidden = {g.account for g in report.coverage.gaps if g.code == "SubscriptionNotReadable"}
    assert hidden and hidden <= under - visible  # why each is a gap, in the record
    audited = {a.account for a in report.coverage.audited}
    assert audited and audited <= visible & under
    assert verify_bundle(tmp_path / "b") == []
