"""Azure copy mechanisms read end to end (real azure-mgmt clients, the HTTPS fake ARM).

Fixture shapes are cited in azure_tenant.py beside each resource.
"""

from __future__ import annotations

from typing import Any

import pytest
from azure_fake import FakeARM, Fault

from cloudaudit import audit
from cloudaudit.copymodel import UNDECLARED, undeclared
from cloudaudit.models import Finding, Status

pytestmark = pytest.mark.http


def findings(make_provider: Any, policy: str, **kw: Any) -> dict[str, Finding]:
    report = audit(make_provider(**kw), policy)
    return {f.resource.name: f for f in report.findings}


@pytest.mark.parametrize("graph", [True, False])
def test_key_vault_contents_are_in_the_paired_region(make_provider: Any, graph: bool) -> None:
    f = findings(make_provider, "us-foreign-adversaries", use_resource_graph=graph)["kv-sea"]
    assert f.status is Status.VIOLATION
    (pair,) = f.resource.data_locations
    assert (pair.region, pair.via) == ("eastasia", "azure.keyvault.paired-region")
    text = " ".join(f.reasons)
    assert "keeps a copy of its data in eastasia, Hong Kong SAR, Hong Kong (HK)" in text
    assert (
        "(vault contents replicated by Microsoft to the paired region of "
        "southeastasia), which 15 CFR 791.4 counts as part of China"
    ) in text


@pytest.mark.parametrize("graph", [True, False])
def test_sql_database_geo_backups_go_to_the_paired_region(make_provider: Any, graph: bool) -> None:
    got = findings(make_provider, "eu-gdpr", use_resource_graph=graph)
    orders = got["sql-weu/orders"].resource
    backups = [c for c in orders.data_locations if c.via == "azure.sql.backup-redundancy"]
    assert [c.region for c in backups] == ["northeurope"]
    assert "backups use Geo redundancy" in str(backups[0].note)
    assert got["sql-weu/ledger"].resource.data_locations == ()  # Local: no copy
    assert got["sql-weu/ledger"].status is Status.COMPLIANT


@pytest.mark.parametrize("graph", [True, False])
def test_managed_instance_backup_redundancy(make_provider: Any, graph: bool) -> None:
    f = findings(make_provider, "us-foreign-adversaries", use_resource_graph=graph)["sqlmi-sea"]
    assert f.resource.type == "managedInstances"
    assert [c.region for c in f.resource.data_locations] == ["eastasia"]
    assert f.status is Status.VIOLATION
    assert "backups use Geo redundancy: the paired region of southeastasia" in " ".join(f.reasons)


@pytest.mark.parametrize("graph", [True, False])
def test_cosmos_periodic_geo_backups_go_to_the_paired_region(
    make_provider: Any, graph: bool
) -> None:
    f = findings(make_provider, "eu-gdpr", use_resource_graph=graph)["cosmos-multi"]
    vias = {c.via: c.region for c in f.resource.data_locations}
    assert vias == {
        "azure.cosmos.replica-regions": "eastasia",
        "azure.cosmos.backup-redundancy": "northeurope",
    }


def test_every_reported_type_is_declared_except_the_planted_one(make_provider: Any) -> None:
    report = audit(make_provider(), "eu-gdpr")
    resources = [f.resource for f in report.findings]
    assert undeclared(resources) == {("azure", "microsoft.contoso", "widgets")}
    widget = next(r for r in resources if r.name == "widget-moon")
    assert widget.data_locations[-1].via == UNDECLARED


def test_a_gateway_html_page_becomes_a_short_gap_and_an_unknown_copy(
    make_provider: Any, fake: FakeARM
) -> None:
    page = (
        "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>"
        "<body><h1>502 Bad Gateway</h1><hr><center>nginx</center></body></html>"
    )
    fake.faults.append(Fault("/vaults/kv-sea", 502, times=10, html=page))
    fake.faults.append(Fault("/managedInstances/sqlmi-sea", 502, times=10, html=page))
    report = audit(make_provider(use_resource_graph=False, retry_total=0), "eu-gdpr")
    gaps = [g for g in report.coverage.gaps if g.service == "Microsoft.Sql/managedInstances"]
    assert gaps and all("<" not in g.message for g in gaps)
    assert any("502" in g.code + g.message for g in gaps)
    mi = next(f for f in report.findings if f.resource.name == "sqlmi-sea")
    assert mi.status is not Status.COMPLIANT  # Singapore under eu-gdpr; the copy unknown
    text = " ".join(mi.reasons)
    assert "GET Microsoft.Sql/managedInstances sqlmi-sea failed: HTTP 502" in text
    assert "backups with Geo redundancy" in text
