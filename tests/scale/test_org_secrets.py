"""Canary credentials in an organization run: nowhere in logs, output or gaps, even at DEBUG.

The caller's keys are canaries; each member account's AssumeRole answer (moto, real HTTP) is
recorded as it is obtained. botocore logs signed headers and the STS answer at DEBUG, and a
denied AssumeRole echoes the caller's secret in its message (as some proxies do): none of it
may reach a log record, stdout/stderr, any output format or a coverage gap.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import boto3
import pytest
from click.testing import CliRunner

from cloudaudit import audit
from cloudaudit.cli import main
from cloudaudit.formats import FORMATS, render
from cloudaudit.providers import FanOut
from cloudaudit.providers.aws import AccountTask, AwsOrganization, _org_tasks
from tests.scale.conftest import ROLE, Org

KEY_ID = "AKIACANARY0RG2C4E6A8"
SECRET = "canary-org-caller-secret-9d1f3b5a7c"
TOKEN = "canary-org-caller-token-2e4a6c8e0b"
ECHO = f"not authorized to perform sts:AssumeRole with key {SECRET} and token {TOKEN}"
LOGGERS = ("", "botocore", "boto3", "urllib3", "cloudaudit")


@pytest.fixture
def canaries(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> list[str]:
    """Canary caller keys, DEBUG logs captured, and every assumed role's keys as obtained."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", TOKEN)
    # A worker process keeps its base session (and its credentials) across tasks: another test
    # in this process may have built it with other keys, so start from a fresh one.
    _org_tasks._worker_base.cache_clear()
    found = [SECRET, TOKEN]
    real = _org_tasks.assume_role

    def recording(sts: object, arn: str, settings: _org_tasks.OrgSettings) -> dict[str, str]:
        creds = real(sts, arn, settings)
        found.extend(creds[k] for k in ("AccessKeyId", "SecretAccessKey", "SessionToken"))
        return creds

    monkeypatch.setattr(_org_tasks, "assume_role", recording)
    for name in LOGGERS:  # caplog restores each level afterwards
        caplog.set_level(logging.DEBUG, logger=name or None)
    return found


def _assert_clean(canaries: list[str], **texts: str) -> None:
    assert len(canaries) > 2, "no role was assumed: the test would prove nothing"
    for where, text in texts.items():
        for canary in canaries:
            bad = [ln for ln in text.splitlines() if canary in ln][:3]
            assert canary not in text, f"{canary[:12]}... leaked into {where}: {bad}"


def _org() -> AwsOrganization:
    session = boto3.Session(region_name="us-east-1")
    return AwsOrganization(session, ROLE, regions=["eu-west-1"], services=["s3"])


def test_library_org_run_masks_canaries_everywhere(
    org_factory: Callable[..., Org], canaries: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    org = org_factory(2)
    org.gate.denied.add(org.members[1])
    org.gate.denial = ECHO
    caplog.clear()  # the fixture's own seeding calls are not the audit's
    report = audit(_org(), "eea-only", max_workers=2)
    (gap,) = report.coverage.gaps
    assert gap.code == "AccessDenied" and "with key *** and token ***" in gap.message
    assert "Response body" in caplog.text  # botocore did log the bodies at DEBUG
    outputs = {fmt: render(report, fmt) for fmt in FORMATS}
    _assert_clean(canaries, logs=caplog.text, **outputs)


def test_worker_task_masks_the_callers_secret_in_its_assume_role_gap(
    org_factory: Callable[..., Org], canaries: list[str]
) -> None:
    org = org_factory(1)
    org.gate.denied.add(org.members[0])
    org.gate.denial = ECHO
    provider = _org()
    with FanOut(max_workers=2) as fanout:
        specs, _ = provider.discover(fanout)
    (spec,) = [s for s in specs if s.account == org.members[0]]
    batches = AccountTask(spec, provider.settings)()  # what a process pool worker runs
    (gap,) = [g for b in batches for g in b.gaps]
    assert "with key *** and token ***" in gap.message


@pytest.mark.parametrize("fmt", FORMATS)
def test_cli_org_run_masks_canaries_everywhere(
    org_factory: Callable[..., Org],
    canaries: list[str],
    caplog: pytest.LogCaptureFixture,
    fmt: str,
) -> None:
    org = org_factory(2)
    org.gate.denial = ECHO
    org.gate.denied.add(org.members[1])
    caplog.clear()
    argv = ["audit", "aws", "--organization", "--role", ROLE, "--regions", "eu-west-1"]
    argv += ["--services", "s3", "--policy", "eea-only", "--format", fmt]
    result = CliRunner().invoke(main, argv)
    assert result.exit_code != 2, result.output
    _assert_clean(canaries, logs=caplog.text, stdout=result.stdout, stderr=result.stderr)
