"""Canary credentials never reach what the Lambda handler path stores, returns or logs.

``cloudaudit.aws_lambda.run`` (the handler's body) audits real providers over HTTP against the
echo fakes of ``test_secrets_cli.py`` (every error repeats the credential headers received and
the canaries), with every logger at DEBUG. The report it stores in S3, its summary, every
format rendered from the stored report and the captured logs must hold no canary.

GCP goes through the Lambda's default factory (Application Default Credentials from a file,
refreshed at the fake's token URI); Azure's static test token and Alibaba Cloud's keys are
given through the factory the handler accepts, and so are AWS's canary keys (the provider's
clients reach moto over HTTP, echoing, through a session aimed at it). The Lambda's own S3 is
moto in process (``mock_aws``, which lets the audited fakes' requests through).
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path
from typing import Any

import pytest
from faultkit import FaultLayer
from lambda_run import At, run_lambda
from test_secrets_cli import (  # noqa: F401 - fixtures used by name
    AWS_KEY_ID,
    AWS_SECRET,
    AWS_TOKEN,
    AZURE_TOKEN,
    GCP_CLIENT_SECRET,
    GCP_REFRESH,
    GCP_TOKEN,
    aws_echo,
    azure_echo,
    debug_logs,
    gcp_echo,
)

if importlib.util.find_spec("alibabacloud_ecs20140526") is not None:
    from test_secrets import url  # noqa: F401 - the Alibaba echo fake, a fixture used by name

from cloudaudit.formats import FORMATS, render
from cloudaudit.providers import Provider
from cloudaudit.report import Report

pytestmark = pytest.mark.http


def _assert_clean(
    summary: dict[str, Any], stored: bytes, logs: str, canaries: tuple[str, ...]
) -> Report:
    report = Report.from_json(stored)
    texts = {"summary": json.dumps(summary), "stored report": stored.decode(), "logs": logs}
    texts.update({f"the {fmt} rendering": render(report, fmt) for fmt in FORMATS})
    for where, text in texts.items():
        for canary in canaries:
            assert canary not in text, f"{canary[:16]}... leaked into {where}"
    return report


def test_gcp_lambda_canaries(
    gcp_echo: tuple[str, Path, FaultLayer],  # noqa: F811
    debug_logs: pytest.LogCaptureFixture,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, adc, layer = gcp_echo
    acted = layer.faults[0].acted
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(adc))
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "p-canary")
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(adc.parent))
    provider = {"name": "gcp", "projects": ["p-canary"], "client_options": {"api_endpoint": url}}
    summary, stored = run_lambda(monkeypatch, {"providers": [provider]})
    assert layer.faults[0].acted > acted  # the token went out and was echoed back
    assert any(path.startswith("/token") for _, path in layer.log)
    report = _assert_clean(
        summary, stored, debug_logs.text, (GCP_TOKEN, GCP_REFRESH, GCP_CLIENT_SECRET)
    )
    assert report.coverage.gaps, "the echoed errors must be gaps, or the test shows nothing"


def test_azure_lambda_canaries(
    azure_echo: tuple[Any, FaultLayer],  # noqa: F811
    debug_logs: pytest.LogCaptureFixture,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from azure_tenant import CHINA, PROD

    from cloudaudit.providers.azure import AzureProvider, StaticTokenCredential

    fake, layer = azure_echo
    acted = layer.faults[0].acted

    def factory(_spec: Any, _session: Any) -> Provider:
        return AzureProvider(
            credential=StaticTokenCredential(AZURE_TOKEN),
            subscriptions=[PROD, CHINA],
            arm_endpoint=fake.url,
            connection_verify=fake.ca_file,
            use_resource_graph=False,
        )

    summary, stored = run_lambda(monkeypatch, {"providers": ["azure"]}, factory)
    assert layer.faults[0].acted > acted
    report = _assert_clean(summary, stored, debug_logs.text, (AZURE_TOKEN,))
    assert "AuthorizationFailed" in {g.code for g in report.coverage.gaps}


def test_alibaba_lambda_canaries(
    url: str,
    debug_logs: pytest.LogCaptureFixture,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from test_secrets import CANARIES, CANARY_SECRET, CANARY_TOKEN, KEY_ID, REGIONS

    from cloudaudit.providers.alibaba import AlibabaProvider

    def factory(_spec: Any, _session: Any) -> Provider:
        return AlibabaProvider(KEY_ID, CANARY_SECRET, CANARY_TOKEN, regions=REGIONS, endpoint=url)

    summary, stored = run_lambda(monkeypatch, {"providers": ["alibaba"]}, factory)
    report = _assert_clean(summary, stored, debug_logs.text, CANARIES)
    assert "SignatureDoesNotMatch" in {g.code for g in report.coverage.gaps}


def test_aws_lambda_canaries(
    aws_echo: tuple[str, FaultLayer, list[str]],  # noqa: F811
    debug_logs: pytest.LogCaptureFixture,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import boto3

    from cloudaudit.providers.aws import AwsProvider

    url, layer, sent = aws_echo
    acted = layer.faults[0].acted
    sent.clear()

    def factory(_spec: Any, _session: Any) -> Provider:
        session = boto3.Session(
            aws_access_key_id=AWS_KEY_ID,
            aws_secret_access_key=AWS_SECRET,
            aws_session_token=AWS_TOKEN,
            region_name="us-east-1",
        )
        at = At(session, url)  # every client of the provider: the echoing moto over HTTP
        return AwsProvider(session=at, regions=["us-east-1"], services=["s3", "rds"])

    event = {"providers": ["aws"]}
    summary, stored = run_lambda(monkeypatch, event, factory, aws_endpoint=url)
    assert layer.faults[0].acted >= acted + 2  # signed with the canaries, echoed back
    assert any(AWS_KEY_ID in h and AWS_TOKEN in h for h in sent)
    report = _assert_clean(summary, stored, debug_logs.text, (AWS_KEY_ID, AWS_SECRET, AWS_TOKEN))
    assert "AccessDenied" in {g.code for g in report.coverage.gaps}


LAMBDA_KEY_ID = "AKIACANARYLAMBDA7F3E"
LAMBDA_SECRET = "canary-lambda-own-secret-0b1c2d3e4f"
LAMBDA_TOKEN = "canary-lambda-own-session-token-7f3e9a"


def test_the_functions_own_credentials_never_reach_its_logs(
    debug_logs: pytest.LogCaptureFixture,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The function's own calls (policy, previous report, reports, SNS) are signed at DEBUG too.

    botocore logs each signed request; the function's own session token must be masked there
    before the audit (the policy's GetObject) and after it (GetObject of latest.json, the
    PutObjects, SNS Publish), not only while the audit runs.
    """
    boto3 = pytest.importorskip("boto3")
    moto = pytest.importorskip("moto")
    from cloudaudit import aws_lambda
    from cloudaudit.testing import FakeProvider, make_resource

    for key, value in {
        "AWS_ACCESS_KEY_ID": LAMBDA_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": LAMBDA_SECRET,
        "AWS_SESSION_TOKEN": LAMBDA_TOKEN,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }.items():
        monkeypatch.setenv(key, value)
    for key in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)

    def factory(_spec: Any, _session: Any) -> Provider:
        return FakeProvider([make_resource("aws", "ap-east-1", name="hk-orders")])

    with moto.mock_aws():
        session = boto3.Session(region_name="us-east-1")
        s3 = session.client("s3")
        s3.create_bucket(Bucket="reports")
        s3.put_object(
            Bucket="reports", Key="p.yaml", Body=b"id: only-us\nversion: '1'\nallowed: [US]\n"
        )
        topic = session.client("sns").create_topic(Name="cloudaudit")["TopicArn"]
        event = {"bucket": "reports", "policy": "s3://reports/p.yaml", "sns_topic_arn": topic}
        debug_logs.clear()  # the test's own setup calls are not the function's
        first = aws_lambda.run(event, lambda: 600_000, session=session, factory=factory)
        second = aws_lambda.run(event, lambda: 600_000, session=session, factory=factory)
    assert first["notified"] == ["sns"] and second["drift"]["new_violations"] == 0
    logs = debug_logs.text
    assert "x-amz-security-token" in logs.lower()  # the signed requests were logged
    for canary in (LAMBDA_SECRET, LAMBDA_TOKEN, LAMBDA_KEY_ID):
        assert canary not in logs, f"{canary[:16]}... leaked into the logs"
