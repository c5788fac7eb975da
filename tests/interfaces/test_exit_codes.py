"""Exit codes a scheduler can trust: 3 when a provider saw nothing, 2 for a missing extra."""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest
from click.testing import CliRunner

from cloudaudit import audit
from cloudaudit.cli import main
from cloudaudit.errors import ProviderUnavailable
from cloudaudit.models import Coverage, CoverageGap, ScopeRecord
from cloudaudit.outcome import EXIT_NOT_AUDITED, exit_code, not_audited
from cloudaudit.providers import get_provider
from cloudaudit.testing import FakeProvider, make_resource

# One module each provider imports from its extra, and the arguments that select a scope.
MISSING = {
    "aws": ("boto3", ["--regions", "eu-west-1"], {}),
    "gcp": ("google.cloud.asset_v1", ["--project", "p"], {"projects": ["p"]}),
    "azure": ("azure.identity", ["--subscription", "s"], {"subscriptions": ["s"]}),
    "alibaba": ("alibabacloud_credentials", [], {}),
}
CLASSES = {
    "aws": "AwsProvider",
    "gcp": "GcpProvider",
    "azure": "AzureProvider",
    "alibaba": "AlibabaProvider",
}
NO_AWS_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": None,
    "AWS_SECRET_ACCESS_KEY": None,
    "AWS_SESSION_TOKEN": None,
    "AWS_PROFILE": None,
    "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials",
    "AWS_CONFIG_FILE": "/nonexistent/config",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI": None,
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": None,
    "AWS_WEB_IDENTITY_TOKEN_FILE": None,
}


def _run(args: list[str], env: dict[str, Any] | None = None) -> Any:
    return CliRunner().invoke(main, args, env=env)


@pytest.mark.parametrize("provider", sorted(MISSING))
def test_a_missing_extra_exits_2_naming_it_without_a_traceback(
    provider: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    module, args, _ = MISSING[provider]
    monkeypatch.setitem(sys.modules, module, None)  # what an interpreter without it sees
    result = _run(["audit", provider, *args, "--quiet"])
    assert result.exit_code == 2, result.output
    assert f"pip install 'cloudaudit[{provider}]'" in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.output and result.stdout == ""


@pytest.mark.parametrize("provider", sorted(MISSING))
def test_a_missing_extra_is_provider_unavailable_in_the_library(
    provider: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    module, _, kwargs = MISSING[provider]
    monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(ProviderUnavailable, match=rf"cloudaudit\[{provider}\]") as err:
        get_provider(provider, **kwargs)
    assert err.value.extra == provider
    import cloudaudit

    cls = getattr(cloudaudit, CLASSES[provider])
    with pytest.raises(ProviderUnavailable):
        cls(**kwargs)


def test_a_missing_extra_mid_run_stops_the_audit_instead_of_becoming_a_gap() -> None:
    class NoSdk(FakeProvider):
        def collect(self, fanout: Any) -> Any:
            raise ProviderUnavailable("x", "x", "x_sdk")
            yield  # pragma: no cover

    with pytest.raises(ProviderUnavailable):
        audit([NoSdk([], name="x")], "eu-gdpr")


@pytest.mark.parametrize("fail_on", ["never", "violation", "gap"])
@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_no_aws_credentials_exits_3_whatever_fail_on_says(fail_on: str, fmt: str) -> None:
    result = _run(
        ["audit", "aws", "--regions", "eu-west-1", "--format", fmt, "--fail-on", fail_on, "-q"],
        env=NO_AWS_CREDENTIALS,
    )
    assert result.exit_code == EXIT_NOT_AUDITED, result.output
    assert "not audited: aws: credentials refused (NoCredentials" in result.stderr
    last = json.loads(result.stdout.strip().splitlines()[-1] if fmt == "jsonl" else result.stdout)
    assert [g["code"] for g in last["coverage"]["gaps"]] == ["NoCredentials"]


def test_no_gcp_credentials_exits_3() -> None:
    env = {
        "GOOGLE_APPLICATION_CREDENTIALS": "/nonexistent/adc.json",
        "CLOUDSDK_CONFIG": "/nonexistent",
        "NO_GCE_CHECK": "True",  # google.auth: do not probe the metadata server
    }
    result = _run(["audit", "gcp", "--project", "p", "--format", "json", "-q"], env=env)
    assert result.exit_code == EXIT_NOT_AUDITED, result.output
    assert "not audited: gcp:" in result.stderr


def _gap(provider: str, code: str, scope: str = "x/*") -> CoverageGap:
    return CoverageGap(provider=provider, scope=scope, code=code, message="m")


def test_a_denied_region_beside_audited_ones_is_a_gap_not_a_blind_audit() -> None:
    cov = Coverage(
        audited=(ScopeRecord(provider="aws", scope="aws/1/eu-west-1/s3"),),
        gaps=(_gap("aws", "AccessDenied"),),
    )
    assert not_audited(cov) == ()
    report = audit([FakeProvider([make_resource("aws", "eu-west-1")])], "eu-gdpr")
    assert exit_code(report, ["never"]) == 0


def test_blind_providers_are_named_one_by_one() -> None:
    cov = Coverage(
        audited=(ScopeRecord(provider="aws", scope="aws/1/eu-west-1/s3"),),
        gaps=(
            _gap("aws", "InvalidClientTokenId", "aws/2/*"),
            _gap("azure", "AuthorizationFailed", "azure/s/*"),
            _gap("gcp", "PERMISSION_DENIED", "gcp/p/*"),
        ),
    )
    reasons = not_audited(cov)
    assert reasons == (
        "aws: credentials refused (InvalidClientTokenId at aws/2/*)",
        "azure: audited no scope (AuthorizationFailed at azure/s/*)",
        "gcp: audited no scope (PERMISSION_DENIED at gcp/p/*)",
    )


def test_fail_on_keeps_its_meaning_when_everything_was_audited() -> None:
    report = audit([FakeProvider([make_resource("aws", "ap-east-1")])], "us-foreign-adversaries")
    assert report.summary.violation == 1
    assert exit_code(report) == 1
    assert exit_code(report, ["never"]) == 0
    assert exit_code(report, ["unknown"]) == 0
