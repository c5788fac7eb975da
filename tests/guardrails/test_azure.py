"""Azure Policy "Allowed locations" assignments on the project's ARM fake (real HTTPS, real SDK).

The built-in definitions are the real JSON of Azure/azure-policy (fixtures/README.md); the
assignment bodies follow the listPolicyAssignments example of azure-rest-api-specs
(specification/resources/.../Microsoft.Authorization/stable/2023-04-01/examples/
listPolicyAssignments.json): ``properties.policyDefinitionId``, ``parameters``, ``scope``,
``notScopes``, ``enforcementMode``.
"""

from __future__ import annotations

import copy
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "providers" / "azure"))

from azure_fake import FakeARM
from azure_tenant import CHINA, EU, PROD, build_tenant

from cloudaudit import audit
from cloudaudit.providers.azure import AzureProvider, StaticTokenCredential
from cloudaudit.providers.azure._guardrails import to_location_rule

FIXTURES = Path(__file__).parent / "fixtures"
POLICY = "us-foreign-adversaries"
MG = "/providers/Microsoft.Management/managementGroups/mg-eu"
BUILTIN = json.loads((FIXTURES / "azure_allowed_locations.json").read_text())
BUILTIN_RG = json.loads((FIXTURES / "azure_rg_allowed_locations.json").read_text())
CUSTOM_ID = f"{MG}/providers/Microsoft.Authorization/policyDefinitions/deny-asia"
INITIATIVE_ID = f"{MG}/providers/Microsoft.Authorization/policySetDefinitions/residency"


def _assignment(
    name: str, scope: str, definition: str, params: dict[str, Any], **kw: Any
) -> dict[str, Any]:
    props = {
        "displayName": name,
        "policyDefinitionId": definition,
        "parameters": {k: {"value": v} for k, v in params.items()},
        "scope": scope,
        "notScopes": [],
        "enforcementMode": "Default",
    }
    props.update(kw)
    return {
        "id": f"{scope}/providers/Microsoft.Authorization/policyAssignments/{name}",
        "type": "Microsoft.Authorization/policyAssignments",
        "name": name,
        "properties": props,
    }


def _custom_deny_list() -> dict[str, Any]:
    """A custom "not allowed locations" definition (field: location), effect a parameter."""
    body = copy.deepcopy(BUILTIN)
    body["id"], body["name"] = CUSTOM_ID, "deny-asia"
    props = body["properties"]
    props["policyType"] = "Custom"
    props["parameters"] = {
        "notAllowed": {"type": "Array"},
        "effect": {"type": "String", "defaultValue": "Audit"},
    }
    props["policyRule"] = {
        "if": {"field": "location", "in": "[parameters('notAllowed')]"},
        "then": {"effect": "[parameters('effect')]"},
    }
    return body


def _initiative() -> dict[str, Any]:
    return {
        "id": INITIATIVE_ID,
        "name": "residency",
        "properties": {
            "parameters": {"rgLocations": {"type": "Array"}},
            "policyDefinitions": [
                {
                    "policyDefinitionId": BUILTIN_RG["id"],
                    "parameters": {
                        "listOfAllowedLocations": {"value": "[parameters('rgLocations')]"}
                    },
                }
            ],
        },
    }


def _tenant() -> Any:
    tenant = build_tenant()
    mg_assignment = _assignment(
        "allowed-locations",
        MG,
        BUILTIN["id"],
        {"listOfAllowedLocations": ["westeurope", "northeurope", "eastasia"]},
        notScopes=[f"/subscriptions/{PROD}/resourceGroups/rg-x"],
    )
    rg_scope = f"/subscriptions/{EU}/resourceGroups/rg-eu"
    tenant.policy_assignments = {
        PROD: [
            mg_assignment,
            _assignment(
                "rg-residency",
                f"/subscriptions/{PROD}",
                INITIATIVE_ID,
                {"rgLocations": ["westeurope"]},
            ),
        ],
        EU: [
            mg_assignment,
            _assignment("no-asia", rg_scope, CUSTOM_ID, {"notAllowed": ["eastasia"]}),
        ],
        CHINA: [],
    }
    tenant.policy_objects = {
        BUILTIN["id"].lower(): BUILTIN,
        BUILTIN_RG["id"].lower(): BUILTIN_RG,
        CUSTOM_ID.lower(): _custom_deny_list(),
        INITIATIVE_ID.lower(): _initiative(),
    }
    return tenant


@pytest.fixture
def fake(tmp_path: Path) -> Iterator[FakeARM]:
    with FakeARM(_tenant(), tmp_path, page_size=2) as server:
        yield server


def _provider(fake: FakeARM) -> AzureProvider:
    return AzureProvider(
        credential=StaticTokenCredential("fake-token"),
        arm_endpoint=fake.url,
        connection_verify=fake.ca_file,
        retry_total=0,
        guardrails=True,
    )


def test_builtin_definition_parses_to_its_allowed_list() -> None:
    parsed = to_location_rule(BUILTIN, {"listOfAllowedLocations": {"value": ["WestEurope"]}})
    assert parsed is not None and parsed.effect == "deny"
    assert parsed.rule.permits("westeurope") and not parsed.rule.permits("eastasia")
    assert parsed.resource_types == () and parsed.notes == ()
    rg = to_location_rule(BUILTIN_RG, {"listOfAllowedLocations": {"value": ["westeurope"]}})
    assert rg is not None and rg.resource_types == (
        "Microsoft.Resources/subscriptions/resourceGroups",
    )
    tags = copy.deepcopy(BUILTIN)
    tags["properties"]["policyRule"]["if"] = {"field": "tags", "exists": "false"}
    assert to_location_rule(tags, {}) is None


def test_three_findings_on_a_tenant(fake: FakeARM) -> None:
    report = audit(_provider(fake), POLICY)
    section = report.guardrails
    assert section is not None
    assert not [g for g in report.coverage.gaps if g.service == "guardrails"]
    kinds = {g.id.rsplit("/", 1)[-1]: g for g in section.guardrails}
    assert kinds["allowed-locations"].attached_to.kind == "management_group"
    assert kinds["allowed-locations"].applies_to == tuple(sorted((PROD, EU)))
    assert kinds["no-asia"].enforcement == "audit" and kinds["no-asia"].within is not None
    assert kinds["rg-residency"].resource_types == (
        "Microsoft.Resources/subscriptions/resourceGroups",
    )

    (permits,) = section.of_kind("permits_restricted")
    assert permits.scope == MG and permits.locations == ("eastasia",)
    assert "allows eastasia, Hong Kong SAR, Hong Kong (HK)" in permits.reasons[0]

    outside = section.of_kind("resource_outside")
    names = {f.resource_id.rsplit("/", 1)[-1] for f in outside if f.resource_id}
    assert "stbrazilgrs" in names and "widget-moon" not in names  # rg-x is a notScope
    assert "fd-global" not in names and "kv-weu" not in names
    assert all(f.guardrail_label and "allowed-locations" in f.guardrail_label for f in outside)

    assert [f.scope for f in section.of_kind("no_guardrail")] == [CHINA]


def test_unreadable_definition_is_a_gap(fake: FakeARM) -> None:
    del fake.tenant.policy_objects[CUSTOM_ID.lower()]
    report = audit(_provider(fake), POLICY)
    gaps = [g for g in report.coverage.gaps if g.service == "guardrails"]
    assert [g.account for g in gaps] == [EU]
    assert report.guardrails is not None
    assert EU not in {s.id for s in report.guardrails.checked}
    assert EU not in {f.scope for f in report.guardrails.of_kind("no_guardrail")}
