"""Core guardrail comparison: the three findings, the report section and its JSON contract."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from cloudaudit import Report, audit, evaluate
from cloudaudit.catalog import default_catalog
from cloudaudit.guardrails import (
    Guardrail,
    GuardrailFindingKind,
    GuardrailScope,
    LocationRule,
    glob_match,
    permitted_locations,
)
from cloudaudit.testing import FakeProvider, make_resource

ACCT = "111111111111"
ROOT = GuardrailScope(provider="aws", kind="root", id="r-abcd")


def _scp(allow: tuple[str, ...] | None, deny: tuple[str, ...] = (), **kw: object) -> Guardrail:
    return Guardrail(
        provider="aws",
        kind="scp",
        id="p-12345678",
        name="region-deny",
        attached_to=ROOT,
        applies_to=(ACCT,),
        rule=LocationRule(allow=allow, deny=deny),
        partition="aws",
        **kw,  # type: ignore[arg-type]
    )


def _account(acct: str = ACCT) -> GuardrailScope:
    return GuardrailScope(provider="aws", kind="account", id=acct, account=acct)


code = st.text(alphabet="abcdefghij-0123456789", min_size=0, max_size=12)


@given(code)
def test_glob_without_wildcards_is_equality(value: str) -> None:
    assert glob_match(value, value)
    assert not glob_match(value + "x", value)


@given(code, code)
def test_star_prefix_matches_any_suffix(prefix: str, rest: str) -> None:
    assert glob_match(prefix + "*", prefix + rest)
    assert glob_match("*", prefix + rest)


def test_glob_is_iam_like() -> None:
    assert glob_match("eu-*", "eu-central-1")
    assert not glob_match("eu-*", "us-east-1")
    assert glob_match("us-east-?", "us-east-2")
    assert not glob_match("us-east-?", "us-east-10")
    assert glob_match("[ab]", "[ab]")  # brackets are not special in IAM
    assert not glob_match("[ab]", "a")
    assert not glob_match("EU-*", "eu-west-1")
    assert glob_match("WestEurope", "westeurope", case_sensitive=False)


def test_rule_deny_wins_over_allow() -> None:
    rule = LocationRule(allow=("eu-*",), deny=("eu-west-1",))
    assert rule.permits("eu-central-1")
    assert not rule.permits("eu-west-1")
    assert not rule.permits("us-east-1")
    assert LocationRule().permits("anything")
    assert LocationRule(allow=()).permits("us-east-1") is False


def test_permitted_locations_stay_in_the_partition() -> None:
    cat = default_catalog()
    everywhere = permitted_locations(_scp(None), cat)
    assert "ap-east-1" in everywhere
    assert "cn-north-1" not in everywhere  # aws-cn is another partition
    assert "aws-global" not in everywhere  # global is not a region
    assert permitted_locations(_scp(("eu-central-1", "eu-west-1")), cat) == [
        "eu-central-1",
        "eu-west-1",
    ]


def test_guardrail_that_permits_hong_kong_is_named_with_the_engines_reason() -> None:
    report = evaluate(
        [], "us-foreign-adversaries", guardrails=[_scp(("eu-*", "ap-east-1"))], guardrail_scopes=()
    )
    assert report.guardrails is not None
    (f,) = report.guardrails.findings
    assert f.kind is GuardrailFindingKind.PERMITS_RESTRICTED
    assert f.locations == ("ap-east-1",)
    assert f.jurisdictions == ("HK",)
    assert f.reasons[0] == (
        "SCP `region-deny (p-12345678)` at root r-abcd allows ap-east-1, Hong Kong (HK), "
        "which 15 CFR 791.4 counts as part of China"
    )


def test_eu_only_guardrail_under_a_restricted_policy_has_no_permits_finding() -> None:
    report = evaluate([], "us-foreign-adversaries", guardrails=[_scp(("eu-*",))])
    assert report.guardrails is not None
    assert report.guardrails.findings == ()


def test_allowed_mode_policy_flags_permitted_locations_outside_the_allowed_set() -> None:
    report = evaluate([], "eea-only", guardrails=[_scp(("eu-*", "us-east-1"))])
    assert report.guardrails is not None
    (f,) = report.guardrails.findings
    # "eu-*" is not the EEA: Zurich and London are outside it, as is us-east-1
    assert f.locations == ("eu-central-2", "eu-west-2", "us-east-1")
    assert "Switzerland (CH), outside the allowed set" in f.reasons[0]


def test_resource_outside_its_guardrail_names_the_guardrail_and_how_it_got_there() -> None:
    outside = make_resource("aws", "us-east-1", name="old-logs", account=ACCT)
    inside = make_resource("aws", "eu-west-1", name="new-logs", account=ACCT)
    other = make_resource("aws", "us-east-1", name="elsewhere", account="222222222222")
    scp = _scp(("eu-*",), exempt_principals=("arn:aws:iam::*:role/Break-glass",))
    report = evaluate([outside, inside, other], "us-foreign-adversaries", guardrails=[scp])
    assert report.guardrails is not None
    (f,) = report.guardrails.of_kind("resource_outside")
    assert f.resource_id == outside.id
    assert f.guardrail == "p-12345678"
    assert f.locations == ("us-east-1",)
    text = f.reasons[0]
    assert "bucket `old-logs`" in text
    assert "us-east-1, Northern Virginia, United States (US), but" in text
    assert "SCP `region-deny (p-12345678)`" in text and "allows eu-*" in text
    assert "Break-glass" in text


def test_global_and_unplaced_resources_are_not_compared() -> None:
    glob = make_resource("aws", "aws-global", kind="global", account=ACCT)
    none = make_resource("aws", None, account=ACCT)
    report = evaluate([glob, none], "us-foreign-adversaries", guardrails=[_scp(("eu-*",))])
    assert report.guardrails is not None
    assert report.guardrails.of_kind("resource_outside") == ()


def test_scope_without_guardrail_and_scope_with_only_a_disabled_one() -> None:
    disabled = _scp(("eu-*",), enforcement="disabled")
    scopes = [_account(), _account("222222222222")]
    report = evaluate([], "us-foreign-adversaries", guardrails=[disabled], guardrail_scopes=scopes)
    assert report.guardrails is not None
    found = report.guardrails.of_kind("no_guardrail")
    assert [f.scope for f in found] == [ACCT, "222222222222"]
    assert any("disabled guardrails" in r for r in found[0].reasons)
    report = evaluate(
        [], "us-foreign-adversaries", guardrails=[_scp(("eu-*",))], guardrail_scopes=scopes
    )
    assert report.guardrails is not None
    assert [f.scope for f in report.guardrails.of_kind("no_guardrail")] == ["222222222222"]


def test_azure_scope_prefix_and_not_scopes() -> None:
    sub = "00000000-0000-0000-0000-000000000001"
    rg = f"/subscriptions/{sub}/resourceGroups/app"
    g = Guardrail(
        provider="azure",
        kind="azure_policy",
        id="allowed-locations",
        name="Allowed locations",
        attached_to=GuardrailScope(provider="azure", kind="resource_group", id=rg, account=sub),
        applies_to=(sub,),
        within=rg,
        excluded=(f"{rg}/providers/Microsoft.Storage/storageAccounts/legacy",),
        rule=LocationRule(allow=("westeurope",), case_sensitive=False),
        partition="AzureCloud",
    )
    assert g.covers(sub, f"{rg.upper()}/providers/Microsoft.Web/sites/x")
    assert not g.covers(sub, f"/subscriptions/{sub}/resourceGroups/other/providers/x")
    assert not g.covers(sub, f"{rg}/providers/Microsoft.Storage/storageAccounts/legacy")
    assert not g.covers("another", f"{rg}/providers/x")
    # a prefix of the text is not a parent scope: app2 is not inside app, nor is a storage
    # account whose name merely starts with the excluded one's
    assert not g.covers(sub, f"/subscriptions/{sub}/resourceGroups/app2/providers/x")
    assert g.covers(sub, f"{rg}/providers/Microsoft.Storage/storageAccounts/legacy2")
    scopes = [GuardrailScope(provider="azure", kind="subscription", id=sub, account=sub)]
    report = evaluate([], "us-foreign-adversaries", guardrails=[g], guardrail_scopes=scopes)
    assert report.guardrails is not None
    (none,) = report.guardrails.of_kind("no_guardrail")
    assert "only parts of it are covered" in none.reasons[1]


def test_report_without_guardrails_loads_and_section_round_trips() -> None:
    old = json.loads(evaluate([], "us-foreign-adversaries").to_json())
    old.pop("guardrails")
    assert Report.model_validate(old).guardrails is None
    report = evaluate(
        [make_resource("aws", "us-east-1", account=ACCT)],
        "us-foreign-adversaries",
        guardrails=[_scp(("eu-*", "ap-east-1"))],
        guardrail_scopes=[_account()],
    )
    again = Report.from_json(report.to_json())
    assert again == report
    assert again.guardrails is not None
    assert {f.kind.value for f in again.guardrails.findings} == {
        "permits_restricted",
        "resource_outside",
    }
    ids = [f.id for f in again.guardrails.findings]
    assert len(set(ids)) == len(ids)


def test_audit_collects_guardrails_from_providers_and_compares() -> None:
    res = make_resource("aws", "us-east-1", account=ACCT)
    provider = FakeProvider([res], guardrails=[_scp(("eu-*",))], guardrail_scopes=[_account()])
    report = audit(provider, "us-foreign-adversaries")
    assert report.guardrails is not None
    assert [f.kind.value for f in report.guardrails.findings] == ["resource_outside"]
    assert audit(FakeProvider([res]), "us-foreign-adversaries").guardrails is None
