"""Pure location rules of the GCP provider."""

from __future__ import annotations

import pytest

from cloudaudit.models import LocationKind
from cloudaudit.providers.gcp._asset import to_resource
from cloudaudit.providers.gcp._locations import (
    bucket_locations,
    parse_location,
    replica_locations,
    source_location,
)


@pytest.mark.parametrize(
    ("raw", "region", "zone", "kind"),
    [
        ("europe-west3-a", "europe-west3", "europe-west3-a", LocationKind.ZONE),
        ("EUROPE-WEST3", "europe-west3", None, LocationKind.REGION),
        ("us", "US", None, LocationKind.MULTI_REGION),
        ("ASIA", "ASIA", None, LocationKind.MULTI_REGION),
        ("nam4", "NAM4", None, LocationKind.DUAL_REGION),
        ("global", "global", None, LocationKind.GLOBAL),
        ("regional-europe-west1", "europe-west1", None, LocationKind.REGION),
        ("", None, None, LocationKind.UNKNOWN),
        ("instanceConfigs/nam3", "instanceConfigs/nam3", None, LocationKind.MULTI_REGION),
        ("nam3", "nam3", None, LocationKind.REGION),  # Spanner's, not a Cloud Storage location
        ("nam99", "nam99", None, LocationKind.REGION),  # unmapped: the engine says unknown
    ],
)
def test_parse_location(raw: str, region: str | None, zone: str | None, kind: LocationKind) -> None:
    loc = parse_location(raw)
    assert (loc.region, loc.zone, loc.kind) == (region, zone, kind)


def test_custom_dual_region_is_judged_by_its_two_regions() -> None:
    own, copies = bucket_locations("EU", "dual-region", ["EUROPE-WEST1", "EUROPE-WEST4"])
    assert (own.region, own.kind, own.via) == ("europe-west1", LocationKind.REGION, None)
    assert [(c.region, c.via) for c in copies] == [("europe-west4", "gcp.storage.multi-region")]


def test_custom_asia_dual_region_in_japan_is_not_unknown() -> None:
    from cloudaudit import Resource, Status, evaluate

    own, copies = bucket_locations("ASIA", "dual-region", ["ASIA-NORTHEAST1", "ASIA-NORTHEAST2"])
    r = Resource(
        provider="gcp",
        account="p",
        service="storage",
        type="bucket",
        id="b",
        name="b",
        location=own,
        data_locations=copies,
    )
    assert evaluate([r], "us-foreign-adversaries").findings[0].status is Status.COMPLIANT
    hk = bucket_locations("ASIA", "dual-region", ["ASIA-EAST2", "ASIA-NORTHEAST1"])
    r2 = r.model_copy(update={"location": hk[0], "data_locations": hk[1]})
    assert evaluate([r2], "us-foreign-adversaries").findings[0].status is Status.VIOLATION


def test_replicas_first_is_location_rest_are_copies() -> None:
    via = "gcp.secretmanager.replicas"
    own, copies = replica_locations(["europe-west3", "us-east1", "europe-west3"], via)
    assert (own.region, own.via) == ("europe-west3", None)
    assert [(c.region, c.via) for c in copies] == [("us-east1", via)]
    assert replica_locations([], via)[0].kind is LocationKind.GLOBAL


def test_source_location_from_url() -> None:
    loc = source_location("https://x/compute/v1/projects/p/zones/europe-west3-a/disks/d")
    assert loc is not None and loc.zone == "europe-west3-a"
    assert source_location("projects/p/global/images/i") is None


def test_search_result_uses_additional_attributes_without_versioned_resources() -> None:
    result = {
        "name": "//compute.googleapis.com/projects/p/global/images/img",
        "assetType": "compute.googleapis.com/Image",
        "project": "projects/77",
        "location": "global",
        "additionalAttributes": {"storageLocations": ["eu", "us"]},
    }
    res = to_resource(result, {"77": "p"})
    assert res.account == "p" and res.type == "image"
    assert (res.location.region, res.location.kind) == ("EU", LocationKind.MULTI_REGION)
    assert [c.region for c in res.data_locations] == ["US"]


def test_account_from_parent_when_project_unknown() -> None:
    result = {
        "name": "//run.googleapis.com/projects/p/locations/europe-west1/services/s",
        "assetType": "run.googleapis.com/Service",
        "project": "projects/88",
        "parentFullResourceName": "//cloudresourcemanager.googleapis.com/projects/hidden-proj",
        "location": "europe-west1",
    }
    res = to_resource(result, {})
    assert (res.account, res.service, res.type, res.name) == ("hidden-proj", "run", "service", "s")


def _spanner(config: str | None, location: str) -> dict[str, object]:
    data = {"name": "projects/p/instances/i"} | ({"config": config} if config else {})
    return {
        "name": "//spanner.googleapis.com/projects/p/instances/i",
        "assetType": "spanner.googleapis.com/Instance",
        "project": "projects/7",
        "location": location,
        "versionedResources": [{"resource": data}],
    }


def test_spanner_configurations_are_kept_apart_from_cloud_storage_locations() -> None:
    from cloudaudit import Status, evaluate
    from cloudaudit.policies import policy_from_mapping

    spanner = to_resource(_spanner("projects/p/instanceConfigs/eur5", "eur5"), {"7": "p"})
    assert (spanner.location.region, spanner.location.kind) == (
        "instanceConfigs/eur5",
        LocationKind.MULTI_REGION,
    )
    bare = to_resource(_spanner(None, "eur5"), {"7": "p"})  # no config: the search's location
    assert bare.location == spanner.location
    own, _ = bucket_locations("EUR5", "dual-region", [])
    assert (own.region, own.kind) == ("EUR5", LocationKind.DUAL_REGION)
    bucket_ = spanner.model_copy(
        update={"id": "b", "service": "storage", "type": "bucket", "location": own}
    )
    be_gb = policy_from_mapping({"id": "be-gb", "allowed": ["BE", "GB"]})
    report = evaluate([bucket_, spanner], be_gb)
    bucket, instance = (f.status for f in report.findings)
    assert bucket is Status.COMPLIANT  # Cloud Storage EUR5: Belgium and London
    assert instance is Status.VIOLATION  # Spanner eur5 also holds replicas in the Netherlands
