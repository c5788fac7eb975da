"""What an organization audit did not look at, over moto (real HTTP): always named, never lost.

An OU that cannot be listed, an ``inventory="aggregated"`` run without an aggregator, the
management account or the accounts outside ``--ou`` left out by choice, and the accounts a
deadline left unstarted: each is a coverage gap that covers exactly what it hides, so that a
later ``diff`` calls the hidden violations *unverified* (never *removed*) and an account's own
view of the report is never complete when that account was not looked at.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from click.testing import CliRunner

from cloudaudit import Report, audit, outcome
from cloudaudit.cli import main
from cloudaudit.diff import diff
from cloudaudit.policies import policy_from_mapping
from cloudaudit.providers.aws import AwsOrganization
from tests.scale.conftest import MANAGEMENT, ROLE, Org

pytestmark = pytest.mark.http

ONLY_US = policy_from_mapping({"id": "only-us", "version": "1", "allowed": ["US"]})
"""Every seeded bucket and volume (eu-west-1) violates it."""


def _org(**kw: Any) -> AwsOrganization:
    opts: dict[str, Any] = {"regions": ["eu-west-1"], "services": ["s3"], "inventory": "direct"}
    opts.update(kw)
    return AwsOrganization(boto3.Session(region_name="us-east-1"), ROLE, **opts)


def _accounts(findings: Any) -> set[str]:
    return {f.resource.account for f in findings}


def _hidden_from_its_own_view(report: Report, account: str) -> None:
    for view in (report.by_account(account), report.filter(account=account)):
        assert view.coverage.gaps and not view.complete, account


def test_an_ou_not_listed_hides_every_account_it_may_hold(org_factory: Callable[..., Org]) -> None:
    org = org_factory(4)  # members 0, 2 in OU a; 1 in b; 3 in b1, under b
    ous = [org.ous["a"], org.ous["b"]]
    before = audit(_org(ous=ous), ONLY_US, max_workers=4)
    assert _accounts(before.violations) == set(org.members)

    def throttled(body: dict[str, Any]) -> tuple[int, Any]:
        if body.get("ParentId") == org.ous["b"]:
            return 400, {"__type": "TooManyRequestsException", "Message": "Rate exceeded"}
        return 200, {"OrganizationalUnits": []}  # OU a has no child OU

    org.gate.targets["ListOrganizationalUnitsForParent"] = throttled
    after = audit(_org(ous=ous), ONLY_US, max_workers=4)
    (gap,) = after.coverage.gaps
    assert (gap.account, gap.scope, gap.target) == (
        None,
        "aws/*/*/organizations",
        f"OU {org.ous['b']}",
    )
    assert gap.code == "TooManyRequestsException" and org.ous["b"] in gap.message
    hidden = {org.members[1], org.members[3]}
    assert all(a in gap.message for a in hidden)  # not found under the OUs listed: named
    drift = diff(before, after)
    assert drift.removed == ()
    assert _accounts(drift.unverified) == hidden
    for account in hidden:
        _hidden_from_its_own_view(after, account)


def test_aggregated_without_an_aggregator_hides_every_account_and_region(
    org_factory: Callable[..., Org],
) -> None:
    org_factory(2)
    before = audit(_org(services=["s3", "ec2"], regions=None), ONLY_US, max_workers=4)
    after = audit(_org(services=["s3", "ec2"], inventory="aggregated"), ONLY_US, max_workers=4)
    (gap,) = after.coverage.gaps
    assert gap.code == "AggregatorUnavailable" and "us-east-1" in gap.message
    assert (gap.account, gap.region, gap.scope) == (None, None, "aws/*/*/config")
    drift = diff(before, after)
    assert len(before.violations) >= 6 and drift.removed == ()
    assert {f.id for f in drift.unverified} == {f.id for f in before.violations}


def test_the_management_account_left_out_is_named_and_is_no_failure(
    org_factory: Callable[..., Org],
) -> None:
    org_factory(2)
    before = audit(_org(), ONLY_US, max_workers=4)
    after = audit(_org(include_management=False), ONLY_US, max_workers=4)
    (gap,) = after.coverage.gaps
    assert (gap.account, gap.code) == (MANAGEMENT, "Excluded")
    assert "--exclude-management-account" in gap.message
    assert "include_management=False" in gap.message
    assert not after.complete  # the report does not cover the whole organization
    assert outcome.exit_code(after, ["gap"]) == 0  # but what was asked for is no failure
    assert outcome.exit_code(after, ["violation"]) == 1
    drift = diff(before, after)
    assert MANAGEMENT in _accounts(drift.unverified) and drift.removed == ()
    _hidden_from_its_own_view(after, MANAGEMENT)


@pytest.mark.parametrize("fmt", ["sarif", "table", "json", "jsonl"])
def test_the_cli_says_which_account_was_left_out_and_why(
    org_factory: Callable[..., Org], fmt: str
) -> None:
    org_factory(2)
    argv = ["audit", "aws", "--organization", "--role", ROLE, "--exclude-management-account"]
    argv += ["--regions", "eu-west-1", "--services", "s3", "--inventory", "direct"]
    argv += ["--fail-on", "gap", "--format", fmt, "--quiet"]
    result = CliRunner().invoke(main, argv)
    assert result.exit_code == 0, result.output  # exclusion asked for: not a gap failure
    assert MANAGEMENT in result.stdout and "Excluded" in result.stdout
    assert "--exclude-management-account" in result.stdout


def test_accounts_outside_the_ous_are_named_as_excluded(org_factory: Callable[..., Org]) -> None:
    org = org_factory(4)
    report = audit(_org(ous=[org.ous["a"]]), ONLY_US, max_workers=4)
    assert _accounts(report.findings) == {org.members[0], org.members[2]}
    excluded = {g.account: g for g in report.coverage.gaps if g.code == "Excluded"}
    assert set(excluded) == {org.members[1], org.members[3], MANAGEMENT}
    assert all(org.ous["a"] in g.message and "--ou" in g.message for g in excluded.values())
    assert report.coverage.gaps == tuple(excluded.values())
    assert outcome.exit_code(report, ["gap"]) == 0


def test_accounts_outside_the_ous_that_cannot_be_listed_hide_every_account(
    org_factory: Callable[..., Org],
) -> None:
    org = org_factory(2)
    org.gate.denied_targets.add("ListAccounts")  # ListAccountsForParent still answers
    report = audit(_org(ous=[org.ous["a"]]), ONLY_US, max_workers=4)
    assert _accounts(report.findings) == {org.members[0]}
    (gap,) = report.coverage.gaps
    assert (gap.code, gap.account) == ("Excluded", None)
    assert "could not be listed" in gap.message and "AccessDenied" in gap.message


def test_a_stop_names_the_account_running_and_every_account_not_started(
    org_factory: Callable[..., Org],
) -> None:
    org = org_factory(4)
    org.gate.held_regions.add("eu-west-1")  # the first account's calls hang
    stop = threading.Event()

    def heard(operation: str, region: str) -> None:
        if region == "eu-west-1":  # the first account is in its units: stop the audit now
            stop.set()

    org.gate.heard = heard
    provider = _org(services=["ec2"], max_accounts=1, read_timeout=30, max_attempts=1)
    try:
        report = audit(provider, ONLY_US, max_workers=2, cancel=stop)
    finally:
        org.gate.release.set()
    cancelled = [g for g in report.coverage.gaps if g.code == "Cancelled"]
    assert {g.account for g in cancelled} == {*org.members, MANAGEMENT}
    waiting = [g for g in cancelled if "not started" in g.message]
    assert len(waiting) == 4 and all(g.scope == f"aws/{g.account}/*/*" for g in waiting)
    (running,) = [g for g in cancelled if "still running" in g.message]
    assert running.account not in {g.account for g in waiting}
    assert json.loads(report.to_json())["coverage"]["audited"] == []


def test_a_deadline_during_discovery_starts_no_account(org_factory: Callable[..., Org]) -> None:
    """Accounts listed after the deadline are named as not started, and none is called."""
    org = org_factory(3)
    deadline = time.monotonic() + 1.0

    def heard(operation: str, region: str) -> None:
        if operation == "ListAccounts":  # answered just after the deadline, inside the grace
            time.sleep(max(0.0, deadline - time.monotonic()) + 0.05)

    org.gate.heard = heard
    report = audit(_org(services=["ec2"]), ONLY_US, max_workers=2, deadline=deadline)
    after = org.gate.ops[org.gate.ops.index("ListAccounts") + 1 :]
    assert after == []  # no AssumeRole, no unit: a stopped audit starts no new work
    cancelled = [g for g in report.coverage.gaps if g.code == "Cancelled"]
    assert all("not started" in g.message and "deadline" in g.message for g in cancelled)
    assert sorted(g.account or "" for g in cancelled) == sorted([*org.members, MANAGEMENT])
    assert all(g.scope == f"aws/{g.account}/*/*" for g in cancelled)
    assert not report.complete and not report.findings
