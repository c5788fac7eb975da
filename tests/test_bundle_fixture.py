"""A recorded evidence bundle as a test fixture (scripts/record_fixture_bundle.py made it).

It pins two things without any fake: bundles written by earlier versions still verify and
replay, and the verdicts on a known AWS estate (a Hong Kong bucket, a US bucket replicating into
it, a plain US bucket, an EBS volume in Ireland) stay what they were, under two policies.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from cloudaudit.cli import main
from cloudaudit.errors import ConfigurationError
from cloudaudit.evidence import read_bundle, replay, verify_bundle
from cloudaudit.models import Status

BUNDLE = Path(__file__).parent / "fixtures" / "bundles" / "aws-estate"


def _status(policy: str | None = None) -> dict[str, Status]:
    report = replay(BUNDLE, policy)
    return {f.resource.name: f.status for f in report.findings}


def test_the_recorded_bundle_is_intact() -> None:
    assert verify_bundle(BUNDLE) == []
    bundle = read_bundle(BUNDLE)
    assert bundle.policy.id == "us-foreign-adversaries"
    assert all(r.records for r in bundle.resources)


def test_its_verdicts_under_the_recorded_policy() -> None:
    status = _status()
    assert status["hk-bucket"] is Status.VIOLATION
    assert status["us-source"] is Status.VIOLATION  # its replica is in Hong Kong
    assert status["us-plain"] is Status.COMPLIANT
    (volume,) = (s for name, s in status.items() if name.startswith("vol-"))
    assert volume is Status.COMPLIANT


def test_its_verdicts_under_another_policy() -> None:
    status = _status("eu-gdpr")
    assert status["us-plain"] is Status.VIOLATION  # the US without the DPF option
    (volume,) = (s for name, s in status.items() if name.startswith("vol-"))
    assert volume is Status.COMPLIANT  # eu-west-1, Ireland


def test_a_tampered_bundle_is_not_replayed(tmp_path: Path) -> None:
    """Replay verifies first: an edited inventory would replay to another report."""
    copy = tmp_path / "bundle"
    shutil.copytree(BUNDLE, copy)
    inventory = copy / "inventory.jsonl"
    inventory.write_text(inventory.read_text().replace("ap-east-1", "eu-west-1"))
    assert verify_bundle(copy) == ["inventory.jsonl: SHA-256 differs from the manifest"]
    with pytest.raises(ConfigurationError, match=r"inventory\.jsonl: SHA-256 differs"):
        replay(copy)
    result = CliRunner().invoke(main, ["replay", str(copy), "--format", "json"])
    assert result.exit_code == 2, result.output
    assert "does not match its manifest" in result.stderr and "cloudaudit verify" in result.stderr
    assert result.stdout == ""  # no report
