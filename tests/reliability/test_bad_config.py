"""A broken SDK configuration is one clear line and exit 2, before any call, for every cloud.

Each command is aimed at a hung endpoint that counts connections: a broken credentials file
or variable must end the command with exit code 2 and one line naming the variable (or file)
and the fix, with no connection made. AWS: tests/providers/aws/test_aws_bad_config.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from hung import HungServer

from cloudaudit.cli import main

pytestmark = pytest.mark.http


def _refused(args: list[str], env: dict[str, str], hung: HungServer, *names: str) -> None:
    result = CliRunner().invoke(main, [*args, "--format", "json", "--quiet"], env=env)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and all(n in lines[0] for n in names), result.stderr
    assert "Traceback" not in result.output
    assert hung.connections == 0


def test_gcp_broken_credentials_file(hung: HungServer, tmp_path: Path) -> None:
    pytest.importorskip("google.cloud.asset_v1")
    broken = tmp_path / "adc.json"
    broken.write_text('{"type": "authorized_user", "client_id": ')
    env = {
        "GOOGLE_APPLICATION_CREDENTIALS": str(broken),
        "CLOUDSDK_CONFIG": str(tmp_path),
        "NO_GCE_CHECK": "True",
    }
    args = ["audit", "gcp", "--project", "p-a", "--api-endpoint", hung.url]
    _refused(args, env, hung, "GOOGLE_APPLICATION_CREDENTIALS", str(broken))


def test_azure_bad_credential_variable(hung: HungServer) -> None:
    pytest.importorskip("azure.identity")
    env = {
        "AZURE_TENANT_ID": "not a tenant!",
        "AZURE_CLIENT_ID": "00000000-0000-0000-0000-000000000001",
        "AZURE_CLIENT_SECRET": "bad-config-secret",
    }
    https = hung.url.replace("http://", "https://")
    args = ["audit", "azure", "--arm-endpoint", https, "--subscription", "sub-1"]
    _refused(args, env, hung, "AZURE_")


def test_alibaba_broken_credentials_file(
    hung: HungServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("alibabacloud_ecs20140526")
    from alibabacloud_credentials.utils import auth_util

    broken = tmp_path / "credentials"
    broken.write_text("[default\ntype = access_key\naccess_key_id = = \n[[[")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(auth_util, "environment_ecs_metadata_disabled", "true")
    monkeypatch.setattr(auth_util, "environment_credentials_file", str(broken))
    for attr in ("environment_access_key_id", "environment_access_key_secret"):
        monkeypatch.setattr(auth_util, attr, None)
    for env in ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET"):
        monkeypatch.delenv(env, raising=False)
    args = ["audit", "alibaba", "--endpoint", hung.url, "--region", "us-east-1"]
    _refused(args, {}, hung, "alibaba", "credentials")
