"""Saved Cloud Asset results judged by ``audit inventory`` give the live audit's verdicts.

The fake organization is audited live (google-cloud-asset over HTTP) and through files a
user would have: the fake's search results as ``gcloud asset search-all-resources
--format=json`` output (a list), as the REST ``searchAllResources`` body, and as a Cloud Asset
export (JSON Lines, ``asset_type`` + ``resource.data``, gzip-compressed as exports often are).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from gcp_fake import FakeGcp

from cloudaudit import audit
from cloudaudit.inventory import ExportSource, plan_import
from cloudaudit.models import Status
from cloudaudit.providers.gcp import GcpProvider

pytestmark = pytest.mark.http

POLICY = "us-foreign-adversaries"


def _export_line(fake: FakeGcp, asset: dict[str, Any]) -> dict[str, Any]:
    number = asset["project"].split("/")[1]
    return {
        "name": asset["name"],
        "asset_type": asset["assetType"],
        "resource": {
            "version": "v1",
            "parent": f"//cloudresourcemanager.googleapis.com/projects/{number}",
            "location": asset["location"],
            "data": asset["versionedResources"][0]["resource"],
        },
        "ancestors": [asset["project"], fake.organization],
    }


def _projects(fake: FakeGcp) -> list[dict[str, Any]]:
    return [
        {
            "name": f"//cloudresourcemanager.googleapis.com/{p['name']}",
            "asset_type": "cloudresourcemanager.googleapis.com/Project",
            "resource": {"data": {"projectId": pid, "projectNumber": p["name"].split("/")[1]}},
        }
        for pid, p in fake.projects.items()
    ]


def _verdicts(paths: list[Path]) -> dict[str, Status]:
    report = audit([ExportSource(plan_import(paths))], POLICY)
    return {f.resource.id: f.status for f in report.findings}


def test_search_results_and_export_give_the_live_verdicts(
    fake: FakeGcp, provider: Callable[..., GcpProvider], tmp_path: Path
) -> None:
    live_report = audit([provider(fake)], POLICY)
    live = {f.resource.id: f.status for f in live_report.findings}
    accounts = {f.resource.id: f.resource.account for f in live_report.findings}
    readable = {p["name"] for p in fake.projects.values() if p["state"] == "ACTIVE"}
    assets = [a for a in fake.assets if a["project"] in readable]
    assert {a["name"] for a in assets} == set(live)

    gcloud = tmp_path / "gcloud.json"
    gcloud.write_text(json.dumps(assets, indent=2))
    rest = tmp_path / "rest.json"
    rest.write_text(json.dumps({"results": assets, "nextPageToken": ""}))
    export = tmp_path / "export.jsonl.gz"
    lines = [*_projects(fake), *(_export_line(fake, a) for a in assets)]
    export.write_bytes(gzip.compress("".join(json.dumps(x) + "\n" for x in lines).encode()))

    for path in (gcloud, rest, export):
        assert _verdicts([path]) == live, path.name
    assert Status.VIOLATION in live.values() and Status.COMPLIANT in live.values()
    report = audit([ExportSource(plan_import([export]))], POLICY)
    assert {f.resource.id: f.resource.account for f in report.findings} == accounts
