"""Pure evaluation of aws:RequestedRegion in SCP documents (AWS's documented examples)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

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
