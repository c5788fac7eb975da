"""Evidence bundles from the Alibaba fake: ECS, OSS and RDS answers recorded and replayed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from alibaba_fake import KEY_ID, SECRET, Server

from cloudaudit import audit
from cloudaudit.evidence import replay, verify_bundle
from cloudaudit.providers.alibaba import AlibabaProvider

pytestmark = pytest.mark.http


def test_alibaba_bundle_records_masks_and_replays(server: Server, tmp_path: Path) -> None:
    provider = AlibabaProvider(KEY_ID, SECRET, endpoint=server.url)  # type: ignore[arg-type]
    report = audit(provider, "us-foreign-adversaries", evidence=tmp_path / "b")
    assert verify_bundle(tmp_path / "b") == []
    text = "".join(p.read_text() for p in (tmp_path / "b").rglob("*") if p.is_file())
    assert "oss:ListBuckets" in text and "ecs:DescribeInstances" in text
    assert SECRET not in text
    replicated = next(f for f in report.findings if f.resource.name == "fra-replicated")
    assert replicated.resource.records
    again = replay(tmp_path / "b")
    assert [f.model_dump() for f in again.findings] == [f.model_dump() for f in report.findings]


def test_the_bundle_keeps_the_account_and_regions_discovery_read(
    server: Server, tmp_path: Path
) -> None:
    provider = AlibabaProvider(KEY_ID, SECRET, endpoint=server.url)  # type: ignore[arg-type]
    report = audit(provider, "us-foreign-adversaries", evidence=tmp_path / "b")
    units = [json.loads(u.read_text()) for u in (tmp_path / "b" / "units").glob("*.json")]
    (found,) = [u["records"] for u in units if u["scope"] == "alibaba/*/*/discovery"]
    by_op = {r["operation"]: r["data"]["response"] for r in found}
    assert set(by_op) == {"sts:GetCallerIdentity", "ecs:DescribeRegions"}
    assert {a.account for a in report.coverage.audited} == {by_op["sts:GetCallerIdentity"]}
    regions = {a.region for a in report.coverage.audited if a.region}
    assert regions and regions <= set(by_op["ecs:DescribeRegions"])
    assert verify_bundle(tmp_path / "b") == []
