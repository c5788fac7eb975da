"""Google Cloud: how the data of each reported resource type can exist elsewhere."""

from __future__ import annotations

from cloudaudit.copymodel._types import Declaration, Mechanism
from cloudaudit.copymodel._types import MechanismKind as K
from cloudaudit.models import ProviderId

__all__ = ["GCP"]

_L = "tests/providers/gcp/test_gcp_locations.py::"
_P = "tests/providers/gcp/test_gcp_provider.py::"
_C = "tests/providers/gcp/test_gcp_copies.py::"
_OWN = "reported as a resource of its own in its own location"


def _d(service: str, type_: str, *mechanisms: Mechanism, note: str = "") -> Declaration:
    return Declaration(ProviderId.GCP, service, type_, tuple(mechanisms), note)


def _stored(what: str) -> Mechanism:
    return Mechanism(
        f"gcp.compute.{what.lower().replace(' ', '-')}-storage",
        K.STORAGE_LOCATION,
        f"{what} storage locations (the {what} lives there; its source is provenance)",
        "storageLocations[]",
        _C + "test_snapshot_lives_in_its_storage_location_not_its_source",
    )


GCP: tuple[Declaration, ...] = (
    _d(
        "storage",
        "bucket",
        Mechanism(
            "gcp.storage.multi-region",
            K.MULTI_REGION,
            "multi-region and dual-region placement",
            "location, locationType, customPlacementConfig.dataLocations[]",
            _L + "test_custom_dual_region_is_judged_by_its_two_regions",
        ),
    ),
    _d("compute", "instance", note="its disks are reported as disks"),
    _d("compute", "disk", note=f"an asynchronous replica disk is {_OWN}"),
    _d("compute", "snapshot", _stored("snapshot")),
    _d("compute", "image", _stored("image")),
    _d("compute", "machineImage", _stored("machine image")),
    _d(
        "sqladmin",
        "instance",
        Mechanism(
            "gcp.sql.backup-location",
            K.BACKUP,
            "automated backups (unset location: the multi-region that holds the region)",
            "settings.backupConfiguration.location",
            _C + "test_cloud_sql_backups_default_to_the_containing_multi_region",
        ),
        Mechanism(
            "gcp.sql.read-replica",
            K.REPLICA,
            f"read replicas (each {_OWN})",
            "sqladmin Instance assets with masterInstanceName",
            _P + "test_resources_carry_project_id_full_name_and_locations",
        ),
    ),
    _d(
        "spanner",
        "instance",
        Mechanism(
            "gcp.spanner.instance-config",
            K.MULTI_REGION,
            "instance configuration (regional or multi-region)",
            "config (instanceConfigs/<name>)",
            _C + "test_spanner_multi_region_config_is_its_location",
        ),
    ),
    _d(
        "bigtableadmin",
        "instance",
        Mechanism(
            "gcp.bigtable.cluster",
            K.REPLICATION,
            f"replication across clusters (each cluster {_OWN})",
            "bigtableadmin Cluster assets (location)",
            _C + "test_bigtable_clusters_are_resources_in_their_zones",
        ),
    ),
    _d("bigtableadmin", "cluster", note="a cluster holds its replica in its own zone"),
    _d(
        "file",
        "instance",
        Mechanism(
            "gcp.filestore.backup",
            K.BACKUP,
            f"backups (each {_OWN}, possibly in another region)",
            "file Backup assets (location)",
            _C + "test_filestore_backups_are_resources_in_their_region",
        ),
    ),
    _d("file", "backup", note="a backup lives in its own region"),
    _d(
        "alloydb",
        "cluster",
        Mechanism(
            "gcp.alloydb.secondary-cluster",
            K.REPLICA,
            f"cross-region secondary clusters (each {_OWN})",
            "alloydb Cluster assets (location)",
            _P + "test_resources_carry_project_id_full_name_and_locations",
        ),
    ),
    _d("redis", "instance", note="replicas stay in the instance's region"),
    _d(
        "bigquery",
        "dataset",
        Mechanism(
            "gcp.bigquery.multi-region",
            K.MULTI_REGION,
            "multi-region dataset location (US, EU)",
            "location",
            _L + "test_parse_location",
        ),
        Mechanism(
            "gcp.bigquery.replica",
            K.REPLICA,
            "cross-region dataset replicas",
            "not read",
            "tests/test_copymodel.py::test_unread_mechanism_is_an_unknown_copy_naming_it",
        ),
    ),
    _d("container", "cluster", note="cluster state stays in its location"),
    _d("run", "service", note="a service holds no data of its own"),
    _d("cloudfunctions", "function", note="source stays in the function's region"),
    _d("cloudfunctions", "cloudFunction", note="source stays in the function's region"),
    _d(
        "artifactregistry",
        "repository",
        Mechanism(
            "gcp.artifactregistry.multi-region",
            K.MULTI_REGION,
            "multi-region repository location",
            "location",
            _L + "test_parse_location",
        ),
    ),
    _d(
        "pubsub",
        "topic",
        Mechanism(
            "gcp.pubsub.persistence-regions",
            K.REPLICATION,
            "message storage policy regions",
            "messageStoragePolicy.allowedPersistenceRegions[]",
            _P + "test_secret_and_topic_replicas",
        ),
    ),
    _d(
        "secretmanager",
        "secret",
        Mechanism(
            "gcp.secretmanager.replicas",
            K.REPLICA,
            "user-managed replicas (automatic replication is global)",
            "replication.userManaged.replicas[].location",
            _P + "test_secret_and_topic_replicas",
        ),
    ),
    _d(
        "cloudkms",
        "keyRing",
        Mechanism(
            "gcp.kms.multi-region",
            K.MULTI_REGION,
            "multi-region key ring location",
            "location",
            _L + "test_parse_location",
        ),
    ),
)
"""The Google Cloud declarations, one per reported (service, type)."""
