"""The fault matrix for Alibaba Cloud: the real Tea/OSS SDK clients over HTTP to the fake."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

pytest.importorskip("alibabacloud_ecs20140526")
pytest.importorskip("alibabacloud_oss_v2")

from alibaba_fake import KEY_ID, SECRET, Bucket, FakeAlibaba, Server
from fault_matrix import MATRIX
from faultkit import Fault, FaultLayer, closed_port
from matrix_checks import Timed, check_baseline, check_fault
from werkzeug.wrappers import Request, Response

from cloudaudit import audit
from cloudaudit.models import CoverageGap, Resource
from cloudaudit.providers.alibaba import AlibabaProvider
from cloudaudit.report import Report

pytestmark = pytest.mark.http

REGIONS = ["cn-hangzhou", "us-east-1", "eu-central-1"]
TARGET = "us-east-1"
POLICY = "ofac-embargoed"
_OSS_REGION = re.compile(r"Credential=[^/,]+/\d{8}/([^/]+)/oss/")


def describe(req: Request) -> tuple[str, str, str]:
    """(product, region, action) of a request to the fake."""
    auth = req.headers.get("Authorization", "")
    if auth.startswith("OSS4-"):
        m = _OSS_REGION.search(auth)
        return "oss", m.group(1) if m else "", "GetBucketReplication" if req.path != "/" else ""
    action = req.headers.get("x-acs-action") or req.values.get("Action", "")
    product = "rds" if action == "DescribeDBInstances" else "ecs"
    return product, req.values.get("RegionId", ""), action


def on(product: str | None = None, region: str | None = None, action: str | None = None) -> Any:
    def match(req: Request) -> bool:
        p, r, a = describe(req)
        return product in (None, p) and region in (None, r) and action in (None, a)

    return match


def ali_error(code: str, status: int, message: str = "injected fault") -> Callable[..., Response]:
    def respond(req: Request) -> Response:
        if req.headers.get("Authorization", "").startswith("OSS4-"):
            xml = (
                f"<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}</Code>"
                f"<Message>{message}</Message><RequestId>fault</RequestId></Error>"
            )
            return Response(xml, status, content_type="application/xml")
        body = {"RequestId": "fault", "Code": code, "Message": message}
        return Response(json.dumps(body), status, content_type="application/json")

    return respond


def repeat_token(req: Request, body: bytes) -> bytes:
    """Answer every page after the first with the token that asked for it."""
    data = json.loads(body)
    token = req.values.get("NextToken")
    if token:
        data["NextToken"] = token
    return json.dumps(data).encode()


INSTANCES = on("ecs", TARGET, "DescribeInstances")
FAULTS: dict[str, Fault] = {
    "throttle-429": Fault(INSTANCES, "respond", ali_error("Throttling.User", 429)),
    "slowdown-503": Fault(INSTANCES, "respond", ali_error("ServiceUnavailable", 503)),
    "throttling-exception": Fault(INSTANCES, "respond", ali_error("Throttling", 400)),
    "request-limit": Fault(INSTANCES, "respond", ali_error("Throttling.Api", 400)),
    "server-500": Fault(INSTANCES, "respond", ali_error("InternalError", 500)),
    "connection-reset": Fault(INSTANCES, "reset"),
    "read-timeout": Fault(INSTANCES, "hang"),
    "access-denied-service": Fault(on("rds"), "respond", ali_error("Forbidden.RAM", 403)),
    "scp-deny-region": Fault(
        on(region=TARGET),
        "respond",
        ali_error("Forbidden.RAM", 403, "explicitly denied by a control policy"),
    ),
    "disabled-region": Fault(on(region=TARGET), "respond", ali_error("InvalidRegionId", 400)),
    "unreachable-silent": Fault(on(region=TARGET), "hang"),
    "malformed-body": Fault(INSTANCES, "malformed"),
    "repeated-token": Fault(INSTANCES, "rewrite", rewrite=repeat_token),
    # sts:GetCallerIdentity succeeds; every later call is refused
    "expired-credentials": Fault(
        on(), "respond", ali_error("InvalidSecurityToken.Expired", 400), after=1
    ),
}
TARGETS: dict[str, tuple[str | None, str | None]] = {
    "access-denied-service": (None, "rds:db_instance"),
    "scp-deny-region": (TARGET, None),
    "disabled-region": (TARGET, None),
    "unreachable-silent": (TARGET, None),
    "unreachable-refused": (None, None),
    "expired-credentials": (None, None),
}


def estate() -> FakeAlibaba:
    fake = FakeAlibaba(regions=list(REGIONS))
    for region in REGIONS:
        for i in range(10):
            fake.add(
                "DescribeInstances",
                region,
                {"InstanceId": f"i-{region}-{i}", "RegionId": region, "ZoneId": f"{region}-a"},
            )
        fake.add("DescribeDisks", region, {"DiskId": f"d-{region}", "RegionId": region})
        fake.add(
            "DescribeDBInstances", region, {"DBInstanceId": f"rm-{region}", "RegionId": region}
        )
    fake.buckets = [Bucket(f"b-{r}", r) for r in REGIONS]
    return fake


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[Server, FaultLayer, list[Resource]]]:
    layers: list[FaultLayer] = []

    def wrap(app: Any) -> FaultLayer:
        layers.append(FaultLayer(app))
        return layers[0]

    with Server(estate(), wrap=wrap) as srv:
        report = run(srv.url)
        baseline = [f.resource for f in report.findings]
        check_baseline(report, baseline)
        yield srv, layers[0], baseline
        layers[0].reset()


def run(url: str) -> Report:
    provider = AlibabaProvider(
        KEY_ID, SECRET, regions=REGIONS, endpoint=url, connect_timeout=2.0, read_timeout=2.0
    )
    return audit(provider, POLICY, max_workers=8)


def unit_of(r: Resource) -> tuple[str | None, str]:
    if r.service == "oss":
        return r.location.region, f"oss:bucket/{r.name}"
    return r.location.region, f"{r.service}:{r.type}"


def covers(g: CoverageGap, r: Resource) -> bool:
    region, service = unit_of(r)
    if g.service == "oss:bucket-list":
        return r.service == "oss"
    return g.region in (None, region) and g.service in (None, service)


@pytest.mark.parametrize("fault", sorted(MATRIX["alibaba"]))
def test_fault(fault: str, served: tuple[Server, FaultLayer, list[Resource]]) -> None:
    srv, layer, baseline = served
    expect = MATRIX["alibaba"][fault]
    region, service = TARGETS.get(fault, (TARGET, "ecs:instance"))
    url = srv.url
    layer.reset()
    if fault == "unreachable-refused":
        url = f"http://127.0.0.1:{closed_port()}"
    else:
        layer.add(FAULTS[fault])
    try:
        with Timed() as t:
            report = run(url)
    finally:
        layer.reset()

    def in_target(r: Resource) -> bool:
        u_region, u_service = unit_of(r)
        return region in (None, u_region) and service in (None, u_service)

    def target_gap(g: CoverageGap) -> bool:
        return region in (None, g.region) and service in (None, g.service)

    check_fault(
        report,
        baseline,
        expect,
        seconds=t.seconds,
        target_gap=target_gap,
        in_target=in_target,
        covers=covers,
    )
    if region is None and service is None:
        assert not report.findings or all(f.status.value != "compliant" for f in report.findings)
    # every gap names the call that failed, whatever the error (the Tea SDK's messages for a
    # reset, a timeout or an unparsable answer do not; nor do many Alibaba error messages)
    for g in report.coverage.gaps:
        assert g.target is not None or _CALL.search(g.message), (g.code, g.message)
        assert SECRET not in g.message


_CALL = re.compile(r"\b[a-z]+:[A-Z][A-Za-z]+\b")


def test_a_failed_cross_backup_read_names_its_own_call(
    served: tuple[Server, FaultLayer, list[Resource]],
) -> None:
    """The gap names the call that failed (and the instance), not the listing it read for.

    A secondary call: every instance is still reported, its backup copy unknown.
    """
    srv, layer, _ = served
    layer.reset()
    cross = Fault(on(action="DescribeInstanceCrossBackupPolicy"), "reset")
    layer.add(cross)
    try:
        report = run(srv.url)
    finally:
        layer.reset()
    assert cross.acted
    gaps = [g for g in report.coverage.gaps if g.service == "rds:db_instance"]
    assert gaps and all(
        g.message.startswith(f"rds:DescribeInstanceCrossBackupPolicy on {g.target}: ") for g in gaps
    ), [(g.code, g.message) for g in gaps]
    dbs = [f for f in report.findings if f.resource.type == "db_instance"]
    assert {"instance " + f.resource.id.rsplit("/", 1)[1] for f in dbs} == {g.target for g in gaps}
    assert all(f.status.value != "compliant" for f in dbs)
