"""Azure copy mechanisms read end to end (real azure-mgmt clients, the HTTPS fake ARM).

Fixture shapes are cited in azure_tenant.py beside each resource.
"""

from __future__ import annotations

from typing import Any

import pytest

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
        "(vault contents replicated by Microsoft to the paired region: the paired region of "
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
