"""A credential a provider declares is masked the same way in a library, CLI and Lambda run.

The provider's error message quotes the credential in a shape no pattern recognises, so only
the provider's :meth:`~cloudaudit.providers.Provider.secrets` can mask it: every face must pass
it on (the Lambda's former deadline wrapper did not).
"""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from lambda_run import run_lambda

from cloudaudit import audit
from cloudaudit.cli._common import audit_options, resolve_policy, run_providers
from cloudaudit.report import Report
from cloudaudit.testing import FakeProvider

SECRET = "SuperSecretValue123"
MASKED = "denied for key ***"


def _provider() -> FakeProvider:
    return FakeProvider(
        name="aws", secrets=(SECRET,), fail_with=RuntimeError(f"denied for key {SECRET}")
    )


def _gap_messages(report: Report) -> list[str]:
    return [g.message for g in report.coverage.gaps]


def _library() -> list[str]:
    return _gap_messages(audit(_provider(), "eea-only"))


def _cli(tmp_path: Path) -> list[str]:
    @click.command()
    @audit_options
    def command(
        policy: str,
        policy_options: tuple[str, ...],
        fmt: str,
        output: Path | None,
        max_workers: int,
        fail_on: tuple[str, ...],
        quiet: bool,
        **_more: object,  # options this test does not need (evidence, ...)
    ) -> None:
        pol = resolve_policy(policy, policy_options)
        run_providers(
            [_provider()], pol, fmt, output, max_workers=max_workers, fail_on=fail_on, quiet=quiet
        )

    out = tmp_path / "cli.json"
    result = CliRunner().invoke(
        command, ["--policy", "eea-only", "--format", "json", "--output", str(out), "-q"]
    )
    assert result.exit_code != 2 and out.exists(), result.output  # 3: nothing audited
    assert SECRET not in result.output
    return _gap_messages(Report.from_json(out.read_text()))


def _lambda(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    summary, stored = run_lambda(monkeypatch, {}, lambda spec, session: _provider())
    assert SECRET not in json.dumps(summary)
    return _gap_messages(Report.from_json(stored))


def test_a_declared_secret_is_masked_identically_in_every_face(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    library = _library()
    assert library == [MASKED]
    assert _cli(tmp_path) == library
    assert _lambda(monkeypatch) == library
