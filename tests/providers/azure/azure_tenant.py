"""The fake Azure tenant used by the tests (subscriptions, locations, resources, SQL links)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from azure_fake import Tenant, resource

FIXTURES = Path(__file__).parent / "fixtures"
PROD = "11111111-1111-1111-1111-111111111111"
CHINA = "22222222-2222-2222-2222-222222222222"
DENIED = "33333333-3333-3333-3333-333333333333"
EU = "44444444-4444-4444-4444-444444444444"
HIDDEN = "55555555-5555-5555-5555-555555555555"
"""Under management group mg-eu (in its child mg-eu-apps) but not readable: not listed."""


def _locations() -> list[dict[str, Any]]:
    data = json.loads((FIXTURES / "locations.json").read_text())
    return list(data["value"])


def sql_server(sub: str, name: str, location: str) -> dict[str, Any]:
    return resource(sub, "rg-sql", "Microsoft.Sql/servers", name, location)


def sql_db(
    server: dict[str, Any], db: str, location: str, redundancy: str = "Geo"
) -> dict[str, Any]:
    # Shape: azure-rest-api-specs specification/sql/resource-manager/Microsoft.Sql/stable/
    # 2021-11-01/examples/GetDatabase.json (properties.currentBackupStorageRedundancy, "Geo"
    # by default; requestedBackupStorageRedundancy beside it).
    return {
        "id": f"{server['id']}/databases/{db}",
        "name": f"{server['name']}/{db}",
        "type": "Microsoft.Sql/servers/databases",
        "location": location,
        "sku": {"name": "GP_Gen5_2"},
        "properties": {
            "collation": "SQL_Latin1_General_CP1_CI_AS",
            "status": "Online",
            "zoneRedundant": False,
            "readScale": "Disabled",
            "currentBackupStorageRedundancy": redundancy,
            "requestedBackupStorageRedundancy": redundancy,
        },
    }


def build_tenant() -> Tenant:
    """Three readable subscriptions (one on the China cloud's regions) and one denied."""
    r = resource
    srv = sql_server(PROD, "sql-weu", "westeurope")
    db = sql_db(srv, "orders", "westeurope")
    ledger = sql_db(srv, "ledger", "westeurope", redundancy="Local")
    prod = [
        r(PROD, "rg-vm", "Microsoft.Compute/virtualMachines", "vm-hk", "eastasia"),
        r(
            PROD,
            "rg-vm",
            "Microsoft.Compute/disks",
            "vm-hk-os",
            "eastasia",
            sku={"name": "Premium_LRS"},
        ),
        r(PROD, "rg-vm", "Microsoft.Compute/snapshots", "snap-1", "westeurope"),
        r(PROD, "rg-vm", "Microsoft.Compute/virtualMachineScaleSets", "vmss-1", "westeurope"),
        r(
            PROD,
            "rg-st",
            "Microsoft.Storage/storageAccounts",
            "stbrazilgrs",
            "brazilsouth",
            sku={"name": "Standard_GRS", "tier": "Standard"},
            kind="StorageV2",
            properties={"primaryLocation": "brazilsouth", "statusOfPrimary": "available"},
        ),
        r(
            PROD,
            "rg-st",
            "Microsoft.Storage/storageAccounts",
            "stweuragrs",
            "westeurope",
            sku={"name": "Standard_RAGRS"},
            kind="StorageV2",
            properties={"primaryLocation": "westeurope", "secondaryLocation": "northeurope"},
        ),
        r(
            PROD,
            "rg-st",
            "Microsoft.Storage/storageAccounts",
            "stweulrs",
            "westeurope",
            sku={"name": "Standard_LRS"},
        ),
        r(
            PROD,
            "rg-db",
            "Microsoft.DocumentDB/databaseAccounts",
            "cosmos-multi",
            "westeurope",
            kind="GlobalDocumentDB",
            properties={
                "locations": [
                    {"locationName": "West Europe", "failoverPriority": 0},
                    {"locationName": "East Asia", "failoverPriority": 1},
                ],
                # azure-rest-api-specs specification/cosmos-db/resource-manager/
                # Microsoft.DocumentDB/stable/2024-11-15/examples/CosmosDBDatabaseAccountGet.json
                "backupPolicy": {
                    "type": "Periodic",
                    "periodicModeProperties": {
                        "backupIntervalInMinutes": 240,
                        "backupRetentionIntervalInHours": 8,
                        "backupStorageRedundancy": "Geo",
                    },
                },
            },
        ),
        r(
            PROD,
            "rg-bk",
            "Microsoft.RecoveryServices/vaults",
            "rsv-weu",
            "westeurope",
            properties={"redundancySettings": {"standardTierStorageRedundancy": "GeoRedundant"}},
        ),
        r(
            PROD,
            "rg-bk",
            "Microsoft.DataProtection/backupVaults",
            "bv-gwc",
            "germanywestcentral",
            properties={
                "storageSettings": [{"datastoreType": "VaultStore", "type": "LocallyRedundant"}]
            },
        ),
        r(PROD, "rg-kv", "Microsoft.KeyVault/vaults", "kv-weu", "westeurope"),
        # azure-rest-api-specs specification/keyvault/resource-manager/Microsoft.KeyVault/
        # stable/2023-07-01/examples/getVault.json (no field names the pair: Microsoft
        # replicates vault contents to the paired region, eastasia for southeastasia)
        r(
            PROD,
            "rg-kv",
            "Microsoft.KeyVault/vaults",
            "kv-sea",
            "southeastasia",
            properties={
                "tenantId": "00000000-0000-0000-0000-000000000000",
                "sku": {"family": "A", "name": "standard"},
                "vaultUri": "https://kv-sea.vault.azure.net",
                "enableSoftDelete": True,
            },
        ),
        # azure-rest-api-specs specification/sql/resource-manager/Microsoft.Sql/stable/
        # 2021-11-01/examples/ManagedInstanceGet.json (currentBackupStorageRedundancy)
        r(
            PROD,
            "rg-sql",
            "Microsoft.Sql/managedInstances",
            "sqlmi-sea",
            "southeastasia",
            sku={"name": "GP_Gen5", "tier": "GeneralPurpose", "capacity": 8},
            properties={
                "state": "Ready",
                "licenseType": "LicenseIncluded",
                "vCores": 8,
                "storageSizeInGB": 256,
                "currentBackupStorageRedundancy": "Geo",
                "requestedBackupStorageRedundancy": "Geo",
            },
        ),
        r(PROD, "rg-aks", "Microsoft.ContainerService/managedClusters", "aks-weu", "westeurope"),
        r(PROD, "rg-web", "Microsoft.Web/sites", "func-weu", "westeurope", kind="functionapp"),
        r(PROD, "rg-net", "Microsoft.Network/frontDoors", "fd-global", "global"),
        r(PROD, "rg-ins", "Microsoft.Insights/dataCollectionRules", "dcr-us", "unitedstates"),
        r(PROD, "rg-x", "Microsoft.Contoso/widgets", "widget-moon", "newmoonregion"),
        srv,
        db,
        ledger,
    ]
    china = [
        r(
            CHINA,
            "rg-cn",
            "Microsoft.Storage/storageAccounts",
            "stchinanorth3",
            "chinanorth3",
            sku={"name": "Standard_LRS"},
            properties={"primaryLocation": "chinanorth3"},
        )
    ]
    eu = [
        r(
            EU,
            "rg-eu",
            "Microsoft.Storage/storageAccounts",
            "steuonly",
            "westeurope",
            sku={"name": "Standard_ZRS"},
        )
    ]
    sql = {
        srv["id"].lower(): {
            "failoverGroups": [
                {
                    "id": f"{srv['id']}/failoverGroups/fg-1",
                    "name": "fg-1",
                    "properties": {
                        "partnerServers": [
                            {
                                "id": "/x/sql-neu",
                                "location": "North Europe",
                                "replicationRole": "Secondary",
                            }
                        ],
                        "databases": [db["id"]],
                    },
                }
            ],
            "replicationLinks": [
                {
                    "id": f"{db['id']}/replicationLinks/link-1",
                    "name": "link-1",
                    "properties": {
                        "partnerLocation": "East Asia",
                        "partnerServer": "sql-hk",
                        "role": "Primary",
                    },
                }
            ],
        }
    }
    subs = [
        {"id": f"/subscriptions/{s}", "subscriptionId": s, "displayName": s[:4], "state": "Enabled"}
        for s in (PROD, CHINA, DENIED, EU)
    ]
    return Tenant(
        subscriptions=subs,
        locations=_locations(),
        resources={
            PROD: prod,
            CHINA: china,
            DENIED: [r(DENIED, "rg", "Microsoft.Compute/disks", "hidden", "eastus")],
            EU: eu,
        },
        sql=sql,
        management_groups={"mg-eu": [EU, "mg-eu-apps"], "mg-eu-apps": [HIDDEN]},
        denied={DENIED},
    )
