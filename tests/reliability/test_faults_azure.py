"""The fault matrix for Azure: the real azure-mgmt clients over HTTPS to the fake ARM.

The provider discovers the tenant's three subscriptions, reads each one's locations and lists
its resources with ``resources.list`` (the SDK's ``nextLink`` pager), then reads the failover
groups and replication links of every SQL server (paged GETs). A Resource Graph failure falls
back to the same listing, so the Resource Graph path has its own test below.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("azure.mgmt.resource")

from azure_fake import GRAPH_PATH, FakeARM, Tenant, resource
from azure_tenant import _locations
from fault_matrix import MATRIX
from faultkit import Fault, FaultLayer, closed_port
from matrix_checks import Timed, check_baseline, check_fault
from werkzeug.wrappers import Request, Response

from cloudaudit import audit
from cloudaudit.models import CoverageGap, Resource, Status
from cloudaudit.providers.azure import AzureProvider, StaticTokenCredential
from cloudaudit.report import Report

pytestmark = pytest.mark.http

SUBS = [f"{n}{n}{n}{n}{n}{n}{n}{n}-0000-0000-0000-00000000000{n}" for n in (5, 6, 7)]
TARGET = SUBS[1]
POLICY = "us-foreign-adversaries"


def arm_error(code: str, status: int, **headers: str) -> Callable[[Request], Response]:
    """An ARM error body (``{"error": {"code", "message"}}``)."""

    def respond(req: Request) -> Response:
        body = {"error": {"code": code, "message": "injected fault"}}
        resp = Response(json.dumps(body), status, content_type="application/json")
        resp.headers.update(headers)
        return resp

    return respond


def path_has(*parts: str) -> Any:
    def match(req: Request) -> bool:
        return all(p in req.path for p in parts)

    return match


def repeat_link(req: Request, body: bytes) -> bytes:
    """Every page after the first links back to itself."""
    data = json.loads(body)
    if "$skiptoken" in req.args and data.get("nextLink"):
        data["nextLink"] = req.url
    return json.dumps(data).encode()


RESOURCES = path_has(f"/subscriptions/{TARGET}/resources")
SUB = path_has(f"/subscriptions/{TARGET}")
FAULTS: dict[str, Fault] = {
    "throttle-429": Fault(
        RESOURCES, "respond", arm_error("TooManyRequests", 429, **{"Retry-After": "0"})
    ),
    "slowdown-503": Fault(
        RESOURCES, "respond", arm_error("ServerBusy", 503, **{"Retry-After": "0"})
    ),
    "throttling-exception": Fault(
        RESOURCES,
        "respond",
        arm_error("SubscriptionRequestsThrottled", 429, **{"Retry-After": "0"}),
    ),
    "request-limit": Fault(
        RESOURCES, "respond", arm_error("TenantRequestsThrottled", 429, **{"Retry-After": "0"})
    ),
    "server-500": Fault(RESOURCES, "respond", arm_error("InternalServerError", 500)),
    "connection-reset": Fault(RESOURCES, "reset"),
    "read-timeout": Fault(RESOURCES, "hang"),
    "access-denied-service": Fault(
        path_has("/failoverGroups"), "respond", arm_error("AuthorizationFailed", 403)
    ),
    "scp-deny-region": Fault(SUB, "respond", arm_error("AuthorizationFailed", 403)),
    "disabled-region": Fault(SUB, "respond", arm_error("SubscriptionNotFound", 404)),
    "unreachable-silent": Fault(SUB, "hang"),
    "malformed-body": Fault(RESOURCES, "malformed"),
    "repeated-token": Fault(RESOURCES, "rewrite", rewrite=repeat_link),
    # the two pages of the subscription list succeed; every later call is refused
    "expired-credentials": Fault(
        lambda r: True, "respond", arm_error("ExpiredAuthenticationToken", 401), after=2
    ),
}
# (subscription, what) of the target: "resources" (all of it) or "sql" (SQL servers, dbs)
TARGETS: dict[str, tuple[str | None, str]] = {
    "access-denied-service": (None, "sql"),
    "unreachable-refused": (None, "resources"),
    "expired-credentials": (None, "resources"),
}


def tenant() -> Tenant:
    resources: dict[str, list[dict[str, Any]]] = {}
    for sub in SUBS:
        rows = [
            resource(sub, "rg", "Microsoft.Compute/virtualMachines", f"vm-{i}", "westeurope")
            for i in range(3)
        ]
        rows.append(resource(sub, "rg", "Microsoft.Compute/disks", "disk-0", "westeurope"))
        server = resource(sub, "rg-sql", "Microsoft.Sql/servers", f"sql-{sub[:4]}", "westeurope")
        rows.append(server)
        rows.append(
            {
                "id": f"{server['id']}/databases/orders",
                "name": f"{server['name']}/orders",
                "type": "Microsoft.Sql/servers/databases",
                "location": "westeurope",
                # azure-rest-api-specs .../Microsoft.Sql/stable/2021-11-01/examples/
                # GetDatabase.json: Geo backups go to the pair (northeurope)
                "properties": {"status": "Online", "currentBackupStorageRedundancy": "Geo"},
            }
        )
        resources[sub] = rows
    subs = [
        {"id": f"/subscriptions/{s}", "subscriptionId": s, "displayName": s[:4], "state": "Enabled"}
        for s in SUBS
    ]
    return Tenant(subscriptions=subs, locations=_locations(), resources=resources)


Served = tuple[FakeARM, FaultLayer, list[Resource]]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    layers: list[FaultLayer] = []

    def wrap(app: Any) -> FaultLayer:
        layers.append(FaultLayer(app))
        return layers[0]

    with FakeARM(tenant(), tmp_path_factory.mktemp("arm"), wrap=wrap, page_size=2) as fake:
        report = run(fake)
        baseline = [f.resource for f in report.findings]
        check_baseline(report, baseline)
        assert len(baseline) == len(SUBS) * 6
        yield fake, layers[0], baseline
        layers[0].reset()


def run(fake: FakeARM, url: str | None = None, *, graph: bool = False) -> Report:
    provider = AzureProvider(
        StaticTokenCredential("fake-token"),
        arm_endpoint=url or fake.url,
        connection_verify=fake.ca_file,
        use_resource_graph=graph,
        retry_total=2,
        retry_backoff_factor=0,
        connection_timeout=2.0,
        read_timeout=2.0,
    )
    return audit(provider, POLICY, max_workers=8)


def is_sql(r: Resource) -> bool:
    return r.service == "Microsoft.Sql"


def covers(g: CoverageGap, r: Resource) -> bool:
    if g.account is None:
        return True  # the provider as a whole
    if g.account != r.account:
        return False
    if g.service == "Microsoft.Sql/servers":
        return is_sql(r)
    return g.service in ("subscription", "resources")


@pytest.mark.parametrize("fault", sorted(MATRIX["azure"]))
def test_fault(fault: str, served: Served) -> None:
    fake, layer, baseline = served
    expect = MATRIX["azure"][fault]
    sub, what = TARGETS.get(fault, (TARGET, "resources"))
    url = None
    layer.reset()
    if fault == "unreachable-refused":
        url = f"https://127.0.0.1:{closed_port()}"
    else:
        layer.add(FAULTS[fault])
    try:
        with Timed() as t:
            report = run(fake, url)
    finally:
        layer.reset()

    def in_target(r: Resource) -> bool:
        return sub in (None, r.account) and (what == "resources" or is_sql(r))

    def target_gap(g: CoverageGap) -> bool:
        if sub is not None and g.account != sub:
            return False
        return what == "resources" or g.service == "Microsoft.Sql/servers"

    check_fault(
        report,
        baseline,
        expect,
        seconds=t.seconds,
        target_gap=target_gap,
        in_target=in_target,
        covers=covers,
    )
    # every gap names the call that failed, as the ARM action the shipped role grants for it
    # (azure-core's messages for a reset, a timeout or an undecodable answer do not; nor do
    # ARM's own error messages)
    for g in report.coverage.gaps:
        assert g.target is not None or _names_a_call(g.message), (g.code, g.message)


_ACTIONS = json.loads(
    (Path(__file__).parents[2] / "cloudaudit/providers/azure/role.json").read_text()
)["Actions"]


def _names_a_call(message: str) -> bool:
    return any(message.startswith(f"{action}: ") for action in _ACTIONS)


def test_resource_graph_repeated_skip_token_falls_back_to_the_arm_listing(served: Served) -> None:
    """A Resource Graph query whose ``$skipToken`` repeats stops and is listed another way."""
    fake, layer, baseline = served

    def repeat(req: Request, body: bytes) -> bytes:
        data = json.loads(body)
        asked = (json.loads(req.get_data() or b"{}").get("options") or {}).get("$skipToken")
        if asked:
            data["$skipToken"] = asked
        return json.dumps(data).encode()

    layer.reset()
    layer.add(Fault(path_has(GRAPH_PATH), "rewrite", rewrite=repeat))
    fake.page_size = 2
    try:
        with Timed() as t:
            provider = AzureProvider(
                StaticTokenCredential("fake-token"),
                arm_endpoint=fake.url,
                connection_verify=fake.ca_file,
                retry_total=0,
                page_size=2,
                read_timeout=2.0,
            )
            report = audit(provider, POLICY)
        graph_calls = sum(1 for _m, p in layer.log if GRAPH_PATH in p)
    finally:
        layer.reset()
    assert t.seconds < 30
    assert graph_calls <= 3  # one page, its repeat, then the loop is refused
    assert {f.resource.id for f in report.findings} == {r.id for r in baseline}
    assert all(f.status is Status.COMPLIANT for f in report.findings)
    assert not report.coverage.gaps
    assert {a.method for a in report.coverage.audited} == {"resources.list"}


def test_timeouts_reach_the_clients(tmp_path: Path) -> None:
    provider = AzureProvider(StaticTokenCredential("t"), subscriptions=["s"])
    client = provider.subscription_client()
    config = client._client._pipeline._transport.connection_config
    assert (config.timeout, config.read_timeout) == (10.0, 60.0)
