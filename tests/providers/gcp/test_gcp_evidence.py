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


def test_the_bundle_keeps_the_projects_discovery_found(
    fake: FakeGcp, provider: Callable[..., GcpProvider], tmp_path: Path
) -> None:
    """Which folders and projects the organization held is evidence: the scope audited."""
    report = audit(provider(fake), "us-foreign-adversaries", evidence=tmp_path / "b")
    units = [json.loads(u.read_text()) for u in (tmp_path / "b" / "units").glob("*.json")]
    found = [r for u in units if u["scope"].endswith("/resourcemanager") for r in u["records"]]
    assert {r["operation"] for r in found} >= {
        "cloudresourcemanager:folders.list",
        "cloudresourcemanager:projects.list",
    }
    assert {r["data"]["request"]["arg1"] for r in found} >= {"organizations/123"}
    listed = {
        p["project_id"]
        for r in found
        if r["operation"] == "cloudresourcemanager:projects.list"
        for p in r["data"]["response"]
    }
    assert {f.resource.account for f in report.findings} <= listed


def test_a_project_named_by_the_caller_is_evidence_too(
    fake: FakeGcp, provider: Callable[..., GcpProvider], tmp_path: Path
) -> None:
    project = next(iter(fake.projects))
    audit(provider(fake, projects=[project]), "us-foreign-adversaries", evidence=tmp_path / "b")
    units = [json.loads(u.read_text()) for u in (tmp_path / "b" / "units").glob("*.json")]
    (got,) = [
        r["data"]["response"]
        for u in units
        for r in u["records"]
        if r["operation"] == "cloudresourcemanager:projects.get"
    ]
    assert got["project_id"] == project and got["state"]
