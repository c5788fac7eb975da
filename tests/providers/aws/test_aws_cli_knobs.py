"""`audit aws --connect-timeout/--read-timeout/--max-attempts` reach every botocore client."""

import json
import time
from typing import Any

import pytest
from click.testing import CliRunner

from cloudaudit.cli import main


def test_read_timeout_and_attempts_bound_a_silent_region(
    silent_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", silent_endpoint)
    args = ["audit", "aws", "--regions", "eu-west-1", "--services", "s3", "--format", "json"]
    knobs = ["--connect-timeout", "1", "--read-timeout", "0.5", "--max-attempts", "1"]
    started = time.monotonic()
    result = CliRunner().invoke(main, args + knobs)
    elapsed = time.monotonic() - started
    # with the defaults (20 s read timeout x 5 attempts) one silent call costs 100 s
    assert elapsed < 30, elapsed
    report = json.loads(result.stdout)
    assert report["coverage"]["gaps"], report["coverage"]
    assert "Timeout" in json.dumps(report["coverage"]["gaps"])
    assert result.exit_code == 3


@pytest.mark.parametrize("bad", [["--max-attempts", "0"], ["--read-timeout", "nope"]])
def test_bad_knob_values_are_usage_errors(bad: list[str]) -> None:
    result = CliRunner().invoke(main, ["audit", "aws", *bad])
    assert result.exit_code == 2 and "Traceback" not in result.output


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_deadline_cancels_the_units_not_started(aws_http: Any, fmt: str) -> None:
    """Moto over real HTTP: a deadline already past when the audit starts cancels everything.

    Units not started are ``Cancelled`` gaps naming their region; if discovery itself was
    still running a second after the deadline (a slow first client on a loaded machine), the
    provider's gap says so and that the report is incomplete. Either way, nothing is reported.
    """
    args = ["audit", "aws", "--regions", "eu-west-1,eu-west-2", "--services", "s3,sqs"]
    result = CliRunner().invoke(main, [*args, "--format", fmt, "--deadline", "0.000001"])
    assert '"Cancelled"' in result.stdout, result.stdout[-2000:]
    assert "eu-west-2" in result.stdout or "report is incomplete" in result.stdout
    assert '"compliant"' not in result.stdout.replace('"compliant": 0', "")
    assert result.exit_code != 0


def test_deadline_must_be_positive() -> None:
    result = CliRunner().invoke(main, ["audit", "inventory", "x.json", "--deadline", "0"])
    assert result.exit_code == 2 and "--deadline" in result.stderr
