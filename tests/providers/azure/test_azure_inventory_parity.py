"""A saved Resource Graph result judged by ``audit inventory`` gives the live audit's verdicts.

The same fake tenant is audited live (real azure-mgmt clients over HTTPS) and through the
files a user would save: the rows the fake's Resource Graph answers with, written as
``az graph query`` output, and ``az account list-locations`` output for the paired regions.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from azure_fake import FakeARM
from click.testing import CliRunner

from cloudaudit import audit
from cloudaudit.cli import main
from cloudaudit.models import Status
from cloudaudit.report import Report

pytestmark = pytest.mark.http

POLICY = "us-foreign-adversaries"


def _export(fake: FakeARM, tmp_path: Path) -> Path:
    subs = tuple(s["subscriptionId"] for s in fake.tenant.subscriptions)
    rows = fake._graph_rows(subs)  # what the fake's Resource Graph answers, row for row
    body = {"count": len(rows), "data": rows, "skip_token": None, "total_records": len(rows)}
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "graph.json").write_text(json.dumps(body, indent=2))
    (folder / "locations.json").write_text(json.dumps({"value": fake.tenant.locations}))
    return folder


def test_graph_export_gives_the_live_verdicts(
    make_provider: Any, fake: FakeARM, tmp_path: Path
) -> None:
    live = {f.resource.id.lower(): f.status for f in audit([make_provider()], POLICY).findings}
    folder = _export(fake, tmp_path)
    result = CliRunner().invoke(
        main, ["audit", "inventory", str(folder), "--format", "json", "--fail-on", "never"]
    )
    assert result.exit_code == 0, result.output
    imported = {f.resource.id.lower(): f.status for f in Report.from_json(result.stdout).findings}
    assert set(imported) == set(live)
    sql = {i for i in live if "/microsoft.sql/servers/" in i}  # managed instances: no links
    assert sql  # the tenant has SQL servers with failover groups read live
    same = {i: s for i, s in imported.items() if i not in sql}
    assert same == {i: s for i, s in live.items() if i not in sql}
    assert Status.VIOLATION in same.values() and Status.COMPLIANT in same.values()
    # Failover groups are not in a Resource Graph row: unknown, never compliant.
    assert {imported[i] for i in sql} == {Status.UNKNOWN}
