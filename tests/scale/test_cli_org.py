"""``cloudaudit audit aws --organization``: flags, streaming JSONL, exit codes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

from cloudaudit.cli import main
from tests.scale.conftest import MANAGEMENT, ROLE, Org


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["audit", "aws", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_organization_streams_jsonl(org_factory: Callable[..., Org], tmp_path: Path) -> None:
    org = org_factory(3)
    org.gate.denied.add(org.members[0])
    out = tmp_path / "org.jsonl"
    code, _, _ = _run(
        "--organization",
        "--role",
        ROLE,
        "--exclude-management-account",
        "--regions",
        "eu-west-1",
        "--services",
        "s3,ec2",
        "--max-accounts-in-flight",
        "2",
        "--format",
        "jsonl",
        "--output",
        str(out),
        "--fail-on",
        "gap",
        "--quiet",
    )
    *rows, last = [json.loads(line) for line in out.read_text().splitlines()]
    assert code == 1  # the denied account is a gap, and --fail-on gap
    assert {r["account"] for r in rows} == set(org.members[1:])
    assert MANAGEMENT not in {r["account"] for r in rows}
    assert last["record"] == "summary" and last["total"] == len(rows) == 4
    assert [g["account"] for g in last["coverage"]["gaps"]] == [org.members[0]]


def test_organization_json_report_with_ou(org_factory: Callable[..., Org]) -> None:
    org = org_factory(4)
    code, stdout, _ = _run(
        "--organization",
        "--role",
        ROLE,
        "--ou",
        org.ous["a"],
        "--regions",
        "eu-west-1",
        "--services",
        "s3",
        "--format",
        "json",
        "--quiet",
    )
    report = json.loads(stdout)
    assert code == 0
    assert {f["resource"]["account"] for f in report["findings"]} == set(org.members[::2])


def test_role_is_required_and_only_with_organization() -> None:
    code, _, err = _run("--organization", "--quiet")
    assert code == 2 and "--role" in err
    code, _, err = _run("--role", ROLE, "--quiet")
    assert code == 2 and "--organization" in err
