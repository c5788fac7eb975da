"""``cloudaudit audit azure``: audit Azure subscriptions (needs ``cloudaudit[azure]``)."""

from __future__ import annotations

import os
from typing import Any

import click

from cloudaudit.cli._common import audit_options, config_errors, resolve_policy, run_providers
from cloudaudit.cli._knobs import call_options, given
from cloudaudit.cli._lists import ids_option, one_id
from cloudaudit.cli.guardrails import guardrails_option

__all__ = ["CA_BUNDLE_ENV", "TEST_TOKEN_ENV", "command"]

CA_BUNDLE_ENV = "CLOUDAUDIT_AZURE_CA_BUNDLE"
"""CA bundle to verify the ARM endpoint with (Azure Stack Hub with a private CA; tests)."""

TEST_TOKEN_ENV = "CLOUDAUDIT_AZURE_TEST_STATIC_TOKEN"
"""TEST ONLY: a fixed bearer token sent instead of DefaultAzureCredential (local fakes)."""


@click.command(name="azure")
@ids_option(
    "--subscription",
    "subscriptions",
    "subscription id",
    "Subscription id to audit (repeatable, or comma-separated). Default: every "
    "subscription you can see.",
)
@click.option(
    "--management-group",
    default=None,
    callback=one_id("management group id"),
    help="Audit the subscriptions under this group.",
)
@click.option(
    "--cloud",
    type=click.Choice(["public", "china", "usgov"]),
    default="public",
    show_default=True,
    help="Azure cloud: public, China (operated by 21Vianet) or US Government.",
)
@click.option(
    "--arm-endpoint",
    default=None,
    metavar="URL",
    help="Azure Resource Manager endpoint override (Azure Stack Hub); https only.",
)
@click.option(
    "--resource-graph/--no-resource-graph",
    default=True,
    show_default=True,
    help="Use Azure Resource Graph (fast) or list each subscription with ARM.",
)
@call_options("Azure Resource Manager", connect=10, read=60, attempts="4 for a timeout")
@guardrails_option
@audit_options
@config_errors
def command(
    subscriptions: tuple[str, ...],
    management_group: str | None,
    cloud: str,
    arm_endpoint: str | None,
    resource_graph: bool,
    connect_timeout: float | None,
    read_timeout: float | None,
    max_attempts: int | None,
    policy: str,
    policy_options: tuple[str, ...],
    max_workers: int,
    guardrails: bool,
    **run: Any,
) -> None:
    """Audit Azure subscriptions: where every resource and its copies keep their data.

    Credentials come from DefaultAzureCredential (environment, managed identity, Azure CLI).
    The role needed is Reader (see docs/providers/azure.md for narrower actions).
    """
    from cloudaudit.providers.azure import AzureProvider, StaticTokenCredential

    pol = resolve_policy(policy, policy_options)
    token = os.environ.get(TEST_TOKEN_ENV)
    provider = AzureProvider(
        credential=StaticTokenCredential(token) if token else None,
        subscriptions=list(subscriptions) or None,
        management_group=management_group,
        cloud=cloud,
        arm_endpoint=arm_endpoint,
        use_resource_graph=resource_graph,
        connection_verify=os.environ.get(CA_BUNDLE_ENV) or None,
        guardrails=guardrails,
        **given(
            connection_timeout=connect_timeout,
            read_timeout=read_timeout,
            max_attempts=max_attempts,
        ),
    )
    provider.check_credentials()  # bad AZURE_* settings: exit 2 before any call
    run_providers([provider], pol, max_workers=max_workers, **run)
