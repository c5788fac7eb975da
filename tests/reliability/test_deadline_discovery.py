"""The audit's deadline also covers each provider's first calls (scope discovery), per cloud.

Every provider is pointed at a hung endpoint with its DEFAULT per-call bounds (a minute or more
per call), so only the deadline can end the audit on time. The audit must end within a couple
of seconds of the deadline (upper bound only, to catch hangs), and the report must name what
was cut short: a gap for the provider naming the discovery calls it was making, plus a
``Cancelled`` gap for each unit still running. Nothing is reported compliant.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

import pytest
from bound_cases import DEADLINE, DEADLINE_SLACK
from hung import HungServer

from cloudaudit import audit
from cloudaudit.report import Report

pytestmark = pytest.mark.http

SLACK = DEADLINE_SLACK


def _audit(provider: Any) -> tuple[float, Report]:
    started = time.monotonic()
    report = audit(provider, "us-foreign-adversaries", deadline=started + DEADLINE)
    return time.monotonic() - started, report


def aws_env(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials, no files of this machine, every AWS endpoint at ``url``."""
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(var, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    for var in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.setenv(var, os.devnull)
    monkeypatch.setenv("AWS_ENDPOINT_URL", url)


def _aws(url: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    from cloudaudit.providers.aws import AwsProvider

    aws_env(url, monkeypatch)
    return AwsProvider(regions=["eu-west-1"], services=["s3", "ec2"])


def _aws_org(url: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    from cloudaudit.providers.aws import AwsOrganization

    aws_env(url, monkeypatch)
    return AwsOrganization(role_name="Audit", regions=["eu-west-1"], services=["s3"])


def _gcp(url: str, _: pytest.MonkeyPatch) -> Any:
    pytest.importorskip("google.cloud.asset_v1")
    from google.auth.credentials import AnonymousCredentials

    from cloudaudit.providers.gcp import GcpProvider

    return GcpProvider(
        credentials=AnonymousCredentials(),  # type: ignore[no-untyped-call]
        folders=["123"],
        client_options={"api_endpoint": url},
    )


def _azure(url: str, _: pytest.MonkeyPatch) -> Any:
    pytest.importorskip("azure.mgmt.resourcegraph")
    from cloudaudit.providers.azure import AzureProvider, StaticTokenCredential

    https = url.replace("http://", "https://")
    return AzureProvider(credential=StaticTokenCredential("fake-token"), arm_endpoint=https)


def _alibaba(url: str, _: pytest.MonkeyPatch) -> Any:
    pytest.importorskip("alibabacloud_ecs20140526")
    from cloudaudit.providers.alibaba import AlibabaProvider

    return AlibabaProvider("LTAI-deadline", "deadline-secret", endpoint=url)


CASES: dict[str, tuple[Callable[[str, pytest.MonkeyPatch], Any], str]] = {
    "aws": (_aws, "sts:GetCallerIdentity"),
    "aws-organization": (_aws_org, "organizations"),
    "gcp": (_gcp, "resourcemanager"),
    "azure": (_azure, "subscriptions.list"),
    "alibaba": (_alibaba, "sts:GetCallerIdentity"),
}


@pytest.mark.parametrize("cloud", sorted(CASES))
def test_hung_discovery_does_not_outlive_the_deadline(
    cloud: str, hung: HungServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    make, call = CASES[cloud]
    elapsed, report = _audit(make(hung.url, monkeypatch))
    assert hung.connections, "the provider never reached the endpoint: the test shows nothing"
    assert elapsed < DEADLINE + SLACK, elapsed
    gaps = report.coverage.gaps
    whole = [g for g in gaps if g.account is None and g.region is None and g.service is None]
    assert len(whole) == 1, gaps
    assert whole[0].code == "Cancelled", whole[0]
    assert call in whole[0].message and "incomplete" in whole[0].message, whole[0]
    assert report.summary.compliant == 0 and not report.coverage.audited
