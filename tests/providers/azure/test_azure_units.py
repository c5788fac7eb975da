"""Pure parts of the Azure provider: clouds, location rule, copies, quota headers, errors."""

from __future__ import annotations

import pytest

from cloudaudit.catalog import default_catalog
from cloudaudit.errors import ConfigurationError
from cloudaudit.models import LocationKind
from cloudaudit.providers.azure._clouds import resolve_cloud
from cloudaudit.providers.azure._errors import classify
from cloudaudit.providers.azure._geo import Geo, LocationInfo, catalog_mismatches
from cloudaudit.providers.azure._graph import quota_wait
from cloudaudit.providers.azure._types import copies, split_type

CAT = default_catalog()


def geo() -> Geo:
    g = Geo()
    g.add(
        [
            LocationInfo(
                "brazilsouth",
                "Brazil South",
                "Physical",
                "Sao Paulo State",
                "Brazil",
                ("southcentralus",),
            ),
            LocationInfo(
                "westeurope", "West Europe", "Physical", "Netherlands", "Europe", ("northeurope",)
            ),
            LocationInfo(
                "eastasia", "East Asia", "Physical", "Tokyo", "Asia Pacific", ("southeastasia",)
            ),
            LocationInfo("unitedstates", "United States", "Logical"),
        ]
    )
    return g


def test_clouds() -> None:
    assert resolve_cloud("china").arm_endpoint == "https://management.chinacloudapi.cn"
    assert resolve_cloud("usgov").authority == "login.microsoftonline.us"
    stack = resolve_cloud("public", "https://management.local.azurestack.external/")
    assert stack.arm_endpoint == "https://management.local.azurestack.external"
    assert stack.credential_scope == "https://management.azure.com/.default"
    with pytest.raises(ConfigurationError):
        resolve_cloud("mars")
    with pytest.raises(ConfigurationError):
        resolve_cloud("public", "http://127.0.0.1:1")


def test_location_rule() -> None:
    g = geo()
    assert g.location("global", CAT).kind is LocationKind.GLOBAL
    assert g.location("unitedstates", CAT).kind is LocationKind.MULTI_REGION
    assert g.location("europe", CAT).kind is LocationKind.MULTI_REGION  # from the catalog
    assert g.location("", CAT).kind is LocationKind.UNKNOWN
    loc = g.location("West Europe", CAT)
    assert (loc.region, loc.kind) == ("westeurope", LocationKind.REGION)


@pytest.mark.parametrize(
    ("sku", "props", "expected"),
    [
        ("Standard_GRS", None, ["southcentralus"]),
        ("Standard_RAGZRS", {"secondaryLocation": "eastus2"}, ["eastus2"]),
        ("Standard_LRS", {}, []),
        ("Standard_ZRS", {}, []),
        ("", {}, [None]),
    ],
)
def test_storage_copies(sku: str, props: object, expected: list[str | None]) -> None:
    row = {"type": "microsoft.storage/storageaccounts", "sku": {"name": sku}, "properties": props}
    assert [c.region for c in copies(row, "brazilsouth", geo(), CAT)] == expected


def test_geo_redundant_without_pair_is_unknown() -> None:
    row = {"type": "Microsoft.Storage/storageAccounts", "sku": {"name": "Standard_GRS"}}
    out = copies(row, "newmoonregion", geo(), CAT)
    assert [c.kind for c in out] == [LocationKind.UNKNOWN]


def test_vault_and_cosmos_copies() -> None:
    g = geo()
    rsv = {"type": "Microsoft.RecoveryServices/vaults", "properties": {}}
    assert [c.kind for c in copies(rsv, "westeurope", g, CAT)] == [LocationKind.UNKNOWN]
    rsv["properties"] = {"redundancySettings": {"standardTierStorageRedundancy": "GeoRedundant"}}
    assert [c.region for c in copies(rsv, "westeurope", g, CAT)] == ["northeurope"]
    cosmos = {
        "type": "microsoft.documentdb/databaseaccounts",
        "properties": {
            "locations": [{"locationName": "East Asia"}],
            "backupPolicy": {"type": "Continuous", "continuousModeProperties": {"tier": "x"}},
        },
    }
    assert [c.region for c in copies(cosmos, "westeurope", g, CAT)] == ["eastasia"]
    cosmos["properties"] = None
    replicas, backups = copies(cosmos, "westeurope", g, CAT)
    assert replicas.kind is backups.kind is LocationKind.UNKNOWN
    assert "properties not returned" in str(backups.note)
    assert backups.via == "azure.cosmos.backup-redundancy"


def test_types() -> None:
    assert split_type("microsoft.web/sites") == ("Microsoft.Web", "sites")
    assert split_type("Microsoft.Sql/servers/databases") == ("Microsoft.Sql", "servers/databases")
    assert split_type("microsoft.network/frontdoors") == ("microsoft.network", "frontdoors")


def test_quota_wait() -> None:
    assert (
        quota_wait({"x-ms-user-quota-remaining": "3", "x-ms-user-quota-resets-after": "00:00:05"})
        == 0
    )
    assert (
        quota_wait({"x-ms-user-quota-remaining": "0", "x-ms-user-quota-resets-after": "00:00:05"})
        == 5
    )
    assert (
        quota_wait({"x-ms-user-quota-remaining": "0", "x-ms-user-quota-resets-after": "01:00:00"})
        == 60
    )
    assert quota_wait({}) == 0


def test_catalog_mismatch_detects_wrong_place() -> None:
    out = dict(catalog_mismatches(geo(), ["eastasia", "westeurope", "unitedstates"], CAT))
    assert list(out) == ["eastasia"]  # the fake says Tokyo, the catalog Hong Kong
    assert "Hong Kong" in out["eastasia"]


def test_classify() -> None:
    from azure.core.exceptions import ClientAuthenticationError, ServiceRequestError

    assert classify(ValueError("x")) is None
    assert classify(ServiceRequestError("boom"))[0] == "ConnectionError"  # type: ignore[index]
    assert classify(ClientAuthenticationError("no token"))[0] == "AuthenticationFailed"  # type: ignore[index]
