"""AWS Organizations over moto (real HTTP): accounts, roles, OUs, per-account gaps, bounds."""

from __future__ import annotations

import pickle
from collections.abc import Callable

import boto3
import pytest

from cloudaudit import audit
from cloudaudit.errors import ConfigurationError
from cloudaudit.providers import FanOut
from cloudaudit.providers.aws import AccountTask, AwsOrganization
from cloudaudit.providers.aws._organization import to_specs
from tests.scale.conftest import MANAGEMENT, ROLE, Org

POLICY = "us-foreign-adversaries"


def _org(**kw: object) -> AwsOrganization:
    opts: dict[str, object] = {"regions": ["eu-west-1"], "services": ["s3", "ec2"]}
    opts.update(kw)
    return AwsOrganization(boto3.Session(region_name="us-east-1"), ROLE, **opts)  # type: ignore[arg-type]


def test_every_active_account_is_audited_through_its_role(org_factory: Callable[..., Org]) -> None:
    org = org_factory(4)
    report = audit(_org(), POLICY, max_workers=4)
    accounts = {f.resource.account for f in report.findings}
    assert accounts == {*org.members, MANAGEMENT}
    # each account: its own bucket and its own volume, attributed to it
    for acct in org.members:
        mine = [f.resource for f in report.findings if f.resource.account == acct]
        assert sorted(r.type for r in mine) == ["bucket", "volume"]
        assert any(r.name.startswith(f"bucket-{acct}") for r in mine)
    assert report.coverage.gaps == ()
    assert {a.account for a in report.coverage.audited} == {*org.members, MANAGEMENT}


def test_management_account_can_be_excluded(org_factory: Callable[..., Org]) -> None:
    org = org_factory(2)
    report = audit(_org(include_management=False), POLICY)
    assert {f.resource.account for f in report.findings} == set(org.members)
    assert all(a.account != MANAGEMENT for a in report.coverage.audited)


def test_denied_role_is_a_gap_for_that_account_only(org_factory: Callable[..., Org]) -> None:
    org = org_factory(3)
    denied = org.members[1]
    org.gate.denied.add(denied)
    org.gate.denial = "Access denied"  # a message that does not name the call itself
    report = audit(_org(), POLICY)
    (gap,) = report.coverage.gaps
    assert gap.account == denied and gap.code == "AccessDenied"
    assert gap.message == "sts:AssumeRole: Access denied"  # the gap names the call
    assert denied not in {f.resource.account for f in report.findings}
    others = {org.members[0], org.members[2], MANAGEMENT}
    assert others <= {f.resource.account for f in report.findings}


def test_organization_that_cannot_be_listed_is_a_gap(org_factory: Callable[..., Org]) -> None:
    org = org_factory(2)
    org.gate.denied_targets.add("ListAccounts")
    report = audit(_org(), POLICY)
    assert report.findings == ()
    (gap,) = report.coverage.gaps
    assert gap.code == "AccessDeniedException" and gap.account is None
    assert gap.message.startswith("organizations:ListAccounts: "), gap.message


def test_ou_that_cannot_be_listed_is_a_gap_for_that_ou(org_factory: Callable[..., Org]) -> None:
    org = org_factory(4)
    org.gate.denied_targets.add("ListOrganizationalUnitsForParent")
    report = audit(_org(ous=[org.ous["a"]]), POLICY)
    (gap,) = report.coverage.gaps
    # the accounts under the OU are unknown: the gap names no account (it covers them all)
    assert (gap.account, gap.target, gap.service) == (None, f"OU {org.ous['a']}", "organizations")
    assert gap.code == "AccessDeniedException"
    assert gap.message.startswith("organizations:ListOrganizationalUnitsForParent: "), gap.message


def test_suspended_accounts_are_listed_as_gaps(org_factory: Callable[..., Org]) -> None:
    org = org_factory(3)
    closed = org.members[0]
    boto3.client("organizations", region_name="us-east-1").close_account(AccountId=closed)
    report = audit(_org(), POLICY)
    gaps = [g for g in report.coverage.gaps if g.account == closed]
    assert [g.code for g in gaps] == ["AccountNotActive"]
    assert closed not in {f.resource.account for f in report.findings}


def test_ous_are_walked_recursively(org_factory: Callable[..., Org]) -> None:
    org = org_factory(8)
    report = audit(_org(ous=[org.ous["b"]]), POLICY)
    in_b = {a for i, a in enumerate(org.members) if i % 2 == 1}  # b and its child b1
    assert {f.resource.account for f in report.findings} == in_b
    report_a = audit(_org(ous=[org.ous["a"]]), POLICY)
    assert {f.resource.account for f in report_a.findings} == set(org.members) - in_b


def test_assumed_credentials_never_reach_the_report(
    org_factory: Callable[..., Org], caplog: pytest.LogCaptureFixture
) -> None:
    from moto.sts.models import sts_backends

    org = org_factory(2)
    org.gate.denied.add(org.members[0])  # a gap message is produced, too
    caplog.set_level("INFO")  # botocore's own DEBUG wire logs carry tokens by design
    text = audit(_org(), POLICY).to_json() + caplog.text
    issued = [r for a in org.members for r in sts_backends[a]["aws"].assumed_roles]
    assert issued, "moto recorded no AssumeRole"
    for role in issued:
        for secret in (role.access_key_id, role.secret_access_key, role.session_token):
            assert secret not in text


def test_global_bound_holds_over_many_accounts(org_factory: Callable[..., Org]) -> None:
    org = org_factory(12)
    done: list[tuple[int, int]] = []
    report = audit(
        _org(max_accounts=6),
        POLICY,
        max_workers=3,
        progress=lambda d, t, s: done.append((d, t)),
    )
    assert len({f.resource.account for f in report.findings}) == 13
    # units share 3 slots; each account in flight adds at most one discovery call
    # (AssumeRole or DescribeRegions) on its own thread: 3 + 6.
    assert org.gate.peak <= 3 + 6
    assert [d for d, _ in done] == list(range(1, len(done) + 1))
    assert done[-1][0] == done[-1][1] == len(report.coverage.audited)


def test_account_task_is_a_picklable_description(org_factory: Callable[..., Org]) -> None:
    org = org_factory(1)
    task = _org().plan(FanOut()).tasks[0]
    assert isinstance(task, AccountTask)
    clone = pickle.loads(pickle.dumps(task))
    batches = clone()
    resources = [r for b in batches for r in b.resources]
    assert {r.account for r in resources} == {task.spec.account}
    assert task.spec.account in {*org.members, MANAGEMENT}


def test_to_specs_pure() -> None:
    raw = [
        {"Id": "111111111111", "Name": "a", "Status": "ACTIVE"},
        {"Id": "222222222222", "Name": "b", "Status": "SUSPENDED"},
        {"Id": "333333333333", "Name": "mgmt", "Status": "ACTIVE"},
    ]
    specs, gaps = to_specs(
        raw,
        role="ops/Audit",
        partition="aws-us-gov",
        caller="333333333333",
        management="333333333333",
        include_management=True,
    )
    assert [s.role_arn for s in specs] == ["arn:aws-us-gov:iam::111111111111:role/ops/Audit", None]
    assert [(g.account, g.code) for g in gaps] == [("222222222222", "AccountNotActive")]
    specs, _ = to_specs(
        raw,
        role="R",
        partition="aws",
        caller="333333333333",
        management="333333333333",
        include_management=False,
    )
    assert [s.account for s in specs] == ["111111111111"]


def test_a_role_name_is_required() -> None:
    with pytest.raises(ConfigurationError):
        AwsOrganization(boto3.Session(region_name="us-east-1"), " ")


def test_every_call_is_in_the_published_policies(org_factory: Callable[..., Org]) -> None:
    from cloudaudit.providers.aws._iam import iam_action, load_policy_document
    from cloudaudit.providers.aws._organization import (
        ORGANIZATION_ACTIONS,
        load_org_policy_document,
    )

    org = org_factory(3)
    calls: list[str] = []
    session = boto3.Session(region_name="us-east-1")
    session.events.register(
        "before-call",
        lambda model, **_: calls.append(iam_action(model.service_model.signing_name, model.name)),
    )
    provider = AwsOrganization(
        session, ROLE, ous=[org.root], regions=["eu-west-1"], services=["s3", "ec2"]
    )
    audit(provider, POLICY)
    caller = {a for st in load_org_policy_document()["Statement"] for a in st["Action"]}
    member = {a for st in load_policy_document()["Statement"] for a in st["Action"]}
    assert caller == set(ORGANIZATION_ACTIONS)
    assert {"sts:AssumeRole", "organizations:ListAccountsForParent"} <= set(calls)
    assert set(calls) <= caller | member
