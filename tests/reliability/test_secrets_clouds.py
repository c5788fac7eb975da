"""Canary credentials of AWS, GCP and Azure never reach logs, reports, gaps or exceptions.

Each fake echoes the credentials back (in an error body that repeats the Authorization header
and token headers it received); every logger runs at DEBUG.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from faultkit import Fault, FaultLayer
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from cloudaudit import audit
from cloudaudit.formats import FORMATS, render
from cloudaudit.report import Report

pytestmark = pytest.mark.http

AWS_KEY_ID = "AKIACANARY7F3A9C1E2B"
AWS_SECRET = "canary-aws-secret-2b8d4f6a0c"
AWS_TOKEN = "canary-aws-session-token-9e1c3a5b7d"
GCP_TOKEN = "ya29.canary-gcp-token-4c6e8a0b2d"
AZURE_TOKEN = "canary-azure-bearer-1a3c5e7b9d"
LOGGERS = ("", "botocore", "boto3", "urllib3", "azure", "google", "google.auth", "cloudaudit")


def aws_xml(req: Request, message: str) -> str:
    """An AccessDenied error in the request's XML protocol (EC2, S3 or query)."""
    error = f"<Error><Code>AccessDenied</Code><Message>{message}</Message></Error>"
    scope = req.headers.get("Authorization", "")
    if "/ec2/aws4_request" in scope:
        return f"<Response><Errors>{error}</Errors><RequestID>echo</RequestID></Response>"
    if "/s3/aws4_request" in scope:
        return error
    return f"<ErrorResponse>{error}<RequestId>echo</RequestId></ErrorResponse>"


def echo(*secrets: str) -> Any:
    """An error that repeats every credential header the caller sent, and the secrets."""

    def respond(req: Request) -> Response:
        seen = {k: v for k, v in req.headers.items() if k.lower().startswith(("auth", "x-amz"))}
        message = f"denied; you sent {seen}; known secrets {' '.join(secrets)}"
        body = {"error": {"code": 403, "message": message, "status": "PERMISSION_DENIED"}}
        if "x-amz-date" in req.headers:  # case-insensitive
            return Response(aws_xml(req, message), 403, content_type="text/xml")
        if req.headers.get("Authorization", "").startswith("Bearer ") and "/subscriptions" in (
            req.path
        ):
            body = {"error": {"code": "AuthorizationFailed", "message": message}}
        return Response(json.dumps(body), 403, content_type="application/json")

    return respond


def echoed(report: Report) -> bool:
    """True when a gap carries the echo's message (redacted), not some other failure."""
    return any("you sent" in g.message for g in report.coverage.gaps)


def everything(_req: Request) -> bool:
    return True


def assert_clean(report: Report, logs: str, canaries: tuple[str, ...]) -> None:
    assert report.coverage.gaps, "the fake refused every call: there must be gaps"
    texts = {f"the {fmt} report": render(report, fmt) for fmt in FORMATS}
    texts["the logs"] = logs
    texts["the gap messages"] = " ".join(g.message for g in report.coverage.gaps)
    for where, text in texts.items():
        for canary in canaries:
            assert canary not in text, f"{canary[:14]}... leaked into {where}"


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.DEBUG)
    levels = {name: logging.getLogger(name).level for name in LOGGERS}
    for name in LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
    yield caplog
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


@pytest.fixture
def echo_server() -> Iterator[tuple[str, FaultLayer]]:
    layer = FaultLayer(lambda environ, start: Response("{}")(environ, start))
    srv = make_server("127.0.0.1", 0, layer, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_port}", layer
    srv.shutdown()
    thread.join()


def test_aws_canaries(
    echo_server: tuple[str, FaultLayer],
    debug_logs: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pytest.importorskip("boto3")
    import boto3

    from cloudaudit.providers.aws import AwsProvider
    from cloudaudit.providers.aws.services import s3

    url, layer = echo_server
    layer.add(Fault(everything, "respond", echo(AWS_SECRET, AWS_TOKEN, AWS_KEY_ID)))
    monkeypatch.setenv("AWS_ENDPOINT_URL", url)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    session = boto3.Session(
        aws_access_key_id=AWS_KEY_ID,
        aws_secret_access_key=AWS_SECRET,
        aws_session_token=AWS_TOKEN,
        region_name="us-east-1",
    )
    provider = AwsProvider(
        session=session, regions=["us-east-1"], collectors=s3.COLLECTORS, account="123456789012"
    )
    assert set(provider.secrets()) >= {AWS_SECRET, AWS_TOKEN}
    report = audit(provider, "eea-only")
    assert echoed(report)
    assert_clean(report, debug_logs.text, (AWS_SECRET, AWS_TOKEN))


def test_gcp_canaries(
    echo_server: tuple[str, FaultLayer], debug_logs: pytest.LogCaptureFixture
) -> None:
    pytest.importorskip("google.cloud.asset_v1")
    from google.oauth2.credentials import Credentials

    from cloudaudit.providers.gcp import GcpProvider, default_retry

    url, layer = echo_server
    layer.add(Fault(everything, "respond", echo(GCP_TOKEN)))
    provider = GcpProvider(
        credentials=Credentials(token=GCP_TOKEN),
        projects=["p-canary"],
        client_options={"api_endpoint": url},
        retry=default_retry(initial=0.0, maximum=0.0, timeout=0.5),
    )
    assert GCP_TOKEN in provider.secrets()
    report = audit(provider, "eea-only")
    assert echoed(report)
    assert_clean(report, debug_logs.text, (GCP_TOKEN,))


def test_azure_canaries(debug_logs: pytest.LogCaptureFixture, tmp_path: Path) -> None:
    pytest.importorskip("azure.mgmt.resource")
    from azure_fake import FakeARM, Tenant

    from cloudaudit.providers.azure import AzureProvider, StaticTokenCredential

    layers: list[FaultLayer] = []

    def wrap(app: Any) -> FaultLayer:
        layers.append(FaultLayer(app))
        layers[0].add(Fault(everything, "respond", echo(AZURE_TOKEN)))
        return layers[0]

    with FakeARM(Tenant(), tmp_path, wrap=wrap) as fake:
        provider = AzureProvider(
            StaticTokenCredential(AZURE_TOKEN),
            subscriptions=["88888888-0000-0000-0000-000000000008"],
            arm_endpoint=fake.url,
            connection_verify=fake.ca_file,
            retry_total=0,
        )
        report = audit(provider, "eea-only")
    assert AZURE_TOKEN in provider.secrets()
    assert echoed(report)
    assert_clean(report, debug_logs.text, (AZURE_TOKEN,))
