"""GCP copy mechanisms and placements, end to end over the fake (real Google clients).

Fixture shapes follow the APIs' discovery documents (compute v1 ``Snapshot`` /
``MachineImage``, sqladmin v1 ``DatabaseInstance``, spanner v1 ``Instance``, bigtableadmin v2
``Cluster``, file v1 ``Backup``), as Cloud Asset returns them in
``ResourceSearchResult.versionedResources[].resource``.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from gcp_fake import FakeGcp

from cloudaudit import audit
from cloudaudit.copymodel import undeclared
from cloudaudit.models import Finding, LocationKind, Status
from cloudaudit.providers.gcp import GcpProvider

pytestmark = pytest.mark.http
Make = Callable[..., GcpProvider]
CA = "//compute.googleapis.com/projects/apac-data"


def _estate() -> FakeGcp:
    fake = FakeGcp()
    fake.add_project("apac-data", 1002)
    # compute v1 Snapshot (discovery doc): storageLocations, sourceDisk
    fake.add_stored("apac-data", "snapshots", "hk-snap-us", ["us"], "asia-east2-a")
    fake.add_asset(
        "apac-data",
        "compute.googleapis.com/MachineImage",
        f"{CA}/global/machineImages/hk-image",
        "global",
        {
            "kind": "compute#machineImage",
            "name": "hk-image",
            "sourceInstance": f"{CA}/zones/asia-east2-a/instances/vm",
            "storageLocations": ["asia-east2"],
            "status": "READY",
        },
    )
    # sqladmin v1 DatabaseInstance: settings.backupConfiguration (location unset: default)
    for name, region, backup in (
        ("tw-default", "asia-east1", {"enabled": True, "startTime": "02:00"}),
        ("tw-in-eu", "asia-east1", {"enabled": True, "location": "eu"}),
        ("fra-off", "europe-west3", {"enabled": False}),
    ):
        fake.add_asset(
            "apac-data",
            "sqladmin.googleapis.com/Instance",
            f"//cloudsql.googleapis.com/projects/apac-data/instances/{name}",
            region,
            {
                "kind": "sql#instance",
                "name": name,
                "region": region,
                "databaseVersion": "POSTGRES_15",
                "settings": {
                    "tier": "db-custom-2-7680",
                    "backupConfiguration": {"kind": "sql#backupConfiguration", **backup},
                },
            },
        )
    # spanner v1 Instance: config names the instance configuration
    fake.add_asset(
        "apac-data",
        "spanner.googleapis.com/Instance",
        "//spanner.googleapis.com/projects/apac-data/instances/global-orders",
        "nam-eur-asia1",
        {
            "name": "projects/apac-data/instances/global-orders",
            "config": "projects/apac-data/instanceConfigs/nam-eur-asia1",
            "displayName": "global-orders",
            "nodeCount": 3,
            "state": "READY",
        },
    )
    # bigtableadmin v2 Cluster: location is projects/p/locations/<zone>
    fake.add_asset(
        "apac-data",
        "bigtableadmin.googleapis.com/Cluster",
        "//bigtableadmin.googleapis.com/projects/apac-data/instances/bt/clusters/bt-hk",
        "asia-east2-b",
        {
            "name": "projects/apac-data/instances/bt/clusters/bt-hk",
            "location": "projects/apac-data/locations/asia-east2-b",
            "state": "READY",
            "serveNodes": 1,
            "defaultStorageType": "SSD",
        },
    )
    # file v1 Backup: a backup may be stored in another region than its source instance
    fake.add_asset(
        "apac-data",
        "file.googleapis.com/Backup",
        "//file.googleapis.com/projects/apac-data/locations/asia-east2/backups/nfs-bk",
        "asia-east2",
        {
            "name": "projects/apac-data/locations/asia-east2/backups/nfs-bk",
            "sourceInstance": "projects/apac-data/locations/europe-west3-a/instances/nfs",
            "sourceFileShare": "share1",
            "state": "READY",
        },
    )
    return fake


@pytest.fixture
def estate() -> FakeGcp:
    with _estate().serve() as served:
        yield served


def _findings(fake: FakeGcp, provider: Make, policy: str) -> dict[str, Finding]:
    report = audit(provider(fake, projects=["apac-data"]), policy)
    assert not undeclared(f.resource for f in report.findings)
    return {f.resource.name: f for f in report.findings}


def test_snapshot_lives_in_its_storage_location_not_its_source(
    estate: FakeGcp, provider: Make
) -> None:
    got = _findings(estate, provider, "us-foreign-adversaries")
    snap = got["hk-snap-us"]
    assert (snap.resource.location.region, snap.resource.location.kind) == (
        "US",
        LocationKind.MULTI_REGION,
    )
    assert snap.status is Status.COMPLIANT  # stored only in the US: Hong Kong is provenance
    assert "asia-east2" not in " ".join(snap.reasons)
    image = got["hk-image"]
    assert image.resource.location.region == "asia-east2"
    assert image.status is Status.VIOLATION


def test_cloud_sql_backups_default_to_the_containing_multi_region(
    estate: FakeGcp, provider: Make
) -> None:
    got = _findings(estate, provider, "us-foreign-adversaries")
    default = got["tw-default"]
    (backup,) = default.resource.data_locations
    assert (backup.region, backup.via) == ("ASIA", "gcp.sql.backup-location")
    assert default.status is Status.UNKNOWN  # the ASIA multi-region may include Hong Kong
    text = " ".join(default.reasons)
    assert "no backup location set: the ASIA multi-region that holds asia-east1" in text
    assert "Hong Kong" in text
    assert [c.region for c in got["tw-in-eu"].resource.data_locations] == ["EU"]
    assert got["fra-off"].resource.data_locations == ()  # automated backups off


def test_spanner_multi_region_config_is_its_location(estate: FakeGcp, provider: Make) -> None:
    got = _findings(estate, provider, "eu-gdpr")
    spanner = got["global-orders"]
    assert spanner.resource.location.region == "instanceConfigs/nam-eur-asia1"
    assert spanner.status is Status.VIOLATION  # members in the US and Taiwan
    assert "Taiwan" in " ".join(spanner.reasons)


def test_bigtable_clusters_are_resources_in_their_zones(estate: FakeGcp, provider: Make) -> None:
    got = _findings(estate, provider, "us-foreign-adversaries")
    cluster = got["bt-hk"]
    assert (cluster.resource.type, cluster.resource.location.zone) == ("cluster", "asia-east2-b")
    assert cluster.status is Status.VIOLATION


def test_filestore_backups_are_resources_in_their_region(estate: FakeGcp, provider: Make) -> None:
    got = _findings(estate, provider, "us-foreign-adversaries")
    backup = got["nfs-bk"]
    assert (backup.resource.type, backup.resource.location.region) == ("backup", "asia-east2")
    assert backup.status is Status.VIOLATION


def test_cloud_asset_is_not_asked_again_after_a_refusal(estate: FakeGcp, provider: Make) -> None:
    estate.asset_disabled.add("projects/apac-data")
    report = audit(provider(estate, projects=["apac-data"]), "eu-gdpr")
    searches = [p for p in estate.paths if p.endswith(":searchAllResources")]
    assert searches == ["/v1/projects/apac-data:searchAllResources"]  # one refusal, no more
    (gap,) = [g for g in report.coverage.gaps if g.service == "cloudasset"]
    assert gap.code == "SERVICE_DISABLED" and "sqladmin.googleapis.com/Instance" in gap.message
