"""`audit aws --connect-timeout/--read-timeout/--max-attempts` reach every botocore client."""

import json
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner

from cloudaudit.cli import main


@pytest.fixture
def silent_endpoint() -> Iterator[str]:
    """A TCP port that accepts connections (kernel backlog) and never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


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


def test_per_call_knobs_are_refused_with_organization() -> None:
    args = ["audit", "aws", "--organization", "--role", "R", "--read-timeout", "3"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2 and "--organization" in result.stderr


@pytest.mark.parametrize("bad", [["--max-attempts", "0"], ["--read-timeout", "nope"]])
def test_bad_knob_values_are_usage_errors(bad: list[str]) -> None:
    result = CliRunner().invoke(main, ["audit", "aws", *bad])
    assert result.exit_code == 2 and "Traceback" not in result.output


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_deadline_cancels_the_units_not_started(aws_http: Any, fmt: str) -> None:
    """Moto over real HTTP: a deadline already past when the units start cancels every one."""
    args = ["audit", "aws", "--regions", "eu-west-1,eu-west-2", "--services", "s3,sqs"]
    result = CliRunner().invoke(main, [*args, "--format", fmt, "--deadline", "0.000001"])
    assert '"Cancelled"' in result.stdout, result.stdout[-2000:]
    assert "eu-west-2" in result.stdout
    assert result.exit_code != 0


def test_deadline_must_be_positive() -> None:
    result = CliRunner().invoke(main, ["audit", "inventory", "x.json", "--deadline", "0"])
    assert result.exit_code == 2 and "--deadline" in result.stderr
