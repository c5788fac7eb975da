"""Azure: how the data of each reported resource type can exist elsewhere."""

from __future__ import annotations

from cloudaudit.copymodel._types import Declaration, Mechanism
from cloudaudit.copymodel._types import MechanismKind as K
from cloudaudit.models import ProviderId

__all__ = ["AZURE"]

_P = "tests/providers/azure/test_azure_provider.py::"
_U = "tests/providers/azure/test_azure_units.py::"
_C = "tests/providers/azure/test_azure_copies.py::"


def _d(arm_type: str, *mechanisms: Mechanism, note: str = "") -> Declaration:
    service, _, rtype = arm_type.partition("/")
    return Declaration(ProviderId.AZURE, service, rtype, tuple(mechanisms), note)


_PAIR = "the region pair (Locations - List metadata.pairedRegion)"

_FAILOVER_GROUP = Mechanism(
    "azure.sql.failover-group",
    K.REPLICATION,
    "failover group partner servers",
    "failoverGroups properties.partnerServers[].location",
    _P + "test_graph_path_types_locations_and_copies",
)
"""A failover group copies its databases to the partner servers: a copy of the server and
of each database in the group."""

_GEO_REPLICATION = Mechanism(
    "azure.sql.geo-replication",
    K.REPLICA,
    "active geo-replication links",
    "replicationLinks properties.partnerLocation",
    _P + "test_sql_links_unreadable_gives_unknown_copies",
)
"""A replication link copies a database to its partner: a copy of the database and of its
server."""

AZURE: tuple[Declaration, ...] = (
    _d(
        "Microsoft.Storage/storageAccounts",
        Mechanism(
            "azure.storage.geo-redundancy",
            K.PAIRED_REGION,
            "geo-redundant storage (GRS/RA-GRS/GZRS)",
            f"sku.name, properties.secondaryLocation (else {_PAIR})",
            _U + "test_storage_copies",
        ),
    ),
    _d("Microsoft.Compute/disks", note="LRS/ZRS disks stay in their region; snapshots are listed"),
    _d("Microsoft.Compute/snapshots", note="a cross-region copy is a snapshot of its own"),
    _d("Microsoft.Compute/virtualMachines", note="its disks are reported as disks"),
    _d("Microsoft.Compute/virtualMachineScaleSets", note="its disks are reported as disks"),
    _d("Microsoft.Sql/servers", _FAILOVER_GROUP, _GEO_REPLICATION),
    _d(
        "Microsoft.Sql/servers/databases",
        _GEO_REPLICATION,
        _FAILOVER_GROUP,
        Mechanism(
            "azure.sql.backup-redundancy",
            K.BACKUP,
            "backups with Geo redundancy",
            f"properties.currentBackupStorageRedundancy (Geo/GeoZone: {_PAIR})",
            _C + "test_sql_database_geo_backups_go_to_the_paired_region",
        ),
    ),
    _d(
        "Microsoft.Sql/managedInstances",
        Mechanism(
            "azure.sql-mi.backup-redundancy",
            K.BACKUP,
            "backups with Geo redundancy",
            f"properties.currentBackupStorageRedundancy (Geo/GeoZone: {_PAIR})",
            _C + "test_managed_instance_backup_redundancy",
        ),
    ),
    _d(
        "Microsoft.DocumentDB/databaseAccounts",
        Mechanism(
            "azure.cosmos.replica-regions",
            K.REPLICA,
            "replica regions",
            "properties.locations[].locationName",
            _U + "test_vault_and_cosmos_copies",
        ),
        Mechanism(
            "azure.cosmos.backup-redundancy",
            K.BACKUP,
            "periodic backups with Geo redundancy",
            "properties.backupPolicy.periodicModeProperties.backupStorageRedundancy "
            f"(Geo: {_PAIR})",
            _C + "test_cosmos_periodic_geo_backups_go_to_the_paired_region",
        ),
    ),
    _d(
        "Microsoft.KeyVault/vaults",
        Mechanism(
            "azure.keyvault.paired-region",
            K.PAIRED_REGION,
            "vault contents replicated by Microsoft to the paired region",
            f"location, then {_PAIR}",
            _C + "test_key_vault_contents_are_in_the_paired_region",
        ),
    ),
    _d("Microsoft.ContainerService/managedClusters", note="cluster state stays in its region"),
    _d("Microsoft.Web/sites", note="app content stays in its region"),
    _d(
        "Microsoft.RecoveryServices/vaults",
        Mechanism(
            "azure.recoveryservices.storage-redundancy",
            K.PAIRED_REGION,
            "vault storage with Geo redundancy",
            f"properties.redundancySettings.standardTierStorageRedundancy (GeoRedundant: {_PAIR})",
            _U + "test_vault_and_cosmos_copies",
        ),
    ),
    _d(
        "Microsoft.DataProtection/backupVaults",
        Mechanism(
            "azure.dataprotection.storage-redundancy",
            K.PAIRED_REGION,
            "backup vault storage with Geo redundancy",
            f"properties.storageSettings[].type (GeoRedundant: {_PAIR})",
            _U + "test_vault_and_cosmos_copies",
        ),
    ),
    _d(
        "Microsoft.Network/frontDoors",
        Mechanism(
            "azure.frontdoor.edge-cache",
            K.EDGE_CACHE,
            "edge caches (Front Door points of presence)",
            "not read",
            "tests/test_copymodel.py::test_unread_mechanism_is_an_unknown_copy_naming_it",
        ),
    ),
    _d("Microsoft.Insights/dataCollectionRules", note="a rule holds configuration, no data"),
)
"""The Azure declarations. Any other ARM type has no declaration: its copies are unknown."""
