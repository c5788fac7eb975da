"""AzureProvider end to end: real azure-mgmt clients over HTTPS against the fake ARM."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from azure_fake import GRAPH_PATH, FakeARM, Fault, Tenant, resource
from azure_tenant import CHINA, DENIED, EU, HIDDEN, PROD, _locations

from cloudaudit import audit
from cloudaudit.models import LocationKind, Resource
from cloudaudit.providers import FanOut, Inventory, Provider

pytestmark = pytest.mark.http


def collect(provider: Any) -> Inventory:
    fanout = FanOut(max_workers=4, classifiers=list(provider.classifiers()))
    inv = Inventory()
    for batch in provider.collect(fanout):
        inv.add(batch)
    return inv


def by_name(inv: Inventory) -> dict[str, Resource]:
    return {r.name: r for r in inv.resources}


def copies(r: Resource) -> list[str | None]:
    return [c.region for c in r.data_locations]


def test_is_a_provider(make_provider: Any) -> None:
    p = make_provider()
    assert isinstance(p, Provider)
    assert p.name == "azure"


def test_graph_path_types_locations_and_copies(make_provider: Any, fake: FakeARM) -> None:
    inv = collect(make_provider(page_size=3))
    res = by_name(inv)
    assert res["vm-hk"].service == "Microsoft.Compute"
    assert res["vm-hk"].type == "virtualMachines"
    assert res["vm-hk"].location.region == "eastasia"
    assert res["stbrazilgrs"].type == "storageAccounts"
    assert copies(res["stbrazilgrs"]) == ["southcentralus"]  # paired region from list_locations
    assert copies(res["stweuragrs"]) == ["northeurope"]  # properties.secondaryLocation
    assert copies(res["stweulrs"]) == []
    # "East Asia" normalised; periodic Geo backups in the pair of westeurope
    assert copies(res["cosmos-multi"]) == ["eastasia", "northeurope"]
    assert copies(res["rsv-weu"]) == ["northeurope"]
    assert copies(res["bv-gwc"]) == []
    assert res["func-weu"].type == "sites"
    assert res["fd-global"].location.kind is LocationKind.GLOBAL
    assert res["dcr-us"].location.kind is LocationKind.MULTI_REGION
    # generic types keep Resource Graph's casing but are evaluated
    assert res["widget-moon"].service == "microsoft.contoso"
    # SQL: failover group partner + geo-replica link
    assert sorted(copies(res["sql-weu"])) == ["eastasia", "northeurope"]
    # + Geo backups in the pair of westeurope (northeurope, twice: two mechanisms)
    assert sorted(copies(res["sql-weu/orders"])) == ["eastasia", "northeurope", "northeurope"]
    assert copies(res["sql-weu/ledger"]) == []  # Local backup redundancy: no copy
    # skip-token paging: PROD + CHINA + EU rows in pages of 3
    assert fake.calls(GRAPH_PATH) == -(-len(inv.resources) // 3)
    assert {a.method for a in inv.audited if a.account in (PROD, CHINA, EU)} == {"resource-graph"}
    assert fake.calls("/resources$") == 0


def test_denied_subscription_is_a_gap_only_for_itself(make_provider: Any) -> None:
    inv = collect(make_provider())
    denied = [g for g in inv.gaps if g.account == DENIED]
    assert [g.code for g in denied] == ["AuthorizationFailed"]
    assert "hidden" not in by_name(inv)
    assert {r.account for r in inv.resources} == {PROD, CHINA, EU}


def test_resources_of_a_subscription_whose_locations_failed_are_kept(
    make_provider: Any, fake: FakeARM
) -> None:
    """list_locations refused, Resource Graph listed the resources: they are reported."""
    fake.faults.append(Fault(rf"^/subscriptions/{EU}/locations$", 403, code="AuthorizationFailed"))
    inv = collect(make_provider())
    res = by_name(inv)
    assert res["steuonly"].account == EU
    assert res["steuonly"].location.region == "westeurope"
    gaps = [(g.account, g.service, g.code) for g in inv.gaps if g.account == EU]
    assert gaps == [(EU, "subscription", "AuthorizationFailed")]
    assert [a.resources for a in inv.audited if a.account == EU] == [1]


MIXED = "abcdef00-0000-4000-8000-00000000000a"
"""A subscription id with letters: ARM and Resource Graph answer with it in lower case."""


@pytest.mark.parametrize("given", [MIXED, MIXED.upper()], ids=["lower", "upper"])
def test_subscription_ids_match_whatever_their_case(tmp_path: Path, given: str) -> None:
    from cloudaudit.providers.azure import AzureProvider, StaticTokenCredential

    tenant = Tenant(
        subscriptions=[{"id": f"/subscriptions/{MIXED}", "subscriptionId": MIXED}],
        locations=_locations(),
        resources={
            MIXED: [resource(MIXED, "rg", "Microsoft.Compute/disks", "disk-hk", "eastasia")]
        },
    )
    with FakeARM(tenant, tmp_path) as fake:
        p = AzureProvider(
            credential=StaticTokenCredential("t"),
            subscriptions=[given, MIXED.upper(), MIXED],  # one subscription, written 3 ways
            arm_endpoint=fake.url,
            connection_verify=fake.ca_file,
            retry_total=0,
        )
        report = audit(p, "eu-gdpr")
    assert [(f.resource.name, f.resource.account) for f in report.findings] == [("disk-hk", given)]
    assert report.findings[0].status.value == "violation"
    assert [(a.account, a.resources) for a in report.coverage.audited] == [(given, 1)]
    assert report.complete


# extendedLocation as ARM returns it (azure-rest-api-specs, Microsoft.Compute virtualMachines
# "Create a VM in an Extended Zone" example: {"type": "EdgeZone", "name": "microsoftlosangeles1"};
# Microsoft.ExtendedLocation customLocations: {"type": "CustomLocation", "name": <its id>})
FACTORY = (
    "/subscriptions/{sub}/resourceGroups/arc/providers/Microsoft.ExtendedLocation"
    "/customLocations/factory-1"
)
EDGE = {"type": "EdgeZone", "name": "microsoftlosangeles1"}


@pytest.mark.parametrize("use_graph", [True, False], ids=["resource-graph", "resources.list"])
def test_extended_locations_are_not_their_parent_region(tmp_path: Path, use_graph: bool) -> None:
    """A resource on an Azure Arc custom location runs on the customer's infrastructure, one in
    an Extended Zone in a metro site the catalog does not place: neither is its ``location``
    region (westeurope, compliant under eu-gdpr)."""
    from cloudaudit.providers.azure import AzureProvider, StaticTokenCredential

    custom = {"type": "CustomLocation", "name": FACTORY.format(sub=MIXED)}
    rows = [
        resource(
            MIXED,
            "arc",
            "Microsoft.AzureArcData/sqlManagedInstances",
            "sql-arc",
            "westeurope",
            extendedLocation=custom,
        ),
        resource(
            MIXED, "edge", "Microsoft.Compute/disks", "disk-edge", "westus", extendedLocation=EDGE
        ),
        resource(MIXED, "rg", "Microsoft.Compute/disks", "disk-weu", "westeurope"),
    ]
    tenant = Tenant(
        subscriptions=[{"id": f"/subscriptions/{MIXED}", "subscriptionId": MIXED}],
        locations=_locations(),
        resources={MIXED: rows},
    )
    with FakeARM(tenant, tmp_path) as fake:
        p = AzureProvider(
            credential=StaticTokenCredential("t"),
            subscriptions=[MIXED],
            arm_endpoint=fake.url,
            connection_verify=fake.ca_file,
            retry_total=0,
            use_resource_graph=use_graph,
        )
        report = audit(p, "eu-gdpr")
    status = {f.resource.name: f for f in report.findings}
    assert status["disk-weu"].status.value == "compliant"
    arc = status["sql-arc"]
    assert arc.status.value == "unknown"
    assert arc.resource.location.site == FACTORY.format(sub=MIXED)
    assert "customer premises" in " ".join(arc.reasons)
    edge = status["disk-edge"]
    assert edge.status.value == "unknown"
    assert "microsoftlosangeles1" in (edge.resource.location.note or "")


def test_catalog_mismatch_is_visible(make_provider: Any) -> None:
    inv = collect(make_provider())
    codes = {(g.code, g.region) for g in inv.gaps}
    assert ("CatalogMismatch", "newmoonregion") in codes
    assert not any(g.region == "westeurope" for g in inv.gaps)


def test_arm_fallback_pages_and_marks_unknown_copies(make_provider: Any, fake: FakeARM) -> None:
    inv = collect(make_provider(use_resource_graph=False))
    res = by_name(inv)
    assert fake.calls(GRAPH_PATH) == 0
    assert fake.calls(rf"/subscriptions/{PROD}/resources") > 5  # nextLink pages of 2
    assert len([r for r in inv.resources if r.account == PROD]) == 21
    assert copies(res["stbrazilgrs"]) == ["southcentralus"]  # sku is in resources.list
    # properties are read by id (GET), so the copies equal the Resource Graph path's
    assert copies(res["cosmos-multi"]) == ["eastasia", "northeurope"]
    assert fake.calls(r"/databaseAccounts/cosmos-multi\?api-version=") == 1
    gaps = {(g.account, g.code) for g in inv.gaps}
    assert (PROD, "CopiesUnavailable") not in gaps
    assert (DENIED, "AuthorizationFailed") in gaps
    assert {a.method for a in inv.audited if a.account == PROD} == {"resources.list"}


def test_graph_failure_falls_back_per_subscription(make_provider: Any, fake: FakeARM) -> None:
    fake.faults.append(Fault(GRAPH_PATH, 403, times=10, code="AuthorizationFailed"))
    fake.faults.append(Fault("/databaseAccounts/cosmos-multi$", 403, code="AuthorizationFailed"))
    inv = collect(make_provider())
    res = by_name(inv)
    assert "vm-hk" in res
    gap = next(g for g in inv.gaps if g.code == "CopiesUnavailable")
    assert "Resource Graph failed (AuthorizationFailed" in gap.message
    assert any(
        g.code == "AuthorizationFailed" and g.service == "Microsoft.DocumentDB/databaseAccounts"
        for g in inv.gaps
    )
    (replicas, _backups) = res["cosmos-multi"].data_locations
    assert replicas.kind is LocationKind.UNKNOWN and replicas.note and "properties" in replicas.note


def test_fallback_verdicts_equal_resource_graph(make_provider: Any) -> None:
    def verdicts(**kw: Any) -> dict[str, tuple[str, tuple[str | None, ...]]]:
        report = audit(make_provider(**kw), "us-foreign-adversaries")
        return {
            f.resource.id: (f.status.value, tuple(sorted(map(str, f.resource.data_locations))))
            for f in report.findings
        }

    graph, per_subscription = verdicts(), verdicts(use_resource_graph=False)
    assert graph == per_subscription
    assert graph[next(k for k in graph if k.endswith("/cosmos-multi"))][0] == "violation"


def test_429_with_retry_after_is_retried(make_provider: Any, fake: FakeARM) -> None:
    fake.faults.append(
        Fault(rf"/subscriptions/{EU}/resources", 429, times=1, headers={"Retry-After": "0"})
    )
    inv = collect(make_provider(use_resource_graph=False))
    assert "steuonly" in by_name(inv)
    statuses = [s for _m, p, s in fake.log if p.startswith(f"/subscriptions/{EU}/resources")]
    assert statuses == [429, 200]
    assert not [g for g in inv.gaps if g.account == EU]


def test_429_exhausting_retries_becomes_a_gap(make_provider: Any, fake: FakeARM) -> None:
    fake.faults.append(
        Fault(rf"/subscriptions/{EU}/resources", 429, times=5, headers={"Retry-After": "0"})
    )
    inv = collect(make_provider(use_resource_graph=False, retry_total=1))
    assert [g.code for g in inv.gaps if g.account == EU] == ["TooManyRequests"]
    assert "steuonly" not in by_name(inv)


def test_graph_quota_headers_make_the_provider_wait(make_provider: Any, fake: FakeARM) -> None:
    fake.graph_quota = 1
    waits: list[float] = []
    inv = collect(make_provider(page_size=5, sleep=waits.append))
    assert waits and all(w == 2.0 for w in waits)
    assert len(inv.resources) == 23


def test_sql_links_unreadable_gives_unknown_copies(make_provider: Any, fake: FakeARM) -> None:
    fake.faults.append(Fault("/failoverGroups$", 403, times=1, code="AuthorizationFailed"))
    inv = collect(make_provider())
    res = by_name(inv)
    # failover groups and replication links are both unknown, for the server and its databases
    links = {"azure.sql.failover-group", "azure.sql.geo-replication"}
    assert copies(res["sql-weu"]) == [None, None]
    assert {c.via for c in res["sql-weu"].data_locations} == links
    # the Geo backups (read from the database itself) are not unknown
    assert copies(res["sql-weu/orders"]) == ["northeurope", None, None]
    unknown = res["sql-weu/orders"].data_locations[1:]
    assert {c.via for c in unknown} == links
    for c in unknown:
        assert "failoverGroups/read on server sql-weu failed: AuthorizationFailed" in str(c.note)
    assert any(
        g.service == "Microsoft.Sql/servers" and g.code == "AuthorizationFailed" for g in inv.gaps
    )


def test_management_group_scope(make_provider: Any, fake: FakeARM) -> None:
    inv = collect(make_provider(management_group="mg-eu"))
    assert {r.name for r in inv.resources} == {"steuonly"}
    assert fake.calls("^/providers/Microsoft.Management/managementGroups/mg-eu/descendants") >= 1
    # the subscription in the child group that the caller cannot read is named, not skipped
    hidden = [g for g in inv.gaps if g.code == "SubscriptionNotReadable"]
    assert [g.account for g in hidden] == [HIDDEN]
    assert "under management group mg-eu" in hidden[0].message
    assert {r.account for r in inv.audited} == {EU}


def test_management_group_descendants_denied_is_a_gap(make_provider: Any, fake: FakeARM) -> None:
    fake.faults.append(Fault("/descendants$", 403, code="AuthorizationFailed"))
    report = audit(make_provider(management_group="mg-eu"), "eu-gdpr")
    assert not report.findings
    assert any(g.code == "AuthorizationFailed" for g in report.coverage.gaps)


def test_explicit_subscriptions(make_provider: Any, fake: FakeARM) -> None:
    inv = collect(make_provider(subscriptions=[CHINA]))
    assert [r.name for r in inv.resources] == ["stchinanorth3"]
    assert fake.calls("^/subscriptions$") == 0


def test_audit_verdicts(make_provider: Any) -> None:
    report = audit(make_provider(), "eu-gdpr")
    status = {f.resource.name: f.status.value for f in report.findings}
    assert status["stweuragrs"] == "compliant"
    assert status["stbrazilgrs"] == "violation"
    assert status["fd-global"] == "unknown"
    assert status["widget-moon"] == "unknown"
    assert status["steuonly"] == "compliant"
    assert status["cosmos-multi"] == "violation"  # copy in East Asia (Hong Kong)


def test_china_cloud_requests_the_china_scope(fake: FakeARM) -> None:
    from cloudaudit.providers.azure import AzureProvider, StaticTokenCredential

    cred = StaticTokenCredential("fake-token")
    p = AzureProvider(
        credential=cred,
        subscriptions=[CHINA],
        cloud="china",
        arm_endpoint=fake.url,
        connection_verify=fake.ca_file,
    )
    inv = collect(p)
    assert [r.name for r in inv.resources] == ["stchinanorth3"]
    assert ("https://management.chinacloudapi.cn/.default",) in cred.scopes
