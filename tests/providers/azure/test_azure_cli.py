"""Done-when: ``cloudaudit audit azure`` against the fake tenant (real SDK, real HTTPS)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from azure_fake import FakeARM
from azure_tenant import CHINA, PROD
from click.testing import CliRunner

from cloudaudit.cli import main
from cloudaudit.cli.azure import CA_BUNDLE_ENV, TEST_TOKEN_ENV

pytestmark = pytest.mark.http


def run(fake: FakeARM, policy: str) -> tuple[int, dict[str, Any]]:
    env = {CA_BUNDLE_ENV: fake.ca_file, TEST_TOKEN_ENV: "fake-token"}
    args = ["audit", "azure", "--arm-endpoint", fake.url, "--policy", policy, "--format", "json"]
    args += ["--subscription", PROD, "--subscription", CHINA]
    result = CliRunner().invoke(main, args, env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.stdout)


def findings(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["resource"]["name"]: f for f in report["findings"]}


def test_us_foreign_adversaries(fake: FakeARM) -> None:
    code, report = run(fake, "us-foreign-adversaries")
    assert code == 1
    f = findings(report)
    assert f["vm-hk"]["status"] == "violation"
    assert "HK" in f["vm-hk"]["jurisdictions"]
    china = f["stchinanorth3"]
    assert china["status"] == "violation"
    operator = [e for e in china["evidence"] if e["axis"] == "operator"]
    assert operator and operator[0]["status"] == "violation"
    assert "21Vianet" in operator[0]["place"]["operator"]
    brazil = f["stbrazilgrs"]
    assert brazil["status"] == "compliant"
    assert [e["location"]["region"] for e in brazil["evidence"] if e["axis"] == "copy"] == [
        "southcentralus"
    ]


def test_eu_gdpr(fake: FakeARM) -> None:
    code, report = run(fake, "eu-gdpr")
    assert code == 1
    f = findings(report)
    brazil = f["stbrazilgrs"]
    assert brazil["status"] == "violation"
    copy = [e for e in brazil["evidence"] if e["axis"] == "copy"]
    assert copy[0]["place"]["country"] == "US"
    assert f["vm-hk"]["status"] == "violation"
    assert f["stweuragrs"]["status"] == "compliant"


def test_plain_http_endpoint_is_refused(fake: FakeARM) -> None:
    args = ["audit", "azure", "--arm-endpoint", "http://127.0.0.1:1", "--subscription", PROD]
    result = CliRunner().invoke(main, args, env={TEST_TOKEN_ENV: "t"})
    assert result.exit_code == 2
    assert "https" in result.output


def test_no_credentials_says_how_to_sign_in(tmp_path: Any) -> None:
    """Without any credential the gap says to run `az login`; exit 3 (audited nothing)."""
    import os
    import subprocess
    import sys

    env = {
        "PATH": os.path.dirname(sys.executable),  # no Azure CLI on the path
        "HOME": str(tmp_path),
        "AZURE_CONFIG_DIR": str(tmp_path / "azure"),  # and no Azure CLI login
    }
    proc = subprocess.run(
        [sys.executable, "-m", "cloudaudit", "audit", "azure", "--format", "json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 3, proc.stderr
    (gap,) = json.loads(proc.stdout)["coverage"]["gaps"]
    assert gap["code"] == "NoCredentials"
    assert "`az login`" in gap["message"] and "AZURE_CLIENT_ID" in gap["message"]
    assert "credentials refused (NoCredentials" in proc.stderr
