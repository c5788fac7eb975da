"""Every Azure gap names the ARM action of the call that failed (providers/azure/_calls.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("azure.mgmt.resource")

from azure_fake import FakeARM

from cloudaudit import audit
from cloudaudit.providers.azure import AzureProvider
from cloudaudit.providers.azure._calls import arm_action

SUB = "/subscriptions/11111111-0000-0000-0000-000000000001"
SERVER = f"{SUB}/resourceGroups/rg/providers/Microsoft.Sql/servers/sql-1"
ROLE = json.loads((Path(__file__).parents[3] / "cloudaudit/providers/azure/role.json").read_text())[
    "Actions"
]


@pytest.mark.parametrize(
    ("method", "url", "action"),
    [
        (
            "GET",
            "https://arm/subscriptions?api-version=2022-12-01",
            "Microsoft.Resources/subscriptions/read",
        ),
        (
            "GET",
            f"https://arm{SUB}/locations?api-version=1",
            "Microsoft.Resources/subscriptions/locations/read",
        ),
        (
            "GET",
            f"https://arm{SUB}/resources?$skiptoken=x",
            "Microsoft.Resources/subscriptions/resources/read",
        ),
        (
            "POST",
            "https://arm/providers/Microsoft.ResourceGraph/resources?api-version=1",
            "Microsoft.ResourceGraph/resources/read",
        ),
        (
            "GET",
            f"{SERVER}/failoverGroups?api-version=1",
            "Microsoft.Sql/servers/failoverGroups/read",
        ),
        (
            "GET",
            f"{SERVER}/databases/db/replicationLinks",
            "Microsoft.Sql/servers/databases/replicationLinks/read",
        ),
        (
            "GET",
            f"{SUB}/providers/Microsoft.Authorization/policyAssignments",
            "Microsoft.Authorization/policyAssignments/read",
        ),
        (
            "GET",
            "/providers/Microsoft.Management/managementGroups/g/providers/"
            "Microsoft.Authorization/policyDefinitions/allowed",
            "Microsoft.Authorization/policyDefinitions/read",
        ),
        (
            "GET",
            "/providers/Microsoft.Management/managementGroups/g/descendants",
            "Microsoft.Management/managementGroups/descendants/read",
        ),
        ("DELETE", f"{SERVER}/databases/db", "Microsoft.Sql/servers/databases/delete"),
        ("GET", "/tenants?api-version=1", "GET /tenants"),
    ],
)
def test_a_request_is_named_by_its_arm_action(method: str, url: str, action: str) -> None:
    assert arm_action(method, url) == action
    assert action in ROLE or not action.endswith("/read")  # the shipped role grants each read


class Refused:
    """A credential whose token request fails, its message holding a secret."""

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.exceptions import ClientAuthenticationError

        raise ClientAuthenticationError("AADSTS7000215: invalid client secret s3cr3t-value")

    def secret(self) -> str:
        return "s3cr3t-value"


def test_a_token_that_cannot_be_had_names_the_call_that_needed_it(fake: FakeARM) -> None:
    provider = AzureProvider(
        Refused(), arm_endpoint=fake.url, connection_verify=fake.ca_file, retry_total=0
    )
    gaps = audit(provider, "us-foreign-adversaries").coverage.gaps
    assert [g.code for g in gaps] == ["AuthenticationFailed"], gaps
    assert gaps[0].message.startswith("Microsoft.Resources/subscriptions/read: AADSTS7000215")
    assert "s3cr3t" not in gaps[0].message
    assert not fake.log  # no request went out without its token
