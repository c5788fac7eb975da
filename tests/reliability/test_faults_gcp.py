"""The fault matrix for GCP: the real Google client libraries over HTTP to the fake.

The provider audits three projects by id: one discovery call per project, then one Cloud
Asset search per (project, asset type); where every search of a project fails, buckets and
compute are listed per project with the storage and compute APIs (the other types become a
``cloudasset`` gap).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

pytest.importorskip("google.cloud.asset_v1")

from fault_matrix import MATRIX
from faultkit import Fault, FaultLayer, closed_port
from gcp_fake import FakeGcp
from google.oauth2.credentials import Credentials
from matrix_checks import Timed, check_baseline, check_fault
from werkzeug.wrappers import Request, Response

from cloudaudit import audit
from cloudaudit.models import CoverageGap, Resource
from cloudaudit.providers.gcp import GcpProvider, default_retry
from cloudaudit.providers.gcp._asset import service_and_type
from cloudaudit.providers.gcp._fallback import COVERED_ASSET_TYPES
from cloudaudit.report import Report

pytestmark = pytest.mark.http

PROJECTS = ["p-a", "p-b", "p-c"]
TARGET = "p-b"
BUCKET = "storage.googleapis.com/Bucket"
INSTANCE = "compute.googleapis.com/Instance"
SQL = "sqladmin.googleapis.com/Instance"
TYPES = (BUCKET, INSTANCE, "compute.googleapis.com/Disk", SQL)
ASSET_TYPE = {service_and_type(t): t for t in TYPES}
POLICY = "us-foreign-adversaries"


def gcp_error(status: int, grpc_status: str, reason: str) -> Callable[[Request], Response]:
    """An error in the Google JSON error format, with an ``ErrorInfo`` reason."""

    def respond(req: Request) -> Response:
        info = {
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": reason,
            "domain": "googleapis.com",
        }
        body = {
            "error": {
                "code": status,
                "message": "injected fault",
                "status": grpc_status,
                "details": [info],
            }
        }
        return Response(json.dumps(body), status, content_type="application/json")

    return respond


def search_of(project: str | None = None, asset_type: str | None = None) -> Any:
    def match(req: Request) -> bool:
        if not req.path.endswith(":searchAllResources"):
            return False
        types = req.args.getlist("assetTypes")
        return project in (None, req.path.split("/")[3].split(":")[0]) and (
            asset_type is None or asset_type in types
        )

    return match


def about(project: str) -> Any:
    """Every request about ``project`` (discovery, search, storage and compute)."""

    def match(req: Request) -> bool:
        return f"/{project}" in req.path or req.args.get("project") == project

    return match


def repeat_token(req: Request, body: bytes) -> bytes:
    data = json.loads(body)
    token = req.args.get("pageToken")
    if token:
        data["nextPageToken"] = token
    return json.dumps(data).encode()


INSTANCES = search_of(TARGET, INSTANCE)
FAULTS: dict[str, Fault] = {
    "throttle-429": Fault(INSTANCES, "respond", gcp_error(429, "RESOURCE_EXHAUSTED", "")),
    "slowdown-503": Fault(INSTANCES, "respond", gcp_error(503, "UNAVAILABLE", "")),
    "throttling-exception": Fault(
        INSTANCES, "respond", gcp_error(429, "RESOURCE_EXHAUSTED", "RATE_LIMIT_EXCEEDED")
    ),
    "request-limit": Fault(
        INSTANCES, "respond", gcp_error(403, "PERMISSION_DENIED", "QUOTA_EXCEEDED")
    ),
    "server-500": Fault(INSTANCES, "respond", gcp_error(500, "INTERNAL", "")),
    "connection-reset": Fault(INSTANCES, "reset"),
    "read-timeout": Fault(INSTANCES, "hang"),
    "access-denied-service": Fault(
        search_of(asset_type=BUCKET),
        "respond",
        gcp_error(403, "PERMISSION_DENIED", "IAM_PERMISSION_DENIED"),
    ),
    "scp-deny-region": Fault(
        about(TARGET), "respond", gcp_error(403, "PERMISSION_DENIED", "IAM_PERMISSION_DENIED")
    ),
    "disabled-region": Fault(
        search_of(TARGET), "respond", gcp_error(403, "PERMISSION_DENIED", "SERVICE_DISABLED")
    ),
    "unreachable-silent": Fault(about(TARGET), "hang"),
    "malformed-body": Fault(INSTANCES, "malformed"),
    "repeated-token": Fault(INSTANCES, "rewrite", rewrite=repeat_token),
    # the three projects.get of discovery succeed; every later call is refused
    "expired-credentials": Fault(
        lambda r: True,
        "respond",
        gcp_error(401, "UNAUTHENTICATED", "ACCESS_TOKEN_EXPIRED"),
        after=len(PROJECTS),
    ),
}
# (project, asset type) of the target; None: any
TARGETS: dict[str, tuple[str | None, str | None]] = {
    # Bucket is searched first: its refusal stops the Cloud Asset searches of every project,
    # which fall back to listing storage and compute; SQL (no fallback) is what is missed
    "access-denied-service": (None, SQL),
    "scp-deny-region": (TARGET, None),
    "disabled-region": (TARGET, SQL),
    "unreachable-silent": (TARGET, None),
    "unreachable-refused": (None, None),
    "expired-credentials": (None, None),
}


def estate() -> FakeGcp:
    fake = FakeGcp(max_page_size=2)
    for n, project in enumerate(PROJECTS):
        fake.add_project(project, 1000 + n)
        for i in range(3):
            fake.add_bucket(project, f"{project}-bucket-{i}", "us-east1")
            fake.add_zonal(project, "instances", "us-east1-b", f"{project}-vm-{i}")
        fake.add_zonal(project, "disks", "us-east1-b", f"{project}-disk")
        fake.add_asset(
            project,
            SQL,
            f"//cloudsql.googleapis.com/projects/{project}/instances/db",
            "us-east1",
            # sqladmin v1 DatabaseInstance: default backup location (the US multi-region)
            {"region": "us-east1", "settings": {"backupConfiguration": {"enabled": True}}},
        )
    return fake


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[FakeGcp, FaultLayer, list[Resource]]]:
    layers: list[FaultLayer] = []

    def wrap(app: Any) -> FaultLayer:
        layers.append(FaultLayer(app))
        return layers[0]

    with estate().serve(wrap=wrap) as fake:
        report = run(fake.url)
        baseline = [f.resource for f in report.findings]
        check_baseline(report, baseline)
        assert len(baseline) == len(PROJECTS) * 8
        yield fake, layers[0], baseline
        layers[0].reset()


HANGS = {name for name, fault in FAULTS.items() if fault.action == "hang"}
"""Faults that hold a call until the client gives up: a short call budget keeps them quick."""


def run(url: str, budget: float = 10.0) -> Report:
    """Audit the fake at ``url``, each call (retries included) bounded by ``budget`` seconds.

    The faults that hang get two seconds; the others ten, so that a loaded machine (tests in
    parallel) does not turn a slow answer into a ``Timeout`` that the fault did not cause.
    """
    provider = GcpProvider(
        credentials=Credentials(token="ya29.matrix-token"),
        projects=PROJECTS,
        client_options={"api_endpoint": url},
        # attempts as the provider's default (max_attempts=5): a persistent 500 ends with its
        # own code after five quick tries, not in a race with the budget (Timeout) on a busy
        # machine
        retry=default_retry(initial=0.05, maximum=0.05, timeout=budget, attempts=5),
        timeout=budget,
        asset_types=TYPES,
    )
    return audit(provider, POLICY, max_workers=8)


def asset_type(r: Resource) -> str:
    return ASSET_TYPE[(r.service, r.type)]


FALLBACK = {
    "storage.buckets": BUCKET,
    "compute.instances": INSTANCE,
    "compute.disks": "compute.googleapis.com/Disk",
}


def covers(g: CoverageGap, r: Resource) -> bool:
    """Does the gap's scope include the unit that lists ``r``?"""
    if (g.account or "").removeprefix("projects/") != r.account:
        return False
    if g.service == "resourcemanager":
        return True
    if g.service == "cloudasset":
        return asset_type(r) not in COVERED_ASSET_TYPES
    return asset_type(r) in (g.service, FALLBACK.get(str(g.service)))


@pytest.mark.parametrize("fault", sorted(MATRIX["gcp"]))
def test_fault(fault: str, served: tuple[FakeGcp, FaultLayer, list[Resource]]) -> None:
    fake, layer, baseline = served
    expect = MATRIX["gcp"][fault]
    project, kind = TARGETS.get(fault, (TARGET, INSTANCE))
    url = fake.url
    layer.reset()
    if fault == "unreachable-refused":
        url = f"http://127.0.0.1:{closed_port()}"
    else:
        layer.add(FAULTS[fault])
    try:
        with Timed() as t:
            report = run(url, budget=2.0 if fault in HANGS else 10.0)
    finally:
        layer.reset()

    def in_target(r: Resource) -> bool:
        return project in (None, r.account) and kind in (None, asset_type(r))

    def target_gap(g: CoverageGap) -> bool:
        account = (g.account or "").removeprefix("projects/")
        if project not in (None, account):
            return False
        return kind is None or g.service in (kind, "cloudasset" if kind == SQL else kind)

    check_fault(
        report,
        baseline,
        expect,
        seconds=t.seconds,
        target_gap=target_gap,
        in_target=in_target,
        covers=covers,
    )
    # every gap names the call that failed, whatever the error (the messages of a reset, a
    # timeout, an unreadable answer, a failed refresh and many Google errors do not)
    for g in report.coverage.gaps:
        assert g.target is not None or _CALL.search(g.message), (fault, g.code, g.message)
    if fault == "unreachable-refused":  # the cause, not requests' retry summary and URL
        for g in report.coverage.gaps:
            assert "Connection refused" in g.message, g.message
            assert "Max retries" not in g.message and "?" not in g.message, g.message


def test_a_fallback_listing_that_cycles_names_its_call(
    served: tuple[FakeGcp, FaultLayer, list[Resource]],
) -> None:
    fake, layer, _ = served
    layer.reset()
    layer.add(Fault(search_of(TARGET), "respond", gcp_error(403, "PERMISSION_DENIED", "")))
    aggregated = f"/compute/v1/projects/{TARGET}/aggregated/instances"
    layer.add(Fault(lambda r: r.path == aggregated, "rewrite", rewrite=repeat_token))
    try:
        report = run(fake.url)
    finally:
        layer.reset()
    (gap,) = [g for g in report.coverage.gaps if g.service == "compute.instances"]
    assert gap.code == "PaginationLoop"
    assert gap.message.startswith(f"compute.instances.aggregatedList projects/{TARGET}: "), gap


# an API method id of the discovery documents, a read: cloudasset.searchAllResources,
# compute.instances.aggregatedList, cloudresourcemanager.projects.get
_CALL = re.compile(r"\b[a-z]+(\.[a-z][A-Za-z]*)*\.(get|list|search|aggregatedList)[A-Za-z]*\b")
