"""Control characters and bidi overrides from each cloud are neutralised, through real HTTP.

Each cloud's fake serves a resource whose name (or Name tag) hides ``invoice<RLO>fdp.exe``,
and the fault layer answers one listing with an error whose message carries a bidi override
and a terminal escape sequence. The real SDK clients read both; the table, Markdown, CSV and
HTML reports must hold no raw control or bidi character, and the gap message shows them
escaped. (AWS answers EC2 in XML, where ``ESC`` cannot appear: its resource carries the bidi
override, its error (DynamoDB, JSON) the escape sequence.)
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from faultkit import Fault, FaultLayer
from werkzeug.wrappers import Request, Response

from cloudaudit import audit
from cloudaudit.formats import render
from cloudaudit.report import Report

pytestmark = pytest.mark.http

NAME = "invoice\u202efdp.exe"
MESSAGE = "denied for invoice\u202efdp.exe\x1b[2J\x1b]0;pwned\x07"
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069]")
HUMAN = ("table", "markdown", "csv", "html")


def _check(report: Report, *, name_shown: bool = True) -> None:
    gaps = [g for g in report.coverage.gaps if "fdp.exe" in g.message]
    assert gaps, report.coverage.gaps  # the error reached a gap: the check below counts
    for gap in gaps:
        assert not RAW.search(gap.message), gap.message
        assert "invoice\\u202efdp.exe" in gap.message and "\\x1b[2J" in gap.message, gap
    assert any(NAME in (f.resource.name + str(f.resource.tags)) for f in report.findings) or (
        not name_shown
    ), [f.resource.name for f in report.findings]
    for fmt in HUMAN:
        text = render(report, fmt).replace("\r\n", "\n")
        assert not RAW.search(text), (fmt, RAW.search(text))
    assert "invoice\\u202efdp.exe" in render(report, "table")


def _error(status: int, body: dict[str, Any]) -> Callable[[Request], Response]:
    return lambda _req: Response(json.dumps(body), status, content_type="application/json")


def _serve_layer(app: Any, fault: Fault) -> FaultLayer:
    layer = FaultLayer(app)
    layer.add(fault)
    return layer


# ----- GCP --------------------------------------------------------------------------------
def test_gcp(tmp_path: Path) -> None:
    pytest.importorskip("google.cloud.asset_v1")
    from gcp_fake import FakeGcp
    from google.oauth2.credentials import Credentials

    from cloudaudit.providers.gcp import GcpProvider, default_retry

    fake = FakeGcp()
    for n, project in enumerate(("p-a", "p-b")):
        fake.add_project(project, 1000 + n)
    fake.add_zonal("p-a", "instances", "us-east1-b", NAME)
    error = {"error": {"code": 403, "message": MESSAGE, "status": "PERMISSION_DENIED"}}
    fault = Fault(lambda r: "/p-b" in r.path, "respond", _error(403, error))
    with fake.serve(wrap=lambda app: _serve_layer(app, fault)) as served:
        provider = GcpProvider(
            credentials=Credentials(token="ya29.safety"),
            projects=["p-a", "p-b"],
            client_options={"api_endpoint": served.url},
            retry=default_retry(initial=0.0, maximum=0.0, timeout=2.0),
            asset_types=("compute.googleapis.com/Instance",),
        )
        _check(audit(provider, "us-foreign-adversaries"))


# ----- Alibaba Cloud ------------------------------------------------------------------------
def test_alibaba() -> None:
    pytest.importorskip("alibabacloud_ecs20140526")
    from alibaba_fake import KEY_ID, FakeAlibaba, Server

    from cloudaudit.providers.alibaba import AlibabaProvider

    fake = FakeAlibaba(regions=["us-east-1"])
    item = {"InstanceId": "i-1", "InstanceName": NAME, "RegionId": "us-east-1"}
    fake.add("DescribeInstances", "us-east-1", item)
    body = {"RequestId": "x", "Code": "Forbidden.RAM", "Message": MESSAGE}
    disks = lambda r: r.headers.get("x-acs-action") == "DescribeDisks"  # noqa: E731
    fault = Fault(disks, "respond", _error(403, body))
    with Server(fake, wrap=lambda app: _serve_layer(app, fault)) as srv:
        provider = AlibabaProvider(
            KEY_ID, "safety-secret", regions=["us-east-1"], endpoint=srv.url, account="1"
        )
        _check(audit(provider, "us-foreign-adversaries"))


# ----- Azure --------------------------------------------------------------------------------
def test_azure(tmp_path: Path) -> None:
    pytest.importorskip("azure.mgmt.resource")
    from azure_fake import FakeARM, resource
    from azure_tenant import CHINA, PROD, build_tenant

    from cloudaudit.providers.azure import AzureProvider, StaticTokenCredential

    tenant = build_tenant()
    tenant.resources[PROD].append(
        resource(PROD, "rg-st", "Microsoft.Compute/disks", NAME, "westeurope")
    )
    body = {"error": {"code": "AuthorizationFailed", "message": MESSAGE}}
    fault = Fault(lambda r: f"/subscriptions/{CHINA}/" in r.path, "respond", _error(403, body))
    with FakeARM(tenant, tmp_path, wrap=lambda app: _serve_layer(app, fault)) as fake:
        provider = AzureProvider(
            credential=StaticTokenCredential("safety-token"),
            subscriptions=[PROD, CHINA],
            arm_endpoint=fake.url,
            connection_verify=fake.ca_file,
            use_resource_graph=False,
        )
        _check(audit(provider, "us-foreign-adversaries"))


# ----- AWS: moto over HTTP ------------------------------------------------------------------
@pytest.fixture
def moto_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    pytest.importorskip("moto")
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from test_deadline_discovery import aws_env
    from test_secrets_cli import serve

    body = {"__type": "AccessDeniedException", "message": MESSAGE}
    dynamodb = lambda r: "DynamoDB_" in r.headers.get("X-Amz-Target", "")  # noqa: E731
    fault = Fault(dynamodb, "respond", _error(400, body))
    for url in serve(_serve_layer(DomainDispatcherApplication(create_backend_app), fault)):
        aws_env(url, monkeypatch)
        yield url


def test_aws(moto_url: str) -> None:
    import boto3

    from cloudaudit.providers.aws import AwsProvider

    ec2 = boto3.client("ec2", region_name="eu-west-1")
    tags = [{"ResourceType": "volume", "Tags": [{"Key": "Name", "Value": NAME}]}]
    ec2.create_volume(Size=8, AvailabilityZone="eu-west-1a", TagSpecifications=tags)
    provider = AwsProvider(regions=["eu-west-1"], services=["ec2", "dynamodb"], max_attempts=1)
    _check(audit(provider, "us-foreign-adversaries"))
