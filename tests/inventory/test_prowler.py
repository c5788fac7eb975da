"""Prowler's GCP and Azure findings: the resources they name get the provider's service and
type, so the copy model names what could have copied their data.

Samples (``samples/prowler_ocsf_gcp.json``, ``samples/prowler_ocsf_azure.json``) keep the
shape of Prowler's own example output; their sources are in ``samples/README.md``.
"""

from __future__ import annotations

from pathlib import Path

from cloudaudit._audit import audit
from cloudaudit.copymodel import UNDECLARED, unread_copies
from cloudaudit.inventory import ExportSource, plan_import, read_resources
from cloudaudit.models import Finding, LocationKind, Resource, Status

SAMPLES = Path(__file__).parent / "samples"
GCP = SAMPLES / "prowler_ocsf_gcp.json"
AZURE = SAMPLES / "prowler_ocsf_azure.json"
SUB = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-data/providers/"


def _resources(path: Path) -> dict[str, Resource]:
    return {r.id: r for r in read_resources([path])}


def _findings(path: Path) -> dict[str, Finding]:
    report = audit([ExportSource(plan_import([path]))], "us-foreign-adversaries")
    return {f.resource.id: f for f in report.findings}


def _copies(resource: Resource) -> list[tuple[str | None, str | None]]:
    assert all(c.kind is LocationKind.UNKNOWN for c in resource.data_locations)
    return [(c.via, c.note) for c in resource.data_locations]


def _why(title: str) -> str:
    return f"{title}: a Prowler finding does not carry it"


def test_gcp_bucket_and_cloud_sql_instance_name_each_copy_mechanism() -> None:
    by = _resources(GCP)
    bucket, sql = by["my-bucket"], by["my-sql"]
    # storage.googleapis.com/Bucket (Prowler 5.19 on) and DatabaseInstance (before)
    assert (bucket.service, bucket.type, bucket.location.region) == (
        "storage",
        "bucket",
        "europe-west3",
    )
    assert (sql.service, sql.type) == ("sqladmin", "instance")
    assert _copies(bucket) == [
        ("gcp.storage.multi-region", _why("multi-region and dual-region placement"))
    ]
    assert [via for via, _ in _copies(sql)] == ["gcp.sql.backup-location", "gcp.sql.read-replica"]
    assert unread_copies(bucket) == unread_copies(sql) == ()
    findings = _findings(GCP)
    assert findings["my-bucket"].status is Status.UNKNOWN
    assert any("multi-region and dual-region placement" in r for r in findings["my-bucket"].reasons)


def test_azure_storage_account_and_database_name_each_copy_mechanism() -> None:
    by = _resources(AZURE)
    account = by[SUB + "Microsoft.Storage/storageAccounts/stweu"]
    assert (account.service, account.type) == ("Microsoft.Storage", "storageAccounts")
    assert _copies(account) == [
        ("azure.storage.geo-redundancy", _why("geo-redundant storage (GRS/RA-GRS/GZRS)"))
    ]
    # typed "SQLServer" by its check, the resource id says it is a database
    database = by[SUB + "Microsoft.Sql/servers/sql-weu/databases/sqldb-orders"]
    assert (database.service, database.type) == ("Microsoft.Sql", "servers/databases")
    assert [via for via, _ in _copies(database)] == [
        "azure.sql.geo-replication",
        "azure.sql.failover-group",
        "azure.sql.backup-redundancy",
    ]
    findings = _findings(AZURE)
    account_finding = findings[account.id]
    assert account_finding.status is Status.UNKNOWN
    assert any("geo-redundant storage" in r for r in account_finding.reasons)


def test_a_type_cloudaudit_does_not_report_keeps_the_generic_unknown() -> None:
    gcp, azure = _resources(GCP), _resources(AZURE)
    file_service = SUB + "Microsoft.Storage/storageAccounts/stweu/fileServices/default"
    unmapped = [
        gcp["my-project"],  # apikeys "API Key"
        azure[next(k for k in azure if "autoProvisioningSettings" in k)],  # AzureDefenderPlan
        azure[file_service],  # typed as its storage account by the check, not one
    ]
    assert [(r.service, r.type) for r in unmapped] == [
        ("apikeys", "API Key"),
        ("defender", "AzureDefenderPlan"),
        ("Microsoft.Storage", "microsoft.storage/storageaccounts"),
    ]
    for resource in unmapped:
        assert resource.data_locations == ()
        [copy] = unread_copies(resource)
        assert copy.via == UNDECLARED
        assert f"{resource.service}/{resource.type}" in (copy.note or "")
    statuses = {**_findings(GCP), **_findings(AZURE)}
    assert {statuses[r.id].status for r in unmapped} == {Status.UNKNOWN}
