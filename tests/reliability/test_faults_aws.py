"""The fault matrix for AWS: real boto3 clients, real HTTP, moto behind the fault layer."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from fault_matrix import MATRIX
from faultkit import Fault, FaultLayer, closed_port
from matrix_checks import Timed, check_baseline, check_fault
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from cloudaudit import audit
from cloudaudit.models import CoverageGap, Resource, Status
from cloudaudit.providers.aws import AwsProvider
from cloudaudit.providers.aws.services import ec2, s3
from cloudaudit.report import Report

pytestmark = pytest.mark.http

REGIONS = ["us-east-1", "eu-west-1", "me-south-1"]
TARGET = "eu-west-1"
ACCOUNT = "210987654321"  # the matrix's own moto account
DISABLED = "me-south-1"
COLLECTORS = (*s3.COLLECTORS, next(c for c in ec2.COLLECTORS if c.name == "volumes"))
_CRED = re.compile(r"Credential=[^/]+/\d+/([^/]+)/([^/]+)/aws4_request")


def signed(req: Request) -> tuple[str, str, str]:
    """(service, region, operation) of a SigV4-signed request."""
    m = _CRED.search(req.headers.get("Authorization", ""))
    service, region = (m.group(2), m.group(1)) if m else ("", "")
    target = req.headers.get("X-Amz-Target")
    action = target.rsplit(".", 1)[-1] if target else req.values.get("Action", "")
    return service, region, action or f"{req.method} {req.path}"


def aws_error(code: str, status: int, message: str = "injected fault") -> Callable[..., Response]:
    """An error in the wire format of the request's protocol (JSON, EC2, S3 or query XML)."""

    def respond(req: Request) -> Response:
        service = signed(req)[0]
        if req.headers.get("X-Amz-Target"):
            body = json.dumps({"__type": code, "message": message})
            return Response(body, status, content_type="application/x-amz-json-1.1")
        if service == "ec2":
            xml = (
                f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message>"
                "</Error></Errors><RequestID>fault</RequestID></Response>"
            )
        elif service == "s3":
            xml = f"<Error><Code>{code}</Code><Message>{message}</Message></Error>"
        else:
            xml = (
                f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}"
                "</Message></Error><RequestId>fault</RequestId></ErrorResponse>"
            )
        return Response(xml, status, content_type="text/xml")

    return respond


def on(service: str | None = None, region: str | None = None, op: str | None = None) -> Any:
    def match(req: Request) -> bool:
        s, r, o = signed(req)
        return service in (None, s) and region in (None, r) and op in (None, o)

    return match


def repeat_token(_req: Request, body: bytes) -> bytes:
    """Every DescribeVolumes page says there is a next page, always with the same token."""
    return body.replace(b"</DescribeVolumesResponse>", b"<nextToken>loop</nextToken>$0").replace(
        b"$0", b"</DescribeVolumesResponse>"
    )


VOLUMES = on("ec2", TARGET, "DescribeVolumes")
FAULTS: dict[str, Fault] = {
    "throttle-429": Fault(VOLUMES, "respond", aws_error("TooManyRequestsException", 429)),
    "slowdown-503": Fault(on("s3"), "respond", aws_error("SlowDown", 503)),
    "throttling-exception": Fault(VOLUMES, "respond", aws_error("ThrottlingException", 400)),
    "request-limit": Fault(VOLUMES, "respond", aws_error("RequestLimitExceeded", 503)),
    "server-500": Fault(VOLUMES, "respond", aws_error("InternalError", 500)),
    "connection-reset": Fault(VOLUMES, "reset"),
    "read-timeout": Fault(VOLUMES, "hang"),
    "access-denied-service": Fault(on("s3"), "respond", aws_error("AccessDenied", 403)),
    "scp-deny-region": Fault(
        on(region=TARGET),
        "respond",
        aws_error("AccessDenied", 403, "with an explicit deny in a service control policy"),
    ),
    "disabled-region": Fault(on(region=DISABLED), "respond", aws_error("OptInRequired", 401)),
    "unreachable-silent": Fault(on(region=TARGET), "hang"),
    "malformed-body": Fault(VOLUMES, "malformed"),
    "repeated-token": Fault(VOLUMES, "rewrite", rewrite=repeat_token),
    # sts:GetCallerIdentity and ec2:DescribeRegions succeed; every later call is refused
    "expired-credentials": Fault(
        on(), "respond", aws_error("ExpiredToken", 400, "The security token has expired"), after=2
    ),
}
TARGETS: dict[str, tuple[str | None, str | None]] = {
    "slowdown-503": (None, "s3"),
    "access-denied-service": (None, "s3"),
    "scp-deny-region": (TARGET, None),
    "disabled-region": (DISABLED, None),
    "unreachable-refused": (TARGET, None),
    "unreachable-silent": (TARGET, None),
    "expired-credentials": (None, None),
}


class RegionEndpoints:
    """A real boto3 session whose clients for some regions use another endpoint."""

    def __init__(self, session: boto3.Session, endpoints: dict[str, str]) -> None:
        self.session = session
        self.endpoints = endpoints
        self.region_name = session.region_name

    def client(self, service: str, region_name: str | None = None, **kwargs: Any) -> Any:
        if region_name in self.endpoints:
            kwargs["endpoint_url"] = self.endpoints[region_name]
        return self.session.client(service, region_name=region_name, **kwargs)


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, FaultLayer]]:
    layer = FaultLayer(DomainDispatcherApplication(create_backend_app))
    srv = make_server("127.0.0.1", 0, layer, True, request_handler=MotoRequestHandler)
    import threading

    thread = threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_port}", layer
    layer.reset()
    srv.shutdown()
    thread.join()


@pytest.fixture
def env(server: tuple[str, FaultLayer], monkeypatch: pytest.MonkeyPatch) -> FaultLayer:
    url, layer = server
    for var in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("AWS_ENDPOINT_URL", url)
    from botocore.retries import adaptive, standard

    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, ctx: 0)
    monkeypatch.setattr(adaptive.ClientRateLimiter, "on_sending_request", lambda self, **kw: None)
    layer.reset()
    # moto's state is per process and other AWS test modules of this worker share it: the
    # matrix's estate lives in an account of its own (moto attributes requests signed with an
    # assumed role's keys to the role's account), so their buckets cannot change its baseline.
    creds = boto3.client("sts", region_name="us-east-1").assume_role(
        RoleArn=f"arn:aws:iam::{ACCOUNT}:role/fault-matrix", RoleSessionName="fault-matrix"
    )["Credentials"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", creds["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", creds["SecretAccessKey"])
    monkeypatch.setenv("AWS_SESSION_TOKEN", creds["SessionToken"])
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)  # boto3.client() reads them anew
    yield layer
    layer.reset()


@pytest.fixture
def estate(env: FaultLayer) -> list[Resource]:
    """Plant volumes in every region and buckets, once per worker; return the baseline."""
    if not getattr(estate, "planted", None):
        for region in REGIONS:
            client = boto3.client("ec2", region_name=region)
            for _ in range(2):
                client.create_volume(AvailabilityZone=f"{region}a", Size=1)
        us = boto3.client("s3", region_name="us-east-1")
        us.create_bucket(Bucket="plain-us")
        us.create_bucket(
            Bucket="plain-eu", CreateBucketConfiguration={"LocationConstraint": TARGET}
        )
        report = run(boto3.Session(region_name="us-east-1"))
        estate.planted = [f.resource for f in report.findings]  # type: ignore[attr-defined]
        assert {r.account for r in estate.planted} == {ACCOUNT}  # type: ignore[attr-defined]
        check_baseline(report, estate.planted)  # type: ignore[attr-defined]
    return list(estate.planted)  # type: ignore[attr-defined]


def run(session: Any) -> Report:
    provider = AwsProvider(
        session=session,
        regions=REGIONS,
        collectors=COLLECTORS,
        max_attempts=2,
        connect_timeout=2.0,
        read_timeout=2.0,
    )
    return audit(provider, "us-foreign-adversaries", max_workers=8)


def unit_of(r: Resource) -> tuple[str | None, str]:
    return (None if r.service == "s3" else r.location.region), r.service


def covers(g: CoverageGap, r: Resource) -> bool:
    region, service = unit_of(r)
    if g.target is not None:  # one detail lookup: it concerns that resource only
        return g.target.split(" ")[-1] == r.name
    return g.region in (None, region) and g.service in (None, service)


@pytest.mark.parametrize("fault", sorted(MATRIX["aws"]))
def test_fault(fault: str, env: FaultLayer, estate: list[Resource]) -> None:
    expect = MATRIX["aws"][fault]
    region, service = TARGETS.get(fault, (TARGET, "ec2"))
    session: Any = boto3.Session(region_name="us-east-1")
    if fault == "unreachable-refused":
        session = RegionEndpoints(session, {TARGET: f"http://127.0.0.1:{closed_port()}"})
    else:
        env.add(FAULTS[fault])
    with Timed() as t:
        report = run(session)

    def in_target(r: Resource) -> bool:
        u_region, u_service = unit_of(r)
        return region in (None, u_region) and service in (None, u_service)

    def target_gap(g: CoverageGap) -> bool:
        return g.region == region and service in (None, g.service)

    check_fault(
        report,
        estate,
        expect,
        seconds=t.seconds,
        target_gap=target_gap if fault != "expired-credentials" else lambda g: True,
        in_target=in_target,
        covers=covers,
    )
    if region == TARGET and service is None:
        # the bucket in the faulted region is still listed, but its copies are unknown
        eu_bucket = next(f for f in report.findings if f.resource.name == "plain-eu")
        assert eu_bucket.status is Status.UNKNOWN
    if fault == "expired-credentials":
        assert {g.code for g in report.coverage.gaps} == {"ExpiredToken"}
        assert not report.findings
    # every gap names the call that failed, whatever the error (botocore's messages for a
    # reset, a timeout or an unparsable answer do not; nor do many AWS error messages)
    for g in report.coverage.gaps:
        assert g.target is not None or _CALL.search(g.message), (g.code, g.message)
    if fault == "access-denied-service":  # the permission to grant has another name
        listing = [g for g in report.coverage.gaps if g.target is None]
        assert listing and all(
            g.message.startswith("s3:ListBuckets (IAM action s3:ListAllMyBuckets): ")
            for g in listing
        ), [g.message for g in listing]


_CALL = re.compile(r"\b[a-z0-9-]+:[A-Z][A-Za-z0-9]+\b")


PROBE = on("ec2", DISABLED, "DescribeAvailabilityZones")


@pytest.mark.parametrize(
    "fault",
    [
        Fault(PROBE, "respond", lambda _req: Response(b"<html><body>proxy</body></html>", 200)),
        Fault(PROBE, "reset"),
        Fault(PROBE, "malformed"),
    ],
    ids=["html-200", "connection-reset", "malformed-body"],
)
def test_a_probe_that_fails_without_refusing_costs_its_region_only(
    fault: Fault, env: FaultLayer, estate: list[Resource]
) -> None:
    """The one-call probe of a not-opted-in region fails otherwise than by refusing.

    Not a refusal, so not "region disabled": that region's units report the probe's error as
    their gaps, and every other region and service is audited as without the fault (before,
    the probe's error ended the whole provider in one gap and every resource was dropped).
    """
    env.add(fault)
    report = run(boto3.Session(region_name="us-east-1"))
    assert fault.acted
    outside = [r for r in estate if unit_of(r)[0] != DISABLED]
    found = {f.resource.id: f.status for f in report.findings}
    assert outside and all(found.get(r.id) is Status.COMPLIANT for r in outside)
    assert not any(unit_of(f.resource)[0] == DISABLED for f in report.findings)
    gaps = report.coverage.gaps
    assert gaps and all(g.region == DISABLED for g in gaps), [(g.scope, g.code) for g in gaps]
    assert {g.service for g in gaps} == {"ec2"}
    assert {g.code for g in gaps} <= {"MalformedResponse", "EndpointConnectionError"}
    assert all("ec2:DescribeAvailabilityZones" in g.message for g in gaps), gaps


@pytest.mark.parametrize("action", ["respond", "malformed"], ids=["html-200", "malformed-body"])
def test_an_unusable_aggregator_answer_falls_back_to_the_direct_path(
    action: str, env: FaultLayer, estate: list[Resource]
) -> None:
    """The Config aggregator is an optimisation: an answer it cannot use audits everything
    directly (before, an HTML page or a cut-short answer ended the whole provider)."""
    html = lambda _req: Response(b"<html><body>proxy</body></html>", 200)  # noqa: E731
    lookup = on("config", None, "DescribeConfigurationAggregators")
    fault = Fault(lookup, action, html if action == "respond" else None)
    env.add(fault)
    report = run(boto3.Session(region_name="us-east-1"))
    assert fault.acted
    check_baseline(report, estate)


def test_a_misspelt_region_is_one_gap_that_says_so(env: FaultLayer, estate: list[Resource]) -> None:
    """A region asked for that DescribeRegions does not list, and whose probe fails (moto
    answers 500 for a region it does not know; AWS's endpoint does not resolve): one
    ``UnknownRegion`` gap for it, naming the closest listed region; the rest as without it
    (before, each of its units repeated the probe's error with no hint)."""
    provider = AwsProvider(
        session=boto3.Session(region_name="us-east-1"),
        regions=[*REGIONS, "eu-wset-1"],
        collectors=COLLECTORS,
        max_attempts=2,
        connect_timeout=2.0,
        read_timeout=2.0,
    )
    report = audit(provider, "us-foreign-adversaries", max_workers=8)
    found = {f.resource.id: f.status for f in report.findings}
    assert found == {r.id: Status.COMPLIANT for r in estate}
    (gap,) = report.coverage.gaps
    assert (gap.region, gap.code) == ("eu-wset-1", "UnknownRegion")
    assert "did you mean eu-west-1?" in gap.message
    assert "ec2:DescribeAvailabilityZones" in gap.message
