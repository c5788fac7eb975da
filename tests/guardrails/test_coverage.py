"""Which guardrails keep an account from the ``no_guardrail`` finding (pure readers + compare).

Only a guardrail that denies requests anywhere in the account does: an audit-only one (Control
Tower's governed regions, an Azure assignment with ``enforcementMode: DoNotEnforce`` or an
``audit`` effect) stays listed, but the account still has ``no_guardrail``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cloudaudit import evaluate
from cloudaudit.guardrails import Guardrail, GuardrailScope
from cloudaudit.providers.aws._guardrail_reads import OrgTree
from cloudaudit.providers.aws._guardrails import governed_regions_guardrail
from cloudaudit.providers.azure._guardrails import to_guardrails as azure_guardrails

FIXTURES = Path(__file__).parent / "fixtures"
POLICY = "us-foreign-adversaries"
ACCT = "111111111111"
SUB = "00000000-0000-0000-0000-000000000001"
ALLOWED = json.loads((FIXTURES / "azure_allowed_locations.json").read_text())
ALLOWED_RG = json.loads((FIXTURES / "azure_rg_allowed_locations.json").read_text())
DEFINITIONS = {ALLOWED["id"].lower(): ALLOWED, ALLOWED_RG["id"].lower(): ALLOWED_RG}
SUB_SCOPE = GuardrailScope(provider="azure", kind="subscription", id=SUB, account=SUB)


def _unguarded(guardrails: list[Guardrail], scope: GuardrailScope) -> list[tuple[str, ...]]:
    report = evaluate([], POLICY, guardrails=guardrails, guardrail_scopes=[scope])
    assert report.guardrails is not None
    assert set(report.guardrails.guardrails) == set(guardrails)  # still listed
    return [f.reasons for f in report.guardrails.of_kind("no_guardrail") if f.scope == scope.id]


def _assignment(definition: dict[str, Any], scope: str = f"/subscriptions/{SUB}", **kw: Any) -> Any:
    name = str(kw.pop("name", "al"))
    props = {
        "scope": scope,
        "policyDefinitionId": definition["id"],
        "parameters": {"listOfAllowedLocations": {"value": ["westeurope"]}},
        **kw,
    }
    aid = f"{scope}/providers/Microsoft.Authorization/policyAssignments/{name}"
    return {"id": aid, "name": name, "properties": props}


def test_control_tower_governed_regions_alone_leave_the_account_unguarded() -> None:
    tree = OrgTree(under={"r-1": {ACCT}}, names={})
    other = {
        "Type": "SERVICE_CONTROL_POLICY",
        "Summary": {"Id": "p-ct", "Name": "aws-guardrails-abcd"},
        "Targets": [{"TargetId": "r-1", "Type": "ROOT"}],
        "Content": json.dumps(
            {"Statement": [{"Effect": "Deny", "Action": ["s3:PutBucketPolicy"], "Resource": "*"}]}
        ),
    }
    gov = governed_regions_guardrail(("eu-west-1",), [other], tree, [ACCT], "aws")
    assert gov is not None and gov.enforcement == "audit"
    acct = GuardrailScope(provider="aws", kind="account", id=ACCT, account=ACCT)
    (reasons,) = _unguarded([gov], acct)
    assert "nothing declared stops resources" in reasons[0]
    assert any("audit-only" in r and "governed regions" in r for r in reasons)


def test_azure_do_not_enforce_and_audit_effect_leave_the_subscription_unguarded() -> None:
    dne = _assignment(ALLOWED, enforcementMode="DoNotEnforce")
    gs = azure_guardrails({SUB: [dne]}, DEFINITIONS, "AzureCloud")
    assert [g.enforcement for g in gs] == ["audit"]
    (reasons,) = _unguarded(gs, SUB_SCOPE)
    assert any("audit-only" in r for r in reasons)
    audit_def = json.loads(json.dumps(ALLOWED).replace('"deny"', '"audit"'))
    gs = azure_guardrails(
        {SUB: [_assignment(audit_def)]}, {ALLOWED["id"].lower(): audit_def}, "AzureCloud"
    )
    assert [g.enforcement for g in gs] == ["audit"]
    assert len(_unguarded(gs, SUB_SCOPE)) == 1
    enforced = azure_guardrails({SUB: [_assignment(ALLOWED)]}, DEFINITIONS, "AzureCloud")
    assert _unguarded(enforced, SUB_SCOPE) == []


def test_allowed_locations_for_resource_groups_alone_leave_the_subscription_unguarded() -> None:
    gs = azure_guardrails({SUB: [_assignment(ALLOWED_RG)]}, DEFINITIONS, "AzureCloud")
    assert [g.enforcement for g in gs] == ["enforced"] and gs[0].resource_types
    (reasons,) = _unguarded(gs, SUB_SCOPE)
    assert any("only some resource types" in r and "resourceGroups" in r for r in reasons)
    both = [_assignment(ALLOWED_RG, name="rg"), _assignment(ALLOWED)]
    assert _unguarded(azure_guardrails({SUB: both}, DEFINITIONS, "AzureCloud"), SUB_SCOPE) == []


def test_subscription_in_not_scopes_is_not_guarded_by_the_assignment() -> None:
    mg = "/providers/Microsoft.Management/managementGroups/root"
    a = _assignment(ALLOWED, scope=mg, notScopes=[f"/Subscriptions/{SUB.upper()}"])
    other = "00000000-0000-0000-0000-000000000002"
    (g,) = azure_guardrails({SUB: [a], other: [a]}, DEFINITIONS, "AzureCloud")
    assert g.applies_to == (other,)
    (reasons,) = _unguarded([g], SUB_SCOPE)
    assert "nothing declared stops resources" in reasons[0]
    other_scope = GuardrailScope(provider="azure", kind="subscription", id=other, account=other)
    assert _unguarded([g], other_scope) == []
    group = _assignment(ALLOWED, scope=mg, notScopes=[mg.replace("root", "sandbox")])
    (g,) = azure_guardrails({SUB: [group]}, DEFINITIONS, "AzureCloud")
    assert any("managementGroups/sandbox" in n for n in g.notes)
