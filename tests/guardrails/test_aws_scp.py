"""Pure evaluation of aws:RequestedRegion in SCP documents (AWS's documented examples)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from cloudaudit import evaluate
from cloudaudit.guardrails import GuardrailScope
from cloudaudit.providers.aws._guardrail_reads import OrgTree
from cloudaudit.providers.aws._guardrails import to_guardrails
from cloudaudit.providers.aws._scp import allows_everything, region_statements

FIXTURES = Path(__file__).parent / "fixtures"
REGIONS = ["eu-central-1", "eu-west-1", "us-east-1", "ap-east-1", "eu-west-2", "me-central-1"]


def _doc(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return data


def _deny(condition: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "Statement": [
            {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": condition, **extra}
        ]
    }


def test_aws_documented_region_deny_scp() -> None:
    # AWS Organizations User Guide example: deny outside eu-central-1/eu-west-1, global
    # services exempt (NotAction), two administrator roles exempt (ArnNotLike aws:PrincipalARN)
    (st_,) = region_statements(_doc("aws_scp_deny_outside_eu.json"))
    assert st_.sid == "DenyAllOutsideEU" and st_.effect == "Deny"
    assert [r for r in REGIONS if st_.rule.permits(r)] == ["eu-central-1", "eu-west-1"]
    assert "cloudfront:*" in st_.exempt_actions and "iam:*" in st_.exempt_actions
    assert st_.exempt_principals == (
        "arn:aws:iam::*:role/Role1AllowedToBypassThisSCP",
        "arn:aws:iam::*:role/Role2AllowedToBypassThisSCP",
    )
    assert st_.actions == () and st_.notes == ()


def test_control_tower_region_deny() -> None:
    (st_,) = region_statements(_doc("aws_control_tower_region_deny.json"))
    assert st_.sid == "GRREGIONDENY"
    assert st_.rule.permits("eu-west-1") and not st_.rule.permits("ap-east-1")
    assert "arn:*:iam::*:role/AWSControlTowerExecution" in st_.exempt_principals


def test_string_not_like_wildcards() -> None:
    (st_,) = region_statements(
        _deny({"StringNotLike": {"aws:RequestedRegion": ["eu-*", "us-east-?"]}})
    )
    assert [r for r in REGIONS if st_.rule.permits(r)] == [
        "eu-central-1",
        "eu-west-1",
        "us-east-1",
        "eu-west-2",
    ]


def test_string_not_equals_compares_wildcards_literally() -> None:
    # a common mistake: StringNotEquals "eu-*" denies every region (no region is "eu-*")
    (st_,) = region_statements(_deny({"StringNotEquals": {"aws:RequestedRegion": ["eu-*"]}}))
    assert not any(st_.rule.permits(r) for r in REGIONS)
    assert "literally" in st_.notes[0]


def test_deny_list_forms_and_set_operator_prefixes() -> None:
    (st_,) = region_statements(_deny({"StringEquals": {"aws:RequestedRegion": "ap-east-1"}}))
    assert not st_.rule.permits("ap-east-1") and st_.rule.permits("us-east-1")
    (st_,) = region_statements(_deny({"ForAnyValue:StringLike": {"aws:RequestedRegion": "me-*"}}))
    assert not st_.rule.permits("me-central-1") and st_.rule.permits("eu-west-1")
    (st_,) = region_statements(
        _deny({"ForAllValues:StringNotEqualsIfExists": {"aws:RequestedRegion": ["us-east-1"]}})
    )
    assert [r for r in REGIONS if st_.rule.permits(r)] == ["us-east-1"]


def test_other_condition_keys_are_notes_and_action_lists_are_kept() -> None:
    doc = _deny(
        {
            "StringNotEquals": {"aws:RequestedRegion": ["eu-west-1"]},
            "StringNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/ops-*"},
            "Bool": {"aws:ViaAWSService": "false"},
        },
        Action=["ec2:RunInstances", "s3:CreateBucket"],
    )
    (st_,) = region_statements(doc)
    assert st_.actions == ("ec2:RunInstances", "s3:CreateBucket")
    assert st_.exempt_principals == ("arn:aws:iam::*:role/ops-*",)
    assert st_.notes == ("applies only when Bool aws:ViaAWSService [false]",)


def test_allow_forms_and_full_access() -> None:
    allow = {
        "Statement": {
            "Effect": "Allow",
            "Action": "*",
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:RequestedRegion": ["eu-west-1", "ap-east-1"]}},
        }
    }
    (st_,) = region_statements(allow)
    assert st_.effect == "Allow" and st_.rule.allow == ("eu-west-1", "ap-east-1")
    assert not allows_everything(allow)
    full = {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    assert allows_everything(full) and region_statements(full) == []
    # an Allow outside some regions grants; it restricts nothing
    assert (
        region_statements(
            {
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "*",
                        "Condition": {"StringNotEquals": {"aws:RequestedRegion": "x"}},
                    }
                ]
            }
        )
        == []
    )


@given(st.sets(st.sampled_from(REGIONS)))
def test_deny_outside_permits_exactly_the_listed_regions(allowed: set[str]) -> None:
    (st_,) = region_statements(_deny({"StringNotEquals": {"aws:RequestedRegion": sorted(allowed)}}))
    assert {r for r in REGIONS if st_.rule.permits(r)} == allowed


def test_ignore_case_region_operators_are_evaluated_case_insensitively() -> None:
    # IAM: StringNotEqualsIgnoreCase is StringNotEquals ignoring case; such a deny is kept
    (st_,) = region_statements(
        _deny(
            {
                "StringNotEqualsIgnoreCase": {"aws:RequestedRegion": ["EU-West-1"]},
                "ArnNotLike": {"aws:PrincipalARN": "arn:aws:iam::*:role/x"},
            }
        )
    )
    assert [r for r in REGIONS if st_.rule.permits(r)] == ["eu-west-1"]
    assert st_.exempt_principals == ("arn:aws:iam::*:role/x",) and st_.notes == ()
    (deny_in,) = region_statements(
        _deny({"StringEqualsIgnoreCase": {"aws:RequestedRegion": "AP-EAST-1"}})
    )
    assert [r for r in REGIONS if not deny_in.rule.permits(r)] == ["ap-east-1"]


def _scp(statements: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "Type": "SERVICE_CONTROL_POLICY",
        "Summary": {"Id": "p-1", "Name": "regions"},
        "Targets": [{"TargetId": "ou-1", "Type": "ORGANIZATIONAL_UNIT"}],
        "Content": json.dumps({"Statement": statements}),
    }


def _scp_guardrails(statements: list[dict[str, Any]]) -> list[Any]:
    tree = OrgTree(under={"ou-1": {"111111111111"}}, names={})
    guardrails, gaps = to_guardrails([_scp(statements)], tree, ["111111111111"], "aws")
    assert gaps == []
    return guardrails


def test_ignore_case_allow_list_keeps_its_case_insensitivity() -> None:
    cond = {"StringEqualsIgnoreCase": {"aws:RequestedRegion": ["EU-WEST-1"]}}
    (g,) = _scp_guardrails([{"Effect": "Allow", "Action": "*", "Condition": cond}])
    assert [r for r in REGIONS if g.rule.permits(r)] == ["eu-west-1"]


def test_resource_and_not_resource_make_the_guardrail_partial() -> None:
    cond = {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1"]}}
    only = {"Effect": "Deny", "Action": "*", "Resource": "arn:aws:ec2:*:*:instance/*"}
    (g,) = _scp_guardrails([{**only, "Condition": cond}])
    assert g.resources == ("arn:aws:ec2:*:*:instance/*",) and g.exempt_resources == ()
    assert any("applies only to the resources arn:aws:ec2" in n for n in g.notes)
    (g,) = _scp_guardrails(
        [{"Effect": "Deny", "Action": "*", "NotResource": "arn:aws:s3:::*", "Condition": cond}]
    )
    assert g.exempt_resources == ("arn:aws:s3:::*",) and g.resources == ()
    assert any("NotResource" in n for n in g.notes)
    acct = GuardrailScope(provider="aws", kind="account", id="111111111111")
    report = evaluate([], "us-foreign-adversaries", guardrails=[g], guardrail_scopes=[acct])
    assert report.guardrails is not None
    (none,) = report.guardrails.of_kind("no_guardrail")
    assert any("only some resources are covered" in r for r in none.reasons)
    (g,) = _scp_guardrails([{**only, "Resource": ["*"], "Condition": cond}])
    assert g.resources == () and g.notes == ()


def test_two_positive_region_operators_are_intersected() -> None:
    # IAM: every operator of a Condition block must match, so the deny is of ap-east-1 only
    (st_,) = region_statements(
        _deny(
            {
                "StringEquals": {"aws:RequestedRegion": ["us-east-1", "ap-east-1"]},
                "StringLike": {"aws:RequestedRegion": ["ap-*"]},
            }
        )
    )
    assert [r for r in REGIONS if not st_.rule.permits(r)] == ["ap-east-1"]
    assert st_.notes == ()
    # wildcards on both sides: a deny counts only the certain part, with a note
    both = {
        "StringLike": {"aws:RequestedRegion": ["ap-*", "me-*"]},
        "ForAnyValue:StringLike": {"aws:RequestedRegion": ["ap-east-?", "me-*"]},
    }
    (st_,) = region_statements(_deny(both))
    assert [r for r in REGIONS if not st_.rule.permits(r)] == ["me-central-1"]
    assert any("ap-*" in n and "not computed" in n for n in st_.notes)
    # an allow counts the uncertain part as allowed (never fewer regions than IAM allows)
    allow = {"Statement": [{"Effect": "Allow", "Action": "*", "Condition": both}]}
    (st_,) = region_statements(allow)
    assert [r for r in REGIONS if st_.rule.permits(r)] == ["ap-east-1", "me-central-1"]


def test_allow_list_next_to_a_region_free_allow_is_partial() -> None:
    eu = {
        "Effect": "Allow",
        "Action": "*",
        "Condition": {"StringEquals": {"aws:RequestedRegion": ["eu-west-1"]}},
    }
    (g,) = _scp_guardrails([eu, {"Sid": "Rest", "Effect": "Allow", "NotAction": ["iam:*"]}])
    assert g.actions == ("iam:*",)  # every other action is allowed in every region
    assert any("statement Rest of p-1 allows every action but iam:*" in n for n in g.notes)
    (g,) = _scp_guardrails([eu, {"Effect": "Allow", "Action": ["ec2:*"], "Resource": "*"}])
    assert g.exempt_actions == ("ec2:*",) and g.actions == ()
    assert any("statement 1 of p-1 allows ec2:*" in n for n in g.notes)
    acct = GuardrailScope(provider="aws", kind="account", id="111111111111")
    free = {"Effect": "Allow", "NotAction": ["iam:*"]}
    (g,) = _scp_guardrails([eu, free, {**free, "NotAction": ["s3:*"]}])
    assert g.exempt_actions == ("*",)
    report = evaluate([], "us-foreign-adversaries", guardrails=[g], guardrail_scopes=[acct])
    assert report.guardrails is not None and report.guardrails.of_kind("no_guardrail")
    (g,) = _scp_guardrails([eu])
    assert g.actions == () and g.exempt_actions == () and g.notes == ()
