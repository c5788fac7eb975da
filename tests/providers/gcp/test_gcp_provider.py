"""GcpProvider against the fake over real HTTP with the real Google client libraries."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from gcp_fake import FakeGcp, Fault

from cloudaudit import audit
from cloudaudit.models import LocationKind, Status
from cloudaudit.providers.gcp import GcpProvider, default_retry
from cloudaudit.report import Report

pytestmark = pytest.mark.http
Make = Callable[..., GcpProvider]


def _by_name(report: Report) -> dict[str, Status]:
    return {f.resource.name: f.status for f in report.findings}


def test_done_when_verdicts_under_both_policies(fake: FakeGcp, provider: Make) -> None:
    adversaries = audit(provider(fake), "us-foreign-adversaries")
    gdpr = audit(provider(fake), "eu-gdpr")
    a, g = _by_name(adversaries), _by_name(gdpr)
    assert a["hk-bucket"] is Status.VIOLATION
    assert a["asia-multi"] is Status.UNKNOWN
    assert a["fra-snap-us"] is Status.COMPLIANT
    assert g["fra-snap-us"] is Status.VIOLATION
    snap = next(f for f in gdpr.findings if f.resource.name == "fra-snap-us")
    # stored only in the US multi-region: that is where it is (the EU disk is provenance)
    assert any("is in the US multi-region" in r for r in snap.reasons)
    assert g["fra-disk"] is Status.COMPLIANT


def test_resources_carry_project_id_full_name_and_locations(fake: FakeGcp, provider: Make) -> None:
    report = audit(provider(fake), "eu-gdpr")
    res = {f.resource.name: f.resource for f in report.findings}
    assert len(res) == 7
    hk = res["hk-bucket"]
    assert (hk.account, hk.id, hk.location.region) == (
        "apac-data",
        "//storage.googleapis.com/hk-bucket",
        "asia-east2",
    )
    disk = res["fra-disk"]
    assert (disk.location.zone, disk.location.region, disk.location.kind) == (
        "europe-west3-a",
        "europe-west3",
        LocationKind.ZONE,
    )
    dual = res["eu-dual"]  # a custom dual-region: judged by its two data locations
    assert (dual.location.region, dual.location.kind) == ("europe-west1", LocationKind.REGION)
    assert [c.region for c in dual.data_locations] == ["europe-west4"]
    assert res["eur4-bucket"].location.kind is LocationKind.DUAL_REGION
    assert res["asia-multi"].location.kind is LocationKind.MULTI_REGION
    snap = res["fra-snap-us"]
    assert (snap.location.region, snap.location.zone) == ("US", None)
    assert snap.data_locations == ()
    assert res["fra-vm"].tags == {"env": "test"}


def test_pending_deletion_project_is_a_gap(fake: FakeGcp, provider: Make) -> None:
    report = audit(provider(fake), "eu-gdpr")
    gaps = {(g.account, g.code) for g in report.coverage.gaps}
    assert gaps == {("retired", "DELETE_REQUESTED")}
    assert all(a.method == "cloud-asset" for a in report.coverage.audited)


def test_search_is_split_by_asset_type(fake: FakeGcp, provider: Make) -> None:
    audit(provider(fake), "eu-gdpr")
    searches = [p for p in fake.paths if p.endswith(":searchAllResources")]
    assert len(searches) == 23
    assert all(p.startswith("/v1/organizations/123") for p in searches)


def test_pagination_of_projects_and_search(provider: Make) -> None:
    fake = FakeGcp(max_page_size=50)
    for i in range(120):
        fake.add_project(f"p-{i:03d}", 5000 + i)
    for i in range(1234):
        fake.add_bucket(f"p-{i % 120:03d}", f"b-{i:04d}", "europe-west1")
    with fake.serve():
        report = audit(provider(fake), "eu-gdpr")
    assert len(report.findings) == 1234
    assert {f.resource.account for f in report.findings} == {f"p-{i:03d}" for i in range(120)}
    # the fake serves at most 50 per page: 25 bucket pages, 1 page per empty type, 3 of projects
    assert fake.paths.count("/v1/organizations/123:searchAllResources") == 22 + 25
    assert fake.calls["resourcemanager.projects"] == 3


def test_denied_folder_is_a_gap_and_the_rest_goes_on(fake: FakeGcp, provider: Make) -> None:
    fake.denied_parents.add("folders/43")
    report = audit(provider(fake), "eu-gdpr")
    denied = [g for g in report.coverage.gaps if g.target == "folders/43"]
    assert [g.code for g in denied] == ["PERMISSION_DENIED"]
    # the projects under the folder are unknown: the gap names no project, so it covers all
    assert [(g.account, g.scope) for g in denied] == [(None, "gcp/*/*/resourcemanager")]
    assert "hk-bucket" in _by_name(report)


def test_disabled_cloud_asset_falls_back_per_project(fake: FakeGcp, provider: Make) -> None:
    fake.asset_disabled.update({"organizations/123", "projects/eu-data", "projects/apac-data"})
    report = audit(provider(fake), "eu-gdpr")
    res = {f.resource.name: f.resource for f in report.findings}
    assert set(res) == {
        "hk-bucket",
        "asia-multi",
        "eu-dual",
        "eur4-bucket",
        "fra-disk",
        "fra-vm",
        "fra-snap-us",
    }
    assert res["hk-bucket"].location.region == "asia-east2"
    assert res["eu-dual"].location.region == "europe-west1"
    assert [c.region for c in res["eu-dual"].data_locations] == ["europe-west4"]
    assert (
        res["fra-snap-us"].id
        == "//compute.googleapis.com/projects/eu-data/global/snapshots/fra-snap-us"
    )
    assert res["fra-snap-us"].location.region == "US"
    assert _by_name(report)["fra-snap-us"] is Status.VIOLATION
    fallback = {a.account for a in report.coverage.audited if a.method == "fallback"}
    assert fallback == {"eu-data", "apac-data"}
    asset_gaps = [g for g in report.coverage.gaps if g.service == "cloudasset"]
    assert {(g.account, g.target, g.code) for g in asset_gaps} == {
        (None, "organizations/123", "SERVICE_DISABLED"),
        ("eu-data", None, "SERVICE_DISABLED"),
        ("apac-data", None, "SERVICE_DISABLED"),
    }
    projects = [g for g in asset_gaps if g.target != "organizations/123"]
    assert all("sqladmin.googleapis.com/Instance" in g.message for g in projects)
    assert not report.complete


def test_org_search_denied_but_project_search_allowed(fake: FakeGcp, provider: Make) -> None:
    fake.asset_disabled.add("organizations/123")
    report = audit(provider(fake), "eu-gdpr")
    assert len(report.findings) == 7
    methods = {(a.account, a.method) for a in report.coverage.audited}
    assert methods == {("projects/eu-data", "cloud-asset"), ("projects/apac-data", "cloud-asset")}
    # the organization's own search was refused: it was covered only through the projects
    # discovery found, and says so (a project discovery missed would be audited by nothing)
    gaps = {(g.account or g.target, g.service, g.code): g for g in report.coverage.gaps}
    assert set(gaps) == {
        ("retired", "resourcemanager", "DELETE_REQUESTED"),
        ("organizations/123", "cloudasset", "SERVICE_DISABLED"),
    }
    message = gaps[("organizations/123", "cloudasset", "SERVICE_DISABLED")].message
    assert "cloudasset.searchAllResources: HTTP 403" in message
    assert "only through the 2 project(s) scope discovery found under it" in message
    assert "(apac-data, eu-data)" in message
    assert not report.complete


def test_org_search_refused_and_no_project_found_is_never_complete(
    fake: FakeGcp, provider: Make
) -> None:
    """Nothing listed under the organization and its search refused: a gap, never a pass."""
    fake.asset_disabled.add("organizations/123")
    fake.unlisted_projects.update({"eu-data", "apac-data", "retired"})
    report = audit(provider(fake), "eu-gdpr")
    assert report.findings == ()
    [gap] = report.coverage.gaps
    assert (gap.account, gap.target, gap.service, gap.code) == (
        None,
        "organizations/123",
        "cloudasset",
        "SERVICE_DISABLED",
    )
    assert "cloudasset.searchAllResources" in gap.message
    assert "scope discovery found no project under it" in gap.message
    assert not report.complete


def test_folder_search_refused_names_the_projects_that_stood_in(
    fake: FakeGcp, provider: Make
) -> None:
    fake.asset_disabled.add("folders/42")
    fake.unlisted_projects.add("apac-data")  # not under folders/42 anyway
    report = audit(provider(fake, folders=["42"]), "eu-gdpr")
    assert {f.resource.account for f in report.findings} == {"eu-data"}
    [gap] = [g for g in report.coverage.gaps if g.target == "folders/42"]
    assert gap.service == "cloudasset"
    assert "only through the 1 project(s) scope discovery found under it (eu-data)" in gap.message


def test_unreachable_zone_in_fallback_is_a_gap_and_the_rest_is_kept(
    fake: FakeGcp, provider: Make
) -> None:
    """aggregatedList answers without a zone it could not reach: that zone is a gap.

    The fake's answers also carry a ``NO_RESULTS_ON_PAGE`` warning for an empty zone, which
    leaves nothing out and is no gap.
    """
    fake.asset_disabled.update({"organizations/123", "projects/eu-data", "projects/apac-data"})
    fake.unreachable_zones.add("zones/us-central1-a")
    report = audit(provider(fake), "eu-gdpr")
    assert {"fra-vm", "fra-disk"} <= set(_by_name(report))
    unreachable = {
        (g.account, g.service, g.target): g for g in report.coverage.gaps if g.code == "UNREACHABLE"
    }
    assert set(unreachable) == {
        (project, service, "zones/us-central1-a")
        for project in ("eu-data", "apac-data")
        for service in ("compute.instances", "compute.disks")
    }
    gap = unreachable[("eu-data", "compute.instances", "zones/us-central1-a")]
    assert gap.message.startswith("compute.instances.aggregatedList on zones/us-central1-a: ")
    assert "UNREACHABLE: Scope 'zones/us-central1-a' is unreachable." in gap.message
    assert not any("southamerica-west1-c" in g.message for g in report.coverage.gaps)
    assert not report.complete


def test_denied_project_in_fallback_is_a_gap_never_compliant(fake: FakeGcp, provider: Make) -> None:
    fake.asset_disabled.add("organizations/123")
    fake.denied_projects.add("apac-data")
    report = audit(provider(fake), "us-foreign-adversaries")
    names = _by_name(report)
    assert "hk-bucket" not in names and "fra-disk" in names
    apac = {(g.service, g.code) for g in report.coverage.gaps if g.account == "apac-data"}
    assert ("storage.buckets", "PERMISSION_DENIED") in apac
    assert ("compute.instances", "PERMISSION_DENIED") in apac
    assert ("cloudasset", "PERMISSION_DENIED") in apac


def test_transient_429_and_503_are_retried(fake: FakeGcp, provider: Make) -> None:
    fake.faults += [Fault(":searchAllResources", 429, 3), Fault("/v3/folders", 503, 2)]
    report = audit(provider(fake), "eu-gdpr")
    assert len(report.findings) == 7
    assert [g.code for g in report.coverage.gaps] == ["DELETE_REQUESTED"]
    assert fake.calls["fault"] == 5


def test_persistent_503_becomes_a_gap(fake: FakeGcp, provider: Make) -> None:
    fake.faults.append(Fault(":searchAllResources", 503, 10_000))
    retry = default_retry(initial=0.0, maximum=0.0, timeout=0.3)
    report = audit(
        provider(
            fake,
            asset_types=["storage.googleapis.com/Bucket", "sqladmin.googleapis.com/Instance"],
            retry=retry,
        ),
        "eu-gdpr",
    )
    codes = {g.code for g in report.coverage.gaps if g.service == "cloudasset"}
    assert codes == {"UNAVAILABLE"}
    # Cloud Asset never answered, so storage and compute were listed per project instead.
    assert "hk-bucket" in _by_name(report)


def test_project_scope_and_invisible_project(fake: FakeGcp, provider: Make) -> None:
    fake.denied_projects.add("apac-data")
    report = audit(provider(fake, projects=["eu-data", "apac-data"]), "eu-gdpr")
    assert set(_by_name(report)) == {"eu-dual", "eur4-bucket", "fra-disk", "fra-vm", "fra-snap-us"}
    gaps = [(g.account, g.service, g.code) for g in report.coverage.gaps]
    assert gaps == [("apac-data", "resourcemanager", "PERMISSION_DENIED")]


def test_folder_scope_covers_only_the_folder(fake: FakeGcp, provider: Make) -> None:
    report = audit(provider(fake, folders=["42"]), "eu-gdpr")
    assert {f.resource.account for f in report.findings} == {"eu-data"}
    assert all(a.account == "folders/42" for a in report.coverage.audited)


def test_secret_and_topic_replicas(fake: FakeGcp, provider: Make) -> None:
    fake.add_asset(
        "eu-data",
        "secretmanager.googleapis.com/Secret",
        "//secretmanager.googleapis.com/projects/1001/secrets/s1",
        "global",
        {
            "replication": {
                "userManaged": {
                    "replicas": [{"location": "europe-west3"}, {"location": "us-east1"}]
                }
            }
        },
    )
    fake.add_asset(
        "eu-data",
        "secretmanager.googleapis.com/Secret",
        "//secretmanager.googleapis.com/projects/1001/secrets/s2",
        "global",
        {"replication": {"automatic": {}}},
    )
    fake.add_asset(
        "eu-data",
        "pubsub.googleapis.com/Topic",
        "//pubsub.googleapis.com/projects/eu-data/topics/t1",
        "global",
        {"messageStoragePolicy": {"allowedPersistenceRegions": ["europe-west1"]}},
    )
    report = audit(provider(fake), "eu-gdpr")
    res = {f.resource.name: f for f in report.findings}
    assert res["s1"].status is Status.VIOLATION  # replica in us-east1
    assert [c.region for c in res["s1"].resource.data_locations] == ["us-east1"]
    assert res["s2"].status is Status.UNKNOWN  # automatic replication: global
    assert res["t1"].status is Status.COMPLIANT


def test_a_folder_not_listed_hides_its_projects_from_diff_and_views(
    fake: FakeGcp, provider: Make
) -> None:
    """The organization's search refused and folder 43 unlisted: eu-data was not looked at.

    Its earlier violation is *unverified* (never *removed*), and eu-data's own view keeps the
    gaps that hide it: it is not complete.
    """
    from cloudaudit.diff import diff

    before = audit(provider(fake), "eu-gdpr")
    assert _by_name(before)["fra-snap-us"] is Status.VIOLATION
    fake.asset_disabled.add("organizations/123")
    fake.denied_parents.add("folders/43")
    after = audit(provider(fake), "eu-gdpr")
    assert "fra-snap-us" not in _by_name(after)
    drift = diff(before, after)
    assert "fra-snap-us" in {f.resource.name for f in drift.unverified}
    assert "fra-snap-us" not in {f.resource.name for f in drift.removed}
    for view in (after.by_account("eu-data"), after.filter(account="eu-data")):
        assert {g.target for g in view.coverage.gaps} >= {"folders/43", "organizations/123"}
        assert not view.complete
