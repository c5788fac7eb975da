"""``cloudaudit audit aws --organization``: flags, streaming JSONL, exit codes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cloudaudit.cli import main
from tests.providers.aws import config_fake
from tests.scale.conftest import MANAGEMENT, ROLE, Org
from tests.scale.test_org_aggregated import REGIONS, seed


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
    gaps = [(g["account"], g["code"]) for g in last["coverage"]["gaps"]]
    # sorted by scope, so the order depends on the account ids moto drew
    assert sorted(gaps) == sorted([(MANAGEMENT, "Excluded"), (org.members[0], "AccessDenied")])


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


def _org_args(*extra: str) -> list[str]:
    return [
        "--organization",
        "--role",
        ROLE,
        "--regions",
        ",".join(REGIONS),
        "--services",
        "s3,ec2",
        "--format",
        "json",
        *extra,
    ]


def test_inventory_path_is_chosen_and_said(org_factory: Callable[..., Org]) -> None:
    """--inventory and --aggregator-region reach the provider; stderr and the report say which."""
    org = org_factory(4)
    status = seed(org, where="eu-west-1")  # the organization's aggregator is in Ireland
    org.gate.targets["DescribeConfigurationAggregatorSourcesStatus"] = lambda _b: (200, status)
    org.gate.targets["SelectAggregateResourceConfig"] = config_fake.select

    org.gate.ops.clear()
    code, out, err = _run(*_org_args("--inventory", "auto", "--aggregator-region", "eu-west-1"))
    via = json.loads(out)
    assert code == 0, err
    assert "inventory: AWS Config aggregator organization in eu-west-1 (" in err
    assert org.gate.ops.count("SelectAggregateResourceConfig") >= 3
    scopes = {(a["scope"], a["method"]) for a in via["coverage"]["audited"]}
    assert ("aws/*/eu-west-1/config", "config-aggregator:organization") in scopes
    assert any(m == "config" for _s, m in scopes)  # parts read from the aggregator

    org.gate.ops.clear()
    code, out, err = _run(*_org_args("--inventory", "direct"))
    direct = json.loads(out)
    assert code == 0, err
    assert "inventory: direct (--inventory direct)" in err
    assert not [op for op in org.gate.ops if "Aggregat" in op]
    assert {a["method"] for a in direct["coverage"]["audited"]} == {"api"}
    assert _verdicts(via) == _verdicts(direct) and len(_verdicts(direct)) > 20

    code, out, err = _run(*_org_args())  # auto, looked for in us-east-1 only: none there
    assert code == 0 and "inventory: direct: no usable AWS Config aggregator in us-east-1" in err
    code, out, err = _run(*_org_args("--inventory", "aggregated"))  # the aggregator or nothing
    assert code == 3, err
    [gap] = json.loads(out)["coverage"]["gaps"]
    assert gap["code"] == "AggregatorUnavailable" and "us-east-1" in gap["message"]
    assert "error: not audited: aws" in err
    code, _, err = _run(*_org_args("--inventory", "aggregated", "--quiet"))
    assert code == 3 and "inventory:" not in err


ORG = ("--organization", "--role", ROLE)


def _verdicts(report: dict[str, Any]) -> dict[str, str]:
    return {f["resource"]["id"]: f["status"] for f in report["findings"]}


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--inventory", "fast", "--organization", "--role", ROLE], "'fast' is not one of"),
        (["--inventory", "direct"], "need --organization"),
        (["--aggregator-region", "eu-west-1"], "need --organization"),
        (["--organization", "--role", ROLE, "--aggregator-region", "Ireland"], "region name"),
        (
            [*ORG, "--inventory", "direct", "--aggregator-region", "eu-west-1"],
            "no use with --inventory direct",
        ),
        (
            ["--organization", "--role", ROLE, "--inventory", "aggregated", "--services", "rds"],
            "none of them is among the services selected",
        ),
    ],
)
def test_inventory_options_refused_with_exit_2(args: list[str], says: str) -> None:
    code, _, err = _run(*args, "--quiet")
    assert code == 2 and says in err, err


def test_inventory_line_when_the_aggregator_has_nothing_to_answer(
    org_factory: Callable[..., Org],
) -> None:
    from cloudaudit.cli.aws import AGGREGATABLE
    from cloudaudit.providers.aws._aggregated import AGGREGATABLE as SERVED

    assert set(AGGREGATABLE) == {service for service, _name in SERVED}
    org = org_factory(1)
    code, _, err = _run(*ORG, "--regions", "eu-west-1", "--services", "rds", "--format", "json")
    assert code == 0, err
    assert "inventory: direct: the AWS Config aggregator answers for dynamodb, ec2, s3" in err
    assert "DescribeConfigurationAggregators" not in org.gate.ops
    org.gate.denied_targets.add("ListAccounts")  # the organization cannot be listed
    code, _, err = _run(*ORG, "--services", "s3", "--format", "json")
    assert code == 3 and "error: not audited: aws" in err
    assert "inventory:" not in err  # no path was taken; no line claims one
