"""`cloudaudit audit gcp` through click, with the provider pointed at the fake."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from gcp_fake import FakeGcp

from cloudaudit.cli import main

pytestmark = pytest.mark.http


def _run(fake: FakeGcp, *args: str) -> tuple[int, dict[str, str]]:
    env = {"CLOUDAUDIT_GCP_API_ENDPOINT": fake.url, "CLOUDAUDIT_GCP_ANONYMOUS": "1"}
    result = CliRunner().invoke(main, ["audit", "gcp", *args, "--format", "json"], env=env)
    report = json.loads(result.stdout)
    return result.exit_code, {f["resource"]["name"]: f["status"] for f in report["findings"]}


def test_cli_organization_us_foreign_adversaries(fake: FakeGcp) -> None:
    code, status = _run(fake, "--organization", "123", "--policy", "us-foreign-adversaries")
    assert code == 1
    assert status["hk-bucket"] == "violation"
    assert status["asia-multi"] == "unknown"
    assert status["fra-snap-us"] == "compliant"


def test_cli_organization_eu_gdpr(fake: FakeGcp) -> None:
    code, status = _run(fake, "--organization", "123", "--policy", "eu-gdpr")
    assert code == 1
    assert status["fra-snap-us"] == "violation"
    assert status["hk-bucket"] == "violation"
    assert status["eu-dual"] == "compliant"


def test_cli_needs_exactly_one_scope(fake: FakeGcp) -> None:
    env = {"CLOUDAUDIT_GCP_API_ENDPOINT": fake.url, "CLOUDAUDIT_GCP_ANONYMOUS": "1"}
    result = CliRunner().invoke(
        main, ["audit", "gcp", "--organization", "1", "--project", "p"], env=env
    )
    assert result.exit_code == 2
    assert "exactly one" in result.output
