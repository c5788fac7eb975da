"""Ctrl-C during a hung call: the CLI stops within seconds, exits 130, leaves no temporary file.

Each cloud's command runs as a real process (``python -m cloudaudit``) against a hung endpoint
with its DEFAULT per-call bounds (a minute or more per call). Once the process has connected,
it gets SIGINT. Without ``--partial-on-interrupt`` nothing is written; with it, the report is
written and marks itself incomplete: an ``Interrupted`` gap for the provider naming the call
it was making, and nothing compliant. Wall time is an upper bound only (to catch hangs).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bound_cases import STOP_WITHIN
from hung import HungServer

pytestmark = pytest.mark.http

ROOT = Path(__file__).resolve().parents[2]


def command(cloud: str, url: str) -> tuple[list[str], dict[str, str]]:
    """``audit CLOUD`` arguments aimed at ``url``, and the environment of its process."""
    env = {
        "PYTHONPATH": str(ROOT),
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/"),
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAI-interrupt",
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "interrupt-secret",
        "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true",
    }
    if cloud == "aws":
        env["AWS_ENDPOINT_URL"] = url
        return ["aws", "--regions", "eu-west-1", "--services", "s3"], env
    if cloud == "gcp":
        pytest.importorskip("google.cloud.asset_v1")
        return ["gcp", "--project", "p-a", "--api-endpoint", url, "--anonymous"], env
    if cloud == "azure":
        pytest.importorskip("azure.mgmt.resourcegraph")
        from cloudaudit.cli.azure import TEST_TOKEN_ENV

        env[TEST_TOKEN_ENV] = "fake-token"
        https = url.replace("http://", "https://")
        return ["azure", "--arm-endpoint", https, "--subscription", "sub-1"], env
    pytest.importorskip("alibabacloud_ecs20140526")
    return ["alibaba", "--endpoint", url, "--region", "us-east-1"], env


def _interrupt(cloud: str, hung: HungServer, out: Path, *extra: str) -> tuple[int, float, str]:
    args, env = command(cloud, hung.url)
    fmt = [] if "--format" in extra else ["--format", "json"]  # an option is given once
    cmd = [sys.executable, "-m", "cloudaudit", "audit", *args, *fmt]
    cmd += ["--output", str(out), "--quiet", *extra]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert hung.connected.wait(60), proc.communicate(timeout=5)
        time.sleep(0.3)  # the call is now waiting on the silent endpoint
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        return proc.returncode, time.monotonic() - sent, err.decode()
    finally:
        if proc.poll() is None:
            proc.kill()


CLOUDS = ["alibaba", "aws", "azure", "gcp"]


@pytest.mark.parametrize("cloud", CLOUDS)
def test_ctrl_c_stops_at_once_and_writes_nothing(
    cloud: str, hung: HungServer, tmp_path: Path
) -> None:
    out = tmp_path / "report.json"
    code, seconds, err = _interrupt(cloud, hung, out)
    assert code == 130, err
    assert seconds < STOP_WITHIN, seconds
    assert "interrupted" in err and "Traceback" not in err, err
    assert list(tmp_path.iterdir()) == []  # no report, no temporary file


@pytest.mark.parametrize("cloud", CLOUDS)
def test_partial_on_interrupt_writes_a_report_marked_incomplete(
    cloud: str, hung: HungServer, tmp_path: Path
) -> None:
    out = tmp_path / "report.json"
    code, seconds, err = _interrupt(cloud, hung, out, "--partial-on-interrupt")
    assert code == 130, err
    assert seconds < STOP_WITHIN, seconds
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]  # no temporary file
    report = json.loads(out.read_text())
    gaps = report["coverage"]["gaps"]
    marked = [g for g in gaps if g["code"] == "Interrupted"]
    assert len(marked) == 1 and "incomplete" in marked[0]["message"], gaps
    assert "calling" in marked[0]["message"] or any(g["code"] == "Cancelled" for g in gaps)
    assert report["summary"]["compliant"] == 0 and report["findings"] == []
    assert "Traceback" not in err, err


@pytest.mark.parametrize("partial", [False, True], ids=["plain", "partial"])
def test_jsonl_stream_interrupted_is_all_or_a_marked_partial(
    partial: bool, hung: HungServer, tmp_path: Path
) -> None:
    """JSONL streams its records, yet Ctrl-C leaves no half-written file.

    Without ``--partial-on-interrupt`` nothing; with it, whole lines ending in the summary
    record, which says the report is incomplete and names the interrupted discovery.
    """
    out = tmp_path / "report.jsonl"
    extra = ["--format", "jsonl", *(["--partial-on-interrupt"] if partial else [])]
    code, seconds, err = _interrupt("aws", hung, out, *extra)
    assert code == 130, err
    assert seconds < STOP_WITHIN, seconds
    assert "Traceback" not in err, err
    if not partial:
        assert list(tmp_path.iterdir()) == []
        return
    assert [p.name for p in tmp_path.iterdir()] == ["report.jsonl"]
    records = [json.loads(line) for line in out.read_text().splitlines()]
    summary = records[-1]
    assert summary["record"] == "summary" and summary["complete"] is False, summary
    assert summary["compliant"] == 0
    gaps = summary["coverage"]["gaps"]
    assert [g["code"] for g in gaps] == ["Interrupted"], gaps
    assert "(discovery)" in gaps[0]["message"], gaps
