"""SCPs and RCPs of an organization on moto (real HTTP), compared with the accounts' resources."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from cloudaudit import audit
from cloudaudit.providers.aws import AwsOrganization, AwsProvider
from tests.scale.conftest import MANAGEMENT, ROLE, GatedMotoServer, Org

FIXTURES = Path(__file__).parent / "fixtures"
POLICY = "us-foreign-adversaries"


LZ_ARN = "arn:aws:controltower:us-east-1:123456789012:landingzone/1A2B3C4D5E6F7G8H"


@pytest.fixture(autouse=True)
def landing_zone(moto_server: GatedMotoServer) -> Iterator[dict[str, Any]]:
    """Control Tower's API (moto has none), in the shapes of the botocore model.

    ``ListLandingZones`` -> ``landingZones[].arn``; ``GetLandingZone`` -> ``landingZone`` with
    the landing zone 3.x ``manifest`` (``governedRegions``, ``organizationStructure``...). No
    landing zone unless a test sets ``governed``; ``status`` makes both calls fail.
    """
    state: dict[str, Any] = {"governed": None, "status": 200}

    def error() -> tuple[int, Any]:
        message = (
            "User: arn:aws:sts::123456789012:assumed-role/audit/cloudaudit is not authorized "
            "to perform: controltower:ListLandingZones"
        )
        return state["status"], {"__type": "AccessDeniedException", "message": message}

    def list_zones() -> tuple[int, Any]:
        if state["status"] != 200:
            return error()
        zones = [] if state["governed"] is None else [{"arn": LZ_ARN}]
        return 200, {"landingZones": zones}

    def get_zone() -> tuple[int, Any]:
        manifest = {
            "governedRegions": state["governed"],
            "organizationStructure": {"security": {"name": "Security"}},
            "accessManagement": {"enabled": True},
        }
        zone = {"arn": LZ_ARN, "version": "3.3", "status": "ACTIVE", "manifest": manifest}
        return 200, {"landingZone": zone}

    answers = moto_server.gate.answers
    answers.update({"/list-landingzones": list_zones, "/get-landingzone": get_zone})
    yield state
    answers.pop("/list-landingzones", None)
    answers.pop("/get-landingzone", None)


def _scp_text(regions: list[str]) -> str:
    """AWS's documented region-deny SCP, with ``regions`` as the allowed list."""
    doc = json.loads((FIXTURES / "aws_scp_deny_outside_eu.json").read_text())
    doc["Statement"][0]["Condition"]["StringNotEquals"]["aws:RequestedRegion"] = regions
    return json.dumps(doc)


def _attach(
    org: Org, name: str, content: str, target: str, kind: str = "SERVICE_CONTROL_POLICY"
) -> str:
    client = boto3.client("organizations", region_name="us-east-1")
    pid = client.create_policy(Name=name, Description=name, Type=kind, Content=content)["Policy"][
        "PolicySummary"
    ]["Id"]
    client.attach_policy(PolicyId=pid, TargetId=target)
    return str(pid)


def _org_provider(**kw: object) -> AwsOrganization:
    return AwsOrganization(
        boto3.Session(region_name="us-east-1"),
        ROLE,
        regions=["eu-west-1", "us-east-1"],
        services=["s3"],
        guardrails=True,
        **kw,  # type: ignore[arg-type]
    )


def test_three_findings_on_an_organization(org_factory: Callable[..., Org]) -> None:
    org = org_factory(4)  # members 0 and 2 in OU a, 1 in OU b, 3 in OU b1 (under b)
    eu_only = _attach(
        org, "deny-outside-eu", _scp_text(["eu-central-1", "eu-west-1"]), org.ous["a"]
    )
    with_hk = _attach(
        org, "deny-outside-eu-hk", _scp_text(["eu-west-1", "ap-east-1"]), org.ous["b"]
    )
    from moto.s3.models import s3_backends

    s3_backends[org.members[0]]["aws"].create_bucket("old-logs", "us-east-1")
    report = audit(_org_provider(), POLICY, max_workers=4)
    section = report.guardrails
    assert section is not None
    assert report.coverage.gaps == ()

    (permits,) = section.of_kind("permits_restricted")
    assert permits.guardrail == with_hk and permits.scope == org.ous["b"]
    assert permits.locations == ("ap-east-1",)
    assert (
        "allows ap-east-1, Hong Kong (HK), which 15 CFR 791.4 counts as part of China"
        in (permits.reasons[0])
    )

    (outside,) = section.of_kind("resource_outside")
    assert outside.guardrail == eu_only and outside.account == org.members[0]
    assert outside.resource_id == "arn:aws:s3:::old-logs"
    assert "Role1AllowedToBypassThisSCP" in outside.reasons[0]

    # the management account sits under the root, which only has FullAWSAccess
    assert [f.scope for f in section.of_kind("no_guardrail")] == [MANAGEMENT]
    by_id = {g.id: g for g in section.guardrails}
    assert set(by_id[with_hk].applies_to) == {org.members[1], org.members[3]}  # b and b1
    assert by_id[eu_only].attached_to.kind == "ou"
    assert by_id[eu_only].attached_to.name == "a"


def test_resource_control_policies_and_account_targets(org_factory: Callable[..., Org]) -> None:
    org = org_factory(2)
    rcp = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyOutsideFrankfurt",
                "Effect": "Deny",
                "Principal": "*",
                "Action": ["s3:*"],
                "Resource": "*",
                "Condition": {"StringNotLike": {"aws:RequestedRegion": "eu-central-*"}},
            }
        ],
    }
    pid = _attach(org, "rcp-frankfurt", json.dumps(rcp), org.members[1], "RESOURCE_CONTROL_POLICY")
    report = audit(_org_provider(), POLICY, max_workers=4)
    assert report.guardrails is not None
    (g,) = [g for g in report.guardrails.guardrails if g.id == pid]
    assert g.kind == "rcp" and g.actions == ("s3:*",)
    assert g.attached_to.kind == "account" and g.applies_to == (org.members[1],)
    outside = report.guardrails.of_kind("resource_outside")
    assert {f.resource_id for f in outside} == {
        f"arn:aws:s3:::{name}"
        for name in [
            r.resource.name for r in report.findings if r.resource.account == org.members[1]
        ]
    }


def test_guardrails_that_cannot_be_read_are_a_gap_not_no_guardrail(
    org_factory: Callable[..., Org],
) -> None:
    org = org_factory(2)
    org.gate.denied_targets.add("ListPolicies")
    report = audit(_org_provider(), POLICY, max_workers=4)
    assert report.guardrails is not None
    assert report.guardrails.findings == ()
    (gap,) = report.coverage.gaps
    assert gap.service == "guardrails" and gap.code == "AccessDeniedException"
    assert len(report.findings) == 3  # the resources are still audited


def test_single_account_outside_an_organization_has_no_guardrail(
    org_factory: Callable[..., Org],
) -> None:
    org = org_factory(0)
    client = boto3.client("organizations", region_name="us-east-1")
    for ou in (org.ous["b1"], org.ous["a"], org.ous["b"]):
        client.delete_organizational_unit(OrganizationalUnitId=ou)
    client.delete_organization()
    provider = AwsProvider(
        boto3.Session(region_name="us-east-1"),
        regions=["eu-west-1"],
        services=["s3"],
        guardrails=True,
    )
    report = audit(provider, POLICY)
    assert report.guardrails is not None
    (none,) = report.guardrails.findings
    assert none.kind.value == "no_guardrail" and none.scope == MANAGEMENT
    assert report.coverage.gaps == ()


def test_every_guardrail_call_is_in_the_published_policy(org_factory: Callable[..., Org]) -> None:
    from cloudaudit.providers.aws._iam import iam_action
    from cloudaudit.providers.aws._organization import load_org_policy_document

    org = org_factory(2)
    _attach(org, "deny-outside-eu", _scp_text(["eu-west-1"]), org.ous["a"])
    calls: list[str] = []
    session = boto3.Session(region_name="us-east-1")
    session.events.register(
        "before-call",
        lambda model, **_: calls.append(iam_action(model.service_model.signing_name, model.name)),
    )
    provider = AwsOrganization(
        session, ROLE, regions=["eu-west-1"], services=["s3"], guardrails=True
    )
    audit(provider, POLICY)
    caller = {a for st in load_org_policy_document()["Statement"] for a in st["Action"]}
    org_calls = {c for c in calls if c.startswith("organizations:")}
    assert {"organizations:ListPolicies", "organizations:DescribePolicy"} <= org_calls
    assert org_calls <= caller


def test_control_tower_region_deny_with_its_governed_regions(
    org_factory: Callable[..., Org], landing_zone: dict[str, Any]
) -> None:
    org = org_factory(2)
    text = (FIXTURES / "aws_control_tower_region_deny.json").read_text()
    pid = _attach(org, "aws-guardrails-AbCdEf", text, org.ous["a"])
    landing_zone["governed"] = ["eu-west-1", "eu-central-1", "us-east-1"]
    report = audit(_org_provider(), POLICY, max_workers=4)
    assert report.guardrails is not None and report.coverage.gaps == ()
    (ct,) = [g for g in report.guardrails.guardrails if g.id == pid]
    assert ct.kind == "control_tower"
    assert "Control Tower governs eu-west-1, eu-central-1, us-east-1" in ct.notes
    assert any("differs from the governed regions in us-east-1" in n for n in ct.notes)
    assert "Control Tower region deny" in ct.label


def test_control_tower_refused_is_a_gap_and_scps_are_still_read(
    org_factory: Callable[..., Org], landing_zone: dict[str, Any]
) -> None:
    org = org_factory(2)
    pid = _attach(org, "deny-outside-eu", _scp_text(["eu-west-1"]), org.ous["a"])
    landing_zone["status"] = 403
    report = audit(_org_provider(), POLICY, max_workers=4)
    (gap,) = report.coverage.gaps
    assert gap.service == "guardrails" and gap.code == "AccessDeniedException"
    assert "controltower:ListLandingZones" in gap.message
    assert report.guardrails is not None
    assert pid in {g.id for g in report.guardrails.guardrails}


def test_governed_regions_are_an_allowed_list_of_their_own(
    org_factory: Callable[..., Org], landing_zone: dict[str, Any]
) -> None:
    org = org_factory(2)  # member 0 in OU a (registered: it carries an aws-guardrails SCP)
    # A Control Tower mandatory-control SCP without any region condition: no region deny.
    content = '{"Version": "2012-10-17", "Statement": [{"Sid": "GRCLOUDTRAILENABLED", '
    content += '"Effect": "Deny", "Action": "cloudtrail:StopLogging", "Resource": "*"}]}'
    _attach(org, "aws-guardrails-QwErTy", content, org.ous["a"])
    landing_zone["governed"] = ["eu-west-1", "ap-east-1"]
    from moto.s3.models import s3_backends

    s3_backends[org.members[0]]["aws"].create_bucket("old-logs", "us-east-1")
    s3_backends[org.members[1]]["aws"].create_bucket("other-logs", "us-east-1")
    report = audit(_org_provider(), POLICY, max_workers=4)
    section = report.guardrails
    assert section is not None and report.coverage.gaps == ()
    (zone,) = [g for g in section.guardrails if g.kind == "control_tower_governed"]
    assert zone.applies_to == (org.members[0],) and zone.enforcement == "audit"
    assert zone.rule.allow == ("eu-west-1", "ap-east-1")
    assert "Control Tower governed regions" in zone.label
    (permits,) = section.of_kind("permits_restricted")
    assert permits.guardrail == "governedRegions" and permits.locations == ("ap-east-1",)
    (outside,) = section.of_kind("resource_outside")  # the unregistered account is not judged
    assert outside.resource_id == "arn:aws:s3:::old-logs" and outside.account == org.members[0]
    assert "audit and denies nothing" in outside.reasons[0]
