"""The manifest's digest: printed when an audit writes a bundle, checked by ``verify``.

A bundle's manifest holds the SHA-256 of every other file, so a bundle edited together with
its manifest still checks as intact on its own. The digest the audit prints, kept apart
from the bundle, catches that: ``cloudaudit verify DIR --expect-sha256 HEX``.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cloudaudit.cli import main
from cloudaudit.evidence import manifest_sha256, verify_bundle

LINE = re.compile(r"evidence: (?P<dir>\S+), manifest sha256 (?P<hex>[0-9a-f]{64})")


def _inventory(tmp_path: Path) -> Path:
    inv = tmp_path / "inventory.csv"
    inv.write_text(
        "provider,account,service,type,id,region\n"
        "aws,111122223333,s3,bucket,eu-data,eu-west-1\n"
        "aws,111122223333,s3,bucket,hk-data,ap-east-1\n"
    )
    return inv


def _audit(tmp_path: Path, bundle: Path, *extra: str) -> Result:
    args = ["audit", "inventory", str(_inventory(tmp_path)), "--evidence", str(bundle), *extra]
    return CliRunner().invoke(main, args)


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_the_audit_prints_the_digest_of_the_bundle_it_wrote(tmp_path: Path, fmt: str) -> None:
    bundle = tmp_path / "ev"
    res = _audit(tmp_path, bundle, "--format", fmt)
    assert res.exit_code == 1, res.output  # a violation: the Hong Kong bucket
    (said,) = LINE.findall(res.stderr)
    assert said == (str(bundle), manifest_sha256(bundle))
    assert (
        manifest_sha256(bundle)
        == hashlib.sha256((bundle / "manifest.json").read_bytes()).hexdigest()
    )
    assert "manifest sha256" not in res.stdout  # the report stays clean
    ok = CliRunner().invoke(main, ["verify", str(bundle), "--expect-sha256", said[1].upper()])
    assert ok.exit_code == 0 and "intact" in ok.output


def test_a_bundle_rewritten_with_its_manifest_fails_only_against_the_kept_digest(
    tmp_path: Path,
) -> None:
    bundle = tmp_path / "ev"
    kept = LINE.findall(_audit(tmp_path, bundle, "--format", "json").stderr)[0][1]
    inventory = bundle / "inventory.jsonl"
    inventory.write_text(inventory.read_text().replace("ap-east-1", "eu-west-1"))
    manifest = json.loads((bundle / "manifest.json").read_text())
    manifest["files"]["inventory.jsonl"] = hashlib.sha256(inventory.read_bytes()).hexdigest()
    (bundle / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")

    assert verify_bundle(bundle) == []  # consistent in itself: the limit of a bundle alone
    (problem,) = verify_bundle(bundle, expect_sha256=kept)
    assert problem.startswith("manifest.json: SHA-256") and kept in problem
    res = CliRunner().invoke(main, ["verify", str(bundle), "--expect-sha256", kept])
    assert res.exit_code == 1 and "TAMPERED" in res.output and "manifest.json" in res.output


@pytest.mark.parametrize("bad", ["abc", "g" * 64, "0" * 63, "0" * 65])
def test_a_digest_that_is_not_one_is_a_usage_error(tmp_path: Path, bad: str) -> None:
    bundle = tmp_path / "ev"
    _audit(tmp_path, bundle)
    res = CliRunner().invoke(main, ["verify", str(bundle), "--expect-sha256", bad])
    assert res.exit_code == 2 and "64 hexadecimal digits" in res.output


def test_no_line_when_quiet_or_when_the_folder_already_held_a_bundle(tmp_path: Path) -> None:
    bundle = tmp_path / "ev"
    quiet = _audit(tmp_path, bundle, "--quiet")
    assert quiet.exit_code == 1 and not LINE.search(quiet.stderr)
    again = _audit(tmp_path, bundle)  # refused: the folder is not empty
    assert again.exit_code == 2 and not LINE.search(again.stderr)


def test_replay_refuses_a_bundle_whose_manifest_is_not_the_kept_one(tmp_path: Path) -> None:
    bundle = tmp_path / "ev"
    kept = LINE.findall(_audit(tmp_path, bundle, "--format", "json").stderr)[0][1]
    base = ["replay", str(bundle), "--format", "json"]
    assert CliRunner().invoke(main, [*base, "--expect-sha256", kept]).exit_code == 1  # as audited
    other = "0" * 64
    res = CliRunner().invoke(main, [*base, "--expect-sha256", other])
    assert res.exit_code == 2 and "kept from the audit" in res.output and res.stdout == ""
