"""The per-call knobs (connect and read timeouts, attempts) bound a hung endpoint, per cloud.

Each cloud's real SDK clients are pointed (through the CLI) at a port that accepts
connections and never answers. With small knob values every call fails on its read (or TLS
handshake) timeout, and the audit ends well within the bound those values set, each silent
scope a ``Timeout`` gap. With the defaults, one such call would cost a minute or more, so the
upper bounds below catch a knob that does not reach the clients. Wall time is asserted only as
an upper bound (to catch hangs), never as a speed claim. AWS: tests/providers/aws/
test_aws_cli_knobs.py (one attempt); with ``--organization``: tests/scale/test_org_bounds.py.
The limits come from ``bound_cases.py`` (the docs/reliability.md table shows them).
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from bound_cases import KNOB_BOUND, KNOBS
from click.testing import CliRunner

from cloudaudit.cli import main

pytestmark = pytest.mark.http

BOUND = KNOB_BOUND


def _audit(args: list[str], env: dict[str, str] | None = None) -> tuple[float, dict[str, Any]]:
    started = time.monotonic()
    result = CliRunner().invoke(main, [*args, *KNOBS, "--format", "json", "--quiet"], env=env)
    elapsed = time.monotonic() - started
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return elapsed, json.loads(result.stdout)


def _timeouts(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [g for g in report["coverage"]["gaps"] if "Timeout" in g["code"]]


def test_aws_hung_endpoint_is_a_timeout_gap(
    silent_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from test_deadline_discovery import aws_env

    aws_env(silent_endpoint, monkeypatch)
    args = ["audit", "aws", "--regions", "eu-west-1", "--services", "s3,ec2"]
    elapsed, report = _audit(args)
    assert elapsed < BOUND, elapsed
    assert _timeouts(report), report["coverage"]
    assert report["findings"] == []


def test_gcp_hung_endpoint_is_a_timeout_gap(silent_endpoint: str) -> None:
    pytest.importorskip("google.cloud.asset_v1")
    args = ["audit", "gcp", "--project", "p-a", "--project", "p-b"]
    args += ["--api-endpoint", silent_endpoint, "--anonymous"]
    elapsed, report = _audit(args)
    assert elapsed < BOUND, elapsed
    assert {g["account"] for g in _timeouts(report)} == {"p-a", "p-b"}, report["coverage"]
    assert report["findings"] == []


def test_azure_hung_endpoint_is_a_timeout_gap(silent_endpoint: str) -> None:
    pytest.importorskip("azure.mgmt.resourcegraph")
    from cloudaudit.cli.azure import TEST_TOKEN_ENV

    https = silent_endpoint.replace("http://", "https://")
    args = ["audit", "azure", "--arm-endpoint", https, "--subscription", "sub-1"]
    elapsed, report = _audit(args, env={TEST_TOKEN_ENV: "fake-token"})
    assert elapsed < BOUND, elapsed
    assert _timeouts(report), report["coverage"]
    assert report["findings"] == []


def test_alibaba_hung_endpoint_is_a_timeout_gap(silent_endpoint: str, alibaba_keys: None) -> None:
    args = ["audit", "alibaba", "--endpoint", silent_endpoint, "--region", "us-east-1"]
    elapsed, report = _audit([*args, "--account", "1234567890"])
    assert elapsed < BOUND, elapsed
    gaps = report["coverage"]["gaps"]
    assert gaps and all("Timeout" in g["code"] for g in gaps), gaps
    services = {g["service"] for g in gaps}
    assert "oss:bucket-list" in services and any(s.startswith("ecs") for s in services), gaps
    assert report["findings"] == []


@pytest.fixture
def alibaba_keys(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """Static keys in the environment (the credential SDK reads it once, at import)."""
    pytest.importorskip("alibabacloud_ecs20140526")
    from alibabacloud_credentials.utils import auth_util

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(auth_util, "environment_ecs_metadata_disabled", "true")
    monkeypatch.setattr(auth_util, "environment_credentials_file", None)
    for env, attr, value in (
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", "environment_access_key_id", "LTAI-bounds"),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "environment_access_key_secret", "bounds-secret"),
    ):
        monkeypatch.setenv(env, value)
        monkeypatch.setattr(auth_util, attr, value)
