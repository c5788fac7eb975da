"""An organization's evidence bundle keeps what discovery read, not only what the units read.

An auditor handed the bundle sees which accounts the organization listed (``ListAccounts``,
as answered), who asked (``GetCallerIdentity``), and for each member account the regions it
had and their opt-in status (``DescribeRegions``): the report's scope is evidence too. The
canary credentials of the caller and of every assumed role stay out of it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3

from cloudaudit import audit
from cloudaudit.evidence import replay, verify_bundle
from cloudaudit.providers.aws import AwsOrganization
from tests.scale.conftest import ROLE, Org
from tests.scale.test_org_secrets import canaries  # noqa: F401 - the fixture

ORG_UNIT = "aws/*/*/organizations"


def _units(bundle: Path) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for path in sorted((bundle / "units").glob("*.json")):
        body = json.loads(path.read_text("utf-8"))
        out.setdefault(body["scope"], []).extend(body["records"])
    return out


def _ops(records: list[dict[str, Any]]) -> set[str]:
    return {r["operation"] for r in records}


def test_the_bundle_keeps_the_account_list_and_each_account_s_regions(
    org_factory: Callable[..., Org],
    canaries: list[str],  # noqa: F811 - the fixture imported above
    tmp_path: Path,
) -> None:
    org = org_factory(3)
    provider = AwsOrganization(
        boto3.Session(region_name="us-east-1"), ROLE, regions=["eu-west-1"], services=["s3"]
    )
    bundle = tmp_path / "bundle"
    report = audit(provider, "eea-only", max_workers=2, evidence=bundle)
    units = _units(bundle)

    found = units[ORG_UNIT]
    want = {"sts:GetCallerIdentity", "organizations:DescribeOrganization"}
    assert want | {"organizations:ListAccounts"} <= _ops(found)
    listed = {
        a["Id"]
        for r in found
        if r["operation"] == "organizations:ListAccounts"
        for a in r["data"]["response"]["Accounts"]
    }
    assert set(org.members) <= listed
    for member in org.members:
        regions = units[f"aws/{member}/*/discovery"]
        assert "ec2:DescribeRegions" in _ops(regions), member
        names = {
            g["RegionName"]
            for r in regions
            if r["operation"] == "ec2:DescribeRegions"
            for g in r["data"]["response"]["Regions"]
        }
        assert "eu-west-1" in names

    assert verify_bundle(bundle) == []
    again = replay(bundle)
    assert [f.model_dump() for f in again.findings] == [f.model_dump() for f in report.findings]
    assert again.coverage == report.coverage
    text = "".join(p.read_text("utf-8") for p in bundle.rglob("*") if p.is_file())
    assert len(canaries) > 2, "no role was assumed: the test would prove nothing"
    assert not [c[:8] for c in canaries if c in text]


def test_a_refused_account_list_is_kept_as_evidence_of_its_own(
    org_factory: Callable[..., Org], tmp_path: Path
) -> None:
    org = org_factory(1)
    org.gate.denied_targets.add("ListAccounts")  # the organization cannot be listed
    provider = AwsOrganization(
        boto3.Session(region_name="us-east-1"), ROLE, regions=["eu-west-1"], services=["s3"]
    )
    bundle = tmp_path / "bundle"
    report = audit(provider, "eea-only", evidence=bundle)
    assert not report.complete
    found = _units(bundle)[ORG_UNIT]
    assert {"sts:GetCallerIdentity", "organizations:DescribeOrganization"} <= _ops(found)
    assert verify_bundle(bundle) == []
